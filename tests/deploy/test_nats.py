"""NATS on Kubernetes is the embedded cluster: the StatefulSet's flags are
`cluster.node_args`, its users are `nats_auth`'s, and the pinned nats-server accepts the
configuration with the passwords of make_secrets.py's Secret (and refuses one without them)."""

from __future__ import annotations

import os
import re
import subprocess
from typing import Any

import nats
import pytest
from nats.errors import Error as NatsError
from shegong_runtime import cluster, nats_auth
from shegong_runtime.embedded import free_port, nats_server_binary, wait_for_port

from .conftest import OVERLAYS, compose, container, load, of_kind

make_secrets = load("make_secrets")


def auth_conf(objects: list[dict[str, Any]]) -> str:
    (config,) = [
        o
        for o in objects
        if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith("nats-auth")
    ]
    return config["data"]["auth.conf"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_nodes_run_the_flags_of_the_embedded_cluster(rendered, overlay):
    sts = of_kind(rendered[overlay], "StatefulSet")["nats"]
    c = container(sts)
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
    name, service = sts["metadata"]["name"], sts["spec"]["serviceName"]
    expected = cluster.node_args(
        "$(POD_NAME)",
        store_dir=mounts["data"],
        http_port=ports["monitor"],
        cluster_listen=f"nats://0.0.0.0:{ports['cluster']}",
        routes=[
            f"nats://{name}-{i}.{service}:{ports['cluster']}"
            for i in range(sts["spec"]["replicas"])
        ],
        config=f"{mounts['config']}/auth.conf",
    )
    assert c["args"] == expected
    assert c["command"] == ["nats-server"] and ports["client"] == 4222
    (pod_name,) = [e for e in c["env"] if e["name"] == "POD_NAME"]
    assert pod_name["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
    # the same flags, in the same order, as the compose file's nodes
    flags = [a.split("=")[0] for a in compose()["services"]["nats-1"]["command"]]
    assert [a.split("=")[0] for a in c["args"]] == flags
    assert c["image"] == compose()["services"]["nats-1"]["image"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_users_are_nats_auths_with_passwords_from_the_secret(rendered, overlay):
    text = auth_conf(rendered[overlay])
    names = [nats_auth.OPERATOR, nats_auth.INTEGRATOR, *nats_auth.SERVICES]
    as_placeholders = text
    for n in names:
        as_placeholders = as_placeholders.replace(f"${nats_auth.password_variable(n)}", f'"@{n}@"')
    assert as_placeholders == nats_auth.render(nats_auth.SERVICES, {n: f"@{n}@" for n in names}), (
        "regenerate: uv run python deploy/kubernetes/generate.py"
    )


@pytest.fixture
def secured_server(rendered, tmp_path):
    """The rendered configuration on the pinned nats-server, passwords from a made Secret."""
    (users,) = [
        d for d in make_secrets.documents({}) if d["metadata"]["name"] == make_secrets.NATS_USERS
    ]
    config = tmp_path / "auth.conf"
    config.write_text(auth_conf(rendered["small"]), encoding="utf-8")
    port = free_port()
    environment = {**os.environ, **users["stringData"]}
    proc = subprocess.Popen(
        [nats_server_binary(), "-c", str(config), "-a", "127.0.0.1", "-p", str(port)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield f"nats://127.0.0.1:{port}", users["stringData"], config
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def test_nats_server_takes_the_configuration_and_the_secrets_passwords(secured_server):
    url, passwords, _ = secured_server
    nc = await nats.connect(url, user="visits", password=passwords["SHEGONG_NATS_PASSWORD_VISITS"])
    try:
        assert nc.is_connected
    finally:
        await nc.close()
    with pytest.raises((NatsError, OSError)):
        await nats.connect(
            url,
            user="visits",
            password=passwords["SHEGONG_NATS_PASSWORD_REGISTRY"],
            allow_reconnect=False,
            max_reconnect_attempts=0,
            connect_timeout=2,
        )


def test_nats_server_refuses_the_configuration_without_the_secret(secured_server):
    _, _, config = secured_server
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith("SHEGONG_NATS_PASSWORD_")
    }
    done = subprocess.run(
        [nats_server_binary(), "-t", "-c", str(config)],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert re.search(r"SHEGONG_NATS_PASSWORD_[A-Z]+", done.stdout + done.stderr)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_nodes_mount_the_rendered_users(rendered, overlay):
    """kustomize renames the generated ConfigMap by its content: a change of users rolls the nodes."""
    objects = rendered[overlay]
    sts = of_kind(objects, "StatefulSet")["nats"]
    (volume,) = [v for v in sts["spec"]["template"]["spec"]["volumes"] if v["name"] == "config"]
    assert volume["configMap"]["name"] in of_kind(objects, "ConfigMap")
    assert volume["configMap"]["name"] != "nats-auth"
