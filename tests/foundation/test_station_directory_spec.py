"""KnownStations, the station directory every service keeps: a station opened is known with its
district, an update renames it, a redelivery or a reopening leaves one row; other registry
facts are not its business."""

from collections.abc import AsyncIterator

import asyncpg
import pytest
from shegong_events.registry import OrgDeregistered, StationOpened, StationUpdated
from shegong_runtime.station_directory import KnownStations
from shegong_testing.projection_spec import ProjectionSpec, Stream

OPENED = StationOpened(
    station_id="xigu-fulilu",
    name="西固区福利路街道社工站",
    city="兰州市",
    district_id="xigu",
    district_name="西固区",
    street="福利路街道",
    kind="street",
    lead_sealed="sealed:v1:AAAA",
)
ROW = "SELECT station_id, name, district_id, district_name, city FROM {s}.stations"


@pytest.fixture
async def spec(pool: asyncpg.Pool) -> AsyncIterator[ProjectionSpec]:
    async with ProjectionSpec.open(pool, KnownStations("spec")) as opened:
        yield opened


@pytest.fixture
def station() -> Stream:
    return Stream("xigu-fulilu", "xigu-fulilu")


async def test_an_opened_station_is_known_with_its_district(
    spec: ProjectionSpec, station: Stream
) -> None:
    await spec.given(station(OPENED))
    await spec.then(ROW, ("xigu-fulilu", "西固区福利路街道社工站", "xigu", "西固区", "兰州市"))


async def test_an_update_renames_it_and_one_without_a_name_changes_nothing(
    spec: ProjectionSpec, station: Stream
) -> None:
    await spec.given(station(OPENED), station(StationUpdated(name="福利路街道社工站")))
    await spec.given(station(StationUpdated(contact_sealed="sealed:v1:BBBB")))
    await spec.then(ROW, ("xigu-fulilu", "福利路街道社工站", "xigu", "西固区", "兰州市"))


async def test_a_redelivered_opening_leaves_the_renamed_station_as_it_is(
    spec: ProjectionSpec, station: Stream
) -> None:
    opened, renamed = station(OPENED), station(StationUpdated(name="福利路街道社工站"))
    await spec.given(opened, renamed)
    await spec.given(opened)
    await spec.then("SELECT name FROM {s}.stations", ("福利路街道社工站",))


async def test_other_registry_facts_leave_the_directory_alone(spec: ProjectionSpec) -> None:
    await spec.given(Stream("org-1", "xigu-fulilu")(OrgDeregistered(reason="团队解散")))
    await spec.then("SELECT count(*) FROM {s}.stations", (0,))
