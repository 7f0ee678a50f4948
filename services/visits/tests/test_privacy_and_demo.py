"""A real visits process: the demo week loads (twice, adding nothing), and no household's name,
phone, address or ID number appears in any message of the visits stream or any log line."""

import json
import socket
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import nats
import pytest
from shegong_runtime.auth import issue
from shegong_runtime.demo import DemoClient, admin_token
from shegong_testing.fixtures import eventually
from shegong_testing.http import open_stations, settings_for
from shegong_visits import demo

STATION = f"pv-{uuid.uuid4().hex[:8]}"
SECRETS = {
    "head_name": "隐私测试户主",
    "phone": "13711112222",
    "address": "兰州市城关区隐私测试路99号",
    "id_number": "62010219800101999X",
}
NEW_PHONE, NEW_ADDRESS, CHILD_NAME = "13733334444", "兰州市城关区隐私测试街100号", "隐私测试孙女"


FAST = {
    "SHEGONG_LOG_LEVEL": "DEBUG",
    "SHEGONG_PROJECTION_FETCH_TIMEOUT_S": "0.2",
    "SHEGONG_RELAY_IDLE_POLL_S": "0.02",
}


@dataclass
class Served:
    url: str
    log: Path

    def lines(self) -> list[str]:
        return self.log.read_text(encoding="utf-8", errors="replace").splitlines()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    """`shegong serve visits`, its stdout and stderr (the JSON log) into `log`."""
    cmd = [sys.executable, "-m", "shegong_runtime.cli", "serve", "visits", "--port", str(port)]
    with open(log, "ab") as out:
        return subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)


@pytest.fixture(scope="module")
async def served(stack_env, database_url, nats_url, tmp_path_factory):
    port, log = free_port(), tmp_path_factory.mktemp("visits") / "visits.log"
    proc = start(port, {**stack_env, **FAST}, log)
    url = f"http://127.0.0.1:{port}"
    try:
        await eventually(lambda: _ready(url), timeout=60)
        nc = await nats.connect(nats_url)
        stations = [(STATION, "chengguan"), (demo.QBS, "chengguan"), (demo.HCZ, "chengguan")]
        await open_stations(nc, settings_for(database_url, nats_url, "visits"), stations)
        await nc.close()
        yield Served(url, log)
    finally:
        proc.terminate()
        proc.wait(30)


async def _ready(url):
    try:
        async with httpx.AsyncClient() as client:
            return (await client.get(f"{url}/readyz")).status_code == 200
    except httpx.HTTPError:
        return False


def every_secret() -> set[str]:
    """This test's household and every demo household: names, phones, addresses, ID numbers."""
    found = {*SECRETS.values(), NEW_PHONE, NEW_ADDRESS, CHILD_NAME}
    for h in demo.HOUSEHOLDS:
        found |= {h["head_name"], h["phone"], h["address"], h["id_number"]}
        found |= {m["name"] for m in h.get("members", [])}
    return found


def leaks(text: str, secrets: set[str]) -> set[str]:
    """Secrets found as they are or JSON-escaped (\\uXXXX) in the text."""
    return {s for s in secrets if s in text or json.dumps(s)[1:-1] in text}


async def visits_stream(nats_url) -> list:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        info = await js.stream_info("SW_VISITS")
        return [
            await js.get_msg("SW_VISITS", seq)
            for seq in range(info.state.first_seq, info.state.last_seq + 1)
        ]
    finally:
        await nc.close()


async def test_the_demo_week_records_both_stations_visits_and_loading_again_adds_nothing(
    served, database_url, nats_url, pool
):
    client = DemoClient(
        {"visits": served.url}, admin_token(settings_for(database_url, nats_url, "visits"))
    )
    await demo.load(client)
    count = "SELECT count(*) FROM visits.events WHERE aggregate_id LIKE 'demo-%'"
    loaded = await pool.fetchval(count)
    await demo.load(client)
    assert (
        await pool.fetchval(count) == loaded == 6 * 5 + 6
    )  # five per household, six more linking resources

    async def households(station):
        rows = await client.every("visits", "/households", station_id=station)
        return rows if len(rows) == 3 else None

    qbs, hcz = (
        await eventually(lambda: households(demo.QBS)),
        await eventually(lambda: households(demo.HCZ)),
    )
    assert {r["head_name"] for r in qbs} == {"马秀兰（示例）", "杨德福（示例）", "张玉珍（示例）"}
    assert {c for r in hcz for c in r["categories"]} >= {
        "minimum_living_allowance",
        "solitary_elderly",
        "left_behind_elderly",
    }
    timeline = await client.every("visits", "/households/demo-qbs-01/timeline")
    visit = next(e["facts"] for e in timeline if e["event_type"] == "VisitRecorded")
    briefing = next(s for s in visit["services"] if s["kind"] == "policy_briefing")
    assert set(briefing["policies"]) == {
        "minimum_living_allowance",
        "temporary_assistance",
        "extreme_poverty_support",
    }
    assert "counselling" in {s["kind"] for s in visit["services"]} and visit["volunteer_ids"]
    urgent = (await client.get("visits", "/needs/open", station_id=demo.HCZ))["by_severity"][
        "urgent"
    ]
    assert urgent == 1


