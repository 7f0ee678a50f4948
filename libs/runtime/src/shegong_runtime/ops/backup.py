"""`shegong backup` and `shegong restore`: a service's PostgreSQL schemas (pg_dump, by the client
tools of the server's own major version) and its streams (JetStream's stream snapshot API), with
a manifest: times, stream sequences, store heads, checksums. No key material: the dump holds the
personal-data keys only wrapped by `SHEGONG_MASTER_KEY`, which lives in the secret store.

The dump is taken before the snapshots, so the streams in a backup hold at least every event
the dump's stores had relayed; a restore of both is a store behind its streams, which the
services reconcile when they start (`reconcile`). A restore mints each store a new epoch.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from nats.aio.client import Client
from nats.js.errors import NotFoundError

from shegong_runtime import bus, connections, identity, migrations, pgtools
from shegong_runtime.settings import Settings

MANIFEST = "manifest.json"
CHUNK = 128 * 1024
SHARED_SCHEMAS = ("shegong_projections",)  # generations and leases: every service's


class BadBackup(ValueError):
    """A backup that does not match its manifest (a file missing or changed)."""


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def schemas_of(name: str) -> list[str]:
    """A service's schemas: its store and key store, and its read models' generations."""
    return [migrations.identifier(name), f"{name}_*"]


async def store_head(db: asyncpg.Connection | asyncpg.Pool, schema: str) -> dict[str, Any]:
    """What a store holds, for the manifest and the comparison of `--verify`."""
    row = await db.fetchrow(
        f"SELECT count(*) AS events, coalesce(max(tx_id::text::bigint), 0) AS last_tx, "
        f"count(DISTINCT stream_id) AS streams FROM {schema}.events"
    )
    keys = await db.fetchval(f"SELECT count(*) FROM {schema}.subject_keys")
    erased = await db.fetchval(f"SELECT count(*) FROM {schema}.erased_subjects")
    return {
        "events": row["events"],
        "aggregates": row["streams"],
        "last_tx": row["last_tx"],
        "subject_keys": keys,
        "erased_subjects": erased,
        "store_version": await migrations.store_version(db, schema),
        "epoch": await _epoch(db, schema),
    }


async def _epoch(db: asyncpg.Connection | asyncpg.Pool, schema: str) -> str | None:
    """The store's epoch as it stands (a store of a release before epochs has none)."""
    if not await db.fetchval("SELECT to_regclass($1)", f"{schema}.store_epochs"):
        return None
    return await db.fetchval(
        f"SELECT epoch::text FROM {schema}.store_epochs ORDER BY minted_at DESC LIMIT 1"
    )


async def snapshot(nc: Client, stream: str, path: Path) -> dict[str, Any]:
    """The stream through JetStream's snapshot API into `path`; its config and state."""
    inbox = nc.new_inbox()
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    with path.open("wb") as out:

        async def chunk(msg: Any) -> None:
            if not msg.data:  # the end
                if not done.done():
                    done.set_result(None)
                return
            out.write(msg.data)
            if msg.reply:  # flow control: the server waits for these
                await nc.publish(msg.reply, b"")

        sub = await nc.subscribe(inbox, cb=chunk)
        try:
            request = {"deliver_subject": inbox, "no_consumers": True, "chunk_size": CHUNK}
            reply = await nc.request(
                f"$JS.API.STREAM.SNAPSHOT.{stream}", json.dumps(request).encode(), timeout=10
            )
            meta = json.loads(reply.data)
            if "error" in meta:
                raise RuntimeError(f"snapshot of {stream}: {meta['error'].get('description')}")
            await asyncio.wait_for(done, 600)
        finally:
            await sub.unsubscribe()
    return {"config": meta["config"], "state": meta["state"]}


async def restore_stream(nc: Client, stream: str, meta: dict[str, Any], path: Path) -> None:
    """A stream back from its snapshot (the stream must not exist)."""
    reply = await nc.request(
        f"$JS.API.STREAM.RESTORE.{stream}",
        json.dumps({"config": meta["config"], "state": meta["state"]}).encode(),
        timeout=10,
    )
    answer = json.loads(reply.data)
    if "error" in answer:
        raise RuntimeError(f"restore of {stream}: {answer['error'].get('description')}")
    with path.open("rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            await nc.request(answer["deliver_subject"], block, timeout=30)
    final = json.loads((await nc.request(answer["deliver_subject"], b"", timeout=600)).data)
    if "error" in final:
        raise RuntimeError(f"restore of {stream}: {final['error'].get('description')}")


async def backup(
    settings: Settings, services: list[tuple[str, str | None]], to: Path, nc: Client
) -> dict[str, Any]:
    """Dump every service's schemas, then snapshot their streams; write the manifest."""
    to.mkdir(parents=True, exist_ok=True)
    major = await pgtools.server_major(settings.database_url)
    pg_dump = pgtools.find("pg_dump", major)
    manifest: dict[str, Any] = {
        "format": 1,
        "started_at": _now(),
        "postgres_major": major,
        "pg_dump": str(pg_dump),
        "master_key": "not in the backup: SHEGONG_MASTER_KEY from the secret store",
        "services": {},
        "streams": {},
    }
    for name, domain in services:
        manifest["services"][name] = await _dump(settings.database_url, pg_dump, name, domain, to)
    for _, domain in services:
        for stream in _streams(domain):
            path = to / f"{stream}.snapshot"
            started = _now()
            try:
                meta = await snapshot(nc, stream, path)
            except RuntimeError:
                path.unlink(missing_ok=True)
                continue
            manifest["streams"][stream] = {
                "started_at": started,
                "finished_at": _now(),
                "last_seq": meta["state"].get("last_seq", 0),
                "messages": meta["state"].get("messages", 0),
                "file": path.name,
                "sha256": _sha256(path),
                "meta": meta,
            }
    manifest["finished_at"] = _now()
    (to / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), "utf-8")
    return manifest


