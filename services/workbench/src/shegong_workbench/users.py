"""Station staff who sign in to the workbench, kept in its own schema; passwords under argon2id.

A user's role and station scope become the claims of the JWT every service checks, so the
workbench grants nothing the services would not: it only vouches for who is at the keyboard.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from shegong_runtime.auth import Role

SCHEMA = "workbench"
HASHER = PasswordHasher()  # argon2id, the library's current parameters (RFC 9106 low-memory)
# verified against when the user is unknown, so a wrong name costs as long as a wrong password
_DUMMY = HASHER.hash("not a password of anyone")

DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {SCHEMA}.users (
    username      text PRIMARY KEY,
    display_name  text NOT NULL,
    password_hash text NOT NULL,
    role          text NOT NULL,
    stations      text[] NOT NULL DEFAULT '{{}}',
    district      text,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE {SCHEMA}.users ADD COLUMN IF NOT EXISTS password_changed_at timestamptz;
"""


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    role: Role
    stations: tuple[str, ...]
    district: str | None


def _user(row: asyncpg.Record) -> User:
    return User(
        row["username"],
        row["display_name"],
        Role(row["role"]),
        tuple(row["stations"]),
        row["district"],
    )


async def migrate(pool: asyncpg.Pool, *more: str) -> None:
    """The users' table and the other tables of the schema (`more`), under one lock."""
    async with pool.acquire() as conn:
        await conn.execute("SELECT pg_advisory_lock(hashtext('workbench.users'))")
        try:
            for ddl in (DDL, *more):
                await conn.execute(ddl)
        finally:
            await conn.execute("SELECT pg_advisory_unlock(hashtext('workbench.users'))")


async def put(
    pool: asyncpg.Pool,
    username: str,
    display_name: str,
    password: str,
    role: Role,
    stations: list[str],
    district: str | None,
) -> User:
    """Create or replace a user (the password is hashed here; the plaintext goes no further)."""
    row = await pool.fetchrow(
        f"INSERT INTO {SCHEMA}.users (username, display_name, password_hash, role, stations, district) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (username) DO UPDATE SET "
        "display_name = EXCLUDED.display_name, password_hash = EXCLUDED.password_hash, "
        "role = EXCLUDED.role, stations = EXCLUDED.stations, district = EXCLUDED.district, "
        "updated_at = now() RETURNING *",
        username,
        display_name,
        HASHER.hash(password),
        str(role),
        sorted(stations),
        district,
    )
    return _user(row)


async def authenticate(pool: asyncpg.Pool, username: str, password: str) -> User | None:
    """The user when the password matches, else None; rehashes when the parameters moved on."""
    row = await pool.fetchrow(f"SELECT * FROM {SCHEMA}.users WHERE username = $1", username)
    try:
        HASHER.verify(row["password_hash"] if row else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    if HASHER.check_needs_rehash(row["password_hash"]):
        await pool.execute(
            f"UPDATE {SCHEMA}.users SET password_hash = $2 WHERE username = $1",
            username,
            HASHER.hash(password),
        )
    return _user(row)


async def find(pool: asyncpg.Pool, username: str) -> User | None:
    row = await pool.fetchrow(f"SELECT * FROM {SCHEMA}.users WHERE username = $1", username)
    return _user(row) if row else None


async def set_password(
    conn: asyncpg.Connection | asyncpg.Pool, username: str, password: str
) -> None:
    """A new password (changed by its owner or reset by a lead); only its hash is kept."""
    await conn.execute(
        f"UPDATE {SCHEMA}.users SET password_hash = $2, password_changed_at = now(), "
        "updated_at = now() WHERE username = $1",
        username,
        HASHER.hash(password),
    )


def may_manage(who_role: Role, who_stations: frozenset[str], user: User) -> bool:
    """A station lead looks after the social workers of their stations; the city's admin, anyone."""
    if who_role == Role.city_admin:
        return True
    return (
        who_role == Role.station_lead
        and user.role == Role.social_worker
        and bool(who_stations & set(user.stations))
    )


async def everyone(pool: asyncpg.Pool) -> list[User]:
    rows = await pool.fetch(f"SELECT * FROM {SCHEMA}.users ORDER BY username")
    return [_user(r) for r in rows]
