"""A service's own PostgreSQL event store; its events table doubles as the outbox.

Appends and the relay's reads follow the Emmett rule against the bigserial trap: every row
carries the id of the transaction that wrote it, and readers take only rows of transactions
below `pg_snapshot_xmin(pg_current_snapshot())`, ordered by (tx_id, position). A slow
transaction that took a low position is therefore read when it commits, never skipped.
Per-aggregate order holds in that global order because an append reads the current version
and writes in one statement: its transaction id is assigned after it saw the previous
version committed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import asyncpg
from shegong_events import Envelope

from shegong_runtime import identity, migrations

# a relay's lag is counted up to this many events: past it, "at least" is what an operator needs
LAG_COUNTED = 100_000


class ConcurrencyConflict(Exception):
    """Another writer appended to this stream first (HTTP 409 with the current version)."""

    def __init__(self, stream_id: str, expected: int, current: int) -> None:
        super().__init__(f"{stream_id} 已是第 {current} 版，请求基于第 {expected} 版：请刷新后再试")
        self.stream_id, self.expected, self.current = stream_id, expected, current


@dataclass(frozen=True, order=True)
class Position:
    """A place in the global order: (writing transaction, insert position)."""

    tx_id: int = 0
    position: int = 0

    def __str__(self) -> str:
        return f"{self.tx_id}.{self.position}"

    @classmethod
    def parse(cls, text: str) -> Position:
        tx, _, pos = text.partition(".")
        return cls(int(tx), int(pos))


@dataclass(frozen=True)
class StoredEvent:
    position: Position
    envelope: Envelope


_COLUMNS = "stream_id, version, event_id, event_type, station_id, aggregate_id, envelope"


# the connection of the store transaction this task is in: its commit signals the relay itself
_signalling: ContextVar[object | None] = ContextVar("shegong_store_transaction", default=None)


def channel(schema: str) -> str:
    """The LISTEN/NOTIFY channel on which a service's commits wake its active relay."""
    return f"shegong_{schema}"


def _row_to_envelope(row: asyncpg.Record) -> Envelope:
    return Envelope.model_validate_json(row["envelope"])


