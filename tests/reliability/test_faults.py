"""The reliability suite's short form: on a three-node JetStream cluster, visits keeps accepting
commands while its relay holder, a replica, the stream leader's NATS node and every PostgreSQL
session are killed and it is scaled 1 -> 3 -> 1; afterwards nothing is lost, duplicated or out
of order, in the stream or in the read model. `bench/reliability.py` runs it longer."""

import pytest

from .scenario import run


@pytest.mark.timeout(600)
async def test_faults_under_load_lose_duplicate_and_reorder_nothing(
    database_url, nats_cluster, tmp_path
):
    report = await run(database_url, nats_cluster, tmp_path, seconds=45, households=20, rate=20.0)
    print("faults:", "; ".join(report.faults))
    print(report.table())
    assert report.commands_acknowledged > 100
    assert report.zeros() == dict.fromkeys(report.zeros(), 0)
    assert report.events_published == report.events_stored
    assert report.deliveries_per_message <= 1.5
    assert report.node_rejoined_s < 60  # the killed node rejoined and caught up