async def test_no_household_s_personal_data_reaches_the_visits_stream_or_any_log_line(
    served, database_url, nats_url, pool
):
    token = issue(
        settings_for(database_url, nats_url, "visits"), "sw-privacy", "station_lead", [STATION]
    )
    async with httpx.AsyncClient(
        base_url=served.url, headers={"Authorization": f"Bearer {token}"}
    ) as http:
        hid = await _record_a_household_s_week(http)
        detail = (await http.get(f"/households/{hid}")).json()
        assert (detail["head_name"], detail["phone"], detail["address"]) == (
            SECRETS["head_name"],
            NEW_PHONE,
            NEW_ADDRESS,
        )
        version = detail["version"]
        assert (
            await http.post(f"/households/{hid}/erasure", json={"reason": "subject_request"})
        ).status_code == 200

    async def all_published():
        msgs = await visits_stream(nats_url)
        return (
            msgs
            if sum(json.loads(m.data)["aggregate_id"] == hid for m in msgs) >= version + 1
            else None
        )

    messages = await eventually(all_published)
    secrets = every_secret()
    for msg in messages:
        assert not leaks(msg.data.decode("utf-8"), secrets), msg.subject
        assert not leaks(json.dumps(msg.headers or {}, ensure_ascii=False), secrets)
    await eventually(
        lambda: any(hid in line and "command.handled" in line for line in served.lines())
    )
    lines = served.lines()
    assert len(lines) > 10
    assert [line for line in lines if leaks(line, secrets)] == []
    stored = await pool.fetch(
        "SELECT data::text AS data FROM visits.event_log WHERE aggregate_id = $1", hid
    )
    assert stored and not any(leaks(r["data"], secrets) for r in stored)


async def _record_a_household_s_week(http) -> str:
    """Every command that carries personal data, and a refused one that echoes some back."""
    body = {
        "station_id": STATION,
        "categories": ["left_behind_elderly"],
        "registered_at": "2024-03-18T08:00:00+08:00",
        **SECRETS,
        "members": [
            {"member_id": "m1", "relation": "grandchild", "birth_year": 2012, "name": CHILD_NAME}
        ],
    }
    r = await eventually(lambda: _registered(http, body), timeout=30)
    hid = r.json()["household_id"]
    path = f"/households/{hid}"
    steps = [
        (f"{path}/updates", {"phone": NEW_PHONE, "address": NEW_ADDRESS}),
        (
            f"{path}/visits",
            {
                "visited_at": "2024-03-19T10:00:00+08:00",
                "mode": "home_visit",
                "social_worker_ids": ["sw-privacy"],
                "notes": f"{SECRETS['head_name']}说孙女{CHILD_NAME}放学后无人照看，电话{SECRETS['phone']}",
                "observations": {
                    "health": "attention",
                    "notes": f"住址{SECRETS['address']}楼道无照明",
                },
                "needs": [
                    {
                        "category": "care",
                        "severity": "high",
                        "member_id": "m1",
                        "notes": f"身份证{SECRETS['id_number']}待核",
                    }
                ],
            },
        ),
        (
            f"{path}/consents",
            {
                "purpose": "referral",
                "member_id": "m1",
                "given_by": "guardian",
                "guardian_relation": "grandparent",
                "granted_on": "2024-03-19",
            },
        ),
        (
            f"{path}/consents",
            {
                "purpose": "data_sharing",
                "member_id": "m1",
                "given_by": "guardian",
                "guardian_relation": "grandparent",
                "granted_on": "2024-03-19",
            },
        ),
    ]
    for url, payload in steps:
        assert (await http.post(url, json=payload)).status_code in (200, 201), url
    need_id = (await http.get(path)).json()["needs"][0]["need_id"]
    referral = {
        "agency": "城关区未成年人保护工作站",
        "agency_kind": "civil_affairs",
        "referred_on": "2024-03-20",
        "shares_personal_data": True,
    }
    assert (await http.post(f"{path}/needs/{need_id}/referrals", json=referral)).status_code == 201
    resolved = {
        "outcome": "referral_served",
        "resolved_on": "2024-03-21",
        "notes": f"已联系{SECRETS['head_name']}",
    }
    assert (await http.post(f"{path}/needs/{need_id}/resolution", json=resolved)).status_code == 200
    refused = await http.post(
        f"{path}/updates", json={"phone": SECRETS["head_name"], "id_number": SECRETS["address"]}
    )
    assert refused.status_code == 422
    return hid


async def _registered(http, body):
    r = await http.post("/households", json=body, headers={"Idempotency-Key": f"privacy-{STATION}"})
    return r if r.status_code == 201 else None
