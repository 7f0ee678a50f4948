"""The subscriber kit as another team installs it: the `shegong-events` wheel with its
`faststream` extra in a fresh virtual environment outside the workspace, at both ends of the
FastStream range the extra allows, subscribing to a running stack as the integrator.

Each end runs the same story on its own durable consumer: every meeting held comes typed; one
whose handler fails comes again; a process killed inside a handler gets that meeting again
(acknowledged only after the handler); after a clean restart only the meetings held meanwhile
come, once.
"""

from __future__ import annotations

import json
import signal
import subprocess
import tomllib
from pathlib import Path

import nats
import pytest
from packaging.requirements import Requirement
from packaging.version import Version
from shegong_runtime import nats_auth
from shegong_testing.fixtures import eventually

from .conftest import RunningStack
from .walkthrough import ROOT, outside_env, sh, step

HIGHEST = "0.7.8"  # the newest FastStream release the range allows
MEETINGS = "sw.engagement.*.MeetingHeld.*"
# the demo week's meetings as the source tells them (participants: 共计N人参加)
DEMO = {
    "haishiwan-2024-03-19-deliberation": ("honggu-haishiwan", 20),
    "fulilu-2024-03-19-joint-meeting": ("xigu-fulilu", 20),
    "tieluxicun-2024-03-16-workshop": ("chengguan-tieluxicun", 27),
}


def faststream_range() -> Requirement:
    project = tomllib.loads((ROOT / "libs" / "events" / "pyproject.toml").read_text())
    extra = project["project"]["optional-dependencies"]["faststream"]
    return next(r for r in map(Requirement, extra) if r.name == "faststream")


def lowest() -> str:
    return next(s.version for s in faststream_range().specifier if s.operator == ">=")


def test_the_extra_allows_a_range_of_faststream_and_both_ends_are_tested():
    spec = faststream_range().specifier
    assert {"nats", "cli"} <= faststream_range().extras
    assert Version(lowest()) < Version(HIGHEST), "a range, not a pin"
    assert spec.contains(lowest()) and spec.contains(HIGHEST)
    assert not spec.contains("0.8.0")  # the next minor may break the kit: allowed once tested


@pytest.fixture(scope="module", params=["lowest", "highest"])
def team(request, tmp_path_factory) -> tuple[Path, str]:
    """A team's own folder and virtual environment, outside the repository, made with the
    page's commands; FastStream held at one end of the range the extra allows."""
    wanted = lowest() if request.param == "lowest" else HIGHEST
    folder = tmp_path_factory.mktemp(f"team-faststream-{wanted}")
    assert ROOT not in folder.parents
    env = outside_env(TEAM=str(folder))
    sh(step('uv build --package shegong-events --wheel --out-dir "$TEAM/dist"'), env)
    sh(step('uv venv --python 3.11 "$TEAM/venv"'), env)
    install = step(
        'uv pip install --python "$TEAM/venv" '
        '"$TEAM/dist/shegong_events-0.1.0-py3-none-any.whl[faststream]"'
    )
    sh(f'{install} "faststream[nats,cli]=={wanted}"', env)
    sh(step('cp tests/integrators/outside/meetings.py "$TEAM/"'), env)
    return folder, wanted


RUN = "venv/bin/python meetings.py meetings.jsonl team-meetings"


class Subscriber:
    """meetings.py in the team's folder and interpreter, with nothing of the workspace."""

    def __init__(self, folder: Path, stack: RunningStack, durable: str, *flags: str):
        step("export SHEGONG_NATS_ENV_FILE=$PWD/.state/nats/integrator.env")
        argv = step(RUN).split()[:-1] + [durable, *flags]
        self.log = folder / f"{durable}.log"
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                argv,
                cwd=folder,
                env=outside_env(SHEGONG_NATS_ENV_FILE=str(stack.integrator_env)),
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def said(self, text: str) -> bool:
        assert self.proc.poll() is None, self.log.read_text(errors="replace")[-3000:]
        return text in self.log.read_text(errors="replace")

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(30)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(30)


def lines(out: Path) -> list[dict]:
    if not out.exists():
        return []
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


