"""A pull consumer's messages as they are stored, taken in batches of what has arrived.

nats-py's `fetch(n)` costs a task, a timer and a uuid per message (`next_msg`), and answers a
waiting request after its first message only by waiting for the rest or the time-out. Here one
pull request stays outstanding on the consumer (`batch` messages, `expires` seconds): the
server sends each message the moment it is stored, a subscription callback appends it to a
buffer, and `take` returns what has arrived, waiting only for messages the last one reports
pending behind it. Order is the consumer's: one consumer, one inbox, one request at a time.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.errors import Error as NatsError

NO_MESSAGES, REQUEST_TIMEOUT, CONFLICT, HEARTBEAT = "404", "408", "409", "100"


class PullEnded(NatsError):
    """The server ended the consumer's pulls for good (deleted, leadership moved): reopen."""


class Pull:
    """Messages of one pull consumer, one outstanding request at a time."""

    def __init__(
        self, nc: Client, stream: str, consumer: str, batch: int, expires_s: float
    ) -> None:
        self.nc, self.batch, self.expires_s = nc, batch, max(expires_s, 0.05)
        self.subject = f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{consumer}"
        self.inbox = nc.new_inbox()
        self.buffer: deque[Msg] = deque()
        self.arrived = asyncio.Event()
        self.sub: Subscription | None = None
        self.credit = 0  # messages the open request may still deliver; 0: none open
        self.ends_at = 0.0  # when the open request expires on the server
        self.reconnects = 0
        self.failure: Exception | None = None

    async def open(self) -> Pull:
        self.sub = await self.nc.subscribe(self.inbox, cb=self._received)
        return self

    async def close(self) -> None:
        if self.sub is not None:
            await self.sub.unsubscribe()
            self.sub = None

    async def _received(self, msg: Msg) -> None:
        status = msg.headers.get("Status") if msg.headers and not msg.data else None
        if status is None:
            self.buffer.append(msg)
            self.credit = max(self.credit - 1, 0)
        elif status in (NO_MESSAGES, REQUEST_TIMEOUT):
            self.credit = 0  # the request ended
        elif status == CONFLICT:
            self.credit = 0
            description = msg.headers.get("Description", "") if msg.headers else ""
            if (
                "Deleted" in description
                or "Leadership" in description
                or "Push" in description.title()
            ):
                self.failure = PullEnded(description)
        elif status != HEARTBEAT:  # 503: no consumer answers (gone, or the stream moving)
            self.credit = 0
            self.failure = PullEnded(f"status {status}")
        self.arrived.set()

    async def _request(self) -> None:
        """A new request unless one is still open (a reconnect or its expiry closes it)."""
        now = time.monotonic()
        reconnects = self.nc.stats["reconnects"]
        if self.credit and now < self.ends_at and reconnects == self.reconnects:
            return
        self.reconnects, self.credit, self.ends_at = reconnects, self.batch, now + self.expires_s
        body = {"batch": self.batch, "expires": int(self.expires_s * 1e9)}
        await self.nc.publish(self.subject, json.dumps(body).encode(), reply=self.inbox)

    async def _wait(self, deadline: float) -> bool:
        """Until something arrives (True) or `deadline` passes; renews the request as it ends."""
        while True:
            if self.failure is not None:
                raise self.failure
            if self.buffer:
                return True
            await self._request()
            left = min(deadline, self.ends_at + 0.5) - time.monotonic()
            if left <= 0:
                if time.monotonic() >= deadline:
                    return False
                self.credit = 0  # expired without a word (a dropped connection): ask again
                continue
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), left)
            except TimeoutError:
                pass

    async def take(self, limit: int, timeout: float) -> list[Msg]:
        """What has arrived, once at least one message has, up to `limit`; also the messages the
        last one reports pending behind it (already on their way); [] after `timeout`."""
        deadline = time.monotonic() + timeout
        if not await self._wait(deadline):
            return []
        out: list[Msg] = []
        while len(out) < limit:
            while self.buffer and len(out) < limit:
                out.append(self.buffer.popleft())
            if len(out) >= limit or out[-1].metadata.num_pending == 0:
                break
            if not await self._wait(time.monotonic() + min(timeout, 5.0)):
                break
        return out
