"""A station's engagement year: meetings of every kind (居民议事会, 联席会议, 互学交流, 共学坊)
scheduled and held with participants by role, topics and outcomes (some cancelled), resident
deliberations with an issue, a vote and a resolution; volunteers enrolled (some in the
station's volunteer teams), trained at workshops, and their service hours checked in and out.
"""

from __future__ import annotations

from datetime import date, timedelta

from shegong_engagement import config
from shegong_engagement.domain import deliberation as d
from shegong_engagement.domain.meeting import MEETING, Cancel, Hold, Schedule
from shegong_engagement.domain.volunteer import (
    VOLUNTEER,
    AttendTraining,
    BeginSession,
    EndSession,
    Enroll,
)
from shegong_events.engagement import (
    CoOrganiser,
    MeetingKind,
    Outcome,
    ParticipantGroup,
    Topic,
)

from cityyear.plan import Dice, Sizes, Station, Year
from cityyear.sink import HistoryKeys, Sink, Streams

KINDS: tuple[tuple[MeetingKind, float], ...] = (
    ("resident_deliberation", 0.4),
    ("joint_meeting", 0.2),
    ("peer_exchange", 0.1),
    ("volunteer_workshop", 0.25),
    ("other", 0.05),
)
ACTIVITIES = ["助老陪伴", "社区环境整治", "儿童课业辅导", "政策宣传", "文艺演出", "义诊协助"]


