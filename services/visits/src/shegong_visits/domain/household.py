"""The household aggregate: one stream holds its registration, tier, visits, needs and consent.

A household is the consistency boundary: a referral checks the consent recorded on the same
stream, and a visit's needs are appended with the visit or not at all.

    (none) --RegisterHousehold--> registered --EraseHousehold--> erased (takes no more commands)

While registered it takes every other command; the rules live beside this module by concern
(`registration`, `visit`, `need`, `consent`) and are chosen here by the command's type.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from shegong_events import DomainEvent, calendar
from shegong_runtime.decider import Decider

from shegong_visits.domain import consent, need, registration, visit
from shegong_visits.domain.commands import (
    AssignRiskTier,
    CloseNeed,
    EraseHousehold,
    GrantConsent,
    HouseholdCommand,
    IdentifyNeed,
    RecordLegalBasis,
    RecordVisit,
    ReferNeed,
    RegisterHousehold,
    ResolveNeed,
    ScheduleFollowUp,
    ScheduleVisit,
    UpdateHousehold,
    WithdrawConsent,
)
from shegong_visits.domain.policy import VisitPolicy
from shegong_visits.domain.state import Household, evolve


@dataclass(frozen=True)
class HouseholdDecider(Decider[HouseholdCommand, Household]):
    """Decides with the visit intervals of `policy` and the time `clock` gives (tests fix both)."""

    policy: VisitPolicy = field(default_factory=VisitPolicy)
    clock: Callable[[], datetime] = calendar.now
    aggregate_type = "household"

    def initial(self) -> Household:
        return Household()

    def evolve(self, state: Household, event: DomainEvent) -> Household:
        return evolve(state, event)

    def decide(self, command: HouseholdCommand, state: Household) -> Sequence[DomainEvent]:
        policy, now = self.policy, self.clock()
        match command:
            case RegisterHousehold():
                return registration.register(command, state, policy, now)
            case UpdateHousehold():
                return registration.update(command, state, now)
            case AssignRiskTier():
                return registration.assign_tier(command, state, policy, now)
            case EraseHousehold():
                return registration.erase(command, state, now)
            case ScheduleVisit():
                return visit.schedule(command, state)
            case RecordVisit():
                return visit.record(command, state, policy, now)
            case ScheduleFollowUp():
                return visit.follow_up(command, state, policy)
            case IdentifyNeed():
                return need.identify(command, state, now)
            case ReferNeed():
                return need.refer(command, state, now)
            case ResolveNeed():
                return need.resolve(command, state, now)
            case CloseNeed():
                return need.close(command, state, now)
            case GrantConsent():
                return consent.grant(command, state, now)
            case WithdrawConsent():
                return consent.withdraw(command, state, now)
            case RecordLegalBasis():
                return consent.record_legal_basis(command, state, now)
        raise TypeError(f"not a household command: {command!r}")


HOUSEHOLD = HouseholdDecider()  # the default intervals; the service's come from `config`
