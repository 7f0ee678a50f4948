"""Fixtures the visits tests share: the service's settings, and a way to serve it in-process with
a module's stations opened and learned, so each module starts from stations it owns."""

from contextlib import asynccontextmanager

import nats
import pytest
from shegong_runtime.service import runtime
from shegong_testing.fixtures import eventually
from shegong_testing.http import open_stations, service_client, settings_for
from shegong_visits.bootstrap import service


@pytest.fixture(scope="session")
def settings(database_url, nats_url):
    return settings_for(database_url, nats_url, "visits")


@pytest.fixture(scope="session")
def serve(database_url, nats_url, settings):
    """`async with serve({station_id: district_id}) as client`, once the service knows them all."""

    @asynccontextmanager
    async def serving(stations: dict[str, str]):
        async with service_client(service, database_url, nats_url) as client:
            nc = await nats.connect(nats_url)
            await open_stations(nc, settings, stations.items())
            await nc.close()
            known = runtime(client.app).stations

            async def learned():
                return set(stations) <= set(await known.all())

            await eventually(learned)
            yield client

    return serving
