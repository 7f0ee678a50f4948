"""Consent per purpose and person, a guardian's for a child under 14, or a recorded legal basis."""

from __future__ import annotations

from datetime import date, datetime

from shegong_events import DomainEvent
from shegong_events.visits import ConsentGranted, ConsentWithdrawn, LegalBasisRecorded, Member
from shegong_runtime.errors import Conflict, DomainError

from shegong_visits.domain.commands import GrantConsent, RecordLegalBasis, WithdrawConsent
from shegong_visits.domain.policy import not_in_future
from shegong_visits.domain.state import Household, require_active

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


def grant(cmd: GrantConsent, state: Household, now: datetime) -> list[DomainEvent]:
    require_active(state)
    member = state.member(cmd.member_id)
    not_in_future(cmd.granted_on, now, "granted_on")
    if cmd.given_by == "self" and may_be_under_14(member, cmd.granted_on):
        raise GuardianConsentRequired("未满十四周岁的儿童须由监护人同意", field="given_by")
    if cmd.given_by == "guardian" and cmd.guardian_relation is None:
        raise GuardianNotNamed("监护人同意须注明与本人的关系", field="guardian_relation")
    return [
        ConsentGranted(
            purpose=cmd.purpose,
            member_id=cmd.member_id,
            given_by=cmd.given_by,
            guardian_relation=cmd.guardian_relation,
            granted_on=cmd.granted_on,
        )
    ]


def withdraw(cmd: WithdrawConsent, state: Household, now: datetime) -> list[DomainEvent]:
    require_active(state)
    state.member(cmd.member_id)
    not_in_future(cmd.withdrawn_on, now, "withdrawn_on")
    if (cmd.purpose, cmd.member_id) not in state.consents:
        raise ConsentNotGranted(f"未曾同意 {cmd.purpose}，无从撤回", field="purpose")
    return [
        ConsentWithdrawn(
            purpose=cmd.purpose, member_id=cmd.member_id, withdrawn_on=cmd.withdrawn_on
        )
    ]


def record_legal_basis(cmd: RecordLegalBasis, state: Household, now: datetime) -> list[DomainEvent]:
    require_active(state)
    not_in_future(cmd.recorded_on, now, "recorded_on")
    return [LegalBasisRecorded(purpose=cmd.purpose, basis=cmd.basis, recorded_on=cmd.recorded_on)]
