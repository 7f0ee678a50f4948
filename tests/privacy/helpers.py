"""What the privacy tests share: real service processes, and a search for a person's traces in
every table of every schema, every message of every stream and every log line."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from nats.js.errors import NotFoundError

SHEGONG = str(Path(sys.executable).parent / "shegong")
SEALED = re.compile(r"sealed:v1:[A-Za-z0-9_\-=]+")


class Served:
    """`shegong serve NAME` as its own process, its JSON log in a file."""

    def __init__(self, name: str, port: int, env: dict[str, str], log_path: Path):
        self.name, self.port, self.log_path = name, port, log_path
        self.log = open(log_path, "ab")
        env = {**env, "SHEGONG_HTTP_PORT": str(port), "SHEGONG_LOG_LEVEL": "DEBUG"}
        self.proc = subprocess.Popen(
            [SHEGONG, "serve", name], env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        self.url = f"http://127.0.0.1:{port}"

    async def ready(self) -> bool:
        try:
            async with httpx.AsyncClient(timeout=2) as client:
                r = await client.get(f"{self.url}/readyz")
            return r.status_code == 200
        except httpx.HTTPError:
            return False

    def text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()


def forms(value: str) -> dict[str, str]:
    """The ways a value can sit in storage: plain, JSON-escaped, base64, unkeyed hashes."""
    escaped = json.dumps(value)[1:-1]
    data = value.encode()
    return {
        "plain": value,
        "json": escaped,
        "json-upper": re.sub(r"\\u([0-9a-f]{4})", lambda m: "\\u" + m.group(1).upper(), escaped),
        "base64": base64.b64encode(data).decode(),
        "sha256": hashlib.sha256(data).hexdigest(),
        "md5": hashlib.md5(data).hexdigest(),
    }


def fingerprints(path: str, body: Any, secret: str) -> dict[str, str]:
    """A request's fingerprint, unkeyed (the old form) and keyed under the service's secret."""
    canonical = json.dumps({"path": path, "body": body}, sort_keys=True, default=str).encode()
    return {
        "request-sha256": hashlib.sha256(canonical).hexdigest(),
        "request-hmac": hmac.new(secret.encode(), canonical, hashlib.sha256).hexdigest(),
    }


@dataclass
class Person:
    """One data subject: the values that identify them and the requests sent about them."""

    kind: str
    canaries: list[str]
    derived: dict[str, str] = field(default_factory=dict)  # name → request fingerprint

    def needles(self) -> dict[str, str]:
        out = {f"{c} [{form}]": text for c in self.canaries for form, text in forms(c).items()}
        return out | self.derived


async def table_texts(conn: asyncpg.Connection) -> dict[str, str]:
    """Every row of every table of every schema but PostgreSQL's own, as text, per table."""
    tables = await conn.fetch(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_type = 'BASE TABLE' "
        "AND table_schema NOT IN ('pg_catalog', 'information_schema') "
        "AND table_schema NOT LIKE 'pg_toast%'"
    )
    out = {}
    for t in tables:
        name = f'"{t["table_schema"]}"."{t["table_name"]}"'
        rows = await conn.fetch(f"SELECT t::text AS row FROM {name} t")
        out[name] = "\n".join(r["row"] for r in rows)
    return out


async def stream_texts(js) -> dict[str, str]:
    """Every message (headers and data) of every JetStream stream, as text, per stream."""
    out = {}
    for info in await js.streams_info():
        parts = []
        for seq in range(max(info.state.first_seq, 1), info.state.last_seq + 1):
            try:
                msg = await js.get_msg(info.config.name, seq)
            except NotFoundError:
                continue
            parts.append(json.dumps(msg.headers or {}, ensure_ascii=False))
            parts.append(msg.data.decode("utf-8", errors="replace"))
        out[f"stream {info.config.name}"] = "\n".join(parts)
    return out


def found(needles: dict[str, str], places: dict[str, str]) -> list[str]:
    return [
        f"{what} in {where}"
        for where, text in places.items()
        for what, needle in needles.items()
        if needle and needle in text
    ]
