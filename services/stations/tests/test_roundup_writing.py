"""How the roundup is worded and rendered, and how completeness is scored: pure, no database."""

from datetime import date
from typing import Any

from shegong_stations import roundup_render
from shegong_stations.completeness import completeness
from shegong_stations.periods import Span, last_seven_days, week_of
from shegong_stations.queries.roundup_facts import Facts
from shegong_stations.roundup import build, joined

SPAN = Span(date(2024, 3, 16), date(2024, 3, 22))
NAMES = {"a": "甲街道社工站", "b": "乙街道社工站"}


def meeting(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "meeting_id": "m",
        "station_id": "a",
        "kind": "resident_deliberation",
        "title": "居民议事会",
        "theme": None,
        "on_date": date(2024, 3, 19),
        "format": None,
        "participants": 12,
        "participant_groups": [],
        "co_organisers": [],
        "topics": [],
        "outcomes": [],
        "model_station_id": None,
        "issues": 0,
        "resolutions": 0,
    }
    return {**base, **fields}


def test_participants_are_listed_as_the_source_lists_them():
    assert joined(["社区书记", "楼院长", "居民代表"]) == "社区书记、楼院长及居民代表"
    assert joined(["社工"]) == "社工"


def test_a_deliberation_names_its_station_partners_people_and_resolutions():
    m = meeting(
        co_organisers=[
            {"name": "大通路社区", "kind": "community_committee", "role": "co_organiser"}
        ],
        participant_groups=[
            {"role": "community_secretary", "label": "社区书记"},
            {"role": "resident"},
        ],
        topics=[{"title": "为老服务"}],
        resolutions=2,
    )
    r = build("某区", SPAN, NAMES, Facts(meetings=[m]))
    (section,) = r.sections
    assert section.paragraphs == [
        (
            "3月19日，甲街道社工站联合大通路社区召开了“居民议事会”。社区书记及居民共计12人参加。"
            "会上围绕为老服务等问题交流讨论，形成决议2项。"
        )
    ]
    assert r.title == "某区社会工作一周掠影"
    assert "召开居民议事会议1场" in r.lead and "12人次" in r.lead


def test_a_peer_exchange_names_its_organiser_host_and_model_station():
    m = meeting(
        kind="peer_exchange",
        title="互学交流会",
        station_id="b",
        model_station_id="a",
        participants=None,
        co_organisers=[{"name": "某区民政局", "kind": "district_bureau", "role": "organiser"}],
    )
    r = build("某区", SPAN, NAMES, Facts(meetings=[m], exemplary={"a": "midterm"}))
    text = r.sections[0].paragraphs[0]
    assert text.startswith(
        "3月19日，某区民政局组织召开“互学交流会”，乙街道社工站承办，以中期评估表现优秀的甲街道社工站为学习典范。"
    )
    assert {m.station_id for m in r.sections[0].mentions} == {"a", "b"}


def test_a_quiet_week_says_so_and_has_no_sections():
    r = build("某区", SPAN, NAMES, Facts())
    assert r.sections == []
    assert "暂无记录的工作" in r.lead and "暂无记录的工作" in roundup_render.markdown(r)


def test_the_html_roundup_escapes_what_was_recorded():
    m = meeting(title="<script>alert(1)</script>")
    html = roundup_render.html(build("某区", SPAN, NAMES, Facts(meetings=[m])))
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_only_a_span_of_seven_days_is_called_a_week():
    assert (
        build("某区", Span(date(2024, 3, 1), date(2024, 3, 31)), NAMES, Facts()).title
        == "某区社会工作掠影"
    )
    assert last_seven_days(date(2024, 3, 22)) == SPAN
    assert week_of(date(2024, 3, 21)) == Span(date(2024, 3, 18), date(2024, 3, 24))


def test_completeness_scores_each_dimension_from_its_checks_and_leaves_finance_to_reviewers():
    scored = completeness(
        {
            "visits_with_observations": [3, 4],
            "meetings_with_outcomes": [1, 1],
            "action_items_on_time": [0, 2],
        }
    )
    assert scored["service_delivery"]["score"] == 0.8  # (3 + 1) / (4 + 1)
    assert scored["administration"]["score"] == 0.0
    assert scored["social_evaluation"]["score"] is None  # nothing recorded to check
    assert scored["finance"]["score"] is None and scored["finance"]["note"]
