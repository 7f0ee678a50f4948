"""Finding a household by its head's name, lawfully: a blind index, and who may use it.

The read model keeps, per household, HMAC-SHA256 of the head's normalised name under a key
derived from the service's master key (HKDF, a label of its own); a search computes the same of
the name typed and looks it up. Keyed, so guessing names through the stored values needs the
key (DESIGN.md: hashes leak too); exact, so a value tells only "this name or not" (an index of
parts or prefixes would give away far more of every name). It is derived from the events and
the keys alone, so a rebuild writes the same; it is deleted with the personal row on erasure,
and a household whose key is gone gets none. It never goes on the bus or in a log line.

Only station staff search, and only their own stations: a social worker looking for a family
at the door has a reason to; a bureau comparing stations does not (it reads lists by station).
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from dataclasses import dataclass, field
from functools import cache

import asyncpg
from shegong_runtime import crypto
from shegong_runtime.auth import STATION_STAFF, Principal
from shegong_runtime.crypto import KeyStore
from shegong_runtime.errors import Forbidden
from shegong_runtime.settings import Settings

from shegong_visits.personal import subject

INFO = b"shegong/visits/household-name-index/v1"
KEYS_SCHEMA = "visits"  # the service's own schema, where its key store lives (bootstrap's name)


class NameSearchForStationStaffOnly(Forbidden):
    """Finding a household by a person's name is for the staff of the household's own station."""


def require_searcher(who: Principal) -> None:
    if who.role not in STATION_STAFF:
        raise NameSearchForStationStaffOnly(
            f"按户主姓名查找仅限社工和站长在本站范围内使用，角色 {who.role} 不可；"
            "区、市民政局请按社工站、类别或风险等级查看家庭列表"
        )


def normalised(name: str) -> str:
    """NFKC (full-width letters, digits and spaces as their plain forms), every whitespace
    removed, case folded: `张 三`, `张　三` and `张三` are one name, `Ｌｉ　Ｌｅｉ` and `lilei` too."""
    plain = unicodedata.normalize("NFKC", name)
    return "".join(ch for ch in plain if not ch.isspace()).casefold()


@cache
def _key(master_key_b64: str) -> bytes:
    return crypto.purpose_key(master_key_b64, INFO)


def digest(name: str, master_key_b64: str) -> bytes:
    """The index value of a name: what the read model stores and what a search looks up."""
    return hmac.new(_key(master_key_b64), normalised(name).encode(), hashlib.sha256).digest()


@dataclass(frozen=True)
class NameIndex:
    """What the read model needs to index a batch: the key store that opens the sealed names,
    and the master key the index's key is derived from."""

    keys: KeyStore
    master_key: str = field(repr=False)

    @classmethod
    def of(cls, pool: asyncpg.Pool, settings: Settings) -> NameIndex:
        return cls(KeyStore(pool, KEYS_SCHEMA, settings.master_key), settings.master_key)

    async def digests(
        self, conn: asyncpg.Connection, names: list[tuple[str, str]]
    ) -> list[bytes | None]:
        """(household id, sealed name) pairs → each name's index value, None where the
        household's key is gone (erased: nothing to open, nothing to index)."""
        opened = await self.keys.open_many([(subject(hid), sealed) for hid, sealed in names], conn)
        return [None if name is None else digest(name, self.master_key) for name in opened]
