"""A station's notifications year (通知): its staff in the directory and the rules that tell
them, set by the station's lead and the district bureau at the year's start.

Per station: the lead and `Sizes.recipients - 1` social workers registered, names and emails
sealed under each person's key as the recipient routes seal them; some change their email,
some mute the generic topic. The station's rules: an urgent need to the lead, a referral to the
lead, a household raised to high risk to the social workers, a filing approved to the lead. A
third of the stations narrow the referral rule mid-year (a changed rule is a new rule, the old
one disabled), a quarter retire the high-risk rule. At one station in five a social worker
leaves and is replaced; at one in ten the leaver then asks to be erased (PIPL: the key goes
with the event). Per district, with its first station: the bureau's officer and the district's
rules (an urgent need; the weekly roundup once a meeting is held, a reminder on Monday).

Every command goes through the service's deciders; the rulebook and the directory are kept in
step in the append transaction as the routes keep them (`projections.in_step`). Deliveries are
not generated: the planner plans them from the year's events when `load` runs the service.

Reminder rules that a later event supersedes or cancels (a visit overdue, a referral pending)
are left out: a year loaded at once makes every timer due as it is scheduled, and the clock
fires it before the planner reaches the event that would have cancelled it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shegong_events import Envelope
from shegong_events.notifications import Audience, AudienceRole, Condition, Reminder
from shegong_notifications import projections
from shegong_notifications.domain import recipient as r
from shegong_notifications.domain.recipient import RECIPIENT, data_subject
from shegong_notifications.domain.rule import RULE, DefineRule, DisableRule

from cityyear.plan import Dice, Sizes, Station, Year
from cityyear.sink import HistoryKeys, Hook, Sink, Streams

ACTOR = "history-notifications"
LEAVES_EVERY, ERASED_EVERY = 5, 10  # stations where a social worker leaves; where they are erased


@dataclass(frozen=True)
class RuleSpec:
    name: str
    trigger: str
    audience: Audience
    template_id: str
    description: str
    conditions: Sequence[Condition] = ()
    reminder: Reminder | None = None


URGENT = (Condition(field="severity", op="eq", value="urgent"),)
STATION_RULES = (
    RuleSpec("urgent-need", "NeedIdentified", Audience(role="station_lead"), "urgent-need",
             "紧急需求：通知站长", URGENT),
    RuleSpec("need-referred", "NeedReferred", Audience(role="station_lead"), "event-recorded",
             "需求转介：通知站长"),
    RuleSpec("raised-to-high", "RiskTierAssigned", Audience(role="social_worker"),
             "event-recorded", "调为高风险：通知站内社工",
             (Condition(field="tier", op="eq", value="high"),
              Condition(field="previous_tier", op="in", value=["key", "general"]))),
    RuleSpec("filing-approved", "OrgFilingApproved", Audience(role="station_lead"),
             "event-recorded", "备案通过：通知站长"),
)  # fmt: skip
NARROWED = RuleSpec(
    "need-referred-high",
    "NeedReferred",
    Audience(role="station_lead"),
    "event-recorded",
    "高、紧急需求转介：通知站长",
    (Condition(field="severity", op="in", value=["high", "urgent"]),),
)
DISTRICT_RULES = (
    RuleSpec("urgent-need-bureau", "NeedIdentified", Audience(role="district_officer"),
             "urgent-need", "紧急需求：通知区民政局", URGENT),
    RuleSpec("weekly-roundup", "MeetingHeld", Audience(role="district_officer"),
             "weekly-roundup", "每周一上午：一周掠影提醒区民政局",
             reminder=Reminder(at_field="held_on", weekday=1, at_time="09:00",
                               key="{district_id}-{week}", repeat="once")),
)  # fmt: skip


def in_step(envelopes: list[Envelope]) -> Hook:
    """The routes' `after_append`: the service's tables kept in step in the append's transaction."""
    return lambda conn: projections.in_step(conn, envelopes)


