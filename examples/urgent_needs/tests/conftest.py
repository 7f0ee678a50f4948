"""A NATS with the project's real authorization (`shegong_runtime.nats_auth`, as `shegong up`
writes it): the example connects as the read-only integrator, events come from the visits
service's own user, and nobody gets in anonymously."""

import importlib
from pathlib import Path

import pytest
from shegong_runtime import bus, nats_auth
from shegong_runtime.embedded import EmbeddedNats
from shegong_runtime.settings import Settings


class SecuredNats:
    def __init__(self, server: EmbeddedNats, passwords: dict[str, str], folder: Path):
        self.server, self.passwords = server, passwords
        self.url = server.url
        # the file `shegong up` gives integrators: <state>/nats/integrator.env
        self.integrator_env = nats_auth.write_env(
            folder / "integrator.env", self.url, nats_auth.INTEGRATOR, passwords["integrator"]
        )

    async def connect(self, user: str):
        settings = Settings(nats_url=self.url, nats_user=user, nats_password=self.passwords[user])
        return await bus.connect(settings, f"test-{user}")


@pytest.fixture(scope="module")
async def secured(tmp_path_factory):
    folder = tmp_path_factory.mktemp("secured-nats")
    config, passwords = nats_auth.write_config(folder, nats_auth.SERVICES)
    server = EmbeddedNats(folder, config=config).start()
    try:
        secured = SecuredNats(server, passwords, folder)
        nc = await secured.connect(nats_auth.OPERATOR)
        try:
            await bus.ensure_domain_streams(nc.jetstream(), ["visits"], Settings())
        finally:
            await nc.close()
        yield secured
    finally:
        server.stop()


@pytest.fixture
def integrator(secured, monkeypatch):
    """The environment the example's docstring asks for, after `. integrator.env`."""
    monkeypatch.delenv("SHEGONG_NATS_ENV_FILE", raising=False)
    monkeypatch.setenv("NATS_URL", secured.url)
    monkeypatch.setenv("SHEGONG_NATS_USER", nats_auth.INTEGRATOR)
    monkeypatch.setenv("SHEGONG_NATS_PASSWORD", secured.passwords[nats_auth.INTEGRATOR])
    return secured


@pytest.fixture
def example(integrator):
    """The example module, imported (again) as `faststream run` would: with the environment set."""
    module = importlib.import_module("examples.urgent_needs.app")
    module = importlib.reload(module)
    module.waiting.clear()
    return module
