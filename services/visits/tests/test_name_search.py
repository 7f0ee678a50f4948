"""Finding a household by its head's name (POST /households/search): exact name only, however
it is typed; station staff in their own stations only; the read model keeps the name's keyed
hash and never the name, drops it on a rename and on erasure, and a rebuild writes the same;
each person shown is in the read audit once."""

import base64
import hashlib
import hmac
import json
import uuid

import asyncpg
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from shegong_runtime import generations
from shegong_runtime.projection import rebuild
from shegong_runtime.service import runtime
from shegong_testing.fixtures import eventually
from shegong_testing.http import bearer
from shegong_visits import views
from shegong_visits.name_index import normalised
from shegong_visits.projections import DDL

STATION, OTHER = f"ns-{uuid.uuid4().hex[:8]}", f"nt-{uuid.uuid4().hex[:8]}"
DISTRICT, OTHER_DISTRICT = "chengguan", "xigu"


def a_name() -> str:
    """Two to four Chinese characters no other test uses (a family name, then given names)."""
    given = "".join(chr(0x4E00 + b * 78 + i) for i, b in enumerate(uuid.uuid4().bytes[:3]))
    return "王" + given


@pytest.fixture(scope="module")
async def visits(serve):
    async with serve({STATION: DISTRICT, OTHER: OTHER_DISTRICT}) as client:
        yield client


@pytest.fixture(scope="module")
def tokens(settings):
    return {
        "worker": bearer(settings, "social_worker", [STATION], subject="sw-ns"),
        "lead": bearer(settings, "station_lead", [STATION], subject="lead-ns"),
        "other_worker": bearer(settings, "social_worker", [OTHER], subject="sw-nt"),
        "officer": bearer(settings, "district_officer", district=DISTRICT, subject="officer-ns"),
        "city": bearer(settings, "city_admin", subject="city-ns"),
        "integrator": bearer(settings, "integrator", subject="integrator-ns"),
        "operator": bearer(settings, "operator", subject="operator-ns"),
    }


async def register(visits, tokens, name: str, station: str = STATION, **extra) -> str:
    worker = tokens["worker" if station == STATION else "other_worker"]
    body = {"station_id": station, "categories": ["minimum_living_allowance"], "head_name": name}
    r = await visits.post("/households", json={**body, **extra}, headers=worker)
    assert r.status_code == 201, r.text
    return r.json()["household_id"]


async def search(visits, headers, name: str, **more):
    return await visits.post("/households/search", json={"name": name, **more}, headers=headers)


async def found(visits, headers, name: str, **more) -> set[str]:
    r = await search(visits, headers, name, **more)
    assert r.status_code == 200, r.text
    return {h["household_id"] for h in r.json()["items"]}


async def indexed(visits, headers, name: str, expected: set[str]) -> None:
    """Poll until the read model has caught up and the name finds exactly `expected`."""

    async def matches():
        return await found(visits, headers, name) == expected

    await eventually(matches)


async def index_rows(rt, hids: list[str]) -> list[asyncpg.Record]:
    s = await views.read_schema(rt)
    return list(
        await rt.pool.fetch(
            f"SELECT * FROM {s}.household_names WHERE household_id = ANY($1::text[]) "
            "ORDER BY household_id",
            hids,
        )
    )


async def test_a_household_is_found_by_its_heads_exact_name_however_it_is_typed(visits, tokens):
    name = a_name()
    hid = await register(visits, tokens, f"{name}Lei", phone="13911112222")
    await indexed(visits, tokens["worker"], f"{name}Lei", {hid})
    full_width = f" {name[0]} {name[1:]}\u3000ＬＥＩ "  # spaces, an ideographic space, full-width
    assert await found(visits, tokens["worker"], full_width) == {hid}
    assert await found(visits, tokens["lead"], f"{name}lei") == {hid}
    assert await found(visits, tokens["worker"], name) == set()  # a part of it is another name
    assert await found(visits, tokens["worker"], f"{name}Le") == set()
    assert await found(visits, tokens["worker"], a_name()) == set()
    # shown exactly as the station's list shows it, personal data opened
    r = await search(visits, tokens["worker"], full_width)
    listed = await visits.get(
        "/households", params={"station_id": STATION, "limit": 500}, headers=tokens["worker"]
    )
    [row] = [h for h in listed.json()["items"] if h["household_id"] == hid]
    assert r.json() == {"items": [row], "next": None}
    assert row["head_name"] == f"{name}Lei" and row["phone"] == "13911112222"


