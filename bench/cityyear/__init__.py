"""A city's year (一年的工作) generated through the services' own deciders and event stores.

`uv run python bench/history.py generate --stations 100` writes a deterministic year of 100
stations: households with members by category, visits at each risk tier's cadence (some
overdue), needs, consent and referrals, closures, erasures, meetings of every kind, filings
through to volunteer teams, volunteers and their hours; in the notifications directory each
station's lead and two social workers (names and emails sealed) and each district's officer,
the station's rules (urgent needs and referrals to the lead, households raised to high risk to
the social workers, filings approved to the lead) and the district's (urgent needs, the weekly
roundup), some rules narrowed or retired mid-year, a few social workers leaving, some erased.
About 22,800 events per station at scale 1 (visits 81%, engagement 19%, registry and
notifications under 0.2% each).

Commands are decided by the services' deciders and appended through `EventStore.append_bulk`
with keys stored as the command path stores them, each event recorded when it happened in the
year; `load` then runs every service so the relays, streams and projections carry the year as
in production: the notifications planner plans about 1,150 deliveries per station from the
year's events under the year's rules, and the courier sends them to the in-app inbox, each
journalled as a `NotificationSent` event. Nothing is written into a read model.
"""
