"""NATS users with least privilege (guarantee 9): each service publishes only its own subjects
and touches only its own consumers and streams.

- a service user: reading calls of the JetStream API (info, names, message gets); creating the
  Shegong streams when missing, changing only its own (`SW_<DOMAIN>`, `SWP_<DOMAIN>`); creating,
  fetching from, acknowledging and deleting only its own consumers; publishing its own domain
  `sw.<domain>.>` and dead letters `sw.dlq.>`; every other domain and `sw.redrive.>` denied;
- `integrator`: reads (subscribe, its own consumers, fetch, get), publishes no `sw.>` subject,
  creates, changes or deletes no stream, and may not create, fetch from or delete any service's
  consumer;
- `operator`: everything (re-drive, replay --republish, rebuild, stream repair).

A consumer's name is one subject token, and NATS permissions match whole tokens only: a
prefix such as `visits_read-` cannot be written as a wildcard. The configuration therefore
lists each service's consumer names in full, from the projections the service declares
(`CONSUMERS`, checked against the installed services by a test): `<projection>-<slot>-<domain>-p<k>`
for the two generation slots (`bus.consumer_name`: a rebuild uses the slot the live generation
does not) and partitions 0..PARTITIONS-1, and `-redrive` on the dead letters.

Subscribing is left open to every user: reading the history is what the streams are for, and
personal data never travels in plaintext (guarantee 8). `python -m shegong_runtime.nats_auth`
prints the compose cluster's configuration, which docker-compose.yml embeds.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from shegong_events.subjects import DOMAINS, PREFIX, stream_name

from shegong_runtime.bus import (
    GENERATION_SLOTS,
    PARTITION_PREFIX,
    consumer_name,
    partition_stream_name,
)

OPERATOR = "operator"
INTEGRATOR = "integrator"
CONFIG_FILE = "auth.conf"
PASSWORDS_FILE = "users.json"

JETSTREAM = [
    "$JS.API.>",
    "$JS.ACK.>",
    "_INBOX.>",
]  # the API (incl. $JS.API.DIRECT.GET.>), acks, inboxes
# the reading calls of the API, open to every user
JS_READS = [
    "$JS.API.INFO",
    "$JS.API.STREAM.INFO.*",
    "$JS.API.STREAM.NAMES",
    "$JS.API.STREAM.LIST",
    "$JS.API.STREAM.MSG.GET.*",
    "$JS.API.DIRECT.GET.>",
    "$JS.API.CONSUMER.INFO.*.*",
    "$JS.API.CONSUMER.NAMES.*",
    "$JS.API.CONSUMER.LIST.*",
]
DEADLETTER_STREAM = "SW_DEADLETTER"
PARTITIONS = (
    4  # per-partition consumers `-p<k>`: at least the streams' P (SHEGONG_PROJECTION_PARTITIONS)
)
# calls that destroy history or move replicas: operators only
JS_DESTRUCTIVE = [
    "$JS.API.STREAM.DELETE.>",
    "$JS.API.STREAM.PURGE.>",
    "$JS.API.STREAM.MSG.DELETE.>",
    "$JS.API.STREAM.RESTORE.>",
    "$JS.API.STREAM.PEER.REMOVE.>",
    "$JS.API.ACCOUNT.PURGE.>",
]
JS_STREAM_CHANGES = ["$JS.API.STREAM.CREATE.>", "$JS.API.STREAM.UPDATE.>"]
DEAD_LETTERS = f"{PREFIX}.dlq.>"
REDRIVE = f"{PREFIX}.redrive.>"

# the services of the compose cluster and the domain each publishes (None: publishes none)
SERVICES: dict[str, str | None] = {
    "registry": "registry",
    "visits": "visits",
    "engagement": "engagement",
    "stations": None,
    "notifications": "notifications",
    "workbench": None,
}


# each service's projections and the domains each consumes, as the services declare them
# (`Service.projections` and its stations directory `<service>_stations`)
CONSUMERS: dict[str, dict[str, tuple[str, ...]]] = {
    "registry": {
        "registry_stations": ("registry",),
        "registry_organisations": ("registry",),
        "registry_evaluations": ("registry",),
    },
    "visits": {"visits_stations": ("registry",), "visits_read": ("visits",)},
    "engagement": {"engagement_stations": ("registry",), "engagement_views": ("engagement",)},
    "stations": {
        "stations_stations": ("registry",),
        "stations_board": ("registry", "visits", "engagement"),
    },
    "workbench": {"workbench_stations": ("registry",)},
    "notifications": {
        "notifications_stations": ("registry",),
        "notifications_planner": ("registry", "visits", "engagement"),
    },
}


def consumer_names(
    projections: Mapping[str, Iterable[str]], partitions: int = PARTITIONS
) -> list[str]:
    """Every durable name these projections use: per generation, domain, partition, re-drive."""
    names = []
    for projection, domains in projections.items():
        for generation in range(1, len(GENERATION_SLOTS) + 1):
            for domain in domains:
                names += [
                    consumer_name(projection, generation, f"{domain}.p{k}")
                    for k in range(partitions)
                ]
            names.append(consumer_name(projection, generation, "redrive"))
    return names


def consumer_subjects(name: str) -> list[str]:
    """The API and ack subjects naming one consumer: CREATE/DELETE/INFO/PAUSE/RESET.<stream>.<name>,
    CREATE with a filter, DURABLE.CREATE and MSG.NEXT, and its acknowledgements."""
    return [
        f"$JS.API.CONSUMER.*.*.{name}",
        f"$JS.API.CONSUMER.CREATE.*.{name}.>",
        f"$JS.API.CONSUMER.*.*.*.{name}",
        f"$JS.ACK.*.{name}.>",
    ]


def _streams(domain: str) -> list[str]:
    return [stream_name(domain), partition_stream_name(domain)]


def service_permissions(
    domain: str | None,
    domains: Iterable[str] = DOMAINS,
    projections: Mapping[str, Iterable[str]] | None = None,
    partitions: int = PARTITIONS,
) -> dict[str, Any]:
    # a domain's events and their partitioned copies (`swp.<domain>.>`, see bus)
    own = [f"{PREFIX}.{domain}.>", f"{PARTITION_PREFIX}.{domain}.>"] if domain else []
    domains = sorted(set(domains))
    others = [d for d in domains if d != domain]
    declare = [f"$JS.API.STREAM.CREATE.{s}" for d in domains for s in _streams(d)]
    declare.append(f"$JS.API.STREAM.CREATE.{DEADLETTER_STREAM}")
    change = [f"$JS.API.STREAM.UPDATE.{s}" for s in _streams(domain)] if domain else []
    consumers = [
        subject
        for name in consumer_names(projections or {}, partitions)
        for subject in consumer_subjects(name)
    ]
    return {
        "publish": {
            "allow": [*JS_READS, *declare, *change, *consumers, "_INBOX.>", *own, DEAD_LETTERS],
            "deny": [
                *JS_DESTRUCTIVE,
                *(f"{PREFIX}.{d}.>" for d in others),
                *(f"{PARTITION_PREFIX}.{d}.>" for d in others),
                REDRIVE,
            ],
        }
    }


def integrator_permissions(
    consumers: Mapping[str, Mapping[str, Iterable[str]]] | None = None,
    partitions: int = PARTITIONS,
) -> dict[str, Any]:
    """Any consumer of its own (named or ephemeral), none of the services'."""
    services = [
        subject
        for projections in (CONSUMERS if consumers is None else consumers).values()
        for name in consumer_names(projections, partitions)
        for subject in consumer_subjects(name)
    ]
    return {
        "publish": {
            "allow": JETSTREAM,
            "deny": [
                *JS_DESTRUCTIVE,
                *JS_STREAM_CHANGES,
                f"{PREFIX}.>",
                f"{PARTITION_PREFIX}.>",
                *services,
            ],
        }
    }


