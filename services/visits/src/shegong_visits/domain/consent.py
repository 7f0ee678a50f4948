"""Consent per purpose and person, a guardian's for a child under 14, or a recorded legal basis."""

from __future__ import annotations

from datetime import date, datetime

from shegong_events import DomainEvent
from shegong_events.visits import ConsentGranted, ConsentWithdrawn, LegalBasisRecorded, Member
from shegong_runtime.errors import Conflict, DomainError

from shegong_visits.domain.household import Household, require_active
from shegong_visits.domain.policy import not_in_future

AGE_OF_CONSENT = 14  # PIPL art. 31: a guardian consents for a child under 14


class GuardianConsentRequired(DomainError):
    """A child under 14 cannot consent alone: the guardian gives consent."""


class GuardianNotNamed(DomainError):
    """Consent given by a guardian says who the guardian is to the person."""


class ConsentNotGranted(Conflict):
    """Only consent that was granted can be withdrawn."""


def may_be_under_14(member: Member | None, on: date) -> bool:
    """With only a birth year known, a child who may not yet have turned 14 counts as under 14."""
    if member is None or member.birth_year is None:
        return False
    return on.year - member.birth_year <= AGE_OF_CONSENT


def grant(
    state: Household, household_id: str, event: ConsentGranted, now: datetime
) -> list[DomainEvent]:
    require_active(state, household_id)
    member = state.member(event.member_id)
    not_in_future(event.granted_on, now, "granted_on")
    if event.given_by == "self" and may_be_under_14(member, event.granted_on):
        raise GuardianConsentRequired("未满十四周岁的儿童须由监护人同意", field="given_by")
    if event.given_by == "guardian" and event.guardian_relation is None:
        raise GuardianNotNamed("监护人同意须注明与本人的关系", field="guardian_relation")
    return [event]


def withdraw(
    state: Household, household_id: str, event: ConsentWithdrawn, now: datetime
) -> list[DomainEvent]:
    require_active(state, household_id)
    state.member(event.member_id)
    not_in_future(event.withdrawn_on, now, "withdrawn_on")
    if (event.purpose, event.member_id) not in state.consents:
        raise ConsentNotGranted(f"未曾同意 {event.purpose}，无从撤回", field="purpose")
    return [event]


def record_legal_basis(
    state: Household, household_id: str, event: LegalBasisRecorded, now: datetime
) -> list[DomainEvent]:
    require_active(state, household_id)
    not_in_future(event.recorded_on, now, "recorded_on")
    return [event]
