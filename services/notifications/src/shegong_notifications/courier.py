"""The delivery worker (courier), run beside the HTTP API in every replica.

A courier takes one due delivery with `FOR UPDATE SKIP LOCKED` (so N replicas, and N workers
in each, share the work without taking the same row), sends it, and in that same transaction
records the outcome: the row's new state and a NotificationSent / NotificationFailed event.
A crash mid-send rolls the claim back and the row is simply due again; the retry schedule
lives in the row, so it survives restarts. A receiver recognises a resend by its delivery id.
"""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
from shegong_runtime import logging
from shegong_runtime.pauses import pause
from shegong_runtime.service import Runtime

from shegong_notifications import config, journal, stations
from shegong_notifications.channels import dingtalk, email, inbox, robots, sms, webhook, wecom
from shegong_notifications.channels.base import DeliveryFailed, Outgoing
from shegong_notifications.config import NotificationsSettings
from shegong_notifications.domain.backoff import retry_delay
from shegong_notifications.domain.notification import (
    NOTIFICATION,
    Attempt,
    RecordFailure,
    RecordSent,
)
from shegong_notifications.domain.recipient import data_subject as recipient_subject
from shegong_notifications.tables import S

log = logging.get("notifications.courier")

CLAIM = f"""
SELECT d.*, r.email_sealed, r.webhook_url, r.webhook_secret_sealed
FROM {S}.deliveries d LEFT JOIN {S}.recipients r USING (recipient_id)  -- group robots have none
WHERE d.status = 'pending' AND d.next_attempt_at <= now()
ORDER BY d.next_attempt_at
LIMIT 1
FOR UPDATE OF d SKIP LOCKED
"""


class Courier:
    def __init__(
        self, rt: Runtime, settings: NotificationsSettings, client: httpx.AsyncClient
    ) -> None:
        self.rt, self.settings, self.client = rt, settings, client
        self.sms: sms.SmsProvider = sms.PROVIDERS[settings.sms_provider]()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                busy = await self.deliver_one()
            except Exception as exc:  # noqa: BLE001  the database went away: wait, then carry on
                log.warning("delivery.error", error=repr(exc)[:300])
                busy = False
            if not busy:
                await pause(stop, self.settings.poll_s)

    async def deliver_one(self) -> bool:
        """Send the most overdue delivery no one else holds; False when none is due."""
        async with self.rt.pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(CLAIM)
            if row is None:
                return False
            n = await self.outgoing(row)
            try:
                await self.send(conn, row["channel"], n)
            except DeliveryFailed as exc:
                await self.failed(conn, row, n, exc)
            else:
                await self.sent(conn, row, n)
            return True

    async def outgoing(self, row: asyncpg.Record) -> Outgoing:
        subject = recipient_subject(row["recipient_id"])
        keys = self.rt.keys
        assert keys is not None
        return Outgoing(
            delivery_id=str(row["delivery_id"]),
            rule_id=row["rule_id"],
            template_id=row["template_id"],
            recipient_id=row["recipient_id"],
            station_id=row["station_id"],
            source_event_id=str(row["source_event_id"]),
            source_event_type=row["source_event_type"],
            title=row["title"],
            body=row["body"],
            attempt=row["attempts"] + 1,
            email=await keys.open(subject, row["email_sealed"])
            if row["channel"] == "email"
            else None,
            webhook_url=row["webhook_url"],
            webhook_secret=await keys.open(subject, row["webhook_secret_sealed"]),
        )

    async def send(self, conn: asyncpg.Connection, channel: str, n: Outgoing) -> None:
        if channel == "webhook":
            await webhook.send(self.client, n, self.settings.webhook_secret)
        elif channel == "email":
            await email.send(n, self.settings)
        elif channel in ("wecom", "dingtalk"):
            where = await stations.station(conn, n.station_id)
            district_id = where["district_id"] if where else None
            if channel == "wecom":
                url = robots.robot_for(self.settings.wecom_robots, n.station_id, district_id)
                await wecom.send(self.client, n, url)
            else:
                url = robots.robot_for(self.settings.dingtalk_robots, n.station_id, district_id)
                secret = robots.robot_for(self.settings.dingtalk_secrets, n.station_id, district_id)
                await dingtalk.send(self.client, n, url, secret)
        elif channel == "sms":
            await sms.send(self.sms, n)
        else:
            await inbox.send(conn, n)

    @staticmethod
    def attempt(row: asyncpg.Record, n: Outgoing) -> Attempt:
        return Attempt(n.delivery_id, n.rule_id, n.recipient_id, row["channel"], n.attempt)

    async def sent(self, conn: asyncpg.Connection, row: asyncpg.Record, n: Outgoing) -> None:
        await conn.execute(
            f"UPDATE {S}.deliveries SET status = 'sent', attempts = $2, sent_at = now(), last_error = NULL "
            "WHERE delivery_id = $1",
            row["delivery_id"],
            n.attempt,
        )
        await journal.record(
            conn,
            NOTIFICATION,
            n.delivery_id,
            RecordSent(
                self.attempt(row, n),
                template_id=n.template_id,
                source_event_id=n.source_event_id,
                source_event_type=n.source_event_type,
                title=n.title,
                body=n.body,
            ),
            station_id=n.station_id,
            correlation_id=row["correlation_id"],
            causation_id=row["source_event_id"],
        )
        log.info(
            "notification.sent",
            delivery_id=n.delivery_id,
            channel=row["channel"],
            rule_id=n.rule_id,
            station_id=n.station_id,
            attempt=n.attempt,
        )

    async def failed(
        self, conn: asyncpg.Connection, row: asyncpg.Record, n: Outgoing, exc: DeliveryFailed
    ) -> None:
        dead = exc.permanent or n.attempt >= self.settings.max_attempts
        delay = (
            0.0
            if dead
            else retry_delay(n.attempt, self.settings.retry_base_s, self.settings.retry_cap_s)
        )
        next_at = await conn.fetchval(
            f"UPDATE {S}.deliveries SET status = $2, attempts = $3, last_error = $4, "
            "next_attempt_at = now() + make_interval(secs => $5) WHERE delivery_id = $1 RETURNING next_attempt_at",
            row["delivery_id"],
            "dead" if dead else "pending",
            n.attempt,
            exc.reason,
            delay,
        )
        await journal.record(
            conn,
            NOTIFICATION,
            n.delivery_id,
            RecordFailure(
                self.attempt(row, n), reason=exc.reason, dead=dead, next_attempt_at=next_at
            ),
            station_id=n.station_id,
            correlation_id=row["correlation_id"],
            causation_id=row["source_event_id"],
        )
        log.warning(
            "notification.failed",
            delivery_id=n.delivery_id,
            channel=row["channel"],
            attempt=n.attempt,
            reason=exc.reason,
            dead=dead,
        )


async def deliver(rt: Runtime, stop: asyncio.Event) -> None:
    """Background job: `workers` couriers sending due deliveries until the service stops."""
    settings = config.settings()
    async with httpx.AsyncClient(timeout=settings.webhook_timeout_s) as client:
        couriers = [Courier(rt, settings, client) for _ in range(settings.workers)]
        await asyncio.gather(*(c.run(stop) for c in couriers))