class EngagementYear:
    def __init__(self, sink: Sink, keys: HistoryKeys, year: Year, seed: int) -> None:
        self.meetings = Streams(MEETING, sink, "history-engagement")
        self.volunteers = Streams(VOLUNTEER, sink, "history-engagement")
        self.keys, self.year, self.seed = keys, year, seed
        self.limit = config.settings().session_limit

    async def station(self, station: Station, sizes: Sizes, teams: list[str]) -> None:
        workshops = await self._meetings(station, sizes)
        await self._volunteers(station, sizes, teams, workshops)
        self.meetings.forget()
        self.volunteers.forget()

    async def _meetings(self, station: Station, sizes: Sizes) -> list[tuple[str, date]]:
        dice, sid, held_workshops = (
            Dice(self.seed, "meetings", station.index),
            station.station_id,
            [],
        )
        for n in range(sizes.meetings):
            mid = f"{sid}-m{n:03d}"
            kind = dice.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
            day = min(364, 7 + n * 357 // max(1, sizes.meetings) + dice.randint(0, 5))
            on = self.year.day(day)
            members = dice.randint(9, 25) if kind == "resident_deliberation" else None
            await self.meetings.run(
                mid,
                Schedule(
                    sid,
                    mid,
                    kind=kind,
                    title=f"{dice.community()}{'居民议事会' if members else '工作会议'}",
                    theme=dice.choice(ACTIVITIES),
                    scheduled_on=on,
                    venue="社区党群服务中心",
                    co_organisers=(
                        CoOrganiser(name=f"{dice.community()}居委会", kind="community_committee"),
                    ),
                    members_total=members,
                ),
                station_id=sid,
                at=self.year.at(self.year.day(max(0, day - 7)), 9),
            )
            if dice.random() < 0.08:
                await self.meetings.run(
                    mid,
                    Cancel(sid, mid, reason="天气原因改期", today=on, cancelled_on=on),
                    station_id=sid,
                    at=self.year.at(on, 8),
                )
                continue
            present = dice.randint(members * 2 // 3 + 1, members) if members else None
            await self.meetings.run(
                mid,
                Hold(
                    sid,
                    mid,
                    held_on=on,
                    participants_total=40,
                    participant_groups=(
                        ParticipantGroup(role="resident", count=dice.randint(10, 25)),
                        ParticipantGroup(role="social_worker", count=dice.randint(1, 4)),
                        ParticipantGroup(role="community_cadre", count=dice.randint(1, 3)),
                    ),
                    topics=(Topic(title=dice.choice(ACTIVITIES)),),
                    outcomes=(
                        Outcome(kind="consensus", text="形成共识，分工推进"),
                        Outcome(kind="follow_up", text="下月回访落实情况"),
                    ),
                    members_present=present,
                ),
                station_id=sid,
                at=self.year.at(on, 15),
            )
            if kind == "volunteer_workshop":
                held_workshops.append((mid, on))
            if members:
                await self._deliberate(dice, sid, mid, on, present or 0)
        return held_workshops

    async def _deliberate(self, dice: Dice, sid: str, mid: str, on: date, present: int) -> None:
        at = self.year.at(on, 16)
        proposer = await self.keys.seal(f"meeting:{mid}:issue:i1", dice.name())
        await self.meetings.run(
            mid,
            d.Propose(
                sid,
                mid,
                issue_id="i1",
                title="楼道堆物清理",
                proposer_role="resident",
                today=on,
                proposer_name_sealed=proposer,
            ),
            station_id=sid,
            at=at,
        )
        votes_for = dice.randint(present // 2, present)
        vote = d.Vote(
            sid,
            mid,
            motion_id="mo1",
            text="同意分楼栋清理楼道堆物",
            votes_for=votes_for,
            votes_against=present - votes_for,
            fallback=config.settings().quorum_for(sid, None),
            issue_id="i1",
            voted_on=on,
        )
        voted = await self.meetings.run(mid, vote, station_id=sid, at=at)
        if voted[-1].data.get("passed"):
            adopt = d.Adopt(sid, mid, resolution_id="r1", motion_id="mo1", text=vote.text, today=on)
            await self.meetings.run(mid, adopt, station_id=sid, at=at)

    async def _volunteers(
        self, station: Station, sizes: Sizes, teams: list[str], workshops: list[tuple[str, date]]
    ) -> None:
        sid = station.station_id
        for n in range(sizes.volunteers):
            dice = Dice(self.seed, "volunteer", station.index, n)
            vid = f"{sid}-v{n:03d}"
            subject = f"volunteer:{vid}"
            joined = dice.randint(0, 20) if dice.random() < 0.6 else dice.randint(21, 330)
            on = self.year.day(joined)
            await self.volunteers.run(
                vid,
                Enroll(
                    sid,
                    vid,
                    category=dice.choice(["student", "resident", "resident", "professional"]),
                    name_sealed=await self.keys.seal(subject, dice.name()) or "",
                    today=on,
                    phone_sealed=await self.keys.seal(subject, dice.phone()),
                    affiliation=dice.choice(teams) if teams and dice.random() < 0.4 else None,
                    skills=("陪伴",),
                    enrolled_on=on,
                ),
                station_id=sid,
                at=self.year.at(on, 9),
            )
            for mid, held in workshops:
                if held >= on and dice.random() < 0.3:
                    training = AttendTraining(
                        sid,
                        vid,
                        training_id=f"t-{mid}",
                        title="志愿服务共学坊",
                        attended_on=held,
                        meeting_id=mid,
                    )
                    await self.volunteers.run(
                        vid,
                        training,
                        station_id=sid,
                        at=self.year.at(held, 12),
                    )
            every = dice.choice([7, 14, 30])
            day, s = joined + dice.randint(1, every), 0
            while day <= 364:
                s += 1
                start = self.year.at(self.year.day(day), dice.randint(8, 14))
                end = start + timedelta(minutes=dice.randint(60, 240))
                session = f"{vid}-s{s}"
                check_in = BeginSession(
                    sid,
                    vid,
                    session,
                    checked_in_at=start,
                    activity=dice.choice(ACTIVITIES),
                    now=start,
                    limit=self.limit,
                )
                await self.volunteers.run(
                    vid,
                    check_in,
                    station_id=sid,
                    at=start,
                )
                await self.volunteers.run(
                    vid,
                    EndSession(sid, vid, session, checked_out_at=end, now=end, limit=self.limit),
                    station_id=sid,
                    at=end,
                )
                day += every + dice.randint(-2, 2)
