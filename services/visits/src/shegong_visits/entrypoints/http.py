"""The visits HTTP API: one router per concern, each thin (parse, seal, decide, answer)."""

from shegong_visits.entrypoints import consent, households, needs, visits

routers = [households.router, visits.router, needs.router, consent.router]
