"""Engagement service (参与): meetings and resident deliberation, volunteers and their hours."""
