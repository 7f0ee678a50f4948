"""PIPL erasure, searched for as an auditor would: each kind of data subject (household,
volunteer, organisation contact, station contact, notification recipient) is recorded through
the real service processes with canary values, read back, then erased. Afterwards nothing may
still open or hash back to them: not in any table of any schema, not in any message of any
stream, not in any log line of the processes, whether plain, JSON-escaped, base64, an unkeyed
hash of a value, or the fingerprint (keyed or not) of a request about them.
"""

from __future__ import annotations

import base64
import uuid

import asyncpg
import httpx
import nats
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from shegong_runtime import auth
from shegong_runtime.crypto import PREFIX, REDACTED
from shegong_runtime.embedded import free_port
from shegong_runtime.settings import Settings
from shegong_testing.fixtures import eventually
from shegong_visits import name_index

from .helpers import SEALED, Person, Served, fingerprints, found, stream_texts, table_texts

SERVICES = ["registry", "visits", "engagement", "stations", "notifications"]
SETTINGS = Settings()  # the processes run on the development secrets, as the test's tokens do


def uid() -> str:
    return uuid.uuid4().hex[:8]


def digits(n: int) -> str:
    return "".join(str(b % 10) for b in uuid.uuid4().bytes[:n])


@pytest.fixture(scope="module")
async def stack(stack_env, tmp_path_factory):
    folder = tmp_path_factory.mktemp("erasure-logs")
    processes = {
        name: Served(name, free_port(), stack_env, folder / f"{name}.log") for name in SERVICES
    }
    try:
        for p in processes.values():
            await eventually(p.ready, timeout=120, interval=0.5)
        yield processes
    finally:
        for p in processes.values():
            p.stop()


class Desk:
    """Requests to the services as a city administrator, each with an Idempotency-Key, and the
    fingerprints each request would leave (so the search can look for them)."""

    def __init__(self, stack: dict[str, Served]):
        self.stack = stack
        self.headers = {
            "Authorization": f"Bearer {auth.issue(SETTINGS, 'auditor-admin', 'city_admin')}"
        }

    async def post(
        self, service: str, path: str, body: dict, person: Person | None = None, ok=(200, 201)
    ):
        headers = {**self.headers, "Idempotency-Key": f"k-{uid()}"}
        async with httpx.AsyncClient(base_url=self.stack[service].url, timeout=20) as client:
            r = await client.post(path, json=body, headers=headers)
        assert r.status_code in ok, f"{service} {path}: {r.status_code} {r.text}"
        if person is not None:
            for name, value in fingerprints(path, body, SETTINGS.fingerprint_secret).items():
                person.derived[f"{name} of POST {path}"] = value
        return r.json()

    async def get(self, service: str, path: str, **params):
        async with httpx.AsyncClient(base_url=self.stack[service].url, timeout=20) as client:
            r = await client.get(path, params=params, headers=self.headers)
        assert r.status_code == 200, f"{service} {path}: {r.status_code} {r.text}"
        return r.json()


async def until_known(desk: Desk, service: str, path: str, body: dict, person: Person):
    """Retry (same body) until the service has learned the new station from the registry."""

    async def attempt():
        try:
            return await desk.post(service, path, body, person)
        except AssertionError as exc:
            if "UnknownStation" in str(exc) or "422" in str(exc):
                return None
            raise

    return await eventually(attempt, timeout=60, interval=0.5)


async def caught_up(database_url: str, nats_url: str) -> bool:
    """Every relay published its events and every consumer has applied and acknowledged all."""
    nc = await nats.connect(nats_url)
    conn = await asyncpg.connect(database_url)
    try:
        js = nc.jetstream()
        for schema, stream in (
            ("registry", "SW_REGISTRY"),
            ("visits", "SW_VISITS"),
            ("engagement", "SW_ENGAGEMENT"),
            ("notifications", "SW_NOTIFICATIONS"),
        ):
            recorded = await conn.fetchval(f"SELECT count(*) FROM {schema}.events")
            if (await js.stream_info(stream)).state.messages < recorded:
                return False
        for info in await js.streams_info():
            assert info.config.name is not None
            for consumer in await js.consumers_info(info.config.name):
                if consumer.num_pending or consumer.num_ack_pending:
                    return False
        return True
    finally:
        await conn.close()
        await nc.close()


