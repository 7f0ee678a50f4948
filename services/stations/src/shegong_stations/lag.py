"""How far this replica's consumers trail their streams (also exported as
`shegong_consumer_lag_events` in /metrics by the runtime)."""

from __future__ import annotations

from shegong_runtime.service import Runtime


def consumer_lag(rt: Runtime) -> list[dict]:
    """One row per unit (a partition of a domain, or re-drives) this replica consumes now."""
    rows = []
    for runner in rt.runners:
        held = runner.leases.held if runner.leases else set(runner.consumers)
        for key, state in sorted(runner.consumers.items()):
            if key not in held:
                continue
            rows.append(
                {
                    "projection": runner.projection.name,
                    "generation": runner.generation,
                    "domain": state.domain,
                    "unit": key,
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
