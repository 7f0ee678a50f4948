"""The dead-letter stream: poison events with their reason, listed, shown and re-driven by operators."""

from __future__ import annotations

from dataclasses import dataclass

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from shegong_runtime.bus import DEADLETTER_PREFIX, DEADLETTER_STREAM, REDRIVE_PREFIX, origin

REASON = "Sw-Dlq-Reason"
ORIGIN_STREAM = "Sw-Dlq-Stream"
ORIGIN_SEQ = "Sw-Dlq-Stream-Seq"
ORIGIN_SUBJECT = "Sw-Dlq-Subject"
ATTEMPTS = "Sw-Dlq-Attempts"


def dead_subject(projection: str) -> str:
    return f"{DEADLETTER_PREFIX}.{projection}"


def redrive_subject(projection: str) -> str:
    return f"{REDRIVE_PREFIX}.{projection}"


async def send(js: JetStreamContext, projection: str, msg: Msg, reason: str, attempts: int) -> None:
    stream, seq, subject = origin(msg)  # the domain stream's, also when read from a partition
    await js.publish(
        dead_subject(projection),
        msg.data,
        headers={
            "Nats-Msg-Id": f"dlq-{projection}-{stream}-{seq}-{attempts}",
            REASON: reason.replace("\r", " ").replace("\n", " "),
            ORIGIN_STREAM: stream,
            ORIGIN_SEQ: str(seq),
            ORIGIN_SUBJECT: subject,
            ATTEMPTS: str(attempts),
        },
    )


@dataclass(frozen=True)
class DeadLetter:
    seq: int
    projection: str
    reason: str
    origin_stream: str
    origin_seq: int
    origin_subject: str
    attempts: int
    data: bytes


async def list_dead(js: JetStreamContext, projection: str | None = None) -> list[DeadLetter]:
    info = await js.stream_info(DEADLETTER_STREAM)
    out = []
    for seq in range(max(info.state.first_seq, 1), info.state.last_seq + 1):
        try:
            dl = await show(js, seq)
        except (NotFoundError, ValueError):
            continue
        if projection is None or dl.projection == projection:
            out.append(dl)
    return out


async def show(js: JetStreamContext, seq: int) -> DeadLetter:
    raw = await js.get_msg(DEADLETTER_STREAM, seq, direct=True)
    subject = raw.subject or ""
    if not subject.startswith(DEADLETTER_PREFIX + "."):
        raise ValueError(f"message {seq} is not a dead letter")
    h = raw.headers or {}
    return DeadLetter(
        seq=seq,
        projection=subject.split(".", 2)[2],
        reason=h.get(REASON, ""),
        origin_stream=h.get(ORIGIN_STREAM, ""),
        origin_seq=int(h.get(ORIGIN_SEQ, 0)),
        origin_subject=h.get(ORIGIN_SUBJECT, ""),
        attempts=int(h.get(ATTEMPTS, 0)),
        data=raw.data or b"",
    )


async def redrive(js: JetStreamContext, seq: int) -> DeadLetter:
    """Send a dead letter back to its projection, which applies it like a fresh delivery."""
    dl = await show(js, seq)
    await js.publish(
        redrive_subject(dl.projection),
        dl.data,
        headers={"Nats-Msg-Id": f"redrive-{seq}", ORIGIN_SUBJECT: dl.origin_subject},
    )
    return dl
