"""A need's life: identified, referred (only on consent or a legal basis), resolved or closed."""

from __future__ import annotations

from datetime import date, datetime

from shegong_events import DomainEvent
from shegong_events.visits import NeedClosed, NeedIdentified, NeedReferred, NeedResolved
from shegong_runtime.errors import Conflict, DomainError, NotFound

from shegong_visits.domain.commands import CloseNeed, IdentifyNeed, ReferNeed, ResolveNeed
from shegong_visits.domain.policy import not_in_future
from shegong_visits.domain.state import Household, Need, require_active


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


def check_new_need(
    state: Household, need: NeedIdentified, seen: set[str] | None = None, prefix: str = ""
) -> None:
    if need.need_id in state.needs or need.need_id in (seen or ()):
        raise NeedAlreadyIdentified(f"需求 {need.need_id} 已登记", field=f"{prefix}need_id")
    state.member(need.member_id, field=f"{prefix}member_id")


def identify(cmd: IdentifyNeed, state: Household, now: datetime) -> list[DomainEvent]:
    require_active(state)
    not_in_future(cmd.identified_on, now, "identified_on")
    if cmd.visit_id is not None and cmd.visit_id not in state.recorded:
        raise UnknownVisit(f"未记录的走访 {cmd.visit_id}", field="visit_id")
    event = NeedIdentified(
        need_id=cmd.need_id,
        category=cmd.category,
        severity=cmd.severity,
        member_id=cmd.member_id,
        visit_id=cmd.visit_id,
        identified_on=cmd.identified_on,
        notes_sealed=cmd.notes_sealed,
    )
    check_new_need(state, event)
    return [event]


def _open_need(state: Household, need_id: str, on: date, field: str, now: datetime) -> Need:
    require_active(state)
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


def refer(cmd: ReferNeed, state: Household, now: datetime) -> list[DomainEvent]:
    need = _open_need(state, cmd.need_id, cmd.referred_on, "referred_on", now)
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
            need_id=cmd.need_id,
            category=need.category,
            severity=need.severity,
            agency=cmd.agency,
            agency_kind=cmd.agency_kind,
            referred_on=cmd.referred_on,
            lawful_basis=basis,
            legal_basis=state.legal_bases.get("referral") if basis == "legal_basis" else None,
            shares_personal_data=cmd.shares_personal_data,
        )
    ]


def resolve(cmd: ResolveNeed, state: Household, now: datetime) -> list[DomainEvent]:
    need = _open_need(state, cmd.need_id, cmd.resolved_on, "resolved_on", now)
    return [
        NeedResolved(
            need_id=cmd.need_id,
            category=need.category,
            severity=need.severity,
            outcome=cmd.outcome,
            resolved_on=cmd.resolved_on,
            notes_sealed=cmd.notes_sealed,
        )
    ]


def close(cmd: CloseNeed, state: Household, now: datetime) -> list[DomainEvent]:
    need = _open_need(state, cmd.need_id, cmd.closed_on, "closed_on", now)
    return [
        NeedClosed(
            need_id=cmd.need_id,
            category=need.category,
            severity=need.severity,
            reason=cmd.reason,
            closed_on=cmd.closed_on,
        )
    ]