async def _dump(
    database_url: str, pg_dump: Path, name: str, domain: str | None, to: Path
) -> dict[str, Any]:
    """pg_dump of the service's schemas in a snapshot exported by a transaction that reads the
    store's head too: the manifest says exactly what the dump holds, even under load."""
    dump = to / f"{name}.dump"
    entry: dict[str, Any] = {"started_at": _now(), "domain": domain, "schemas": schemas_of(name)}
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            exported = await conn.fetchval("SELECT pg_export_snapshot()")
            if domain:
                entry["store"] = await store_head(conn, name)
            schema_args = [f"--schema={s}" for s in schemas_of(name)]
            await asyncio.to_thread(
                subprocess.run,
                [str(pg_dump), "--format=custom", f"--snapshot={exported}", *schema_args]
                + ["--file", str(dump), "--dbname", database_url],
                check=True,
                capture_output=True,
            )
    finally:
        await conn.close()
    entry.update(file=dump.name, sha256=_sha256(dump), finished_at=_now())
    return entry


def _streams(domain: str | None) -> list[str]:
    if not domain:
        return []
    return [f"SW_{domain.upper()}", bus.partition_stream_name(domain)]


def read_manifest(source: Path) -> dict[str, Any]:
    """The manifest, every file in it checked against its checksum."""
    path = source / MANIFEST
    if not path.exists():
        raise BadBackup(f"{source}: no {MANIFEST}")
    manifest = json.loads(path.read_text("utf-8"))
    for kind in ("services", "streams"):
        for name, entry in manifest[kind].items():
            file = source / entry["file"]
            if not file.exists():
                raise BadBackup(f"{file} is missing")
            if _sha256(file) != entry["sha256"]:
                raise BadBackup(f"{file} does not match its checksum in the manifest ({name})")
    return manifest


async def restore_database(database_url: str, dump: Path) -> None:
    tool = pgtools.find("pg_restore", await pgtools.server_major(database_url))
    done = await asyncio.to_thread(
        subprocess.run,
        [str(tool), "--clean", "--if-exists", "--dbname", database_url, str(dump)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"pg_restore of {dump.name}: {done.stderr.strip()[-1000:]}")


async def restore(
    settings: Settings, source: Path, only: list[str], nc: Client, streams: bool
) -> list[str]:
    """The services' schemas back from their dumps (a new epoch each), and with `streams`
    every stream that is missing or behind its snapshot. Stop the services first."""
    manifest = read_manifest(source)
    done = []
    for name, entry in manifest["services"].items():
        if only and name not in only:
            continue
        await restore_database(settings.database_url, source / entry["file"])
        if entry.get("domain"):
            conn = await asyncpg.connect(settings.database_url)
            try:
                await identity.mint(conn, name, identity.RESTORED)
            finally:
                await conn.close()
        done.append(f"{name}: schemas restored from {entry['file']}")
    if streams:
        js = nc.jetstream()
        for stream, entry in manifest["streams"].items():
            domain = stream.split("_", 1)[1].lower()
            if only and not any(manifest["services"][s].get("domain") == domain for s in only):
                continue
            try:
                last = (await js.stream_info(stream)).state.last_seq
            except NotFoundError:
                last = None
            if last is not None and last >= entry["last_seq"]:
                done.append(f"{stream}: kept (at {last}, the snapshot at {entry['last_seq']})")
                continue
            if last is not None:
                await js.delete_stream(stream)
            await restore_stream(nc, stream, entry["meta"], source / entry["file"])
            done.append(f"{stream}: restored from its snapshot (to {entry['last_seq']})")
    return done


async def verify(settings: Settings, source: Path) -> list[str]:
    """Restore every dump into a scratch database and compare its stores with the manifest;
    the scratch database is dropped afterwards. Returns the differences (none: verified)."""
    manifest = read_manifest(source)
    scratch = f"shegong_verify_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(settings.database_url)
    try:
        await admin.execute(f"CREATE DATABASE {scratch}")
    finally:
        await admin.close()
    url = connections.with_database(settings.database_url, scratch)
    wrong = []
    try:
        for name, entry in manifest["services"].items():
            await restore_database(url, source / entry["file"])
            if "store" in entry:
                conn = await asyncpg.connect(url)
                try:
                    found = await store_head(conn, name)
                finally:
                    await conn.close()
                for key, value in entry["store"].items():
                    if found[key] != value:
                        wrong.append(f"{name}.{key}: {found[key]} restored, {value} backed up")
    finally:
        admin = await asyncpg.connect(settings.database_url)
        try:
            await admin.execute(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)")
        finally:
            await admin.close()
    return wrong
