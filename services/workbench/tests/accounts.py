"""Workbench users made for one test (unique names), so locking or resetting one touches no
other test; and the throttle's memory of this machine's address, cleared after a test that
fails many sign-ins on purpose."""

from __future__ import annotations

import uuid

from shegong_testing.http import bearer

STATION = "chengguan-qingbaishi"
PASSWORD = "first-password-1"


async def new_worker(stack, web, display_name: str = "张三", station: str = STATION) -> str:
    username = f"t-{uuid.uuid4().hex[:10]}"
    body = {
        "display_name": display_name,
        "password": PASSWORD,
        "role": "social_worker",
        "stations": [station],
    }
    r = await web.put(f"/users/{username}", json=body, headers=bearer(stack.settings, "city_admin"))
    assert r.status_code == 200, r.text
    return username


async def forget_addresses(pool) -> None:
    """Every test signs in from 127.0.0.1: a test that fails on purpose leaves it clean."""
    await pool.execute("DELETE FROM workbench.signin_failures WHERE key LIKE 'address:%'")


async def some_time_passes(pool, seconds: int) -> None:
    """The throttle's clock moves on: failures and sessions look `seconds` older."""
    await pool.execute(
        "UPDATE workbench.signin_failures SET last_at = last_at - make_interval(secs => $1)",
        seconds,
    )
