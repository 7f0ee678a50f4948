"""A city's year (一年的工作) generated through the services' own deciders and event stores.

`uv run python bench/history.py generate --stations 100` writes a deterministic year of 100
stations: households with members by category, visits at each risk tier's cadence (some
overdue), needs, consent and referrals, closures, erasures, meetings of every kind, filings
through to volunteer teams, volunteers and their hours, notification rules and recipients.
Commands are decided by the services' deciders and appended through `EventStore.append_bulk`
with keys stored as the command path stores them; `load` then runs every service so the relays,
streams and projections carry the year as in production. Nothing is written into a read model.
"""
