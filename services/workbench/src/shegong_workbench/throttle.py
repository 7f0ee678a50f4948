"""Sign-in failures slow the next try down, per account and per address; an account locks.

After a few free failures each further one doubles the wait before the next try (5 s, 10 s,
20 s ... up to 15 min), counted separately for the account and for the address it came from, so
guessing one password is slow and trying many accounts from one place is slow too. After
`lock_after` failures in a row the account is locked until a station lead or the city's admin
lifts it; a right password while locked does not get in. A sign-in that succeeds clears the
account's count; an address's count is forgotten after an hour without failures.

Keys are keyed hashes (HMAC with the session secret), so what someone typed as a username and
the address they came from are not stored as such.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
from shegong_runtime.errors import DomainError

from shegong_workbench import config
from shegong_workbench.users import SCHEMA

DDL = f"""
CREATE TABLE IF NOT EXISTS {SCHEMA}.signin_failures (
    key        text PRIMARY KEY,       -- 'account:<hmac>' or 'address:<hmac>'
    failures   integer NOT NULL,
    last_at    timestamptz NOT NULL,
    locked_at  timestamptz
);
"""
MAX_WAIT_S = 900
ADDRESS_MEMORY = timedelta(hours=1)


class TooManyTries(DomainError):
    """Sign-in failures came too fast: wait before the next try."""

    status = 429

    def __init__(self, wait_s: int) -> None:
        super().__init__(f"登录尝试过多，请在 {wait_s} 秒后再试")
        self.wait_s = wait_s


class AccountLocked(DomainError):
    """Too many failures in a row: a station lead or the city's admin must lift the lock."""

    status = 423

    def __init__(self) -> None:
        super().__init__("该账号因多次登录失败已被锁定，请联系站长解锁")


@dataclass(frozen=True)
class Keys:
    account: str
    address: str


def keys(secret: str, username: str, address: str) -> Keys:
    def mac(kind: str, value: str) -> str:
        digest = hmac.new(secret.encode(), f"{kind}:{value}".encode(), hashlib.sha256)
        return f"{kind}:{digest.hexdigest()[:32]}"

    return Keys(mac("account", username.lower()), mac("address", address))


def wait_after(failures: int, free: int) -> int:
    """Seconds to wait after `failures` failures, of which `free` cost nothing."""
    if failures < free:
        return 0
    return min(5 * 2 ** (failures - free), MAX_WAIT_S)


async def check(pool: asyncpg.Pool, k: Keys) -> None:
    """Raises AccountLocked or TooManyTries before a password is even looked at."""
    s = config.settings()
    rows = {
        r["key"]: r
        for r in await pool.fetch(
            f"SELECT * FROM {SCHEMA}.signin_failures WHERE key = ANY($1)", [k.account, k.address]
        )
    }
    now = datetime.now(UTC)
    account, address = rows.get(k.account), rows.get(k.address)
    if account and account["locked_at"]:
        raise AccountLocked()
    waits = [0]
    if account:
        waits.append(_left(account, s.signin_free_failures, now))
    if address and now - address["last_at"] < ADDRESS_MEMORY:
        waits.append(_left(address, s.address_free_failures, now))
    if (wait := max(waits)) > 0:
        raise TooManyTries(wait)


def _left(row: asyncpg.Record, free: int, now: datetime) -> int:
    until = row["last_at"] + timedelta(seconds=wait_after(row["failures"], free))
    return max(0, int((until - now).total_seconds() + 0.999))


async def failed(pool: asyncpg.Pool, k: Keys) -> bool:
    """Counts a failure for the account and the address; True when the account just locked."""
    s = config.settings()
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            f"INSERT INTO {SCHEMA}.signin_failures (key, failures, last_at) VALUES ($1, 1, now()) "
            "ON CONFLICT (key) DO UPDATE SET last_at = now(), failures = CASE "
            f"WHEN {SCHEMA}.signin_failures.last_at < now() - interval '1 hour' THEN 1 "
            f"ELSE {SCHEMA}.signin_failures.failures + 1 END",
            k.address,
        )
        row = await conn.fetchrow(
            f"INSERT INTO {SCHEMA}.signin_failures (key, failures, last_at) VALUES ($1, 1, now()) "
            "ON CONFLICT (key) DO UPDATE SET last_at = now(), "
            f"failures = {SCHEMA}.signin_failures.failures + 1 RETURNING failures, locked_at",
            k.account,
        )
        if row["failures"] >= s.signin_lock_after and row["locked_at"] is None:
            await conn.execute(
                f"UPDATE {SCHEMA}.signin_failures SET locked_at = now() WHERE key = $1", k.account
            )
            return True
    return False


async def succeeded(pool: asyncpg.Pool, k: Keys) -> None:
    await pool.execute(f"DELETE FROM {SCHEMA}.signin_failures WHERE key = $1", k.account)


async def locked(pool: asyncpg.Pool, secret: str, usernames: list[str]) -> set[str]:
    """Which of these accounts are locked now."""
    by_key = {keys(secret, u, "").account: u for u in usernames}
    rows = await pool.fetch(
        f"SELECT key FROM {SCHEMA}.signin_failures WHERE key = ANY($1) AND locked_at IS NOT NULL",
        list(by_key),
    )
    return {by_key[r["key"]] for r in rows}


async def lift(pool: asyncpg.Pool, secret: str, username: str) -> bool:
    """Lifts a lock (and the account's count); True when there was one."""
    done = await pool.execute(
        f"DELETE FROM {SCHEMA}.signin_failures WHERE key = $1",
        keys(secret, username, "").account,
    )
    return done != "DELETE 0"
