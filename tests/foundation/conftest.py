"""Fixtures the foundation tests share."""

import pytest
from shegong_runtime import bus


@pytest.fixture
async def js(nc, settings):
    """JetStream with the probe domain's streams, declared with the test module's `settings`."""
    await bus.ensure_domain_streams(nc.jetstream(), ["probe"], settings)
    return nc.jetstream()
