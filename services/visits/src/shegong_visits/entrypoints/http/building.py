"""Request bodies turned into household commands, their personal data sealed with the seal the
kit hands over once the caller's scope and a retry are settled (the route and the ledger import
build the same registration)."""

from __future__ import annotations

from datetime import date, datetime

from shegong_events.visits import Member
from shegong_runtime.commands import Sealer

from shegong_visits import personal
from shegong_visits.domain import commands
from shegong_visits.domain.state import Household
from shegong_visits.entrypoints.http import bodies
from shegong_visits.entrypoints.http.common import Build, sealed


async def _members(members: list[bodies.MemberIn], seal: Sealer) -> tuple[Member, ...]:
    return tuple(
        [
            Member(
                member_id=m.member_id,
                relation=m.relation,
                birth_year=m.birth_year,
                name_sealed=await seal(m.name),
            )
            for m in members
        ]
    )


def registration(body: bodies.RegisterHousehold, household_id: str, at: datetime) -> Build:
    """The registration, decided once: its keys wait in memory until it is appended, so a
    refused registration leaves none."""

    async def build(_state: Household, kit_seal: Sealer) -> commands.RegisterHousehold:
        seal = personal.sealer(household_id, kit_seal)
        head = await seal(body.head_name)
        assert head is not None, "a required name seals to a value"
        return commands.RegisterHousehold(
            household_id=household_id,
            station_id=body.station_id,
            categories=tuple(body.categories),
            community=body.community,
            members=await _members(body.members, seal),
            head_name_sealed=head,
            phone_sealed=await seal(body.phone),
            address_sealed=await seal(body.address),
            id_number_sealed=await seal(body.id_number),
            registered_at=at,
            tier=body.risk_tier,
            tier_reason=body.tier_reason,
        )

    return build


def update(body: bodies.UpdateHousehold, at: datetime) -> Build:
    async def build(seal: Sealer) -> commands.UpdateHousehold:
        return commands.UpdateHousehold(
            updated_at=at,
            categories=tuple(body.categories) if body.categories is not None else None,
            community=body.community,
            members=await _members(body.members, seal) if body.members is not None else None,
            head_name_sealed=await seal(body.head_name),
            phone_sealed=await seal(body.phone),
            address_sealed=await seal(body.address),
            id_number_sealed=await seal(body.id_number),
        )

    return sealed(build)


def visit(body: bodies.RecordVisit, visit_id: str, need_ids: list[str], at: datetime) -> Build:
    """The visit as the event carries it: notes, observations and the needs' notes sealed."""

    async def build(seal: Sealer) -> commands.RecordVisit:
        observations = (
            body.observations.model_dump(exclude_none=True) if body.observations else None
        )
        needs = [
            commands.FoundNeed(need_id, n.category, n.severity, n.member_id, await seal(n.notes))
            for need_id, n in zip(need_ids, body.needs, strict=True)
        ]
        return commands.RecordVisit(
            visit_id=visit_id,
            visited_at=at,
            mode=body.mode,
            social_worker_ids=tuple(body.social_worker_ids),
            volunteer_ids=tuple(body.volunteer_ids),
            services=tuple(body.services),
            observations_sealed=await personal.seal_json(seal, observations),
            risks_observed=body.observations.risks() if body.observations else 0,
            notes_sealed=await seal(body.notes),
            next_follow_up_on=body.next_follow_up_on,
            needs=tuple(needs),
        )

    return sealed(build)


def need(body: bodies.IdentifyNeed, need_id: str, on: date) -> Build:
    async def build(seal: Sealer) -> commands.IdentifyNeed:
        return commands.IdentifyNeed(
            need_id,
            body.category,
            body.severity,
            on,
            body.member_id,
            body.visit_id,
            await seal(body.notes),
        )

    return sealed(build)


def resolution(body: bodies.ResolveNeed, need_id: str, on: date) -> Build:
    async def build(seal: Sealer) -> commands.ResolveNeed:
        return commands.ResolveNeed(need_id, body.outcome, on, await seal(body.notes))

    return sealed(build)