async def test_only_the_callers_own_stations_are_searched(visits, tokens):
    name = a_name()
    here, there = await register(visits, tokens, name), await register(visits, tokens, name, OTHER)
    await indexed(visits, tokens["worker"], name, {here})
    await indexed(visits, tokens["other_worker"], name, {there})
    assert await found(visits, tokens["worker"], name, station_id=STATION) == {here}
    refused = await search(visits, tokens["worker"], name, station_id=OTHER)
    assert refused.status_code == 403 and refused.json()["rule"] == "Forbidden"


@pytest.mark.parametrize("role", ["officer", "city", "integrator", "operator"])
async def test_bureaus_integrators_and_operators_are_refused_naming_the_rule(visits, tokens, role):
    r = await search(visits, tokens[role], "张三")
    assert r.status_code == 403, r.text
    problem = r.json()
    assert problem["rule"] == "NameSearchForStationStaffOnly"
    assert "仅限社工和站长" in problem["detail"]


@pytest.mark.parametrize(
    ("name", "rule"),
    [("", "string_too_short"), ("　 ", "string_too_short"), ("王" * 51, "string_too_long")],
)
async def test_a_name_out_of_bounds_is_refused_naming_the_field(visits, tokens, name, rule):
    r = await search(visits, tokens["worker"], name)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "name" and r.json()["rule"] == rule


async def test_a_control_character_in_the_name_is_refused(visits, tokens):
    r = await search(visits, tokens["worker"], "王\x00五")
    assert r.status_code == 422 and r.json()["field"] == "name"
    assert r.json()["rule"] == "control_character"


async def test_after_a_rename_the_old_name_no_longer_finds_it_and_the_new_one_does(visits, tokens):
    old, new = a_name(), a_name()
    hid = await register(visits, tokens, old)
    await indexed(visits, tokens["worker"], old, {hid})
    r = await visits.post(
        f"/households/{hid}/updates", json={"head_name": new}, headers=tokens["worker"]
    )
    assert r.status_code == 200, r.text
    await indexed(visits, tokens["worker"], new, {hid})
    assert await found(visits, tokens["worker"], old) == set()
    # an update that does not touch the name keeps it findable
    r = await visits.post(
        f"/households/{hid}/updates", json={"community": "福东社区"}, headers=tokens["worker"]
    )
    assert r.status_code == 200, r.text

    async def community_changed():
        r = await search(visits, tokens["worker"], new)
        return r.json()["items"] and r.json()["items"][0]["community"] == "福东社区"

    await eventually(community_changed)


async def test_after_erasure_it_is_not_found_and_no_index_row_remains(visits, tokens):
    name = a_name()
    hid = await register(visits, tokens, name)
    await indexed(visits, tokens["worker"], name, {hid})
    rt = runtime(visits.app)
    assert len(await index_rows(rt, [hid])) == 1
    erased = await visits.post(
        f"/households/{hid}/erasure", json={"reason": "subject_request"}, headers=tokens["lead"]
    )
    assert erased.status_code == 200, erased.text
    await indexed(visits, tokens["worker"], name, set())
    assert await index_rows(rt, [hid]) == []


async def test_the_read_model_keeps_the_keyed_hash_of_the_name_and_never_the_name(
    visits, tokens, settings
):
    name = a_name()
    hid = await register(visits, tokens, f" {name} ")
    await indexed(visits, tokens["worker"], name, {hid})
    [row] = await index_rows(runtime(visits.app), [hid])
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"shegong/visits/household-name-index/v1",
    ).derive(base64.b64decode(settings.master_key))
    assert row["head_name_hmac"] == hmac.new(key, name.encode(), hashlib.sha256).digest()
    assert row["head_name_hmac"] != hashlib.sha256(name.encode()).digest()  # keyed, not bare
    assert name.encode() not in row["head_name_hmac"]
    assert name not in json.dumps(dict(row), default=str, ensure_ascii=False)
    assert (row["household_id"], row["station_id"]) == (hid, STATION)


def test_names_are_compared_after_nfkc_without_whitespace_and_case_folded():
    assert normalised(" 张\u3000秀 英\t") == "张秀英"
    assert normalised("Ｌｉ　Ｌｅｉ") == normalised("li lei") == "lilei"
    assert normalised("张秀英") != normalised("张秀")


