"""Partition leases: each unit of a projection's input is consumed by one replica at a time.

A unit is one partition of one domain (`visits.p3`) or the operator's re-drive subject. A
replica holds a unit by a PostgreSQL advisory lock on a connection of its own, as the relay does:
a process that dies (or whose session is killed) frees its units at once. Replicas heartbeat in
`members`; each takes units while it holds fewer than its fair share (ceil(units / members)) and
hands back the surplus when another replica joins, so the work rebalances within a few polls.

Single active is not exclusive (DESIGN.md): a replica whose lock session died may still be
finishing a batch on a pooled connection. So a holder also writes itself as the unit's `owner`
(the UPDATE waits for any batch still holding the row), and every batch checks that row in its
own transaction: the old holder's next batch is refused, not applied beside the new holder's.
"""

from __future__ import annotations

import hashlib
import math
import uuid

import asyncpg

from shegong_runtime import generations, logging, migrations

log = logging.get("partitions")

DDL = """
CREATE TABLE IF NOT EXISTS {s}.members (
    projection text NOT NULL,
    member     text NOT NULL,
    seen_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (projection, member)
);
CREATE TABLE IF NOT EXISTS {s}.leases (
    projection text NOT NULL,
    unit       text NOT NULL,
    owner      text NOT NULL,
    taken_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (projection, unit)
);
"""


class LeaseLost(Exception):
    """Another replica holds this unit now: the batch in hand must not be applied."""


def lock_key(projection: str, unit: str) -> str:
    return f"shegong.projection.{projection}.{unit}"


async def check_owner(conn: asyncpg.Connection, projection: str, unit: str, member: str) -> None:
    """Inside a batch's transaction: still ours? The shared row lock holds off a takeover until
    this transaction ends, so what it applies was applied by the unit's one holder."""
    owner = await conn.fetchval(
        f"SELECT owner FROM {generations.META}.leases WHERE projection = $1 AND unit = $2 FOR SHARE",
        projection,
        unit,
    )
    if owner != member:
        raise LeaseLost(f"{projection} {unit} is held by another replica")


class Leases:
    """This replica's leases on one projection's units."""

    def __init__(self, database_url: str, projection: str, units: list[str], ttl_s: float) -> None:
        self.database_url, self.projection, self.units, self.ttl_s = (
            database_url,
            projection,
            units,
            ttl_s,
        )
        self.member = uuid.uuid4().hex[:12]
        self.held: set[str] = set()
        self.conn: asyncpg.Connection | None = None

    async def open(self) -> None:
        self.conn = await asyncpg.connect(self.database_url)
        await migrations.apply_on(self.conn, generations.META, DDL)

    async def close(self) -> None:
        """A graceful leave: the others take the units over on their next poll."""
        if self.conn is None:
            return
        conn, self.conn, self.held = self.conn, None, set()
        try:
            await conn.execute(
                f"DELETE FROM {generations.META}.members WHERE projection = $1 AND member = $2",
                self.projection,
                self.member,
            )
        finally:
            await conn.close(timeout=2)

    def _preference(self, unit: str) -> str:
        """Each replica tries free units in its own order, so two joiners rarely collide."""
        return hashlib.blake2b(f"{self.member}/{unit}".encode(), digest_size=8).hexdigest()

    async def tick(self) -> tuple[list[str], list[str]]:
        """Heartbeat and rebalance: returns (units to start, units to stop) for this replica.
        Units to stop are still locked; call `release` once their batch in hand is done."""
        assert self.conn is not None
        conn, meta = self.conn, generations.META
        await conn.execute(
            f"INSERT INTO {meta}.members (projection, member) VALUES ($1, $2) "
            "ON CONFLICT (projection, member) DO UPDATE SET seen_at = now()",
            self.projection,
            self.member,
        )
        alive = await conn.fetchval(
            f"SELECT count(*) FROM {meta}.members WHERE projection = $1 "
            "AND seen_at > now() - make_interval(secs => $2)",
            self.projection,
            self.ttl_s,
        )
        await conn.execute(  # long gone members no longer count (nor clutter the table)
            f"DELETE FROM {meta}.members WHERE projection = $1 AND seen_at < now() - make_interval(secs => $2)",
            self.projection,
            self.ttl_s * 20,
        )
        share = math.ceil(len(self.units) / max(alive, 1))
        surplus = sorted(self.held, key=self._preference, reverse=True)[
            : max(len(self.held) - share, 0)
        ]
        taken: list[str] = []
        for unit in sorted(set(self.units) - self.held, key=self._preference):
            if len(self.held) + len(taken) >= share:
                break
            if await conn.fetchval(
                "SELECT pg_try_advisory_lock(hashtext($1))", lock_key(self.projection, unit)
            ):
                await conn.execute(  # waits for the old holder's batch in hand, then fences it
                    f"INSERT INTO {meta}.leases (projection, unit, owner) VALUES ($1, $2, $3) "
                    "ON CONFLICT (projection, unit) DO UPDATE SET owner = EXCLUDED.owner, taken_at = now()",
                    self.projection,
                    unit,
                    self.member,
                )
                taken.append(unit)
        self.held.update(taken)
        if taken or surplus:
            log.info(
                "partitions.rebalanced",
                projection=self.projection,
                member=self.member,
                taken=taken,
                handing_back=surplus,
                members=alive,
            )
        return taken, surplus

    async def release(self, unit: str) -> None:
        self.held.discard(unit)
        if self.conn is not None and not self.conn.is_closed():
            await self.conn.fetchval(
                "SELECT pg_advisory_unlock(hashtext($1))", lock_key(self.projection, unit)
            )
