"""The station and evaluation deciders as pure domain code: opened once, updated once open,
its contact erasable; an evaluation recorded once per station, kind and year."""

from datetime import UTC, date, datetime

from shegong_events.registry import (
    EvaluationScores,
    StationContactErased,
    StationEvaluated,
    StationOpened,
    StationUpdated,
)
from shegong_registry.domain import evaluation, station
from shegong_registry.domain.evaluation import EVALUATION, EvaluationAlreadyRecorded, total
from shegong_registry.domain.station import STATION, StationAlreadyOpened, StationNotOpened
from shegong_testing.decider import scenario

SID = "xigu-fulilu"
OPEN = station.OpenStation(
    station_id=SID,
    name="西固区福利路街道社工站",
    city="兰州市",
    district_id="xigu",
    district_name="西固区",
    street="福利路街道",
    kind="street",
)
OPENED = StationOpened(
    station_id=SID,
    name="西固区福利路街道社工站",
    city="兰州市",
    district_id="xigu",
    district_name="西固区",
    street="福利路街道",
    kind="street",
)
given_station = scenario(STATION, aggregate_id=SID, station_id=SID)


def test_a_station_opens_once():
    state = given_station().when(OPEN).then(OPENED)
    assert (state.opened, state.district_id) == (True, "xigu")
    given_station(OPENED).when(OPEN).raises(StationAlreadyOpened)


def test_an_open_station_is_renamed_and_an_unopened_one_is_not_found():
    rename = station.UpdateStation(station_id=SID, name="福利路街道社工站")
    state = given_station(OPENED).when(rename).then(StationUpdated(name="福利路街道社工站"))
    assert state.name == "福利路街道社工站"
    given_station().when(rename).raises(StationNotOpened)


def test_the_contact_of_an_open_station_is_erased_and_of_an_unopened_one_not_found():
    at = datetime(2024, 4, 1, tzinfo=UTC)
    erase = station.EraseStationContact(station_id=SID, reason="subject_request", erased_at=at)
    given_station(OPENED).when(erase).then(
        StationContactErased(reason="subject_request", erased_at=at)
    )
    given_station().when(erase).raises(StationNotOpened)


SCORES = EvaluationScores(
    administration=90,
    finance=88,
    service_delivery=95,
    social_evaluation=93,
    publicity_innovation=89,
)
RECORD = evaluation.RecordEvaluation(
    station_id=SID,
    district_id="xigu",
    kind="midterm",
    period="2024",
    scores=SCORES,
    reviewer="西固区民政局评估组",
    evaluated_on=date(2024, 3, 18),
    exemplary=True,
    highlights=("项目特色鲜明",),
)
EVALUATED = StationEvaluated(
    district_id="xigu",
    kind="midterm",
    period="2024",
    scores=SCORES,
    reviewer="西固区民政局评估组",
    evaluated_on=date(2024, 3, 18),
    exemplary=True,
    highlights=["项目特色鲜明"],
)
given_evaluation = scenario(EVALUATION, aggregate_id=RECORD.evaluation_id, station_id=SID)


def test_an_evaluation_is_recorded_once_per_station_kind_and_year():
    assert RECORD.evaluation_id == "xigu-fulilu-midterm-2024"
    assert given_evaluation().when(RECORD).then(EVALUATED).recorded
    error = given_evaluation(EVALUATED).when(RECORD).raises(EvaluationAlreadyRecorded)
    assert error.status == 409


def test_the_total_is_the_mean_of_the_dimensions_to_one_decimal():
    assert total(SCORES) == 91.0
