"""Crypto-shredding: personal data sealed with a key per data subject (PIPL erasure = delete the key).

Data keys are AES-256-GCM keys, stored wrapped by the service's master key in the service's own
schema. A sealed value binds its subject id as associated data, so it cannot be moved to
another subject. Once the key is deleted every copy of the value, in events, snapshots and
backups, is unreadable; `open` then answers None and callers show a redaction.

Inside a command (`begin_command`), a subject's first key is only held in memory; `persist`
stores it in the command's append transaction, so a refused command (404, 409, 422) leaves no
key behind. The subjects a command sealed for are remembered with its idempotent answer, so
erasure can forget that answer too.
"""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TypeGuard

import asyncpg
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shegong_runtime import audit, migrations
from shegong_runtime.errors import Conflict

PREFIX = "sealed:v1:"
REDACTED = "〔已删除〕"  # shown where erased personal data stood

DDL = """
CREATE TABLE IF NOT EXISTS {s}.subject_keys (
    subject_id  text PRIMARY KEY,
    wrapped_key bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS {s}.erased_subjects (
    subject_id  text PRIMARY KEY,
    erased_at   timestamptz NOT NULL DEFAULT now()
);
-- the station whose command created the key: read-audit records are filed under it
ALTER TABLE {s}.subject_keys ADD COLUMN IF NOT EXISTS station_id text;
"""


class SubjectErased(Conflict):
    """Personal data of an erased subject cannot be sealed again (HTTP 409)."""


class KeyRaced(Exception):
    """Another command created this subject's first key at the same time (retry the command)."""


@dataclass
class Sealing:
    """What one command sealed: keys not yet stored, and every subject it sealed for."""

    new_keys: dict[str, bytes] = field(default_factory=dict)
    subjects: set[str] = field(default_factory=set)


_sealing: ContextVar[Sealing | None] = ContextVar("shegong_sealing", default=None)


def begin_command() -> Sealing:
    """From here on, in this request's context, new keys wait for the append transaction."""
    sealing = Sealing()
    _sealing.set(sealing)
    return sealing


def current() -> Sealing | None:
    return _sealing.get()


def committed() -> None:
    """The running command's keys are stored: a next command in the same request starts afresh."""
    if (sealing := _sealing.get()) is not None:
        sealing.new_keys.clear()
        sealing.subjects.clear()


def touch(subject_id: str) -> None:
    """Mark the running command as being about this subject (its answer goes with an erasure)."""
    if (sealing := _sealing.get()) is not None:
        sealing.subjects.add(subject_id)


async def persist(
    conn: asyncpg.Connection, schema: str, station_id: str | None = None
) -> list[str]:
    """Store the running command's new keys in its transaction; the subjects it sealed for."""
    sealing = _sealing.get()
    if sealing is None:
        return []
    schema = migrations.identifier(schema)
    for subject_id, wrapped in sealing.new_keys.items():
        if await conn.fetchval(
            f"SELECT 1 FROM {schema}.erased_subjects WHERE subject_id = $1", subject_id
        ):
            raise SubjectErased(f"{subject_id} 的个人信息已删除，不能再写入")
        stored = await conn.fetchval(
            f"INSERT INTO {schema}.subject_keys (subject_id, wrapped_key, station_id) VALUES ($1, $2, $3) "
            "ON CONFLICT (subject_id) DO NOTHING RETURNING 1",
            subject_id,
            wrapped,
            station_id,
        )
        if not stored:
            raise KeyRaced(subject_id)
    return sorted(sealing.subjects)


def purpose_key(master_key_b64: str, info: bytes) -> bytes:
    """A 32-byte key for one purpose (`info` names it, e.g. a blind index's HMAC), derived from
    the master key with HKDF-SHA256: no second secret to keep, and no purpose's key tells
    anything about the master key or another purpose's."""
    master = base64.b64decode(master_key_b64)
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)


