"""`bench/run.py --history --smoke` generates two small histories, loads them through every
service and prints each figure beside its demo-size figure (figures are not judged)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROWS = [
    "bulk append (append_bulk)",
    "events generated",
    "relays and projections, the whole history",
    "visits GET /households p99",
    "stations GET /city p99",
    "command p99",
    "PostgreSQL visits.events table bytes/event",
    "JetStream SWP_VISITS bytes/event",
    "full replay",
    "rebuild stations_board",
    "memory, every service in one process",
]


@pytest.mark.timeout(600)
def test_history_smoke_prints_every_figure_beside_the_demo_size(
    postgres_server_url, nats_url, tmp_path
):
    out = tmp_path / "history.json"
    env = {
        **os.environ,
        "DATABASE_URL": postgres_server_url,
        "NATS_URL": nats_url,
        "SHEGONG_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, str(ROOT / "bench" / "run.py"), "--history", "--smoke"]
    done = subprocess.run(
        [*command, "--history-stations", "2", "--history-scale", "0.05", "--json", str(out)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for row in ROWS:
        assert row in done.stdout, f"row {row!r} missing:\n{done.stdout}"
    rows = json.loads(out.read_text())["rows"]
    assert rows and all(r["section"] == "volume" for r in rows)
    beside = [r for r in rows if r["raw_name"] == "demo size"]
    assert len(beside) > 50 and all(r["raw"] is not None for r in beside if "GET" in r["name"])