async def still_opening(
    conn: asyncpg.Connection, places: dict[str, str], canaries: list[str]
) -> list[str]:
    """Sealed values anywhere that a key still in any service's key table opens to a canary."""
    master = AESGCM(base64.b64decode(SETTINGS.master_key))
    keys = []
    for schema in await conn.fetch(
        "SELECT table_schema FROM information_schema.tables WHERE table_name = 'subject_keys'"
    ):
        for row in await conn.fetch(
            f'SELECT subject_id, wrapped_key FROM "{schema[0]}".subject_keys'
        ):
            wrapped, aad = row["wrapped_key"], row["subject_id"].encode()
            keys.append((aad, AESGCM(master.decrypt(wrapped[:12], wrapped[12:], aad))))
    hits = []
    for where, text in places.items():
        for token in set(SEALED.findall(text)):
            blob = base64.urlsafe_b64decode(token[len(PREFIX) :] + "==")
            for aad, key in keys:
                try:
                    plain = key.decrypt(blob[:12], blob[12:], aad).decode()
                except InvalidTag:  # not this subject's key
                    continue
                hits += [
                    f"{c!r} opens from {where} under {aad.decode()}" for c in canaries if c in plain
                ]
    return hits


@pytest.mark.timeout(400)
async def test_erasing_each_kind_of_subject_leaves_nothing_that_opens_or_hashes_back(
    stack, stack_env
):
    desk = Desk(stack)
    station, district = f"audit-{uid()}", f"d-{uid()}"
    people = {
        "station": Person("station contact", [f"站长甲{uid()}", f"1380{digits(7)}"]),
        "household": Person(
            "household",
            [
                f"户主乙{uid()}",
                f"1390{digits(7)}",
                f"兰州市审计路{uid()}号",
                f"620102{digits(8)}{digits(4)}",
                f"子女丙{uid()}",
                f"独居备注{uid()}",
            ],
        ),
        "volunteer": Person("volunteer", [f"志愿者丁{uid()}", f"1370{digits(7)}"]),
        "org": Person("organisation contact", [f"负责人戊{uid()}", f"1360{digits(7)}"]),
        "recipient": Person(
            "notification recipient",
            [f"接收人己{uid()}", f"audit{uid()}@example.cn", f"webhook-secret-{uid()}{uid()}"],
        ),
    }
    people["proposer"] = Person("meeting issue proposer", [f"提议人壬{uid()}"])
    people["owner"] = Person("action item owner", [f"责任人癸{uid()}"])
    s, h, v, o, r = (people[k] for k in ("station", "household", "volunteer", "org", "recipient"))

    # the city bureau opens a station, with its lead's name and contact number
    await desk.post(
        "registry",
        "/stations",
        {
            "station_id": station,
            "name": f"审计{station}社工站",
            "city": "兰州市",
            "district_id": district,
            "district_name": "审计区",
            "street": "审计街道",
            "kind": "street",
            "lead": s.canaries[0],
            "contact": s.canaries[1],
        },
        s,
    )
    # notifications: a lead who receives by email and webhook; the overdue-visit reminder rule
    recipient_id = f"lead-{uid()}"
    await until_known(
        desk,
        "notifications",
        "/recipients",
        {
            "recipient_id": recipient_id,
            "role": "station_lead",
            "station_id": station,
            "name": r.canaries[0],
            "email": r.canaries[1],
            "webhook_url": "https://hooks.example.cn/audit",
            "webhook_secret": r.canaries[2],
        },
        r,
    )
    await desk.post(
        "notifications",
        "/rules",
        {
            "rule_id": f"overdue-{uid()}",
            "district_id": district,
            "trigger": "VisitRecorded",
            "conditions": [],
            "audience": {"role": "station_lead"},
            "channel": "inbox",
            "template_id": "visit-overdue",
            "reminder": {"at_field": "next_due_at"},
            "description": "审计：走访逾期提醒",
        },
    )
    # visits: a household with every kind of personal data, and a visit with sealed notes
    hh = await until_known(
        desk,
        "visits",
        "/households",
        {
            "station_id": station,
            "categories": ["solitary_elderly"],
            "risk_tier": "high",
            "head_name": h.canaries[0],
            "phone": h.canaries[1],
            "address": h.canaries[2],
            "id_number": h.canaries[3],
            "members": [
                {"member_id": "m1", "relation": "child", "birth_year": 1980, "name": h.canaries[4]}
            ],
        },
        h,
    )
    hid = hh["household_id"]
    await desk.post(
        "visits",
        f"/households/{hid}/visits",
        {
            "visited_at": "2024-03-19T10:00:00+08:00",
            "mode": "home_visit",
            "social_worker_ids": ["sw-audit"],
            "notes": h.canaries[5],
            "needs": [{"category": "care", "severity": "urgent", "notes": h.canaries[5]}],
        },
        h,
    )
    # engagement: a volunteer with name and phone
    vol = await until_known(
        desk,
        "engagement",
        f"/stations/{station}/volunteers",
        {
            "name": v.canaries[0],
            "phone": v.canaries[1],
            "category": "student",
        },
        v,
    )
    vid = vol["volunteer_id"]
    # engagement: a resident deliberation meeting, an issue's proposer and an action's owner named
    meeting = (
        await desk.post(
            "engagement",
            f"/stations/{station}/meetings",
            {
                "kind": "resident_deliberation",
                "title": "审计议事会",
                "scheduled_on": "2024-03-20",
            },
        )
    )["meeting_id"]
    at_meeting = f"/stations/{station}/meetings/{meeting}"
    await desk.post(
        "engagement",
        f"{at_meeting}/issues",
        {
            "issue_id": "i1",
            "title": "楼道照明",
            "proposer_role": "resident",
            "proposer_name": people["proposer"].canaries[0],
        },
        people["proposer"],
    )
    await desk.post(
        "engagement",
        f"{at_meeting}/action-items",
        {
            "action_id": "a1",
            "title": "更换灯泡",
            "owner_role": "resident",
            "owner_name": people["owner"].canaries[0],
            "assigned_on": "2024-03-20",
            "due_on": "2024-03-27",
        },
        people["owner"],
    )
    # registry: an organisation filed with its responsible person
    org = await desk.post(
        "registry",
        f"/stations/{station}/organisations",
        {
            "name": f"审计合唱团{uid()}",
            "category": "culture_sports",
            "community": "审计社区",
            "responsible_person": o.canaries[0],
            "responsible_phone": o.canaries[1],
            "members": 12,
            "activity_area": "审计社区",
            "charter_summary": "每周排练",
        },
        o,
    )
    oid = org["organisation_id"]

    # each is read back with personal data opened, as staff would
    assert (await desk.get("visits", f"/households/{hid}"))["head_name"] == h.canaries[0]
    assert (await desk.get("engagement", f"/stations/{station}/volunteers/{vid}"))[
        "name"
    ] == v.canaries[0]
    await desk.get("registry", f"/stations/{station}/organisations/{oid}")
    await desk.get("notifications", "/recipients", station_id=station)
    await eventually(
        lambda: caught_up(stack_env["DATABASE_URL"], stack_env["NATS_URL"]), timeout=60
    )

    # each of those reads was audited by the service that opened the data
    conn = await asyncpg.connect(stack_env["DATABASE_URL"])
    try:
        for schema, subject in (
            ("visits", f"household:{hid}"),
            ("engagement", f"volunteer:{vid}"),
            ("registry", f"org-contact:{oid}"),
            ("notifications", f"recipient:{recipient_id}"),
        ):
            readers = await conn.fetch(
                f"SELECT reader, station_id FROM {schema}.read_audit WHERE subject_id = $1", subject
            )
            assert [tuple(r) for r in readers] == [("auditor-admin", station)], (schema, readers)
    finally:
        await conn.close()

    # station staff find the household by its head's name, typed loosely: the read model keeps
    # the name's keyed hash (bytea, shown as \x...), which is on no stream and in no log line
    worker = as_role("social_worker", station)

    async def found_by_name() -> bool:
        async with httpx.AsyncClient(base_url=stack["visits"].url, timeout=20) as client:
            body = {"name": f" {h.canaries[0]}\u3000"}
            r = await client.post("/households/search", json=body, headers=worker)
        assert r.status_code == 200, r.text
        return [x["household_id"] for x in r.json()["items"]] == [hid]

    await eventually(found_by_name, timeout=60)
    index = "\\x" + name_index.digest(h.canaries[0], SETTINGS.master_key).hex()
    h.derived["the head name's index (HMAC)"] = index
    conn = await asyncpg.connect(stack_env["DATABASE_URL"])
    nc = await nats.connect(stack_env["NATS_URL"])
    try:
        places = await table_texts(conn) | await stream_texts(nc.jetstream())
        places |= {f"log of {p.name}": p.text() for p in stack.values()}
        holding = [where for where, text in places.items() if index in text]
        assert holding and all(w.endswith('."household_names"') for w in holding), holding
    finally:
        await nc.close()
        await conn.close()

    # the sealed values the services hold for them: after erasure, only their event stores and
    # the streams may keep these (unreadable) ciphertexts; no read model, timer or other copy
    conn = await asyncpg.connect(stack_env["DATABASE_URL"])
    try:
        sealed_before_erasure = set()
        for schema in ("registry", "visits", "engagement", "notifications"):
            for row in await conn.fetch(f"SELECT data::text AS d FROM {schema}.event_log"):
                sealed_before_erasure |= set(SEALED.findall(row["d"]))
    finally:
        await conn.close()

    # every one of them asks to be erased
    erase = {"reason": "subject_request"}
    await desk.post("visits", f"/households/{hid}/erasure", erase)
    await desk.post("engagement", f"/stations/{station}/volunteers/{vid}/erasure", erase)
    await desk.post("registry", f"/stations/{station}/organisations/{oid}/contact-erasure", erase)
    await desk.post("registry", f"/stations/{station}/contact-erasure", erase)
    await desk.post("notifications", f"/recipients/{recipient_id}/erasure", erase)
    await desk.post("engagement", f"{at_meeting}/issues/i1/proposer-erasure", erase)
    await desk.post("engagement", f"{at_meeting}/action-items/a1/owner-erasure", erase)
    await eventually(
        lambda: caught_up(stack_env["DATABASE_URL"], stack_env["NATS_URL"]), timeout=60
    )

    # what is shown afterwards is the redaction mark
    assert (await desk.get("visits", f"/households/{hid}"))["head_name"] == REDACTED
    organisation = await desk.get("registry", f"/stations/{station}/organisations/{oid}")
    assert o.canaries[0] not in str(organisation)

    # the search: every table, every stream message, every log line
    conn = await asyncpg.connect(stack_env["DATABASE_URL"])
    nc = await nats.connect(stack_env["NATS_URL"])
    try:
        places = await table_texts(conn)
        places |= await stream_texts(nc.jetstream())
        await headers_as_documented(nc.jetstream())
        for p in stack.values():
            places[f"log of {p.name}"] = p.text()
        assert sum(len(t) for t in places.values()) > 10_000, (
            "the search found almost nothing to search"
        )
        assert all(places[f"log of {n}"] for n in SERVICES)
        leaks = {person.kind: found(person.needles(), places) for person in people.values()}
        leaks = {k: hits for k, hits in leaks.items() if hits}
        assert not leaks, leaks
        canaries = [c for person in people.values() for c in person.canaries]
        assert not await still_opening(conn, places, canaries)
        copies = outside_the_event_stores(places, sealed_before_erasure)
        assert not copies, copies
    finally:
        await nc.close()
        await conn.close()


