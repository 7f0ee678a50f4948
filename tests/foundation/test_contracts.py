"""Event contracts: subjects, versions and upcasters, and the committed JSON Schemas."""

from pathlib import Path

import pytest
from pydantic import Field, ValidationError
from shegong_events import (
    CATALOG,
    DomainEvent,
    Envelope,
    EventCatalog,
    OpensAtStation,
    UnknownEventType,
)
from shegong_events.schemas import DEFAULT_DIR, render_all
from shegong_events.subjects import Subject, domain_filter, subject_for, token
from shegong_testing.probe import probe_event


def test_subject_names_domain_station_type_and_aggregate():
    env = probe_event("agg-1", station_id="xigu-fulilu")
    assert subject_for(env) == "sw.probe.xigu-fulilu.ProbeRecorded.agg-1"
    parsed = Subject.parse("sw.visits.honggu-haishiwan.VisitRecorded.h-42")
    assert (parsed.domain, parsed.station_id, parsed.event_type, parsed.aggregate_id) == (
        "visits",
        "honggu-haishiwan",
        "VisitRecorded",
        "h-42",
    )
    assert domain_filter("visits") == "sw.visits.>"
    assert domain_filter("visits", station_id="xigu-fulilu") == "sw.visits.xigu-fulilu.*.*"


@pytest.mark.parametrize("bad", ["a.b", "has space", "star*", ">"])
def test_subject_tokens_refuse_dots_spaces_and_wildcards(bad):
    with pytest.raises(ValidationError, match="aggregate_id"):
        probe_event(bad)
    with pytest.raises(ValidationError, match="station_id"):
        probe_event("fine", station_id=bad)
    with pytest.raises(ValueError, match="not a valid subject token"):
        token(bad, "aggregate_id")


def test_old_versions_are_upcast_step_by_step():
    catalog = EventCatalog()

    class V1(DomainEvent):
        event_type, schema_version, domain, aggregate_type = "Thing", 1, "t", "thing"
        name: str

    class V2(DomainEvent):
        event_type, schema_version, domain, aggregate_type = "Thing", 2, "t", "thing"
        title: str

    class V3(DomainEvent):
        event_type, schema_version, domain, aggregate_type = "Thing", 3, "t", "thing"
        title: str
        size: int = Field(ge=0)

    for model in (V1, V2, V3):
        catalog.register(model)
    catalog.upcaster("Thing", 1)(lambda d: {"title": d["name"]})
    catalog.upcaster("Thing", 2)(lambda d: {**d, "size": 0})
    old = Envelope.wrap(V1(name="x"), aggregate_id="a", station_id="s", actor="t")
    assert catalog.decode(old) == V3(title="x", size=0)
    assert catalog.upcast(old).schema_version == 3


def test_unknown_types_and_missing_upcasters_are_named():
    with pytest.raises(UnknownEventType, match="ProbeRecorded"):
        EventCatalog().decode(probe_event("a"))
    catalog = EventCatalog()

    class Old(DomainEvent):
        event_type, schema_version, domain, aggregate_type = "Gap", 1, "t", "gap"

    class New(DomainEvent):
        event_type, schema_version, domain, aggregate_type = "Gap", 2, "t", "gap"

    catalog.register(Old)
    catalog.register(New)
    old = Envelope.wrap(Old(), aggregate_id="a", station_id="s", actor="t")
    with pytest.raises(UnknownEventType, match="no upcaster for Gap v1"):
        catalog.decode(old)


def test_a_first_event_names_its_station_once_as_the_envelope_carries_it():
    """An aggregate's first event names its station for `evolve`; the data never repeats it (a
    release without the field reads it), and an event stored before it named one decodes to the
    envelope's station."""
    from shegong_events.registry import OrgFiled

    filed = OrgFiled(
        station_id="xigu-fulilu",
        name="银龄之声合唱团",
        category="culture_sports",
        community="福东社区",
        responsible_person_sealed="sealed:v1:AAAA",
        members=12,
        activity_area="福利东路社区",
        charter_summary="以歌会友",
    )
    env = Envelope.wrap(filed, aggregate_id="org-1", station_id="xigu-fulilu", actor="t")
    assert "station_id" not in env.data
    assert CATALOG.decode(env) == filed
    stored_before = env.model_copy(update={"station_id": "honggu-haishiwan"})
    decoded = CATALOG.decode(stored_before)
    assert isinstance(decoded, OpensAtStation) and decoded.station_id == "honggu-haishiwan"
    with pytest.raises(ValueError, match="names station xigu-fulilu"):
        Envelope.wrap(filed, aggregate_id="org-1", station_id="honggu-haishiwan", actor="t")


def test_committed_json_schemas_match_the_models():
    """Regenerate with `uv run python -m shegong_events.schemas` after changing an event."""
    expected = render_all()
    committed = {
        str(p.relative_to(DEFAULT_DIR)): p.read_text(encoding="utf-8")
        for p in Path(DEFAULT_DIR).rglob("*.json")
    }
    assert sorted(committed) == sorted(expected), "schema files added or missing"
    drifted = [name for name, text in expected.items() if committed[name] != text]
    assert not drifted, f"committed schemas drifted from the models: {drifted}"


def test_every_published_event_validates_against_its_schema():
    import jsonschema

    for model in CATALOG.models():
        if not model.__module__.startswith("shegong_events."):
            continue
        schema = render_all()[f"{model.domain}/{model.event_type}.v{model.schema_version}.json"]
        jsonschema.Draft202012Validator.check_schema(__import__("json").loads(schema))
