"""A station's households for a year (入户走访): registered with members and a risk tier,
visited at their tier's cadence (a few left overdue), re-tiered, needs found on visits, consent
or a legal basis recorded, needs referred, resolved or closed, a few households erased (PIPL).

Each household's commands run in day order through the household decider, with the service's
own intervals (`config.settings()`); the decider's clock is the year's end."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from shegong_events.visits import (
    AgencyKind,
    ClosureReason,
    HouseholdCategory,
    Member,
    NeedCategory,
    Relation,
    ResolutionOutcome,
    RiskTier,
    ServiceGiven,
    Severity,
    VisitPurpose,
)
from shegong_visits import config
from shegong_visits.domain import commands as c
from shegong_visits.domain.household import HouseholdDecider

from cityyear.plan import Dice, Sizes, Station, Year
from cityyear.sink import HistoryKeys, Sink, Streams

TIERS: tuple[tuple[RiskTier, float], ...] = (("high", 0.08), ("key", 0.22), ("general", 0.70))
INTERVAL = {"high": 7, "key": 30, "general": 90}
OVERDUE_SHARE = 0.06  # households whose visits stop before the year ends
ERASED_SHARE = 0.004


@dataclass(order=True)
class Step:
    day: int
    seq: int
    kind: str = field(compare=False)
    facts: dict[str, Any] = field(compare=False, default_factory=dict)


class VisitsYear:
    def __init__(self, sink: Sink, keys: HistoryKeys, year: Year, seed: int) -> None:
        end = year.at(year.end, 23, 59) + timedelta(minutes=1)
        self.decider = HouseholdDecider(config.settings().policy(), clock=lambda: end)
        self.households = Streams(self.decider, sink, "history-visits")
        self.keys, self.year, self.seed = keys, year, seed

    async def station(self, station: Station, sizes: Sizes) -> None:
        for n in range(sizes.households):
            await self.household(station, n)
        self.households.forget()

    async def household(self, station: Station, n: int) -> None:
        dice = Dice(self.seed, "household", station.index, n)
        hid, sid = f"{station.station_id}-h{n:05d}", station.station_id
        subject = f"household:{hid}"
        workers = [f"{sid}-sw{i}" for i in range(6)]
        worker = dice.choice(workers)
        tier = dice.choices([t for t, _ in TIERS], [w for _, w in TIERS])[0]
        registered = dice.randint(0, 20) if dice.random() < 0.85 else dice.randint(21, 330)
        categories = dice.some(HouseholdCategory, 2)
        members = await self._members(dice, subject, "children_in_difficulty" in categories)
        seq = 0

        async def run(day: int, command: Any, hour: int = 10) -> None:
            at = self.year.at(self.year.day(day), hour, dice.randint(0, 59))
            await self.households.run(hid, command, station_id=sid, at=at)

        await run(
            registered,
            c.RegisterHousehold(
                household_id=hid,
                categories=tuple(categories),
                community=dice.community(),
                members=members,
                head_name_sealed=await self.keys.seal(subject, dice.name()) or "",
                phone_sealed=await self.keys.seal(subject, dice.phone()),
                address_sealed=await self.keys.seal(subject, f"{dice.community()}{n % 40}号楼"),
                id_number_sealed=await self.keys.seal(
                    subject, dice.id_number(dice.randint(1940, 1990))
                ),
                registered_at=self.year.at(self.year.day(registered), 9),
                tier=tier,
            ),
            hour=9,
        )
        stop = 364
        latest = 364 - INTERVAL[tier] - 3  # the last visit after which it is overdue by the end
        if dice.random() < OVERDUE_SHARE and registered + 1 <= latest:
            stop = dice.randint(registered + 1, latest)
        steps: list[Step] = []

        def plan(day: int, kind: str, **facts: Any) -> None:
            nonlocal seq
            seq += 1
            if day <= 364:
                heapq.heappush(steps, Step(day, seq, kind, facts))

        plan(registered + dice.randint(1, min(INTERVAL[tier], 10)), "visit")
        for share, after, kind in ((0.08, 30, "retier"), (0.05, 10, "update")):
            if dice.random() < share and registered + after <= 364:
                plan(dice.randint(registered + after, 364), kind)
        if dice.random() < ERASED_SHARE and registered + 60 <= 364:
            plan(dice.randint(max(registered + 60, 270), 364), "erase")
        visits = needs = 0
        consent = False
        while steps:
            step = heapq.heappop(steps)
            day, state = step.day, self.households.state(hid)
            if state.erased:
                break
            match step.kind:
                case "visit" if day <= stop:
                    visits += 1
                    found: tuple[c.FoundNeed, ...] = ()
                    if dice.random() < 0.08:
                        needs += 1
                        found = (
                            c.FoundNeed(
                                need_id=f"{hid}-n{needs}",
                                category=dice.literal(NeedCategory),
                                severity=dice.literal(Severity),
                                notes_sealed=await self.keys.seal(subject, "家中需要帮助"),
                            ),
                        )
                        plan(day + dice.randint(2, 20), "need", need=found[0].need_id)
                    await run(
                        day,
                        c.RecordVisit(
                            visit_id=f"{hid}-v{visits}",
                            visited_at=self.year.at(self.year.day(day), 10),
                            mode="home_visit" if dice.random() < 0.8 else "phone",
                            social_worker_ids=(worker,),
                            services=self._services(dice),
                            notes_sealed=await self.keys.seal(subject, "走访记录：情况稳定")
                            if dice.random() < 0.3
                            else None,
                            needs=found,
                        ),
                    )
                    gap = INTERVAL[state.tier or tier]
                    following = day + max(2, gap - dice.randint(0, max(1, gap // 5)))
                    plan(following, "visit")
                    if dice.random() < 0.1:  # booked the day after, for the next visit
                        plan(day + 1, "schedule", visit=visits + 1, on=following)
                case "schedule":
                    await run(
                        day,
                        c.ScheduleVisit(
                            visit_id=f"{hid}-v{step.facts['visit']}",
                            scheduled_for=self.year.day(min(step.facts["on"], 364)),
                            social_worker_id=worker,
                            purposes=tuple(dice.some(VisitPurpose)),
                        ),
                    )
                case "need":
                    need_id = step.facts["need"]
                    on = self.year.day(day)
                    if dice.random() < 0.55:
                        if not consent:
                            consent = True
                            if dice.random() < 0.8:
                                await run(day, c.GrantConsent("referral", "self", on))
                            else:
                                await run(
                                    day,
                                    c.RecordLegalBasis("referral", "social_assistance_duty", on),
                                )
                        await run(
                            day,
                            c.ReferNeed(
                                need_id, "区民政局社会救助科", dice.literal(AgencyKind), on
                            ),
                            hour=14,
                        )
                    settle = day + dice.randint(5, 60)
                    roll = dice.random()
                    if roll < 0.6:
                        plan(settle, "resolve", need=need_id)
                    elif roll < 0.75:
                        plan(settle, "close", need=need_id)
                case "resolve":
                    on = self.year.day(day)
                    outcome = dice.literal(ResolutionOutcome)
                    await run(day, c.ResolveNeed(step.facts["need"], outcome, on), hour=16)
                case "close":
                    on = self.year.day(day)
                    reason = dice.literal(ClosureReason)
                    await run(day, c.CloseNeed(step.facts["need"], reason, on), hour=16)
                case "retier":
                    new = dice.choice([t for t, _ in TIERS if t != state.tier])
                    at = self.year.at(self.year.day(day), 11)
                    await run(day, c.AssignRiskTier(new, "periodic_review", at), hour=11)
                case "update":
                    at = self.year.at(self.year.day(day), 11)
                    phone = await self.keys.seal(subject, dice.phone())
                    await run(day, c.UpdateHousehold(updated_at=at, phone_sealed=phone), hour=11)
                case "erase":
                    await self.households.run(
                        hid,
                        c.EraseHousehold("subject_request"),
                        station_id=sid,
                        at=self.year.at(self.year.day(day), 17),
                        hook=lambda _envelopes: lambda conn: self.keys.erase(subject, conn=conn),
                    )

    async def _members(self, dice: Dice, subject: str, children: bool) -> tuple[Member, ...]:
        out = []
        for i in range(dice.choices([0, 1, 2, 3], [3, 4, 2, 1])[0] + (1 if children else 0)):
            child = children and i == 0
            out.append(
                Member(
                    member_id=f"m{i + 1}",
                    relation="child" if child else dice.literal(Relation),
                    birth_year=dice.randint(2012, 2018) if child else dice.randint(1940, 2000),
                    name_sealed=await self.keys.seal(subject, dice.name()),
                )
            )
        return tuple(out)

    @staticmethod
    def _services(dice: Dice) -> tuple[ServiceGiven, ...]:
        roll = dice.random()
        if roll < 0.4:
            return (ServiceGiven(kind="policy_briefing", policies=["minimum_living_allowance"]),)
        if roll < 0.6:
            return (ServiceGiven(kind="counselling"),)
        return ()
