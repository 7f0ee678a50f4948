"""Queries over the station board; the live generation's schema is looked up per query."""
