"""`shegong backup` and `shegong restore` as an operator runs them: a manifest that says what the
backup holds and no key material, a `--verify` that restores into a scratch database, and a
restore of the store and of a lost stream after which nothing is missing."""

import json
import subprocess
import sys
import uuid

import pytest
from shegong_runtime.settings import Settings

from .helpers import published, register, relayed, retier, stored, visits


def shegong(env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "shegong_runtime.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.timeout(300)
async def test_backup_verify_and_restore_of_store_and_lost_streams(
    stack_env, database_url, nats_url, pool, nc, tmp_path
):
    station = f"bak-{uuid.uuid4().hex[:8]}"
    backup = tmp_path / "backup"
    async with visits(database_url, nats_url, station) as client:
        households = [await register(client, station, f"备份户{i}") for i in range(3)]
        await relayed(pool, nats_url, station)
        done = shegong(stack_env, "backup", "visits", "--to", str(backup))
        assert done.returncode == 0, done.stderr[-2000:]
        at_backup = await stored(pool, station)
        for hid in households:  # work after the backup, relayed to the streams
            assert (await retier(client, hid, "key")).status_code == 200
        await relayed(pool, nats_url, station)
        expected = await stored(pool, station)

    manifest = json.loads((backup / "manifest.json").read_text("utf-8"))
    store = manifest["services"]["visits"]["store"]
    assert store["events"] == await pool.fetchval(
        "SELECT count(*) FROM visits.events WHERE tx_id::text::bigint <= $1", store["last_tx"]
    )
    assert {"SW_VISITS", "SWP_VISITS"} <= set(manifest["streams"])
    assert all(len(e["sha256"]) == 64 for e in manifest["streams"].values())
    master_key = Settings(database_url=database_url).master_key
    assert master_key and master_key not in (backup / "manifest.json").read_text()
    assert "wrapped_key" not in (backup / "manifest.json").read_text()

    verified = shegong(stack_env, "restore", str(backup), "--verify")
    assert verified.returncode == 0, verified.stderr[-2000:]
    assert "verified" in verified.stdout

    # a changed file is refused before anything is restored
    broken = tmp_path / "broken"
    broken.mkdir()
    for f in backup.iterdir():
        (broken / f.name).write_bytes(f.read_bytes())
    with (broken / "visits.dump").open("ab") as f:
        f.write(b"x")
    refused = shegong(stack_env, "restore", str(broken), "visits")
    assert refused.returncode == 1 and "checksum" in refused.stderr

    # the streams are lost and the store goes back to the backup: both restored
    for name in ("SW_VISITS", "SWP_VISITS"):
        await nc.jetstream().delete_stream(name)
    done = shegong(stack_env, "restore", str(backup), "visits", "--streams")
    assert done.returncode == 0, done.stderr[-2000:]
    assert await stored(pool, station) == at_backup
    async with visits(database_url, nats_url, station) as client:
        await relayed(pool, nats_url, station)
        stream = await published(nats_url, station)
        on_stream = {(e.stream_id, e.aggregate_version): str(e.event_id) for _, e in stream}
        assert on_stream == await stored(pool, station)
        assert at_backup.items() <= on_stream.items()
        # what came after the backup was on neither copy any more: only the acknowledged
        # work between backup and loss is gone, and no version is taken twice
        assert len(stream) == len({str(e.event_id) for _, e in stream})
        for hid in households:
            assert (await retier(client, hid, "high")).status_code == 200
    assert set(expected) - set(at_backup)  # the lost work existed (RPO of a double loss)
