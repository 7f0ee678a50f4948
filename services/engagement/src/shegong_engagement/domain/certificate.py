"""Certificates of service hours (志愿服务时长证明) and their numbers.

Issued on the volunteer's stream: `volunteer.VOLUNTEER` decides `Certify` after checking the
volunteer exists at the station; a session is certified once.

A number reads `ZY-2024-7KQ3M-9TXWA-R`: the year, ten random characters (not guessable, so
numbers cannot be enumerated) and a Luhn mod 32 check character, so a mistyped number is
told apart from an unknown one before any lookup.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from shegong_events import DomainEvent
from shegong_events.calendar import local_date
from shegong_events.engagement import CertificateIssued

from shegong_engagement.domain.errors import (
    CertificateNumberMalformed,
    NothingToCertify,
    PeriodReversed,
)

if TYPE_CHECKING:
    from shegong_engagement.domain.volunteer import Volunteer

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32: no I, L, O, U


def _check_char(payload: str) -> str:
    total, factor = 0, 2
    for char in reversed(payload):
        addend = factor * ALPHABET.index(char)
        total += addend // 32 + addend % 32
        factor = 1 if factor == 2 else 2
    return ALPHABET[(32 - total % 32) % 32]


def new_number(year: int) -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(10))
    return f"ZY-{year:04d}-{body[:5]}-{body[5:]}-{_check_char(f'{year:04d}{body}')}"


def normalise(text: str) -> str:
    """Upper case, spaces dropped; raises CertificateNumberMalformed unless the check holds."""
    number = text.strip().upper().replace(" ", "")
    parts = number.split("-")
    shaped = (
        len(parts) == 5
        and parts[0] == "ZY"
        and parts[1].isdigit()
        and len(parts[1]) == 4
        and [len(p) for p in parts[2:]] == [5, 5, 1]
        and all(c in ALPHABET for c in "".join(parts[2:]))
    )
    if not shaped or _check_char(parts[1] + parts[2] + parts[3]) != parts[4]:
        raise CertificateNumberMalformed(f"{text!r} 不是证明编号", field="number")
    return number


@dataclass(frozen=True)
class Certify:
    """`number`: drawn by the route (random, so not part of the rule); `today`: the station's."""

    station_id: str
    volunteer_id: str
    number: str
    today: date
    period_from: date | None = None
    period_to: date | None = None
    include_auto_closed: bool = False
    issued_on: date | None = None


def issue_certificate(state: Volunteer, cmd: Certify) -> list[DomainEvent]:
    if cmd.period_from and cmd.period_to and cmd.period_to < cmd.period_from:
        raise PeriodReversed("结束日期早于开始日期", field="period_to")

    def day(sid: str) -> date:
        return local_date(state.sessions[sid].checked_in_at)

    chosen = sorted(
        (
            sid
            for sid, s in state.sessions.items()
            if s.checked_out_at is not None
            and not s.certified
            and (cmd.include_auto_closed or not s.auto_closed)
            and (cmd.period_from is None or day(sid) >= cmd.period_from)
            and (cmd.period_to is None or day(sid) <= cmd.period_to)
        ),
        key=lambda sid: state.sessions[sid].checked_in_at,
    )
    if not chosen:
        raise NothingToCertify("该期间没有已签退且未开具证明的服务时段")
    minutes = sum(state.sessions[sid].minutes for sid in chosen)
    return [
        CertificateIssued(
            certificate_number=cmd.number,
            affiliation=state.affiliation,
            session_ids=chosen,
            sessions=len(chosen),
            minutes=minutes,
            hours=round(minutes / 60, 2),
            auto_closed_sessions=sum(state.sessions[sid].auto_closed for sid in chosen),
            period_from=cmd.period_from or day(chosen[0]),
            period_to=cmd.period_to or day(chosen[-1]),
            issued_on=cmd.issued_on or cmd.today,
        )
    ]