class EventStore:
    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        self.pool = pool
        self.schema = migrations.identifier(schema)
        self._on_commit: list[Callable[[], None]] = []
        self.snapshots: Any = None  # `snapshots.Snapshots` when the service keeps them
        events = f"{self.schema}.events"
        self._append_loaded_sql = (
            f"INSERT INTO {events} ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        self._append_one_sql = f"""
            INSERT INTO {events} ({_COLUMNS})
            SELECT $1, $2, $3, $4, $5, $6, $7
            WHERE (SELECT coalesce(max(version), 0) FROM {events} WHERE stream_id = $1) = $8
        """
        self._append_many_sql = f"""
            WITH cur AS (
                SELECT coalesce(max(version), 0) AS v FROM {events} WHERE stream_id = $1
            )
            INSERT INTO {events} ({_COLUMNS})
            SELECT $1, r.version, r.event_id, r.event_type, r.station_id, r.aggregate_id,
                   r.envelope
            FROM cur, unnest($2::int[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[])
                 AS r(version, event_id, event_type, station_id, aggregate_id, envelope)
            WHERE cur.v = $8
        """

    def on_commit(self, callback: Callable[[], None]) -> None:
        """Call `callback` after a transaction of this store commits: the relay of the same
        process wakes then instead of polling (a hint; it reads what is really committed)."""
        self._on_commit.append(callback)

    def _committed(self) -> None:
        for callback in self._on_commit:
            callback()

    async def migrate(self) -> None:
        """The baseline, then the numbered steps; a new store gets its first epoch."""
        await migrations.apply_store(self.pool, self.schema)
        await identity.current(self.pool, self.schema)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        async with self.pool.acquire() as conn:
            token = _signalling.set(conn)
            try:
                async with conn.transaction():
                    yield conn
            finally:
                _signalling.reset(token)
            self._committed()

    async def append(
        self,
        stream_id: str,
        events: Sequence[Envelope],
        expected_version: int,
        conn: asyncpg.Connection | None = None,
        *,
        loaded: bool = False,
    ) -> list[Envelope]:
        """Append at `expected_version` + 1.. or raise ConcurrencyConflict; returns versioned events.

        The unique (stream_id, version) refuses a writer that lost the race. A version from
        outside (an If-Match) could also be ahead of the stream and leave a gap, so the statement
        checks the stream's version too, unless the caller `loaded` the stream at that version
        and appends one event: versions never go back, so then the unique key alone decides
        (one index probe less; a command's several events keep the check).
        `conn`: a caller's transaction to join, or a connection it holds (autocommit)."""
        versioned = [  # a caller that built them at their versions is not copied
            e
            if e.aggregate_version == expected_version + i
            else e.model_copy(update={"aggregate_version": expected_version + i})
            for i, e in enumerate(events, 1)
        ]
        if (wrong := next((e for e in versioned if e.stream_id != stream_id), None)) is not None:
            raise ValueError(
                f"event {wrong.event_type} belongs to {wrong.stream_id}, not {stream_id}"
            )
        if len(versioned) == 1:  # the common case: scalar parameters encode far cheaper than arrays
            params: tuple[Any, ...] = _row(stream_id, versioned[0])
            if loaded:
                sql = self._append_loaded_sql
            else:
                sql, params = self._append_one_sql, (*params, expected_version)
        elif versioned:  # one array per column after the stream, which stays a scalar
            _, *columns = zip(*(_row(stream_id, e) for e in versioned), strict=True)
            sql, params = self._append_many_sql, (stream_id, *columns, expected_version)
        else:
            return []
        try:
            status = await (conn or self.pool).execute(sql, *params)
        except asyncpg.UniqueViolationError:
            current = await self.version(stream_id)
            raise ConcurrencyConflict(stream_id, expected_version, current) from None
        if status.endswith(" 0"):  # the version check of a checked statement refused it
            current = await self.version(stream_id)
            raise ConcurrencyConflict(stream_id, expected_version, current)
        if conn is None:  # its own transaction, committed now
            self._committed()
        elif conn is not _signalling.get():  # the store's own transaction signals after commit
            if conn.is_in_transaction():
                await self._notify_at_commit(conn)
            else:  # a connection the caller holds: the statement committed by itself
                self._committed()
        return versioned

    async def append_bulk(self, events: Sequence[Envelope], conn: asyncpg.Connection) -> int:
        """Many streams' events in one COPY, inside the caller's transaction: the path of a
        generated history or an import. Each envelope carries its version; a stream's versions
        run on from the store's in batch order, or ConcurrencyConflict and nothing is written.

        The same invariants as `append`: rows take the transaction's id and rising positions in
        batch order (the relay's order), and `UNIQUE (stream_id, version)` refuses a writer that
        appended in between: one can only have taken the version checked here."""
        if not conn.is_in_transaction():
            raise ValueError("append_bulk runs inside the caller's transaction")
        first: dict[str, int] = {}
        last: dict[str, int] = {}
        for e in events:
            stream, version = e.stream_id, e.aggregate_version
            if stream in last and version != last[stream] + 1:
                raise ValueError(f"{stream}: version {version} after {last[stream]} in the batch")
            first.setdefault(stream, version)
            last[stream] = version
        if not events:
            return 0
        current = dict(
            await conn.fetch(
                f"SELECT stream_id, max(version) FROM {self.schema}.events "
                "WHERE stream_id = ANY($1::text[]) GROUP BY stream_id",
                list(first),
            )
        )
        for stream, version in first.items():
            if version != current.get(stream, 0) + 1:
                raise ConcurrencyConflict(stream, version - 1, current.get(stream, 0))
        try:
            await conn.copy_records_to_table(
                "events",
                schema_name=self.schema,
                columns=[c.strip() for c in _COLUMNS.split(",")],
                records=(_row(e.stream_id, e) for e in events),
            )
        except asyncpg.UniqueViolationError:
            raise ConcurrencyConflict("(bulk)", 0, 0) from None
        if conn is not _signalling.get():
            await self._notify_at_commit(conn)
        return len(events)

    async def _notify_at_commit(self, conn: asyncpg.Connection) -> None:
        """An append inside a transaction the store does not hold (a projection's batch that
        journals its own events): nobody signals after that commit, so a NOTIFY sent in it
        wakes the active relay when, and only if, it commits. Notifying transactions commit one
        at a time in PostgreSQL; the command path, where group commit matters, signals after
        its commit instead (`transaction`)."""
        await conn.execute("SELECT pg_notify($1, '')", channel(self.schema))

    async def version(self, stream_id: str, conn: asyncpg.Connection | None = None) -> int:
        sql = f"SELECT coalesce(max(version), 0) FROM {self.schema}.events WHERE stream_id = $1"
        if conn is not None:
            return await conn.fetchval(sql, stream_id)
        return await self.pool.fetchval(sql, stream_id)

    async def load(self, stream_id: str, conn: asyncpg.Connection | None = None) -> list[Envelope]:
        sql = f"SELECT envelope FROM {self.schema}.events WHERE stream_id = $1 ORDER BY version"
        rows = await (conn or self.pool).fetch(sql, stream_id)
        return [_row_to_envelope(r) for r in rows]

    async def read_since(self, after: Position, limit: int = 500) -> list[StoredEvent]:
        """Committed events after `after` in the global order, never skipping a slow writer."""
        rows = await self.read_rows_since(after, limit)
        return [StoredEvent(Position(r["tx"], r["position"]), _row_to_envelope(r)) for r in rows]

    async def read_rows_since(self, after: Position, limit: int = 500) -> list[asyncpg.Record]:
        """`read_since` as rows: routing columns and the envelope JSON rendered at append, which
        the relay publishes as it is. Only transactions below the oldest running one are read."""
        sql = f"""
            SELECT tx_id::text::bigint AS tx, position, event_id::text AS event_id, event_type,
                   station_id, aggregate_id, envelope
            FROM {self.schema}.events
            WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot())
              AND (tx_id, position) > ($1::text::xid8, $2::bigint)
            ORDER BY tx_id, position
            LIMIT $3
        """
        return await self.pool.fetch(sql, str(after.tx_id), after.position, limit)

    async def count_after(self, after: Position, most: int = LAG_COUNTED) -> int:
        """Events committed (or in flight) past a position, counted up to `most`: a relay's
        lag, measured every second. The order and the limit keep it on the global order's
        index: without them the generic plan (a prepared statement's, from its sixth run) is
        a scan of the whole table, every second, however far behind the relay is."""
        return await self.pool.fetchval(
            f"SELECT count(*) FROM (SELECT 1 FROM {self.schema}.events "
            "WHERE (tx_id, position) > ($1::text::xid8, $2::bigint) "
            "ORDER BY tx_id, position LIMIT $3) AS behind",
            str(after.tx_id),
            after.position,
            most,
        )

    async def any_after(self, after: Position) -> bool:
        """Whether anything is committed (or in flight) past a position: the relay's idle
        check, asked after every empty read. Ordered and limited for the index, as
        `count_after`: an idle relay's answer is "nothing", which a scan proves only at the
        table's end."""
        found = await self.pool.fetchval(  # not EXISTS: the planner drops its ORDER BY and LIMIT
            f"SELECT 1 FROM {self.schema}.events "
            "WHERE (tx_id, position) > ($1::text::xid8, $2::bigint) "
            "ORDER BY tx_id, position LIMIT 1",
            str(after.tx_id),
            after.position,
        )
        return found is not None

    async def head(self) -> Position:
        """The last committed position (for lag figures)."""
        row = await self.pool.fetchrow(
            f"SELECT tx_id::text::bigint AS tx, position FROM {self.schema}.events "
            "ORDER BY tx_id DESC, position DESC LIMIT 1"
        )
        return Position(row["tx"], row["position"]) if row else Position()


def _row(stream_id: str, e: Envelope) -> tuple[Any, ...]:
    return (
        stream_id,
        e.aggregate_version,
        e.event_id,
        e.event_type,
        e.station_id,
        e.aggregate_id,
        e.model_dump_json(),
    )
