"""A community social organisation's filing (备案) lifecycle, as a state machine.

    (none) ─file→ pending ─return→ returned ─resubmit→ pending ─approve→ approved
    approved ─change→ approved ─convert→ volunteer_team ─change→ volunteer_team
    approved | volunteer_team ─deregister→ deregistered

Every other step is refused with a Conflict named for the rule broken (HTTP 409).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from enum import StrEnum

from shegong_events import DomainEvent, Envelope
from shegong_events.registry import (
    OrgChanged,
    OrgConvertedToVolunteerTeam,
    OrgDeregistered,
    OrgFiled,
    OrgFilingApproved,
    OrgFilingResubmitted,
    OrgFilingReturned,
)
from shegong_runtime.commands import Aggregate
from shegong_runtime.errors import Conflict, DomainError, NotFound


class Status(StrEnum):
    none = "none"
    pending = "pending"  # 待审核
    returned = "returned"  # 退回补正
    approved = "approved"  # 已备案
    volunteer_team = "volunteer_team"  # 已转型志愿服务队
    deregistered = "deregistered"  # 已注销


ACTIVE = frozenset({Status.pending, Status.returned, Status.approved, Status.volunteer_team})
REGISTERED = frozenset({Status.approved, Status.volunteer_team})


class OrganisationNotFound(NotFound):
    """No organisation with this id has filed at this station."""


class OrgAlreadyFiled(Conflict):
    """An organisation id files once; a new filing needs a new id."""


class FilingNotPending(Conflict):
    """Only a pending filing can be returned or approved."""


class FilingNotReturned(Conflict):
    """Only a filing returned for correction can be resubmitted."""


class OrgNotRegistered(Conflict):
    """Changes, conversion and deregistration need an approved filing."""


class OrgAlreadyVolunteerTeam(Conflict):
    """An organisation converts to a volunteer team once."""


class OrgAlreadyDeregistered(Conflict):
    """A deregistered organisation takes no further steps; file anew instead."""


class OrgNameTaken(Conflict):
    """The name is held by another active organisation of the same station."""


class NothingToChange(DomainError):
    """A change that names no field would record nothing."""


@dataclass(frozen=True)
class Organisation:
    status: Status = Status.none
    station_id: str = ""
    name: str = ""
    category: str = ""
    filing_number: str | None = None


def name_key(name: str) -> str:
    """The form two names are compared in: NFKC, case-folded, without any whitespace."""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


def filing_number(station_id: str, year: int, sequence: int) -> str:
    """The stable format: `<station id>-<year>-<4-digit sequence>`, e.g. xigu-fulilu-2024-0003."""
    return f"{station_id}-{year}-{sequence:04d}"


class OrganisationAggregate(Aggregate[Organisation]):
    aggregate_type = "organisation"

    def initial(self) -> Organisation:
        return Organisation()

    def evolve(self, state: Organisation, event: DomainEvent, envelope: Envelope) -> Organisation:
        match event:
            case OrgFiled():
                return Organisation(Status.pending, envelope.station_id, event.name, event.category)
            case OrgFilingReturned():
                return replace(state, status=Status.returned)
            case OrgFilingResubmitted():
                return replace(
                    state,
                    status=Status.pending,
                    name=event.name or state.name,
                    category=event.category or state.category,
                )
            case OrgFilingApproved():
                return replace(
                    state,
                    status=Status.approved,
                    filing_number=event.filing_number,
                    name=event.name,
                )
            case OrgChanged():
                return replace(state, name=event.name or state.name)
            case OrgConvertedToVolunteerTeam():
                return replace(
                    state, status=Status.volunteer_team, name=event.team_name or state.name
                )
            case OrgDeregistered():
                return replace(state, status=Status.deregistered)
        return state


def _existing(state: Organisation, station_id: str, organisation_id: str) -> None:
    if state.status is Status.none or state.station_id != station_id:
        raise OrganisationNotFound(f"no organisation {organisation_id} at station {station_id}")
    if state.status is Status.deregistered:
        raise OrgAlreadyDeregistered(f"organisation {organisation_id} is deregistered")


def _pending(state: Organisation, organisation_id: str) -> None:
    if state.status is not Status.pending:
        raise FilingNotPending(f"the filing of {organisation_id} is {state.status}, not pending")


def _registered(state: Organisation, organisation_id: str) -> None:
    if state.status not in REGISTERED:
        raise OrgNotRegistered(
            f"organisation {organisation_id} is {state.status}, not yet registered"
        )


def file(state: Organisation, organisation_id: str, event: OrgFiled) -> list[DomainEvent]:
    if state.status is not Status.none:
        raise OrgAlreadyFiled(
            f"organisation {organisation_id} has already filed", field="organisation_id"
        )
    return [event]


def return_filing(
    state: Organisation, station_id: str, organisation_id: str, event: OrgFilingReturned
) -> list[DomainEvent]:
    _existing(state, station_id, organisation_id)
    _pending(state, organisation_id)
    return [event]


def resubmit(
    state: Organisation, station_id: str, organisation_id: str, event: OrgFilingResubmitted
) -> list[DomainEvent]:
    _existing(state, station_id, organisation_id)
    if state.status is not Status.returned:
        raise FilingNotReturned(
            f"the filing of {organisation_id} is {state.status}, not returned for correction"
        )
    return [event]


def approve(
    state: Organisation, station_id: str, organisation_id: str, number: str
) -> list[DomainEvent]:
    _existing(state, station_id, organisation_id)
    _pending(state, organisation_id)
    return [OrgFilingApproved(filing_number=number, name=state.name, category=state.category)]


def change(
    state: Organisation, station_id: str, organisation_id: str, event: OrgChanged
) -> list[DomainEvent]:
    _existing(state, station_id, organisation_id)
    _registered(state, organisation_id)
    if not event.model_dump(exclude_none=True, exclude={"note"}):
        raise NothingToChange("name at least one field to change")
    return [event]


def convert(
    state: Organisation, station_id: str, organisation_id: str, event: OrgConvertedToVolunteerTeam
) -> list[DomainEvent]:
    _existing(state, station_id, organisation_id)
    if state.status is Status.volunteer_team:
        raise OrgAlreadyVolunteerTeam(f"organisation {organisation_id} is already a volunteer team")
    _registered(state, organisation_id)
    return [event]


def deregister(
    state: Organisation, station_id: str, organisation_id: str, event: OrgDeregistered
) -> list[DomainEvent]:
    _existing(state, station_id, organisation_id)
    _registered(state, organisation_id)
    return [event]