def is_sealed(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and value.startswith(PREFIX)


# the subjects' keys one answer has read together (`KeyStore.holding`): subject -> key, None
# when the subject has no key (erased); unset outside such a block
_held: ContextVar[dict[str, AESGCM | None] | None] = ContextVar("shegong_keys_held", default=None)


class KeyStore:
    def __init__(self, pool: asyncpg.Pool, schema: str, master_key_b64: str) -> None:
        self.pool = pool
        self.schema = migrations.identifier(schema)
        master = base64.b64decode(master_key_b64)
        if len(master) != 32:
            raise ValueError("master key must be 32 bytes (base64)")
        self._master = AESGCM(master)

    async def migrate(self) -> None:
        await migrations.apply(self.pool, self.schema, DDL + audit.DDL)

    async def _key(
        self, subject_id: str, create: bool, conn: asyncpg.Connection | None = None
    ) -> AESGCM | None:
        # no cache past one answer: an erasure on one replica must take effect on every replica
        # at once (`holding` keeps the keys a page reads together for that page only)
        held = _held.get()
        if not create and held is not None and subject_id in held:
            return held[subject_id]
        db = conn or self.pool
        sealing = _sealing.get()
        wrapped = await db.fetchval(
            f"SELECT wrapped_key FROM {self.schema}.subject_keys WHERE subject_id = $1", subject_id
        )
        if wrapped is None and sealing is not None:
            wrapped = sealing.new_keys.get(subject_id)
        if wrapped is None and create:
            if await db.fetchval(
                f"SELECT 1 FROM {self.schema}.erased_subjects WHERE subject_id = $1", subject_id
            ):
                raise SubjectErased(f"{subject_id} 的个人信息已删除，不能再写入")
            nonce = os.urandom(12)
            fresh = nonce + self._master.encrypt(
                nonce, AESGCM.generate_key(256), subject_id.encode()
            )
            if sealing is not None:  # stored by `persist`, in the command's append transaction
                sealing.new_keys[subject_id] = fresh
                return AESGCM(self._master.decrypt(fresh[:12], fresh[12:], subject_id.encode()))
            wrapped = await db.fetchval(
                f"INSERT INTO {self.schema}.subject_keys (subject_id, wrapped_key) VALUES ($1, $2) "
                "ON CONFLICT (subject_id) DO UPDATE SET subject_id = EXCLUDED.subject_id "
                "RETURNING wrapped_key",
                subject_id,
                fresh,
            )
        if wrapped is None:
            return None
        return self._unwrap(subject_id, wrapped)

    def _unwrap(self, subject_id: str, wrapped: bytes) -> AESGCM:
        return AESGCM(self._master.decrypt(wrapped[:12], wrapped[12:], subject_id.encode()))

    async def _keys_of(
        self, db: asyncpg.Pool | asyncpg.Connection, subject_ids: list[str]
    ) -> dict[str, AESGCM]:
        """The keys the subjects still have, read in one statement (an erased one has none)."""
        rows = await db.fetch(
            f"SELECT subject_id, wrapped_key FROM {self.schema}.subject_keys "
            "WHERE subject_id = any($1::text[])",
            subject_ids,
        )
        return {r["subject_id"]: self._unwrap(r["subject_id"], r["wrapped_key"]) for r in rows}

    @asynccontextmanager
    async def holding(self, subject_ids: Iterable[str]) -> AsyncIterator[None]:
        """The keys of many subjects read in one statement, for the block: a page of fifty
        households opens a few hundred fields, one key read each otherwise. Nothing is kept
        past the block, so the next answer sees an erasure made meanwhile on any replica."""
        wanted = sorted(set(subject_ids))
        if not wanted:
            yield
            return
        keys: dict[str, AESGCM | None] = dict.fromkeys(wanted)
        keys |= await self._keys_of(self.pool, wanted)
        token = _held.set({**(_held.get() or {}), **keys})
        try:
            yield
        finally:
            _held.reset(token)

    @staticmethod
    def _opened(key: AESGCM, subject_id: str, sealed: str) -> str:
        blob = base64.urlsafe_b64decode(sealed[len(PREFIX) :])
        plain = key.decrypt(blob[:12], blob[12:], subject_id.encode()).decode()
        audit.opened(subject_id)  # the request answering with it leaves a read-audit record
        return plain

    async def seal(
        self, subject_id: str, plaintext: str | None, conn: asyncpg.Connection | None = None
    ) -> str | None:
        if plaintext is None:
            return None
        touch(subject_id)
        key = await self._key(subject_id, create=True, conn=conn)
        assert key is not None
        nonce = os.urandom(12)
        blob = nonce + key.encrypt(nonce, plaintext.encode(), subject_id.encode())
        return PREFIX + base64.urlsafe_b64encode(blob).decode()

    async def open(self, subject_id: str, sealed: str | None) -> str | None:
        """The plaintext, or None when the subject was erased (or nothing was sealed)."""
        if not sealed or not is_sealed(sealed):
            return None
        key = await self._key(subject_id, create=False)
        if key is None:
            return None
        return self._opened(key, subject_id, sealed)

    async def open_many(
        self, values: Sequence[tuple[str, str | None]], conn: asyncpg.Connection
    ) -> list[str | None]:
        """(subject, sealed) pairs opened with one read of their keys, on the caller's
        connection (a read model deriving something from a batch); None where a subject's
        key is gone (erased) or nothing was sealed."""
        subjects = sorted({subject for subject, sealed in values if is_sealed(sealed)})
        keys = await self._keys_of(conn, subjects)
        return [
            self._opened(keys[subject], subject, sealed)
            if is_sealed(sealed) and subject in keys
            else None
            for subject, sealed in values
        ]

    async def open_or_redacted(self, subject_id: str, sealed: str | None) -> str | None:
        if sealed is None:
            return None
        return (await self.open(subject_id, sealed)) or REDACTED

    async def erase(self, subject_id: str, conn: asyncpg.Connection | None = None) -> None:
        """Delete the key, and the stored answers and fingerprints of requests that sealed for it."""
        db = conn or self.pool
        await db.execute(
            f"DELETE FROM {self.schema}.subject_keys WHERE subject_id = $1", subject_id
        )
        await db.execute(
            f"INSERT INTO {self.schema}.erased_subjects (subject_id) VALUES ($1) ON CONFLICT DO NOTHING",
            subject_id,
        )
        if await db.fetchval("SELECT to_regclass($1)", f"{self.schema}.idempotency"):
            await db.execute(
                f"DELETE FROM {self.schema}.idempotency WHERE $1 = ANY(subjects)", subject_id
            )
