"""Rotating a service's master key: every per-subject data key re-wrapped under the new one.

The data keys themselves do not change, so sealed values in events, on NATS and in backups stay
readable, and erased subjects stay erased (their keys are gone; nothing to re-wrap). Each
schema is re-wrapped in one transaction: a wrong old key changes nothing. A key already wrapped
by the new master key is left as it is, so an interrupted rotation can simply be run again.
The wrapping is `shegong_runtime.crypto`'s: 12-byte nonce + AES-256-GCM, subject id as AAD.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass

import asyncpg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shegong_runtime import migrations


class WrongMasterKey(ValueError):
    """A data key opens with neither the old nor the new master key."""


def master(key_b64: str) -> AESGCM:
    raw = base64.b64decode(key_b64)
    if len(raw) != 32:
        raise ValueError("a master key is 32 bytes, base64-encoded")
    return AESGCM(raw)


def generate() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@dataclass(frozen=True)
class Rotated:
    schema: str
    rewrapped: int
    already_new: int


async def rotate(pool: asyncpg.Pool, schema: str, old_b64: str, new_b64: str) -> Rotated:
    schema = migrations.identifier(schema)
    old, new = master(old_b64), master(new_b64)
    rewrapped = already = 0
    async with pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(
            f"SELECT subject_id, wrapped_key FROM {schema}.subject_keys FOR UPDATE"
        )
        for row in rows:
            subject, wrapped = row["subject_id"], bytes(row["wrapped_key"])
            aad = subject.encode()
            try:
                key = old.decrypt(wrapped[:12], wrapped[12:], aad)
            except InvalidTag:
                try:
                    new.decrypt(wrapped[:12], wrapped[12:], aad)
                except InvalidTag:
                    raise WrongMasterKey(
                        f"the data key of {subject!r} in {schema} opens with neither key"
                    ) from None
                already += 1
                continue
            nonce = os.urandom(12)
            await conn.execute(
                f"UPDATE {schema}.subject_keys SET wrapped_key = $2 WHERE subject_id = $1",
                subject,
                nonce + new.encrypt(nonce, key, aad),
            )
            rewrapped += 1
    return Rotated(schema, rewrapped, already)