class NotificationsYear:
    def __init__(self, sink: Sink, keys: HistoryKeys, year: Year, seed: int) -> None:
        self.rules = Streams(RULE, sink, ACTOR)
        self.recipients = Streams(RECIPIENT, sink, ACTOR)
        self.keys, self.year, self.seed = keys, year, seed
        self.districts: set[str] = set()

    async def station(self, station: Station, sizes: Sizes) -> None:
        if station.district_id not in self.districts:  # the district's first station
            self.districts.add(station.district_id)
            await self._bureau(station.district_id)
        dice, sid = Dice(self.seed, "notifications", station.index), station.station_id
        staff: list[tuple[str, AudienceRole]] = [(f"lead-{sid}", "station_lead")]
        staff += [(f"{sid}-sw{i}", "social_worker") for i in range(sizes.recipients - 1)]
        for minute, (rid, role) in enumerate(staff, 10):
            await self._register(dice, rid, role, sid, station.district_id, 0, minute)
        for minute, spec in enumerate(STATION_RULES, 30):
            await self._define(spec, "station", sid, sid, 0, minute)
        leaves = station.index % LEAVES_EVERY == 2 and len(staff) > 1
        left = dice.randint(120, 240)
        for rid, role in staff:
            last = left - 1 if leaves and rid == staff[-1][0] else 364
            await self._changes(dice, rid, role, sid, last)
        if dice.random() < 1 / 3:  # the lead keeps only high and urgent referrals
            day = dice.randint(90, 200)
            reason = "只通报高、紧急需求的转介"
            await self._disable(f"{sid}-need-referred", reason, sid, day, 0)
            await self._define(NARROWED, "station", sid, sid, day, 1)
        if dice.random() < 1 / 4:
            reason = "改在每周例会上通报"
            await self._disable(f"{sid}-raised-to-high", reason, sid, dice.randint(150, 300), 0)
        if leaves:
            await self._leave(dice, staff[-1][0], len(staff) - 1, station, left)
        self.rules.forget()
        self.recipients.forget()

    async def _bureau(self, district: str) -> None:
        """The district bureau's officer and the district's rules, filed under `district-<id>`."""
        dice, filed = Dice(self.seed, "bureau", district), f"district-{district}"
        station, self.keys.station = self.keys.station, filed  # the key's station, as filed
        await self._register(dice, f"bureau-{district}", "district_officer", filed, district, 0, 5)
        self.keys.station = station
        for minute, spec in enumerate(DISTRICT_RULES, 6):
            await self._define(spec, "district", district, filed, 0, minute)

    async def _register(
        self,
        dice: Dice,
        rid: str,
        role: AudienceRole,
        filed: str,
        district: str,
        day: int,
        minute: int,
        hour: int = 9,
    ) -> None:
        subject = data_subject(rid)
        addresses = r.Addresses(
            name_sealed=await self.keys.seal(subject, dice.name()),
            email_sealed=await self.keys.seal(subject, email(dice)),
        )
        station_id = None if role == "district_officer" else filed
        command = r.RegisterRecipient(rid, role, station_id, district, addresses)
        await self._recipient(rid, command, filed, day, hour, minute)

    async def _changes(self, dice: Dice, rid: str, role: str, filed: str, last: int) -> None:
        """A new email (one in five), the generic topic muted (one social worker in ten), in
        day order and before `last`, the day they may leave."""
        steps: list[tuple[int, Any]] = []
        if dice.random() < 0.2:
            email_sealed = await self.keys.seal(data_subject(rid), email(dice))
            steps.append(
                (dice.randint(30, 330), r.UpdateRecipient(rid, r.Addresses(None, email_sealed)))
            )
        if role == "social_worker" and dice.random() < 0.1:
            steps.append((dice.randint(10, 200), r.SetSubscription(rid, "event-recorded", "none")))
        for day, command in sorted(steps, key=lambda s: s[0]):
            if day <= last:
                await self._recipient(rid, command, filed, day, 11, 0)

    async def _leave(self, dice: Dice, rid: str, n: int, station: Station, day: int) -> None:
        """A social worker leaves and another takes their place; at one station in ten the
        leaver asks a month or two later that their data be erased."""
        sid = station.station_id
        await self._recipient(rid, r.RemoveRecipient(rid), sid, day, 17, 0)
        await self._register(
            dice, f"{sid}-sw{n}", "social_worker", sid, station.district_id, day, 0, 17
        )
        if station.index % ERASED_EVERY == 2:
            later = min(364, day + dice.randint(30, 60))
            at = self.year.at(self.year.day(later), 10)
            subject = data_subject(rid)

            def erasing(envelopes: list[Envelope]) -> Hook:
                async def hook(conn: Any) -> None:
                    await projections.in_step(conn, envelopes)
                    await self.keys.erase(subject, conn=conn)

                return hook

            await self.recipients.run(
                rid,
                r.EraseRecipient(rid, "subject_request", at),
                station_id=sid,
                at=at,
                hook=erasing,
            )

    async def _recipient(
        self, rid: str, command: Any, filed: str, day: int, hour: int, minute: int
    ) -> None:
        at = self.year.at(self.year.day(day), hour, minute)
        await self.recipients.run(rid, command, station_id=filed, at=at, hook=in_step)

    async def _define(
        self, spec: RuleSpec, scope: Any, scope_id: str, filed: str, day: int, minute: int
    ) -> None:
        rule_id = f"{scope_id}-{spec.name}" if scope == "station" else f"{spec.name}-{scope_id}"
        command = DefineRule(
            rule_id=rule_id,
            scope=scope,
            scope_id=scope_id,
            trigger=spec.trigger,
            audience=spec.audience,
            template_id=spec.template_id,
            conditions=tuple(spec.conditions),
            reminder=spec.reminder,
            description=spec.description,
        )
        at = self.year.at(self.year.day(day), 9, minute)
        await self.rules.run(rule_id, command, station_id=filed, at=at, hook=in_step)

    async def _disable(self, rule_id: str, reason: str, filed: str, day: int, minute: int) -> None:
        at = self.year.at(self.year.day(day), 9, minute)
        await self.rules.run(
            rule_id, DisableRule(rule_id, reason), station_id=filed, at=at, hook=in_step
        )


def email(dice: Dice) -> str:
    return f"{dice.randint(10_000_000, 9_999_999_999)}@qq.com"
