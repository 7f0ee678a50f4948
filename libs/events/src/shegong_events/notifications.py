"""Notifications domain events."""
