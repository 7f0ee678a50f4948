"""Snapshots: a decider's state at a version, stored beside its events, so a command on a long
stream folds only the events after it (a household with years of weekly visits).

A snapshot is a cache, never the record. It is keyed by a hash of the decider's code (every
module of the package that defines it) and of the catalog's upcasters and latest versions, so
a release that changes how state folds, or how old events read, never uses an old snapshot: it
is ignored and taken again. It also names the event it was folded to, and is used only while
the stream still holds that event at that version: a store restored behind its snapshots, or
a stream rewritten, replays in full. States are pickled: they are our own dataclasses, written
and read by the service alone in its own schema. Personal data in them is only ever sealed, and
an erasure drops the stream's snapshot for good (`forget`), as read models drop sealed copies.
"""

from __future__ import annotations

import hashlib
import inspect
import pickle
import sys
from functools import cache
from typing import Any, TypeVar

from shegong_events import CATALOG

from shegong_runtime.decider import Aggregate
from shegong_runtime.eventstore import EventStore, _row_to_envelope

S = TypeVar("S")
ERASED = "erased"  # the code key of an erased stream's tombstone


def _source(obj: Any) -> str:
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):
        return repr(obj)


@cache
def _upcasters_key() -> str:
    parts = [f"{t}:{v}:{_source(fn)}" for (t, v), fn in sorted(CATALOG._upcasters.items())]
    parts += [f"{t}@{v}" for t, v in sorted(CATALOG._latest.items())]
    return "\n".join(parts)


def _package_key(module_name: str) -> str:
    package = module_name.rpartition(".")[0] or module_name
    modules = sorted(
        (name, module)
        for name, module in list(sys.modules.items())
        if module is not None and (name == package or name.startswith(package + "."))
    )
    return "\n".join(f"{name}\n{_source(module)}" for name, module in modules)


@cache
def _code_key(module_name: str, qualname: str, snapshot_version: str) -> str:
    text = "\n".join(
        (
            f"{module_name}.{qualname}",
            snapshot_version,
            _package_key(module_name),
            _upcasters_key(),
        )
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def code_key(aggregate: Aggregate[Any]) -> str:
    """The hash a snapshot is valid under: the decider's type and the source of its package,
    its `snapshot_version` if it declares one, the upcasters and the latest event versions
    (computed once per process: a release is a new process)."""
    cls = type(aggregate)
    return _code_key(
        cls.__module__, cls.__qualname__, str(getattr(aggregate, "snapshot_version", 0))
    )


class Snapshots:
    """Load a stream's state from its snapshot and the events after it; take a new snapshot
    when `every` or more events had to be folded."""

    def __init__(self, store: EventStore, every: int = 50) -> None:
        self.store, self.every = store, every
        self.table = f"{store.schema}.snapshots"

    async def load(
        self, aggregate: Aggregate[S], aggregate_id: str, key: str | None = None
    ) -> tuple[S, int]:
        """(state, version) as a full replay would give them."""
        stream = f"{aggregate.aggregate_type}-{aggregate_id}"
        key = key or code_key(aggregate)
        pool = self.store.pool
        snap = await pool.fetchrow(
            f"SELECT version, event_id, state FROM {self.table} WHERE stream_id = $1 AND code_key = $2",
            stream,
            key,
        )
        state, base = aggregate.initial(), 0
        rows = []
        if snap is not None:
            rows = await pool.fetch(
                f"SELECT version, event_id, envelope FROM {self.store.schema}.events "
                "WHERE stream_id = $1 AND version >= $2 ORDER BY version",
                stream,
                snap["version"],
            )
            if rows and rows[0]["event_id"] == snap["event_id"]:
                state, base, rows = pickle.loads(snap["state"]), snap["version"], rows[1:]
            else:  # the stream no longer holds what the snapshot was folded to
                snap, rows = None, []
        if snap is None:
            rows = await pool.fetch(
                f"SELECT version, event_id, envelope FROM {self.store.schema}.events "
                "WHERE stream_id = $1 ORDER BY version",
                stream,
            )
        for row in rows:
            envelope = _row_to_envelope(row)
            state = aggregate.evolve(state, CATALOG.decode(envelope))
        version = base + len(rows)
        if rows and len(rows) >= self.every:
            await self.save(stream, key, version, rows[-1]["event_id"], state)
        return state, version

    async def save(self, stream: str, key: str, version: int, event_id: Any, state: Any) -> None:
        """Keep the newest snapshot of the stream; a stale key's row is replaced."""
        await self.store.pool.execute(
            f"INSERT INTO {self.table} (stream_id, code_key, version, event_id, state) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (stream_id) DO UPDATE SET "
            "code_key = EXCLUDED.code_key, version = EXCLUDED.version, "
            "event_id = EXCLUDED.event_id, state = EXCLUDED.state, taken_at = now() "
            f"WHERE {self.table}.code_key <> '{ERASED}' AND ({self.table}.version < EXCLUDED.version "
            f"OR {self.table}.code_key <> EXCLUDED.code_key)",
            stream,
            key,
            version,
            event_id,
            pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL),
        )

    async def forget(self, stream: str, conn: Any = None) -> None:
        """An erasure's transaction: the stream's snapshot goes, with its sealed copies, and
        none is taken of it again (a tombstone no code key matches)."""
        await (conn or self.store.pool).execute(
            f"INSERT INTO {self.table} (stream_id, code_key, version, event_id, state) "
            f"VALUES ($1, '{ERASED}', 0, '00000000-0000-0000-0000-000000000000', '') "
            f"ON CONFLICT (stream_id) DO UPDATE SET code_key = '{ERASED}', version = 0, "
            "state = '', taken_at = now()",
            stream,
        )
