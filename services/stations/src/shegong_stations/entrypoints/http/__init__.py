"""The stations service over HTTP: the JSON query API (`api.py`) and the dashboard
(`dashboard.py`), sharing who may read what (`access.py`, `scope.py`) and the query parameters
(`params.py`)."""

from fastapi import APIRouter

from shegong_stations.entrypoints.http import api, dashboard, downloads, reports

router = APIRouter()
for part in (api.router, reports.router, downloads.router, dashboard.router, dashboard.root):
    router.include_router(part)
