"""How far this replica's consumers trail their streams (also exported as
`shegong_consumer_lag_events` in /metrics by the runtime)."""

from __future__ import annotations

from shegong_runtime.service import Runtime


def consumer_lag(rt: Runtime) -> list[dict]:
    """One row per consumer of every projection this process runs."""
    rows = []
    for runner in rt.runners:
        for domain, state in sorted(runner.consumers.items()):
            rows.append(
                {
                    "projection": runner.projection.name,
                    "generation": runner.generation,
                    "domain": domain,
                    "consumer": state.durable,
                    "pending": state.pending,
                    "applied": state.applied,
                    "dead_lettered": state.dead,
                    "stream_seq": state.stream_seq,
                    "running": runner.running,
                }
            )
    return rows


def total_pending(rows: list[dict]) -> int:
    return sum(r["pending"] for r in rows)
