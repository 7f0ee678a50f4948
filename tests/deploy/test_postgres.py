"""Every PostgreSQL cluster is backed up: WAL archived to an object store that exists in the
install, and a scheduled base backup of it."""

from __future__ import annotations

import copy

import pytest

from .conftest import OVERLAYS, of_kind


def unbacked(objects) -> list[str]:
    stores = set(of_kind(objects, "ObjectStore"))
    scheduled = {b["spec"]["cluster"]["name"] for b in of_kind(objects, "ScheduledBackup").values()}
    missing = []
    for name, cluster in of_kind(objects, "Cluster").items():
        archivers = [p for p in cluster["spec"].get("plugins", []) if p.get("isWALArchiver")]
        if not archivers or archivers[0]["parameters"]["barmanObjectName"] not in stores:
            missing.append(f"{name}: no WAL archive to a declared ObjectStore")
        if name not in scheduled:
            missing.append(f"{name}: no ScheduledBackup")
    return missing


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_database_is_archived_and_backed_up_every_night(rendered, overlay):
    objects = rendered[overlay]
    assert unbacked(objects) == []
    for backup in of_kind(objects, "ScheduledBackup").values():
        assert backup["spec"]["method"] == "plugin"
    if overlay != "external-database":
        assert set(of_kind(objects, "Cluster")) == {"postgres", "postgres-visits"}


def test_the_backup_check_finds_a_cluster_without_a_schedule(rendered):
    objects = [o for o in copy.deepcopy(rendered["small"]) if o["kind"] != "ScheduledBackup"]
    assert unbacked(objects) == [
        "postgres: no ScheduledBackup",
        "postgres-visits: no ScheduledBackup",
    ]
