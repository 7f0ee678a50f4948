"""How a planned notification leaves the service: webhook, email or the in-app inbox."""
