"""Engagement domain events."""
