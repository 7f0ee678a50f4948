"""Short ways to write one test's events, on stations and districts of its own."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from shegong_events import engagement as eng
from shegong_events import registry as reg
from shegong_events import visits as vis

from .recorder import SEALED, Recorder, noon


def open_station(r: Recorder, station_id: str, district_id: str, name: str | None = None) -> None:
    r.add(
        reg.StationOpened(
            station_id=station_id,
            name=name or f"{station_id}社工站",
            city="兰州市",
            district_id=district_id,
            district_name=f"{district_id}区",
            street="测试街道",
            kind="street",
        ),
        station_id,
        station_id,
        date(2024, 1, 2),
    )


def household(
    r: Recorder,
    sid: str,
    hid: str,
    categories=("minimum_living_allowance",),
    tier="general",
    due: date = date(2024, 4, 30),
) -> None:
    r.add(
        vis.HouseholdRegistered(
            household_id=hid,
            categories=list(categories),
            member_count=2,
            head_name_sealed=SEALED,
            registered_at=noon(date(2024, 1, 5)),
        ),
        hid,
        sid,
        date(2024, 1, 5),
    )
    r.add(
        vis.RiskTierAssigned(
            tier=tier,
            reason="initial_assessment",
            assigned_at=noon(date(2024, 1, 5)),
            next_due_at=noon(due),
        ),
        hid,
        sid,
        date(2024, 1, 5),
    )


def visit(
    r: Recorder,
    sid: str,
    hid: str,
    vid: str,
    on: date,
    observed: bool = True,
    due: date = date(2024, 4, 30),
) -> None:
    r.add(
        vis.VisitRecorded(
            visit_id=vid,
            visited_at=noon(on),
            mode="home_visit",
            social_worker_ids=["sw"],
            services=[
                vis.ServiceGiven(kind="policy_briefing", policies=["minimum_living_allowance"])
            ],
            observations_sealed=SEALED if observed else None,
            next_due_at=noon(due),
        ),
        hid,
        sid,
        on,
    )


def need(
    r: Recorder,
    sid: str,
    hid: str,
    nid: str,
    severity: vis.Severity,
    on: date,
    category: vis.NeedCategory = "financial",
) -> None:
    r.add(
        vis.NeedIdentified(need_id=nid, category=category, severity=severity, identified_on=on),
        hid,
        sid,
        on,
    )


def meeting(
    r: Recorder,
    sid: str,
    mid: str,
    kind: eng.MeetingKind,
    on: date,
    participants: int | None,
    **more: Any,
) -> None:
    r.add(
        eng.MeetingHeld(
            kind=kind, title=f"{mid}会", held_on=on, participants_total=participants, **more
        ),
        mid,
        sid,
        on,
    )


def org_filed(r: Recorder, sid: str, oid: str, on: date) -> None:
    r.add(
        reg.OrgFiled(
            name=f"{oid}队",
            category="culture_sports",
            community="测试社区",
            responsible_person_sealed=SEALED,
            members=8,
            activity_area="测试社区",
            charter_summary="丰富文化生活",
        ),
        oid,
        sid,
        on,
    )


def volunteer(r: Recorder, sid: str, vid: str, on: date) -> None:
    r.add(
        eng.VolunteerEnrolled(category="student", name_sealed=SEALED, enrolled_on=on), vid, sid, on
    )


def session(
    r: Recorder, sid: str, vid: str, session_id: str, start: datetime, minutes: int
) -> None:
    from datetime import timedelta

    r.add(
        eng.ServiceSessionCheckedIn(
            session_id=session_id, checked_in_at=start, activity="助老陪伴"
        ),
        vid,
        sid,
        start,
    )
    end = start + timedelta(minutes=minutes)
    r.add(
        eng.ServiceSessionCheckedOut(
            session_id=session_id,
            checked_in_at=start,
            checked_out_at=end,
            minutes=minutes,
            auto_closed=False,
            limit_hours=8,
        ),
        vid,
        sid,
        end,
    )
