"""A need's life: identified, referred (only on consent or a legal basis), resolved or closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from shegong_events import DomainEvent
from shegong_events.visits import NeedClosed, NeedIdentified, NeedReferred, NeedResolved
from shegong_runtime.errors import Conflict, DomainError, NotFound

from shegong_visits.domain.household import Household, Need, require_active
from shegong_visits.domain.policy import not_in_future


class NeedNotFound(NotFound):
    """The household has no need with this id."""


class UnknownNeed(DomainError):
    """A command names a need the household does not have."""


class UnknownVisit(DomainError):
    """A need names a visit that was not recorded for this household."""


class NeedAlreadyIdentified(Conflict):
    """A need id is used once."""


class NeedAlreadySettled(Conflict):
    """A resolved or closed need is final: refer, resolve or close it no more."""


class NeedDatedBeforeIdentification(DomainError):
    """A need is referred, resolved or closed on or after the day it was identified."""


class ReferralWithoutConsent(Conflict):
    """A referral needs the person's consent (a guardian's for a child) or a recorded legal basis."""


class DataSharingWithoutConsent(Conflict):
    """Passing personal data to an agency needs consent to data sharing or a legal basis."""


@dataclass(frozen=True)
class ReferNeed:
    agency: str
    agency_kind: str
    referred_on: date
    shares_personal_data: bool = False


def check_new_need(
    state: Household, need: NeedIdentified, seen: set[str] = frozenset(), prefix: str = ""
) -> None:  # type: ignore[assignment]
    if need.need_id in state.needs or need.need_id in seen:
        raise NeedAlreadyIdentified(f"需求 {need.need_id} 已登记", field=f"{prefix}need_id")
    state.member(need.member_id, field=f"{prefix}member_id")


def identify(
    state: Household, household_id: str, event: NeedIdentified, now: datetime
) -> list[DomainEvent]:
    require_active(state, household_id)
    not_in_future(event.identified_on, now, "identified_on")
    if event.visit_id is not None and event.visit_id not in state.recorded:
        raise UnknownVisit(f"未记录的走访 {event.visit_id}", field="visit_id")
    check_new_need(state, event)
    return [event]


def _open_need(
    state: Household, household_id: str, need_id: str, on: date, field: str, now: datetime
) -> Need:
    require_active(state, household_id)
    need = state.needs.get(need_id)
    if need is None:
        raise NeedNotFound(f"户内没有需求 {need_id}")
    if need.settled:
        raise NeedAlreadySettled(
            f"需求 {need_id} 已{'解决' if need.status == 'resolved' else '关闭'}", field="need_id"
        )
    not_in_future(on, now, field)
    if on < need.identified_on:
        raise NeedDatedBeforeIdentification(f"{field} 早于需求发现日期", field=field)
    return need


def refer(
    state: Household, household_id: str, need_id: str, cmd: ReferNeed, now: datetime
) -> list[DomainEvent]:
    need = _open_need(state, household_id, need_id, cmd.referred_on, "referred_on", now)
    basis = state.lawful_basis("referral", need.member_id)
    if basis is None:
        raise ReferralWithoutConsent(
            "转介须经本人（未满十四周岁的由监护人）同意或有法定依据", field="need_id"
        )
    if cmd.shares_personal_data and state.lawful_basis("data_sharing", need.member_id) is None:
        raise DataSharingWithoutConsent(
            "向机构提供个人信息须经同意或有法定依据", field="shares_personal_data"
        )
    return [
        NeedReferred(
            need_id=need_id,
            category=need.category,  # type: ignore[arg-type]
            severity=need.severity,  # type: ignore[arg-type]
            agency=cmd.agency,
            agency_kind=cmd.agency_kind,  # type: ignore[arg-type]
            referred_on=cmd.referred_on,
            lawful_basis=basis,  # type: ignore[arg-type]
            legal_basis=state.legal_bases.get("referral") if basis == "legal_basis" else None,  # type: ignore[arg-type]
            shares_personal_data=cmd.shares_personal_data,
        )
    ]


def resolve(
    state: Household,
    household_id: str,
    need_id: str,
    outcome: str,
    resolved_on: date,
    notes_sealed: str | None,
    now: datetime,
) -> list[DomainEvent]:
    need = _open_need(state, household_id, need_id, resolved_on, "resolved_on", now)
    return [
        NeedResolved(
            need_id=need_id,
            category=need.category,
            severity=need.severity,
            outcome=outcome,  # type: ignore[arg-type]
            resolved_on=resolved_on,
            notes_sealed=notes_sealed,
        )
    ]


def close(
    state: Household, household_id: str, need_id: str, reason: str, closed_on: date, now: datetime
) -> list[DomainEvent]:
    need = _open_need(state, household_id, need_id, closed_on, "closed_on", now)
    return [
        NeedClosed(
            need_id=need_id,
            category=need.category,
            severity=need.severity,
            reason=reason,  # type: ignore[arg-type]
            closed_on=closed_on,
        )
    ]
