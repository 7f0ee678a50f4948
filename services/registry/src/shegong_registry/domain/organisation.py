"""A community social organisation's filing (备案) lifecycle, as a decider.

    (none) ─file→ pending ─return→ returned ─resubmit→ pending ─approve→ approved
    approved ─change→ approved ─convert→ volunteer_team ─change→ volunteer_team
    approved | volunteer_team ─deregister→ deregistered

Every other step is refused with a Conflict named for the rule broken (HTTP 409). Commands name
the station and organisation they address, so a filing of another station is not found. The
responsible person's name and phone reach the commands already sealed (sealing needs the key
store); filing numbers come from the station's counter (`registers`), in the approval.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, fields, replace
from datetime import datetime
from enum import StrEnum

from shegong_events import DomainEvent, Envelope
from shegong_events.registry import (
    OrgCategory,
    OrgChanged,
    OrgContactErased,
    OrgConvertedToVolunteerTeam,
    OrgDeregistered,
    OrgFiled,
    OrgFilingApproved,
    OrgFilingResubmitted,
    OrgFilingReturned,
)
from shegong_runtime.decider import Decider
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


# ── commands: what staff ask of one organisation at one station ──


@dataclass(frozen=True, kw_only=True)
class OrganisationCommand:
    station_id: str
    organisation_id: str


@dataclass(frozen=True, kw_only=True)
class FileOrganisation(OrganisationCommand):
    name: str
    category: OrgCategory
    community: str
    responsible_person_sealed: str
    responsible_phone_sealed: str | None = None
    venue: str | None = None
    members: int
    activity_area: str
    charter_summary: str


@dataclass(frozen=True, kw_only=True)
class ReturnFiling(OrganisationCommand):
    reasons: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Corrections(OrganisationCommand):
    """Fields left None stay as they are."""

    name: str | None = None
    responsible_person_sealed: str | None = None
    responsible_phone_sealed: str | None = None
    members: int | None = None
    venue: str | None = None
    activity_area: str | None = None
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class Resubmit(Corrections):
    category: OrgCategory | None = None
    community: str | None = None
    charter_summary: str | None = None


@dataclass(frozen=True, kw_only=True)
class Change(Corrections):
    pass


@dataclass(frozen=True, kw_only=True)
class Approve(OrganisationCommand):
    filing_number: str


@dataclass(frozen=True, kw_only=True)
class ConvertToVolunteerTeam(OrganisationCommand):
    team_name: str | None = None
    volunteers: int
    service_focus: str


@dataclass(frozen=True, kw_only=True)
class Deregister(OrganisationCommand):
    reason: str


@dataclass(frozen=True, kw_only=True)
class EraseContact(OrganisationCommand):
    """PIPL: the responsible person's key goes with the event; the filing stays."""

    reason: str
    erased_at: datetime


Command = (
    FileOrganisation
    | ReturnFiling
    | Resubmit
    | Change
    | Approve
    | ConvertToVolunteerTeam
    | Deregister
    | EraseContact
)


def name_key(name: str) -> str:
    """The form two names are compared in: NFKC, case-folded, without any whitespace."""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


def filing_number(station_id: str, year: int, sequence: int) -> str:
    """The stable format: `<station id>-<year>-<4-digit sequence>`, e.g. xigu-fulilu-2024-0003."""
    return f"{station_id}-{year}-{sequence:04d}"


def _facts(command: OrganisationCommand) -> dict[str, object]:
    """The command's fields for its event: everything but the address."""
    skip = {"station_id", "organisation_id"}
    return {f.name: getattr(command, f.name) for f in fields(command) if f.name not in skip}


# ── rules ──


def must_be_filed(state: Organisation, cmd: OrganisationCommand) -> None:
    if state.status is Status.none or state.station_id != cmd.station_id:
        raise OrganisationNotFound(f"社工站 {cmd.station_id} 没有组织 {cmd.organisation_id}")


def must_be_active(state: Organisation, cmd: OrganisationCommand) -> None:
    must_be_filed(state, cmd)
    if state.status is Status.deregistered:
        raise OrgAlreadyDeregistered(f"组织 {cmd.organisation_id} 已注销")


def must_be_pending(state: Organisation, cmd: OrganisationCommand) -> None:
    if state.status is not Status.pending:
        raise FilingNotPending(f"组织 {cmd.organisation_id} 的备案不在待审核状态（{state.status}）")


def must_be_registered(state: Organisation, cmd: OrganisationCommand) -> None:
    if state.status not in REGISTERED:
        raise OrgNotRegistered(f"组织 {cmd.organisation_id} 尚未备案（{state.status}）")


class OrganisationDecider(Decider[Command, Organisation]):
    aggregate_type = "organisation"

    def initial(self) -> Organisation:
        return Organisation()

    def decide(self, command: Command, state: Organisation) -> list[DomainEvent]:
        match command:
            case FileOrganisation():
                if state.status is not Status.none:
                    raise OrgAlreadyFiled(
                        f"组织 {command.organisation_id} 已提交备案",
                        field="organisation_id",
                    )
                return [OrgFiled(**_facts(command))]
            case ReturnFiling(reasons=reasons):
                must_be_active(state, command)
                must_be_pending(state, command)
                return [OrgFilingReturned(reasons=list(reasons))]
            case Resubmit():
                must_be_active(state, command)
                if state.status is not Status.returned:
                    raise FilingNotReturned(
                        f"组织 {command.organisation_id} 的备案未退回补正（{state.status}）"
                    )
                return [OrgFilingResubmitted(**_facts(command))]
            case Approve(filing_number=number):
                must_be_active(state, command)
                must_be_pending(state, command)
                return [
                    OrgFilingApproved(
                        filing_number=number, name=state.name, category=state.category
                    )
                ]
            case Change():
                must_be_active(state, command)
                must_be_registered(state, command)
                facts = _facts(command)
                if not any(v is not None for k, v in facts.items() if k != "note"):
                    raise NothingToChange("请至少填写一项要修改的内容")
                return [OrgChanged(**facts)]
            case ConvertToVolunteerTeam():
                must_be_active(state, command)
                if state.status is Status.volunteer_team:
                    raise OrgAlreadyVolunteerTeam(
                        f"组织 {command.organisation_id} 已转型为志愿服务队"
                    )
                must_be_registered(state, command)
                return [OrgConvertedToVolunteerTeam(**_facts(command))]
            case Deregister(reason=reason):
                must_be_active(state, command)
                must_be_registered(state, command)
                return [OrgDeregistered(reason=reason)]
            case EraseContact(reason=reason, erased_at=erased_at):
                must_be_filed(state, command)
                return [OrgContactErased(reason=reason, erased_at=erased_at)]
        raise TypeError(f"not an organisation command: {command!r}")

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


ORGANISATION = OrganisationDecider()
