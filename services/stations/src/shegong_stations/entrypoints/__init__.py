"""Ways in: HTTP only (the service consumes events through its projection, not here)."""