def outside_the_event_stores(places: dict[str, str], sealed: set[str]) -> list[str]:
    """Sealed values found outside the services' events tables and the streams."""
    return [
        f"{token[:24]}… in {where}"
        for where, text in places.items()
        if not where.endswith('."events"') and not where.startswith(("stream ", "log of "))
        for token in set(SEALED.findall(text)) & sealed
    ]


async def headers_as_documented(js) -> None:
    """Every event message carries exactly the headers the AsyncAPI documents promise."""
    from shegong_runtime.ops.contracts import EVENT_HEADERS

    promised, required = set(EVENT_HEADERS["properties"]), set(EVENT_HEADERS["required"])
    for stream in ("SW_REGISTRY", "SW_VISITS", "SW_ENGAGEMENT", "SW_NOTIFICATIONS"):
        info = await js.stream_info(stream)
        assert info.state.messages > 0, stream
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            headers = set((await js.get_msg(stream, seq)).headers or {})
            assert required <= headers <= promised, (stream, seq, headers)


def as_role(role: str, station: str | None = None) -> dict[str, str]:
    token = auth.issue(SETTINGS, f"{role}-audit", role, [station] if station else [])
    return {"Authorization": f"Bearer {token}"}


async def opened_station(desk: Desk) -> str:
    station = f"audit-{uid()}"
    await desk.post(
        "registry",
        "/stations",
        {
            "station_id": station,
            "name": f"审计{station}社工站",
            "city": "兰州市",
            "district_id": f"d-{uid()}",
            "district_name": "审计区",
            "street": "审计街道",
            "kind": "street",
        },
    )
    return station


