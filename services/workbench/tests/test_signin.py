"""Sign-in: the workbench's users, argon2id hashes, and the same JWT every service accepts."""

from __future__ import annotations

from typing import get_args

import pytest
from shegong_events import engagement, registry, visits
from shegong_runtime import auth
from shegong_testing.http import bearer
from shegong_workbench import session, users
from shegong_workbench import vocabulary as labels

from .conftest import sign_in

STATION = "chengguan-qingbaishi"


async def test_a_social_worker_signs_in_to_a_session_that_holds_no_token(stack, web, pool):
    r = await sign_in(web, "qingbaishi-sg")
    assert r.status_code == 303 and r.headers["location"] == "/"
    value = web.cookies[session.COOKIE]
    assert value.count(".") != 2  # not a JWT: a random id the server looks up
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    row = await pool.fetchrow(
        "SELECT * FROM workbench.sessions WHERE id_hash = encode(sha256($1::bytea), 'hex')",
        value.encode(),
    )
    assert (row["username"], row["role"], list(row["stations"])) == (
        "qingbaishi-sg",
        "social_worker",
        [STATION],
    )
    # the services answer through the workbench in the worker's scope
    answer = await web.get("/api/visits/households", params={"station_id": STATION})
    assert answer.status_code == 200 and answer.json()["items"]
    assert {h["station_id"] for h in answer.json()["items"]} == {STATION}


async def test_a_wrong_password_or_unknown_user_is_refused_alike(stack, web):
    wrong = await sign_in(web, "qingbaishi-sg", "not-the-password")
    unknown = await sign_in(web, "nobody-here", "not-the-password")
    for r in (wrong, unknown):
        assert r.status_code == 401
        assert "用户名或密码不正确" in r.text
        assert session.COOKIE not in r.cookies


async def test_passwords_are_stored_as_argon2id_hashes_only(stack, pool):
    row = await pool.fetchrow(
        "SELECT password_hash FROM workbench.users WHERE username = 'qingbaishi-sg'"
    )
    assert row["password_hash"].startswith("$argon2id$")
    assert "shegong-demo" not in row["password_hash"]


async def test_demo_users_cover_every_role_and_station(stack, pool):
    everyone = await users.everyone(pool)
    roles = {u.role for u in everyone}
    assert roles == {"social_worker", "station_lead", "district_officer", "city_admin"}
    stations = {s for u in everyone for s in u.stations}
    assert len(stations) == 6


async def test_a_district_officer_session_carries_the_district(stack, web, pool):
    await sign_in(web, "chengguan-mz")
    me = await session.find(pool, web.cookies[session.COOKIE])
    assert (me.principal.role, me.principal.district) == ("district_officer", "chengguan")
    token = session.token_for(type("R", (), {"app": stack.app})(), me.principal)
    who = auth.verify(stack.settings, token)  # the token a call to a service carries
    assert (who.subject, who.role, who.district) == (
        "chengguan-mz",
        "district_officer",
        "chengguan",
    )


async def test_only_the_city_admin_manages_users(stack, web):
    body = {
        "display_name": "测试",
        "password": "long-enough-1",
        "role": "social_worker",
        "stations": [STATION],
    }
    lead = bearer(stack.settings, "station_lead", [STATION])
    assert (await web.put("/users/t-user", json=body, headers=lead)).status_code == 403
    admin = bearer(stack.settings, "city_admin")
    assert (await web.put("/users/t-user", json=body, headers=admin)).status_code == 200
    no_scope = {**body, "stations": []}
    r = await web.put("/users/t-user2", json=no_scope, headers=admin)
    assert r.status_code == 422 and r.json()["field"] == "stations"
    r = await web.put("/users/t-user3", json={**body, "role": "integrator"}, headers=admin)
    assert r.status_code == 422 and r.json()["field"] == "role"


async def test_pages_send_a_stranger_to_sign_in(stack, web):
    r = await web.get("/households/hh-1")
    assert r.status_code == 303 and r.headers["location"] == "/signin?next=/households/hh-1"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x"])
async def test_sign_in_never_sends_the_worker_to_another_site(stack, web, target):
    r = await web.post(
        "/signin",
        content=f"username=qingbaishi-sg&password=shegong-demo&next={target}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.headers["location"] == "/"


def test_every_code_a_form_offers_has_a_chinese_name():
    pairs = [
        (visits.HouseholdCategory, labels.CATEGORY),
        (visits.RiskTier, labels.TIER),
        (visits.TierReason, labels.TIER_REASON),
        (visits.Relation, labels.RELATION),
        (visits.VisitMode, labels.MODE),
        (visits.ServiceKind, labels.SERVICE),
        (visits.Policy, labels.POLICY),
        (visits.NeedCategory, labels.NEED),
        (visits.Severity, labels.SEVERITY),
        (visits.AgencyKind, labels.AGENCY),
        (visits.ConsentGiver, labels.CONSENT_GIVER),
        (visits.LegalBasis, labels.LEGAL_BASIS),
        (engagement.MeetingKind, labels.MEETING_KIND),
        (engagement.ParticipantRole, labels.PARTICIPANT),
        (engagement.OutcomeKind, labels.OUTCOME),
        (engagement.VolunteerCategory, labels.VOLUNTEER_CATEGORY),
        (registry.OrgCategory, labels.ORG_CATEGORY),
    ]
    for codes, names in pairs:
        assert set(get_args(codes)) == set(names), codes


async def test_loading_the_demo_again_keeps_existing_users_as_they_are(stack, pool):
    from shegong_runtime import catalogue
    from shegong_runtime.demo import DemoClient, admin_token

    before = await pool.fetch(
        "SELECT username, password_hash FROM workbench.users ORDER BY username"
    )
    client = DemoClient(urls={"workbench": stack.url}, token=admin_token(stack.settings))
    await dict(catalogue.demo_loaders())["workbench"](client)
    after = await pool.fetch(
        "SELECT username, password_hash FROM workbench.users ORDER BY username"
    )
    assert [tuple(r) for r in after] == [tuple(r) for r in before]
