"""`shegong serve <name>` with the event loop chosen: the bench's A/B of asyncio against uvloop.

uvicorn picks uvloop by itself when it is installed (`loop="auto"`), which is how `shegong serve`
runs; this launcher only pins one or the other for a measured comparison (`run.py --loop`).
"""

from __future__ import annotations

import argparse

import uvicorn
from shegong_runtime import catalogue
from shegong_runtime.settings import for_service

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("name")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), required=True)
    args = parser.parse_args()
    settings = for_service(args.name)
    uvicorn.run(
        catalogue.service(args.name).app(settings),
        host=settings.http_host,
        port=args.port,
        log_level="warning",
        loop=args.loop,
        timeout_graceful_shutdown=20,
    )