async def test_erasure_and_export_are_refused_to_social_workers_and_integrators(stack):
    station = f"audit-{uid()}"
    routes = [
        ("visits", "/households/hh-x/erasure", "/households/hh-x/export"),
        (
            "engagement",
            f"/stations/{station}/volunteers/v-x/erasure",
            f"/stations/{station}/volunteers/v-x/export",
        ),
        (
            "registry",
            f"/stations/{station}/organisations/org-x/contact-erasure",
            f"/stations/{station}/organisations/org-x/contact-export",
        ),
        ("registry", f"/stations/{station}/contact-erasure", f"/stations/{station}/contact-export"),
        ("notifications", "/recipients/lead-x/erasure", None),
        ("engagement", f"/stations/{station}/meetings/m-x/issues/i1/proposer-erasure", None),
        ("engagement", f"/stations/{station}/meetings/m-x/action-items/a1/owner-erasure", None),
    ]
    for role in ("social_worker", "integrator"):
        headers = as_role(role, station if role == "social_worker" else None)
        for service, erasure, export in routes:
            async with httpx.AsyncClient(base_url=stack[service].url, timeout=20) as client:
                r = await client.post(erasure, json={"reason": "subject_request"}, headers=headers)
                assert r.status_code == 403, (role, erasure, r.text)
                if export:
                    r = await client.get(export, headers=headers)
                    assert r.status_code == 403, (role, export, r.text)