async def consumer(stack: RunningStack, durable: str):
    """The durable consumer as the integrator sees it, and how many meetings the stream holds."""
    nc = await nats.connect(
        stack.nats_url,
        user=nats_auth.INTEGRATOR,
        password=stack.password(nats_auth.INTEGRATOR),
    )
    try:
        js = nc.jetstream()
        info = await js.consumer_info("SW_ENGAGEMENT", durable)
        stream = await js.stream_info("SW_ENGAGEMENT", subjects_filter=MEETINGS)
        return info, sum((stream.state.subjects or {}).values())
    finally:
        await nc.close()


async def settled(stack: RunningStack, durable: str, out: Path) -> bool:
    """Everything delivered and acknowledged, and one handled line per meeting in the stream."""
    info, held = await consumer(stack, durable)
    handled = [line for line in lines(out) if line["outcome"] == "handled"]
    return info.num_pending == 0 and info.num_ack_pending == 0 and len(handled) >= held


@pytest.mark.timeout(600)
async def test_a_subscriber_installed_from_the_wheel_follows_the_meetings_as_the_integrator(
    team, stack
):
    folder, wanted = team
    durable = f"{RUN.split()[-1]}-{wanted.replace('.', '-')}"
    out = folder / RUN.split()[2]
    new = [f"team-{wanted.replace('.', '')}-{n}" for n in (1, 2)]

    # 1. the first start: the whole history, one meeting failing once
    first = Subscriber(folder, stack, durable, "--fail-once", next(iter(DEMO)))
    await eventually(lambda: first.said(f"subscribed with faststream {wanted}"), timeout=60)
    await eventually(lambda: settled(stack, durable, out), timeout=60)
    assert first.stop() == 0
    seen = lines(out)
    handled = {line["meeting_id"]: line for line in seen if line["outcome"] == "handled"}
    for meeting_id, (station, participants) in DEMO.items():
        assert handled[meeting_id]["station_id"] == station
        assert handled[meeting_id]["participants"] == participants
    assert all(line["typed"] and line["type"] == "MeetingHeld" for line in seen)
    failed = [line["meeting_id"] for line in seen if line["outcome"] == "failed"]
    assert failed == [next(iter(DEMO))]  # failed once, delivered again, then handled
    before = len(seen)

    # 2. two meetings held while the team's process is down; the next one dies in a handler
    stack.hold_meeting("xigu-fulilu", new[0], 12)
    stack.hold_meeting("honggu-haishiwan", new[1], 15)
    second = Subscriber(folder, stack, durable, "--hang-on", new[1])
    await eventually(
        lambda: (
            {line["meeting_id"]: line["outcome"] for line in lines(out)[before:]}
            == {new[0]: "handled", new[1]: "hanging"}
        ),
        timeout=60,
    )

    async def only_the_hanging_one_unacknowledged() -> bool:
        info, _ = await consumer(stack, durable)
        return info.num_pending == 0 and info.num_ack_pending == 1

    await eventually(only_the_hanging_one_unacknowledged, timeout=30)
    info, _ = await consumer(stack, durable)
    assert info.config.ack_wait == 10  # meetings.py's ack_wait_s: the redelivery comes after it
    second.kill()

    # 3. a clean restart: the meeting whose handler never returned comes again, nothing else
    third = Subscriber(folder, stack, durable)
    await eventually(lambda: settled(stack, durable, out), timeout=90)
    assert third.stop() == 0
    after = lines(out)[before:]
    assert [
        (line["meeting_id"], line["pid"]) for line in after if line["outcome"] == "handled"
    ] == [
        (new[0], second.proc.pid),
        (new[1], third.proc.pid),  # the killed handler's meeting, in the next process
    ]
    assert {line["meeting_id"] for line in after if line["outcome"] == "hanging"} == {new[1]}
    assert after[-1]["participants"] == 15 and after[-1]["station_id"] == "honggu-haishiwan"
    every = [line["event_id"] for line in lines(out) if line["outcome"] == "handled"]
    assert len(every) == len(set(every))  # nothing handled twice
