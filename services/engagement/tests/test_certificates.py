"""Certificates of service hours: issued by the station that recorded them, verifiable by number."""

from datetime import UTC, datetime, timedelta

from shegong_engagement.domain.certificate import new_number
from shegong_testing.fixtures import eventually


def at(hours_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours_ago)).isoformat()


async def volunteer_with_hours(engagement, station, headers, unique):
    vid = unique("v").replace("_", "-")
    body = {
        "volunteer_id": vid,
        "name": "赵同学",
        "category": "student",
        "affiliation": "兰州财经大学社会工作协会",
    }
    assert (
        await engagement.post(f"/stations/{station}/volunteers", json=body, headers=headers)
    ).status_code == 201
    base = f"/stations/{station}/volunteers/{vid}"
    # a session left open long ago (closed at the limit, by the sweeper or by this late check-out)
    await engagement.post(
        f"{base}/sessions",
        json={"session_id": "s0", "checked_in_at": at(30), "activity": "活动"},
        headers=headers,
    )
    await engagement.post(
        f"{base}/sessions/s0/check-out", json={"checked_out_at": at(10)}, headers=headers
    )
    for sid, start, end in (
        ("s1", 7.5, 4.5),
        ("s2", 4, 3),
    ):  # three hours, then one, within the limit
        await engagement.post(
            f"{base}/sessions",
            json={"session_id": sid, "checked_in_at": at(start), "activity": "入户陪伴"},
            headers=headers,
        )
        r = await engagement.post(
            f"{base}/sessions/{sid}/check-out", json={"checked_out_at": at(end)}, headers=headers
        )
        assert r.status_code == 200, r.text
    return base


async def test_a_certificate_covers_the_closed_hours_once_and_anyone_can_verify_it(
    engagement, stations, tokens, unique, key
):
    base = await volunteer_with_hours(engagement, stations.a, tokens["worker_a"], unique)
    k = key()
    r = await engagement.post(f"{base}/certificates", json={}, headers={**tokens["lead_a"], **k})
    assert r.status_code == 201, r.text
    number = r.json()["certificate_number"]
    assert (r.json()["hours"], r.json()["sessions"]) == (
        4.0,
        2,
    )  # the auto-closed session is left out
    retry = await engagement.post(
        f"{base}/certificates", json={}, headers={**tokens["lead_a"], **k}
    )
    assert retry.json()["certificate_number"] == number
    again = await engagement.post(f"{base}/certificates", json={}, headers=tokens["lead_a"])
    assert (again.status_code, again.json()["rule"]) == (409, "NothingToCertify")

    async def verified(who):
        got = await engagement.get(f"/certificates/{number.lower()}", headers=tokens[who])
        return got.status_code == 200 and got.json()

    outsider = await eventually(lambda: verified("worker_b"))
    assert (
        outsider["valid"] is True
        and outsider["hours"] == 4.0
        and outsider["station_id"] == stations.a
    )
    assert "volunteer_name" not in outsider and "name_sealed" not in outsider
    assert (await verified("lead_a"))["volunteer_name"] == "赵同学"


async def test_auto_closed_sessions_are_certified_only_on_request(
    engagement, stations, tokens, unique
):
    base = await volunteer_with_hours(engagement, stations.a, tokens["worker_a"], unique)
    r = await engagement.post(
        f"{base}/certificates", json={"include_auto_closed": True}, headers=tokens["lead_a"]
    )
    assert (r.json()["hours"], r.json()["sessions"]) == (12.0, 3)


async def test_mistyped_and_unknown_numbers_are_told_apart(engagement, tokens):
    number = new_number(2024)
    typo = number[:-1] + ("0" if number[-1] != "0" else "1")
    unknown = await engagement.get(f"/certificates/{number}", headers=tokens["worker_b"])
    malformed = await engagement.get(f"/certificates/{typo}", headers=tokens["worker_b"])
    assert (unknown.status_code, unknown.json()["rule"]) == (404, "CertificateNotFound")
    assert (malformed.status_code, malformed.json()["rule"], malformed.json()["field"]) == (
        422,
        "CertificateNumberMalformed",
        "number",
    )
    assert (await engagement.get(f"/certificates/{number}")).status_code == 401


async def test_only_station_leads_and_above_issue_certificates_within_their_scope(
    engagement, stations, tokens, unique
):
    base = await volunteer_with_hours(engagement, stations.a, tokens["worker_a"], unique)
    worker = await engagement.post(f"{base}/certificates", json={}, headers=tokens["worker_a"])
    assert worker.status_code == 403
    other = base.replace(stations.a, stations.b)
    lead_elsewhere = await engagement.post(
        f"{other}/certificates", json={}, headers=tokens["lead_a"]
    )
    assert lead_elsewhere.status_code == 403
    not_here = await engagement.post(f"{other}/certificates", json={}, headers=tokens["admin"])
    assert (not_here.status_code, not_here.json()["rule"]) == (404, "VolunteerNotFound")
    reversed_period = await engagement.post(
        f"{base}/certificates",
        json={"period_from": "2024-03-20", "period_to": "2024-03-01"},
        headers=tokens["lead_a"],
    )
    assert (reversed_period.status_code, reversed_period.json()["field"]) == (422, "period_to")