async def test_a_volunteer_takes_out_a_copy_of_their_data_until_erased(stack):
    desk = Desk(stack)
    station = await opened_station(desk)
    name, phone = f"志愿者庚{uid()}", f"1350{digits(7)}"
    person = Person("volunteer", [name, phone])
    vol = await until_known(
        desk,
        "engagement",
        f"/stations/{station}/volunteers",
        {
            "name": name,
            "phone": phone,
            "category": "resident",
        },
        person,
    )
    path = f"/stations/{station}/volunteers/{vol['volunteer_id']}"
    copy = await desk.get("engagement", f"{path}/export")
    assert copy["subject_id"] == f"volunteer:{vol['volunteer_id']}"
    [enrolled] = copy["events"]
    assert (enrolled["event_type"], enrolled["facts"]["name"], enrolled["facts"]["phone"]) == (
        "VolunteerEnrolled",
        name,
        phone,
    )
    await desk.post("engagement", f"{path}/erasure", {"reason": "subject_request"})
    async with httpx.AsyncClient(base_url=stack["engagement"].url, timeout=20) as client:
        assert (await client.get(f"{path}/export", headers=desk.headers)).status_code == 409
        again = await client.post(
            f"{path}/erasure", json={"reason": "subject_request"}, headers=desk.headers
        )
        assert again.status_code == 409


async def test_a_refused_command_leaves_no_data_key_and_fingerprints_are_keyed(stack, stack_env):
    desk = Desk(stack)
    station = await opened_station(desk)
    unknown = f"org-{uid()}"
    change = {"responsible_person": f"负责人辛{uid()}", "responsible_phone": f"1330{digits(7)}"}

    async def refused():
        async with httpx.AsyncClient(base_url=stack["registry"].url, timeout=20) as client:
            r = await client.post(
                f"/stations/{station}/organisations/{unknown}/changes",
                json=change,
                headers=desk.headers,
            )
        return r if r.status_code != 422 else None  # 422: the station is not learned yet

    assert (await eventually(refused, timeout=60, interval=0.5)).status_code == 404
    person = Person("organisation contact", [change["responsible_person"]])
    await desk.post(
        "registry",
        f"/stations/{station}/organisations",
        {
            "name": f"审计舞蹈队{uid()}",
            "category": "culture_sports",
            "community": "审计社区",
            "responsible_person": person.canaries[0],
            "members": 8,
            "activity_area": "审计社区",
            "charter_summary": "每周活动",
        },
        person,
    )
    conn = await asyncpg.connect(stack_env["DATABASE_URL"])
    try:
        keys = await conn.fetchval(
            "SELECT count(*) FROM registry.subject_keys WHERE subject_id = $1",
            f"org-contact:{unknown}",
        )
        stored = {r[0] for r in await conn.fetch("SELECT fingerprint FROM registry.idempotency")}
    finally:
        await conn.close()
    assert keys == 0, "a refused command left a data key behind"
    [unkeyed] = [v for k, v in person.derived.items() if k.startswith("request-sha256")]
    [keyed] = [v for k, v in person.derived.items() if k.startswith("request-hmac")]
    assert keyed in stored and unkeyed not in stored
