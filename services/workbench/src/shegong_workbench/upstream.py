"""Calls to the services' HTTP APIs on behalf of the signed-in worker, with their token.

Tests hand in transports (in-process services); otherwise the configured base URLs are used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from shegong_workbench.config import UPSTREAMS, WorkbenchSettings

# what passes from the browser to a service and back, beside the body
FORWARDED = ("content-type", "idempotency-key", "if-match", "x-correlation-id")
RETURNED = ("content-type", "idempotent-replayed", "x-correlation-id")


class UnknownUpstream(KeyError):
    pass


@dataclass
class Upstreams:
    config: WorkbenchSettings  # the base URLs (`config.settings()` in the app)
    transports: dict[str, httpx.AsyncBaseTransport] = field(default_factory=dict)
    _clients: dict[str, httpx.AsyncClient] = field(default_factory=dict)

    def client(self, service: str) -> httpx.AsyncClient:
        if service not in UPSTREAMS:
            raise UnknownUpstream(service)
        if service not in self._clients:
            self._clients[service] = httpx.AsyncClient(
                base_url=self.config.url_of(service)
                if service not in self.transports
                else "http://upstream",
                transport=self.transports.get(service),
                timeout=httpx.Timeout(20.0, connect=3.0),
            )
        return self._clients[service]

    async def get(self, service: str, path: str, token: str, **params: Any) -> Any:
        """A read for a page; raises httpx.HTTPStatusError on a refusal."""
        clean = {k: v for k, v in params.items() if v is not None}
        r = await self.client(service).get(
            path, params=clean, headers={"Authorization": f"Bearer {token}"}
        )
        r.raise_for_status()
        return r.json()

    async def search(self, service: str, path: str, token: str, body: dict[str, Any]) -> Any:
        """A reading sent as POST for a page (a search by a person's name: the name goes in the
        body, never in an address); raises httpx.HTTPStatusError on a refusal."""
        r = await self.client(service).post(
            path, json=body, headers={"Authorization": f"Bearer {token}"}
        )
        r.raise_for_status()
        return r.json()

    async def close(self) -> None:
        for c in self._clients.values():
            await c.aclose()
        self._clients.clear()
