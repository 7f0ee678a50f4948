"""PostgreSQL's own client tools (pg_dump, pg_restore) matching the server they talk to.

pg_dump refuses a server newer than itself, and a dump is safest restored by the release that
made it, so the tool of the server's major version is taken first: the machine's (`PATH`,
Debian's `/usr/lib/postgresql/<major>/bin`), then the embedded `pgserver` wheel's; a newer
major only when no match is installed (pg_dump reads older servers).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import asyncpg


class NoTool(RuntimeError):
    """No installed client tool can talk to this server."""


def _candidates(tool: str) -> list[Path]:
    found = []
    if on_path := shutil.which(tool):
        found.append(Path(on_path))
    found += sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{tool}"))
    try:
        import pgserver  # the embedded server's wheel ships its binaries

        found.append(Path(pgserver.__file__).parent / "pginstall" / "bin" / tool)
    except ImportError:
        pass
    return [p for p in found if p.exists()]


def major_of(path: Path) -> int:
    out = subprocess.run([str(path), "--version"], capture_output=True, text=True, check=True)
    match = re.search(r"\) (\d+)", out.stdout)
    if not match:
        raise NoTool(f"{path}: cannot read its version from {out.stdout.strip()!r}")
    return int(match.group(1))


def find(tool: str, server_major: int) -> Path:
    """The tool of the server's major version, else the nearest newer one."""
    versions: dict[int, Path] = {}
    for path in _candidates(tool):
        versions.setdefault(major_of(path), path)
    if server_major in versions:
        return versions[server_major]
    newer = sorted(v for v in versions if v > server_major)
    if newer:
        return versions[newer[0]]
    have = ", ".join(f"{v} ({p})" for v, p in sorted(versions.items())) or "none"
    raise NoTool(f"no {tool} for PostgreSQL {server_major} (installed: {have})")


async def server_major(database_url: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return int(await conn.fetchval("SHOW server_version_num")) // 10000
    finally:
        await conn.close()
