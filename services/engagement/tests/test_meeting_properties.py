"""Property tests of the meeting aggregate's rules (beside those of organisations, volunteers and
households in tests/edges/test_aggregate_properties.py): whatever sequence of commands
arrives, the events of those accepted, written out and read back as the store keeps them,
fold into the very state the commands left; a refused command appends nothing and changes
nothing; and the meeting's own invariants hold throughout.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from shegong_engagement.domain import action_items as items
from shegong_engagement.domain import deliberation as talk
from shegong_engagement.domain.meeting import MEETING, Cancel, Hold, Meeting, Schedule
from shegong_events import Envelope
from shegong_events.engagement import (
    ActionItemDone,
    ParticipantGroup,
    QuorumRule,
)
from shegong_runtime.errors import DomainError

STATION, ELSEWHERE, MEETING_ID = "xigu-fulilu", "xigu-other", "m-p"
SEALED = "sealed:v1:AAAA"
DAY = date(2024, 3, 19)
RUNS = settings(max_examples=150, deadline=None)


class Stream:
    """The meeting's accepted events as the store keeps them: numbered, serialised."""

    def __init__(self) -> None:
        self.state = MEETING.initial()
        self.stored: list[str] = []
        self.accepted: list[list[str]] = []

    def run(self, command) -> bool:
        try:
            events = MEETING.decide(command, self.state)
        except DomainError:
            return False
        for event in events:
            envelope = Envelope.wrap(
                event, aggregate_id=MEETING_ID, station_id=STATION, actor="property"
            ).model_copy(update={"aggregate_version": len(self.stored) + 1})
            self.state = MEETING.evolve(self.state, event)
            self.stored.append(envelope.model_dump_json())
        self.accepted.append([e.event_type for e in events])
        return True

    def replayed(self) -> Meeting:
        return MEETING.fold([Envelope.model_validate_json(raw) for raw in self.stored])


days = st.integers(-1, 10).map(lambda d: DAY + timedelta(days=d))
station = st.sampled_from([STATION] * 5 + [ELSEWHERE])
ids = st.integers(0, 2)
members = st.integers(1, 30)
votes = st.integers(0, 12)

schedule = st.builds(
    lambda members, own_rule: Schedule(
        STATION,
        MEETING_ID,
        kind="resident_deliberation",
        title="福东社区居民议事会",
        scheduled_on=DAY,
        members_total=members,
        quorum_rule=QuorumRule(attendance="1/2") if own_rule else None,
    ),
    st.one_of(members, members, st.none()),
    st.booleans(),
)
hold = st.builds(
    lambda at, members, present, total, by_role: Hold(
        at,
        MEETING_ID,
        held_on=DAY,
        members_total=members,
        members_present=present,
        participants_total=total,
        participant_groups=(ParticipantGroup(role="resident", count=by_role),),
    ),
    station,
    st.one_of(st.none(), members),
    st.one_of(members, members, st.none()),
    st.one_of(st.none(), st.integers(1, 40)),
    st.integers(1, 12),
)
held_as_planned = st.builds(
    lambda members, present: Hold(
        STATION,
        MEETING_ID,
        held_on=DAY,
        members_total=members,
        members_present=min(present, members),
    ),
    st.integers(10, 30),
    st.integers(5, 30),
)
cancel = st.builds(lambda at: Cancel(at, MEETING_ID, "天气原因改期", DAY), station)
propose = st.builds(
    lambda at, n: talk.Propose(
        at,
        MEETING_ID,
        issue_id=f"i{n}",
        title="3号楼加装电梯",
        proposer_role="resident",
        proposer_name_sealed=SEALED,
        today=DAY,
    ),
    station,
    ids,
)
vote = st.builds(
    lambda at, n, issue, for_, against, present: talk.Vote(
        at,
        MEETING_ID,
        motion_id=f"mo{n}",
        text="同意加装电梯",
        issue_id=None if issue is None else f"i{issue}",
        votes_for=for_,
        votes_against=against,
        members_present=present,
        fallback=(QuorumRule(), "settings"),
    ),
    station,
    ids,
    st.one_of(st.none(), ids),
    votes,
    votes,
    st.one_of(st.none(), st.none(), members),
)
adopt = st.builds(
    lambda at, n, motion: talk.Adopt(
        at,
        MEETING_ID,
        resolution_id=f"r{n}",
        motion_id=f"mo{motion}",
        text="同意加装电梯",
        today=DAY,
    ),
    station,
    ids,
    ids,
)
assign = st.builds(
    lambda at, n, resolution, due: items.Assign(
        at,
        MEETING_ID,
        action_id=f"a{n}",
        title="联系电梯公司出具报价",
        resolution_id=None if resolution is None else f"r{resolution}",
        owner_role="resident",
        assigned_on=DAY,
        due_on=due,
        today=DAY,
    ),
    station,
    ids,
    st.one_of(st.none(), ids),
    days,
)
complete = st.builds(
    lambda at, n, done: items.Complete(at, MEETING_ID, f"a{n}", DAY, done_on=done),
    station,
    ids,
    days,
)
# weighted towards the deliberation a held meeting allows; a cancellation ends most of it
on_a_meeting = st.one_of(
    hold, hold, cancel, propose, vote, vote, vote, adopt, adopt, assign, assign, complete
)
meeting_commands = st.one_of(schedule, on_a_meeting)
AFTER_CANCELLING = {ActionItemDone.event_type}


@RUNS
@given(schedule, st.one_of(st.none(), held_as_planned), st.lists(meeting_commands, max_size=30))
def test_any_accepted_meeting_history_replays_to_the_same_meeting(first, then, commands):
    stream = Stream()
    stream.run(first)  # most histories start with a schedule, many go on with the meeting
    for command in [then, *commands] if then else commands:
        before, stored = stream.state, len(stream.stored)
        was = before.status
        if not stream.run(command):
            assert (stream.state, len(stream.stored)) == (before, stored)  # refused: no trace
            continue
        state = stream.state
        if was == "cancelled":
            assert set(stream.accepted[-1]) <= AFTER_CANCELLING, stream.accepted[-1]
        if was in ("held", "cancelled"):
            assert state.status == was  # held and cancelled are final
        assert state.status != "none" and state.station_id == STATION
        assert not state.motions or state.status == "held"  # votes only at a held meeting
        assert all(state.motions[m].passed for m in state.motions if state.motions[m].resolved)
        assert len(state.resolutions) == sum(m.resolved for m in state.motions.values())
        assert all(a.assigned_on <= a.due_on for a in state.actions.values())
        assert all(a.done_on is None or a.assigned_on <= a.done_on for a in state.actions.values())
        if state.members_present is not None and state.members_total is not None:
            assert state.members_present <= state.members_total
    assert stream.replayed() == stream.state


@RUNS
@given(st.lists(on_a_meeting, max_size=10))
def test_nothing_is_recorded_for_a_meeting_never_scheduled(commands):
    stream = Stream()
    for command in commands:
        assert not stream.run(command) and stream.stored == []
