"""The mirror case of a restore: the streams behind the store and the read models. A lost
domain stream is published again from the store, once per event; a projection whose checkpoint
stands past its stream's end notices and starts over instead of skipping what comes next."""

import uuid
from collections import Counter

import pytest
from shegong_runtime import generations
from shegong_testing.fixtures import eventually

from .helpers import published, register, relayed, retier, stored, visits


async def tier_in_read_model(pool, hid: str) -> str | None:
    schema = await generations.live_schema(pool, "visits_read")
    return await pool.fetchval(
        f"SELECT risk_tier FROM {schema}.households WHERE household_id = $1", hid
    )


async def wait_tier(pool, hid: str, tier: str, timeout: float = 30) -> None:
    async def there() -> bool:
        return await tier_in_read_model(pool, hid) == tier

    await eventually(there, timeout=timeout)


@pytest.mark.timeout(240)
async def test_a_lost_stream_is_published_again_once_and_read_models_go_on(
    database_url, nats_url, pool, nc
):
    station = f"lost-{uuid.uuid4().hex[:8]}"
    async with visits(database_url, nats_url, station) as client:
        households = [await register(client, station, f"户{i}") for i in range(3)]
        for hid in households:
            assert (await retier(client, hid, "key")).status_code == 200
        await relayed(pool, nats_url, station)
        await wait_tier(pool, households[-1], "key")
    # both streams of the domain are lost (a volume gone; recreated empty at the next start)
    js = nc.jetstream()
    for name in ("SW_VISITS", "SWP_VISITS"):
        await js.delete_stream(name)
    async with visits(database_url, nats_url, station) as client:
        await relayed(pool, nats_url, station)
        stream = await published(nats_url, station)
        assert Counter(str(e.event_id) for _, e in stream).most_common(1)[0][1] == 1
        assert {(e.stream_id, e.aggregate_version): str(e.event_id) for _, e in stream} == (
            await stored(pool, station)
        )
        # the read model, whose checkpoints counted the old stream, takes new events
        for hid in households:
            assert (await retier(client, hid, "general")).status_code == 200
        for hid in households:
            await wait_tier(pool, hid, "general")


@pytest.mark.timeout(240)
async def test_a_projection_checkpoint_past_its_stream_starts_over_instead_of_skipping(
    database_url, nats_url, pool
):
    station = f"ahead-{uuid.uuid4().hex[:8]}"
    async with visits(database_url, nats_url, station) as client:
        hid = await register(client, station, "超前户")
        await relayed(pool, nats_url, station)
        await eventually(lambda: tier_in_read_model(pool, hid))
    schema = await generations.live_schema(pool, "visits_read")
    await pool.execute(f"UPDATE {schema}.checkpoints SET stream_seq = stream_seq + 1000000")
    async with visits(database_url, nats_url, station) as client:
        assert (await retier(client, hid, "key")).status_code == 200
        await wait_tier(pool, hid, "key")
        ahead = await pool.fetchval(
            f"SELECT count(*) FROM {schema}.checkpoints WHERE stream_seq > 1000000"
        )
        assert ahead == 0
