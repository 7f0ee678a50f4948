"""Prints the Secrets the manifests read, with fresh random values, for `kubectl create`:

    uv run python deploy/kubernetes/make_secrets.py | kubectl -n shegong create -f -

- `shegong-secrets`: SHEGONG_JWT_SECRET, SHEGONG_MASTER_KEY (base64 of 32 bytes),
  SHEGONG_FINGERPRINT_SECRET and the notifications' webhook signing secret;
- `shegong-nats-users`: SHEGONG_NATS_PASSWORD_<USER> for every user of
  `shegong_runtime.nats_auth` (the NATS servers read them all; each service only its own);
- with `--database-url CLUSTER=URL` (an external PostgreSQL), `<CLUSTER>-app` with `uri`, the
  Secret CloudNativePG would otherwise create.

Use `create`, never `apply`: a second run must not replace a master key that already wraps
personal-data keys (docs/operators.md, rotating keys). Keep a copy in your secret store.
"""

from __future__ import annotations

import argparse
import base64
import secrets
import sys
from typing import Any

import yaml
from shegong_runtime import nats_auth

SECRETS = "shegong-secrets"
NATS_USERS = "shegong-nats-users"


def secret(name: str, values: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "labels": {"app.kubernetes.io/part-of": "shegong"}},
        "type": "Opaque",
        "stringData": values,
    }


def nats_password() -> str:
    """Letters and digits only, starting with a letter: the NATS configuration reads the
    variable as a value of its own syntax, where a number or `true` would not be a string."""
    return "p" + secrets.token_hex(24)


def service_secrets() -> dict[str, str]:
    return {
        "SHEGONG_JWT_SECRET": secrets.token_urlsafe(48),
        "SHEGONG_MASTER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "SHEGONG_FINGERPRINT_SECRET": secrets.token_urlsafe(48),
        "SHEGONG_NOTIFICATIONS_WEBHOOK_SECRET": secrets.token_urlsafe(48),
    }


def nats_passwords() -> dict[str, str]:
    users = [nats_auth.OPERATOR, nats_auth.INTEGRATOR, *nats_auth.SERVICES]
    return {nats_auth.password_variable(u): nats_password() for u in users}


def documents(database_urls: dict[str, str]) -> list[dict[str, Any]]:
    out = [secret(SECRETS, service_secrets()), secret(NATS_USERS, nats_passwords())]
    out += [secret(f"{name}-app", {"uri": url}) for name, url in database_urls.items()]
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        action="append",
        default=[],
        metavar="CLUSTER=URL",
        help="an external PostgreSQL for `postgres` or `postgres-visits`",
    )
    args = parser.parse_args(argv)
    urls = {}
    for item in args.database_url:
        name, sep, url = item.partition("=")
        if not sep or not url.startswith(("postgresql://", "postgres://")):
            parser.error(f"--database-url {item!r}: expected CLUSTER=postgresql://...")
        urls[name] = url
    sys.stdout.write(yaml.safe_dump_all(documents(urls), sort_keys=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
