"""Secrets only in Secrets: no secret value in a ConfigMap or a literal, every reference names a
Secret that make_secrets.py (or CloudNativePG) makes, and its values pass SHEGONG_REQUIRE_SECRETS."""

from __future__ import annotations

import base64
import copy
import json
import re
from typing import Any

import pytest
from shegong_runtime import nats_auth
from shegong_runtime.settings import Settings, default_secrets

from .conftest import OVERLAYS, compose, load, of_kind

SECRET_NAME = re.compile(
    r"(?<!REQUIRE_)(SECRETS?|PASSWORD|MASTER_KEY|DATABASE_URL|TOKEN)$", re.IGNORECASE
)
make_secrets = load("make_secrets")


def known_secret_values() -> set[str]:
    """The development values anyone can read: in the code's defaults and the compose file."""
    defaults = Settings.model_fields
    values = {
        str(defaults[name].default) for name in ("jwt_secret", "master_key", "fingerprint_secret")
    }
    for value in re.findall(r"\$\{[A-Z0-9_]+:-([^}]+)\}", (compose_text := json.dumps(compose()))):
        if "change-me" in value or value.endswith("="):
            values.add(value)
    assert compose_text and len(values) >= 8
    return values


def leaks(objects: list[dict[str, Any]]) -> list[str]:
    """Every place a secret sits outside a Secret."""
    found = []
    known = known_secret_values()
    for o in objects:
        where = f"{o['kind']}/{o['metadata']['name']}"
        if o["kind"] == "ConfigMap":
            for key, text in o.get("data", {}).items():
                if SECRET_NAME.search(key.split(".")[0]):
                    found.append(f"{where} has a key named like a secret: {key}")
                found += [f"{where} {key} holds a known secret" for v in known if v in text]
                for password in re.findall(r'"password":\s*([^,}\s]+)', text):
                    if not re.fullmatch(r"\$SHEGONG_NATS_PASSWORD_[A-Z]+", password):
                        found.append(f"{where} {key}: a password that is not a variable")
        spec = o.get("spec", {}).get("template", {}).get("spec", {})
        for c in spec.get("containers", []):
            for e in c.get("env", []):
                if SECRET_NAME.search(e["name"]) and "secretKeyRef" not in e.get("valueFrom", {}):
                    found.append(f"{where} {e['name']} is not read from a Secret")
            found += [
                f"{where} reads a ConfigMap as environment"
                for f in c.get("envFrom", [])
                if "configMapRef" in f
            ]
    return found


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_secret_value_in_a_configmap_or_a_literal(rendered, overlay):
    assert leaks(rendered[overlay]) == []


def test_the_leak_check_finds_a_secret_put_in_a_configmap_or_a_literal(rendered):
    objects = copy.deepcopy(rendered["small"])
    config = next(
        o
        for o in objects
        if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("nats-auth")
    )
    config["data"]["auth.conf"] = config["data"]["auth.conf"].replace(
        "$SHEGONG_NATS_PASSWORD_VISITS", '"dev-visits-change-me"', 1
    )
    deployment = next(o for o in objects if o["kind"] == "Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["env"].append(
        {"name": "SHEGONG_JWT_SECRET", "value": "written-here"}
    )
    found = leaks(objects)
    assert any("holds a known secret" in f for f in found)
    assert any("not a variable" in f for f in found)
    assert any("SHEGONG_JWT_SECRET is not read from a Secret" in f for f in found)


def made(objects: list[dict[str, Any]], database_urls: dict[str, str]) -> dict[str, set[str]]:
    """The Secrets an install has: make_secrets.py's, and CloudNativePG's `<cluster>-app`."""
    out = {
        d["metadata"]["name"]: set(d["stringData"]) for d in make_secrets.documents(database_urls)
    }
    for name in of_kind(objects, "Cluster"):
        out[f"{name}-app"] = {"uri", "username", "password", "host", "port", "dbname"}
    return out


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_secret_reference_names_a_secret_that_is_made(rendered, overlay):
    objects = rendered[overlay]
    external = (
        {}
        if of_kind(objects, "Cluster")
        else {
            "postgres": "postgresql://shegong@db.example.org/shegong",
            "postgres-visits": "postgresql://shegong@visits-db.example.org/shegong",
        }
    )
    secrets = made(objects, external)
    for o in objects:
        spec = o.get("spec", {}).get("template", {}).get("spec", {})
        for c in spec.get("containers", []):
            for e in c.get("env", []):
                ref = e.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["key"] in secrets.get(ref["name"], set()), (
                        f"{o['metadata']['name']} {ref}"
                    )
            for f in c.get("envFrom", []):
                assert f["secretRef"]["name"] in secrets
    # the NATS servers read every password the configuration refers to
    config = next(o for o in objects if o["metadata"]["name"].startswith("nats-auth"))
    referenced = set(re.findall(r"\$(SHEGONG_NATS_PASSWORD_[A-Z]+)", config["data"]["auth.conf"]))
    assert referenced == secrets[make_secrets.NATS_USERS]
    assert len(referenced) == len(nats_auth.SERVICES) + 2


def test_made_secrets_pass_require_secrets_and_the_master_key_is_32_bytes():
    (values,) = [
        d["stringData"]
        for d in make_secrets.documents({})
        if d["metadata"]["name"] == make_secrets.SECRETS
    ]
    settings = Settings(
        jwt_secret=values["SHEGONG_JWT_SECRET"],
        master_key=values["SHEGONG_MASTER_KEY"],
        fingerprint_secret=values["SHEGONG_FINGERPRINT_SECRET"],
    )
    assert default_secrets(settings) == []
    assert len(base64.b64decode(values["SHEGONG_MASTER_KEY"], validate=True)) == 32
    again = make_secrets.documents({})[0]["stringData"]
    assert all(again[k] != values[k] for k in values), "each run makes fresh values"


def test_make_secrets_refuses_a_database_url_it_cannot_use(capsys):
    with pytest.raises(SystemExit):
        make_secrets.main(["--database-url", "postgres"])
    assert "expected CLUSTER=postgresql://" in capsys.readouterr().err
