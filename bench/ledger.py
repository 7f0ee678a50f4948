"""The household ledger at 10,000 rows: how long the dry run and the import take, and how much
memory the process grows by while it streams the workbook (openpyxl's read-only mode).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres uv run python bench/ledger.py [--rows N]

A fresh database on that server (dropped afterwards) and an embedded NATS; the visits service
in-process, driven through its HTTP API as staff would (upload, poll the progress).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import resource
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

import asyncpg
import nats
from openpyxl import Workbook
from shegong_runtime.connections import with_database
from shegong_runtime.embedded import EmbeddedNats
from shegong_testing.http import bearer, open_stations, service_client, settings_for
from shegong_visits.bootstrap import service
from shegong_visits.ledger import dry_run

XLSX = {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def ledger(rows: int) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("家庭台账")
    ws.append(
        [
            "户主姓名",
            "联系电话",
            "身份证号",
            "家庭住址",
            "所属社区",
            "家庭类别",
            "风险等级",
            "登记日期",
            "家庭成员",
        ]
    )
    for i in range(rows):
        ws.append(
            [
                f"户主{i:05d}",
                f"138{i:08d}",
                f"620102195001{i:05d}1",
                f"兰州市城关区某路{i}号",
                "某社区",
                "低保家庭、独居老人",
                "一般",
                date(2024, 3, 1),
                f"配偶 配偶{i} 1950",
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def main(rows: int) -> dict:
    server = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"shegong_bench_ledger_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(server)
    await admin.execute(f"CREATE DATABASE {name}")
    content = ledger(rows)
    figures: dict = {"rows": rows, "file_bytes": len(content)}
    before = rss_mb()
    started = time.perf_counter()
    report = dry_run.dry_run(content)
    figures["dry_run_s"] = round(time.perf_counter() - started, 2)
    figures["dry_run_rows_per_s"] = round(rows / figures["dry_run_s"])
    figures["dry_run_peak_rss_growth_mb"] = round(rss_mb() - before, 1)
    assert report.clean, report.problems[:3]
    with tempfile.TemporaryDirectory() as tmp:
        embedded = EmbeddedNats(Path(tmp)).start()
        try:
            database = with_database(server, name)
            async with service_client(
                service, database, embedded.url, http_max_body_bytes=20_000_000
            ) as client:
                settings = settings_for(database, embedded.url, "visits")
                nc = await nats.connect(embedded.url)
                await open_stations(nc, settings, [("bench-ledger", "chengguan")])
                await nc.close()
                while "bench-ledger" not in await client.app.state.runtime.stations.all():
                    await asyncio.sleep(0.1)
                worker = bearer(settings, "social_worker", ["bench-ledger"])
                started = time.perf_counter()
                r = await client.post(
                    "/ledger/households/imports",
                    params={"station_id": "bench-ledger"},
                    content=content,
                    headers=XLSX | worker,
                )
                assert r.status_code == 201, r.text
                seen = []
                while True:
                    p = (await client.get(r.headers["Location"], headers=worker)).json()
                    seen.append(p["rows_done"])
                    if p["status"] != "running":
                        break
                    await asyncio.sleep(1)
                took = time.perf_counter() - started
                figures.update(
                    import_s=round(took, 1),
                    import_rows_per_s=round(p["rows_added"] / took),
                    import_status=p["status"],
                    rows_added=p["rows_added"],
                    progress_samples=len(set(seen)),
                )
                started = time.perf_counter()
                r = await client.post(
                    "/ledger/households/imports",
                    params={"station_id": "bench-ledger"},
                    content=content,
                    headers=XLSX | worker,
                )
                while (p := (await client.get(r.headers["Location"], headers=worker)).json())[
                    "status"
                ] == "running":
                    await asyncio.sleep(0.5)
                figures["reimport_s"] = round(time.perf_counter() - started, 1)
                figures["reimport_rows_added"] = p["rows_added"]
        finally:
            embedded.stop()
            await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            await admin.close()
    figures["peak_rss_mb"] = round(rss_mb(), 1)
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.rows)), indent=2))
