"""Visits domain events."""
