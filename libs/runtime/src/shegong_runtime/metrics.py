"""Prometheus metrics shared by every Shegong process."""

from prometheus_client import Counter, Gauge, Histogram

RELAYED = Counter("shegong_relay_published_total", "Events published by the relay", ["domain"])
RELAY_ACTIVE = Gauge(
    "shegong_relay_active", "1 while this replica holds the relay lock", ["domain"]
)
RELAY_BATCH_SECONDS = Histogram(
    "shegong_relay_batch_seconds", "Relay batch publish time", ["domain"]
)
RELAY_LAG = Gauge("shegong_relay_lag_events", "Events committed but not yet relayed", ["domain"])
APPLIED = Counter("shegong_projection_applied_total", "Events applied", ["projection", "domain"])
DEADLETTERED = Counter(
    "shegong_projection_deadlettered_total", "Events sent to dead letter", ["projection"]
)
CONSUMER_LAG = Gauge("shegong_consumer_lag_events", "Messages not yet delivered", ["consumer"])
COMMANDS = Counter("shegong_commands_total", "Commands handled", ["service", "command", "outcome"])
RECEIVED = Counter(
    "shegong_projection_received_total", "Messages fetched (deliveries)", ["projection", "domain"]
)
HTTP_SECONDS = Histogram(
    "shegong_http_request_seconds",
    "HTTP requests by route template (never the raw path: ids stay out of the labels)",
    ["service", "method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
WAITING = Gauge(
    "shegong_projection_waiting_events",
    "Events parked until their predecessor applies",
    ["projection"],
)
