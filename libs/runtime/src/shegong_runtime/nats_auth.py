"""NATS users with least privilege (guarantee 9): each service publishes only its own subjects.

- a service user: the JetStream API (less its destructive calls), acks, inboxes, its own
  domain `sw.<domain>.>` and dead letters `sw.dlq.>`; every other domain and `sw.redrive.>` denied;
- `integrator`: reads (subscribe, create consumers, fetch, get), publishes no `sw.>` subject
  and creates, changes or deletes no stream;
- `operator`: everything (re-drive, replay --republish, rebuild, stream repair).

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

from shegong_events.subjects import DOMAINS, PREFIX

OPERATOR = "operator"
INTEGRATOR = "integrator"
CONFIG_FILE = "auth.conf"
PASSWORDS_FILE = "users.json"

JETSTREAM = ["$JS.API.>", "$JS.ACK.>", "_INBOX.>"]  # the API (incl. $JS.API.DIRECT.GET.>), acks, inboxes
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


def service_permissions(domain: str | None, domains: Iterable[str] = DOMAINS) -> dict:
    own = [f"{PREFIX}.{domain}.>"] if domain else []
    others = sorted({d for d in domains if d != domain})
    return {
        "publish": {
            "allow": [*JETSTREAM, *own, DEAD_LETTERS],
            "deny": [*JS_DESTRUCTIVE, *(f"{PREFIX}.{d}.>" for d in others), REDRIVE],
        }
    }


def integrator_permissions() -> dict:
    return {"publish": {"allow": JETSTREAM, "deny": [*JS_DESTRUCTIVE, *JS_STREAM_CHANGES, f"{PREFIX}.>"]}}


def users(services: Mapping[str, str | None], passwords: Mapping[str, str]) -> list[dict]:
    """The `authorization.users` list: operator, integrator, then one user per service."""
    domains = set(DOMAINS) | {d for d in services.values() if d}
    out = [
        {"user": OPERATOR, "password": passwords[OPERATOR]},
        {"user": INTEGRATOR, "password": passwords[INTEGRATOR], "permissions": integrator_permissions()},
    ]
    for name, domain in services.items():
        out.append({"user": name, "password": passwords[name], "permissions": service_permissions(domain, domains)})
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
        Path(path), f"NATS_URL={nats_url}\nSHEGONG_NATS_USER={user}\nSHEGONG_NATS_PASSWORD={password}\n"
    )
    return Path(path)


if __name__ == "__main__":
    print(render_compose(), end="")