async def test_a_rebuild_of_the_read_model_gives_the_same_index(visits, tokens):
    name, renamed = a_name(), a_name()
    hids = [await register(visits, tokens, name), await register(visits, tokens, a_name())]
    await visits.post(
        f"/households/{hids[1]}/updates", json={"head_name": renamed}, headers=tokens["worker"]
    )
    await indexed(visits, tokens["worker"], renamed, {hids[1]})
    await indexed(visits, tokens["worker"], name, {hids[0]})
    rt = runtime(visits.app)
    before = [dict(r) for r in await index_rows(rt, hids)]
    live = await generations.live(rt.pool, views.READ_MODEL.name)
    await rebuild(views.READ_MODEL, rt.pool, rt.nc, rt.settings, grace_s=0.5)
    assert await generations.live(rt.pool, views.READ_MODEL.name) == live + 1
    assert [dict(r) for r in await index_rows(rt, hids)] == before and len(before) == 2
    assert await found(visits, tokens["worker"], renamed) == {hids[1]}


async def test_each_household_shown_is_audited_once_and_pages_go_on_in_the_body(visits, tokens):
    name = a_name()
    hids = {await register(visits, tokens, name), await register(visits, tokens, name)}
    await indexed(visits, tokens["worker"], name, hids)
    rt = runtime(visits.app)
    subjects = sorted(f"household:{h}" for h in hids)

    async def audited() -> list[tuple[str, str]]:
        rows = await rt.pool.fetch(
            "SELECT subject_id, route FROM visits.read_audit WHERE subject_id = ANY($1::text[]) "
            "AND reader = 'sw-ns' AND route = '/households/search' ORDER BY subject_id",
            subjects,
        )
        return [(r["subject_id"], r["route"]) for r in rows]

    before = await audited()
    first = await search(visits, tokens["worker"], name, limit=1)
    assert first.status_code == 200 and "link" not in first.headers
    assert first.json()["next"] and len(first.json()["items"]) == 1
    second = await search(visits, tokens["worker"], name, limit=1, cursor=first.json()["next"])
    assert second.json()["next"] is None
    assert {h["household_id"] for h in first.json()["items"] + second.json()["items"]} == hids
    after = await audited()
    assert len(after) == len(before) + 2 and set(after) - set(before) <= {
        (s, "/households/search") for s in subjects
    }
    again = await search(visits, tokens["worker"], name)  # one request, two people: two records
    assert len(again.json()["items"]) == 2 and len(await audited()) == len(after) + 2
    hid = min(hids)
    timeline = await visits.get(
        f"/households/{hid}/timeline", params={"limit": 1}, headers=tokens["worker"]
    )
    refused = await search(visits, tokens["worker"], name, cursor=timeline.json()["next"])
    assert refused.status_code == 422 and refused.json()["field"] == "cursor"


async def test_the_lookup_is_an_index_scan_among_thousands_of_households(pool):
    """The search's own statement, explained over a read model of 4,000 households in 20
    stations: the name's index row is found through `household_names_lookup`, and nothing is
    read in full."""
    s = f"ns_explain_{uuid.uuid4().hex[:8]}"
    await generations.create_schema(pool, s, DDL)
    try:
        await pool.execute(
            f"INSERT INTO {s}.households (household_id, station_id, categories, member_count, "
            "registered_at, version) SELECT 'hh-' || i, 'st-' || (i % 20), '{general}', 1, "
            "now() - i * interval '1 hour', 1 FROM generate_series(1, 4000) i;"
            f"INSERT INTO {s}.household_personal (household_id, head_name_sealed) "
            "SELECT 'hh-' || i, 'sealed:v1:x' FROM generate_series(1, 4000) i;"
            f"INSERT INTO {s}.household_names (household_id, station_id, head_name_hmac) "
            "SELECT 'hh-' || i, 'st-' || (i % 20), sha256(('name-' || (i % 3500))::bytea) "
            "FROM generate_series(1, 4000) i;"
            f"ANALYZE {s}.households; ANALYZE {s}.household_personal; "
            f"ANALYZE {s}.household_names"
        )
        wanted = hashlib.sha256(b"name-7").digest()
        select = views.named(s, ["st-7"], wanted)
        statement = select.statement(views.HOUSEHOLDS, None, 50)
        rows = await pool.fetch(statement, *select.args)  # two namesakes at one station
        assert [r["household_id"] for r in rows] == ["hh-3507", "hh-7"]  # in order of registration
        for stations in (["st-7"], ["st-7", "st-8"]):
            select = views.named(s, stations, wanted)
            raw = await pool.fetchval(
                f"EXPLAIN (FORMAT JSON) {select.statement(views.HOUSEHOLDS, None, 50)}",
                *select.args,
            )
            nodes = list(walk(json.loads(raw)[0]["Plan"]))
            assert any(n.get("Index Name") == "household_names_lookup" for n in nodes), nodes
            assert not [n for n in nodes if n["Node Type"] == "Seq Scan"], nodes
    finally:
        await generations.drop_schema(pool, s)


def walk(plan: dict):
    yield plan
    for child in plan.get("Plans", ()):
        yield from walk(child)