def users(
    services: Mapping[str, str | None],
    passwords: Mapping[str, str],
    consumers: Mapping[str, Mapping[str, Iterable[str]]] | None = None,
) -> list[dict[str, Any]]:
    """The `authorization.users` list: operator, integrator, then one user per service."""
    consumers = CONSUMERS if consumers is None else consumers
    domains = set(DOMAINS) | {d for d in services.values() if d}
    out: list[dict[str, Any]] = [
        {"user": OPERATOR, "password": passwords[OPERATOR]},
        {
            "user": INTEGRATOR,
            "password": passwords[INTEGRATOR],
            "permissions": integrator_permissions(consumers),
        },
    ]
    for name, domain in services.items():
        permissions = service_permissions(domain, domains, consumers.get(name, {}))
        out.append({"user": name, "password": passwords[name], "permissions": permissions})
    return out


def render(services: Mapping[str, str | None], passwords: Mapping[str, str]) -> str:
    """A nats-server configuration file holding only the authorization: JSON (which the server's
    format reads), one user a line and each permission list a line, so a person can review it."""
    lines = []
    for user in users(services, passwords):
        head = json.dumps({k: v for k, v in user.items() if k != "permissions"})[:-1]
        if "permissions" not in user:
            lines.append(f"  {head}}}")
            continue
        publish = user["permissions"]["publish"]
        lines.append(
            f'  {head}, "permissions": {{"publish": {{\n'
            f'    "allow": {json.dumps(publish["allow"])},\n'
            f'    "deny": {json.dumps(publish["deny"])}}}}}}}'
        )
    return '{"authorization": {"users": [\n' + ",\n".join(lines) + "\n]}}\n"


def password_variable(user: str) -> str:
    return f"SHEGONG_NATS_PASSWORD_{user.upper()}"


def render_compose(services: Mapping[str, str | None] = SERVICES) -> str:
    """The cluster's configuration as docker-compose.yml embeds it: passwords from the
    environment (`.env`), `$` doubled so compose leaves the JetStream subjects alone."""
    names = [OPERATOR, INTEGRATOR, *services]
    placeholders = {n: f"@{n}@" for n in names}
    text = render(services, placeholders).replace("$", "$$")
    for n in names:
        text = text.replace(f"@{n}@", f"${{{password_variable(n)}:-dev-{n}-change-me}}")
    return text


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, 0o600)


def passwords(folder: Path, names: Iterable[str]) -> dict[str, str]:
    """Passwords kept in `folder/users.json` (mode 600): a restart reuses them, a new user gets one."""
    path = Path(folder) / PASSWORDS_FILE
    known: dict[str, str] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    missing = [n for n in [OPERATOR, INTEGRATOR, *names] if n not in known]
    for name in missing:
        known[name] = secrets.token_urlsafe(24)
    if missing:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_private(path, json.dumps(known, indent=2) + "\n")
    return known


def write_config(folder: Path, services: Mapping[str, str | None]) -> tuple[Path, dict[str, str]]:
    """Write `folder/auth.conf` for `nats-server -c`; returns its path and every user's password."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    found = passwords(folder, services)
    path = folder / CONFIG_FILE
    _write_private(path, render(services, found))
    return path, found


def write_env(path: Path, nats_url: str, user: str, password: str) -> Path:
    """A file to `set -a; . FILE; set +a` before running `shegong` tools as that user."""
    _write_private(
        Path(path),
        f"NATS_URL={nats_url}\nSHEGONG_NATS_USER={user}\nSHEGONG_NATS_PASSWORD={password}\n",
    )
    return Path(path)


if __name__ == "__main__":
    print(render_compose(), end="")
