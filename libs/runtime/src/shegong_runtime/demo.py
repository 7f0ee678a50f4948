"""Loading the demo week through the services' HTTP APIs, as station staff would record it.

Every request carries a stable Idempotency-Key, so loading again on the same data adds nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from shegong_runtime import auth, catalogue
from shegong_runtime.settings import Settings

# the districts of the demo week's stations, id → name (test stations open in them too)
DEMO_DISTRICTS = {"chengguan": "城关区", "honggu": "红古区", "xigu": "西固区"}


class DemoFailed(RuntimeError):
    pass


class Poster(Protocol):
    """What a service's demo loader needs: `DemoClient.post`, or a test's in-process stand-in."""

    async def post(
        self, service: str, path: str, body: dict[str, Any], key: str
    ) -> dict[str, Any]: ...


@dataclass
class DemoClient:
    urls: dict[str, str]  # service name → base URL
    token: str
    timeout_s: float = 60.0
    # in-process services for tests: service name → transport (e.g. httpx.ASGITransport)
    transports: Mapping[str, httpx.AsyncBaseTransport] = field(default_factory=dict)

    def _client(self, service: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.urls.get(service, "http://test"),
            transport=self.transports.get(service),
            timeout=30,
        )

    async def post(self, service: str, path: str, body: dict[str, Any], key: str) -> dict[str, Any]:
        """POST, waiting out the moments when a station is not yet known to that service."""
        deadline = asyncio.get_running_loop().time() + self.timeout_s
        async with self._client(service) as client:
            while True:
                r = await client.post(
                    path,
                    json=body,
                    headers={
                        "Authorization": f"Bearer {self.token}",
                        "Idempotency-Key": f"demo-{key}",
                    },
                )
                if r.status_code < 300:
                    return r.json()
                retriable = r.status_code in (404, 503) or (
                    r.status_code == 422
                    and r.json().get("rule")
                    in ("UnknownStation", "UnknownDistrict", "UnknownOrganisation")
                )
                if not retriable or asyncio.get_running_loop().time() > deadline:
                    raise DemoFailed(
                        f"POST {service}{path} ({key}) → {r.status_code}: {r.text[:500]}"
                    )
                await asyncio.sleep(0.25)

    async def get(self, service: str, path: str, **params: Any) -> Any:
        async with self._client(service) as client:
            r = await client.get(
                path, params=params, headers={"Authorization": f"Bearer {self.token}"}
            )
            r.raise_for_status()
            return r.json()

    async def every(self, service: str, path: str, **params: Any) -> list[Any]:
        """Every row of a paged list, page after page through its `next` cursor."""
        rows: list[Any] = []
        while True:
            page = await self.get(service, path, **params)
            rows.extend(page["items"])
            if page["next"] is None:
                return rows
            params = {**params, "cursor": page["next"]}


def admin_token(settings: Settings) -> str:
    return auth.issue(settings, "demo-loader", auth.Role.city_admin)


async def load_week(urls: dict[str, str], settings: Settings) -> list[str]:
    """Run every installed service's demo loader in start order; returns the names loaded."""
    client = DemoClient(urls, admin_token(settings))
    loaded = []
    for name, loader in catalogue.demo_loaders():
        if all(s in urls for s in getattr(loader, "needs", (name,))):
            await loader(client)
            loaded.append(name)
    return loaded
