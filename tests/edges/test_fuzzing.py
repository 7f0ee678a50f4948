"""schemathesis against every service's own OpenAPI document, on real servers with a valid
token: whatever it sends, no answer is a server error.

Bounded (examples per operation, one worker, a fixed seed) so the five runs take minutes.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import nats
import pytest
from shegong_runtime import auth
from shegong_runtime.settings import Settings
from shegong_testing.http import open_stations, settings_for

from .servers import lines, served

SERVICES = ["registry", "visits", "engagement", "stations", "notifications"]
MAX_EXAMPLES = int(os.environ.get("SHEGONG_FUZZ_EXAMPLES", "6"))
# no server error, and every answer's status and content type is one the document lists
CHECKS = os.environ.get(
    "SHEGONG_FUZZ_CHECKS", "not_a_server_error,status_code_conformance,content_type_conformance"
)
# stations the fuzzer's examples name (the Identifier example), known to every service
KNOWN = [("xigu-fulilu", "xigu"), ("chengguan-qingbaishi", "chengguan")]
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def counts(junit: Path) -> dict[str, int]:
    """Operations and failures from schemathesis's JUnit report."""
    root = ET.parse(junit).getroot()
    cases = root.findall(".//testcase")
    return {
        "operations": len(cases),
        "failed": sum(
            1 for c in cases if c.find("failure") is not None or c.find("error") is not None
        ),
    }


@pytest.mark.parametrize("name", SERVICES)
async def test_no_request_schemathesis_sends_gets_a_server_error(
    name, stack_env, database_url, nats_url, tmp_path
):
    nc = await nats.connect(nats_url)
    try:
        await open_stations(nc, settings_for(database_url, nats_url, name), KNOWN)
    finally:
        await nc.close()
    token = auth.issue(Settings(service=name), "fuzzer", "city_admin")
    log = tmp_path / f"{name}.log"
    async with served(name, stack_env, log) as url:
        junit = tmp_path / "junit.xml"
        run = await asyncio.to_thread(
            subprocess.run,
            [
                str(SCHEMATHESIS),
                "run",
                f"{url}/openapi.json",
                "--checks",
                CHECKS,
                "--header",
                f"Authorization: Bearer {token}",
                "--max-examples",
                str(MAX_EXAMPLES),
                "--seed",
                "20240328",
                "--workers",
                "1",
                "--request-timeout",
                "20",
                "--suppress-health-check",
                "all",
                "--report",
                "junit",
                "--report-junit-path",
                str(junit),
            ],
            check=False,
            capture_output=True,
            text=True,
            timeout=600,
            env={**os.environ, "NO_COLOR": "1"},
            cwd=tmp_path,
        )
    generated = [
        line.strip() for line in run.stdout.splitlines() if re.match(r"\s*\d+ generated", line)
    ]
    print(f"schemathesis {name}: {counts(junit) if junit.exists() else 'no report'} {generated}")
    server_errors = [line for line in lines(log) if '"status": 500' in line or "Traceback" in line]
    assert run.returncode == 0, run.stdout[-6000:] + "\n".join(server_errors[:20])
