"""The in-app inbox: a row written in the delivery's own transaction, so it lands exactly once."""

from __future__ import annotations

import uuid

import asyncpg

from shegong_notifications.channels.base import Outgoing
from shegong_notifications.tables import S


async def send(conn: asyncpg.Connection, n: Outgoing) -> None:
    await conn.execute(
        f"INSERT INTO {S}.inbox (delivery_id, recipient_id, station_id, title, body) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (delivery_id) DO NOTHING",
        uuid.UUID(n.delivery_id),
        n.recipient_id,
        n.station_id,
        n.title,
        n.body,
    )
