"""The stations service over HTTP: the JSON query API (`api.py`) and the dashboard
(`dashboard.py`), sharing who may read what (`access.py`, `scope.py`) and the query parameters
(`params.py`)."""

from shegong_stations.entrypoints.http import api, dashboard, downloads, reports

ROUTERS = [api.router, reports.router, downloads.router, dashboard.router, dashboard.root]
