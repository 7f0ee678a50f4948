"""A station's registry year: the station opened, community organisations filing (备案),
some returned and resubmitted, approved with the station's filing numbers, some growing into
volunteer teams (转型志愿服务队), a few deregistered; names and numbers claimed in `registers`
in the append transaction, as the organisation routes claim them."""

from __future__ import annotations

from typing import TypedDict

from shegong_events.registry import OrgCategory
from shegong_registry import registers
from shegong_registry.domain import organisation as org
from shegong_registry.domain.station import STATION, OpenStation

from cityyear.plan import DISTRICTS, Dice, Sizes, Station, Year
from cityyear.sink import HistoryKeys, Sink, Streams


class Target(TypedDict):
    """The fields every organisation command starts with."""

    station_id: str
    organisation_id: str


ACTIVITIES = [
    "合唱",
    "太极",
    "助老",
    "读书",
    "手工",
    "邻里守望",
    "楼院议事",
    "环保",
    "义剪",
    "书法",
]


class RegistryYear:
    def __init__(self, sink: Sink, keys: HistoryKeys, year: Year, seed: int) -> None:
        self.stations = Streams(STATION, sink, "history-registry")
        self.orgs = Streams(org.ORGANISATION, sink, "history-registry")
        self.keys, self.year, self.seed = keys, year, seed
        self.numbers: dict[tuple[str, int], int] = {}

    async def open(self, station: Station) -> None:
        dice = Dice(self.seed, "station", station.index)
        subject = f"station:{station.station_id}"
        await self.stations.run(
            station.station_id,
            OpenStation(
                station_id=station.station_id,
                name=station.name,
                city="兰州市",
                district_id=station.district_id,
                district_name=DISTRICTS[station.district_id],
                street=station.street,
                kind=station.kind,
                lead_sealed=await self.keys.seal(subject, dice.name()),
                contact_sealed=await self.keys.seal(subject, dice.phone()),
            ),
            station_id=station.station_id,
            at=self.year.at(self.year.start, 9),
        )

    async def organisations(self, station: Station, sizes: Sizes) -> list[str]:
        """Files the station's organisations; returns the volunteer teams' names."""
        dice, teams = Dice(self.seed, "orgs", station.index), []
        sid = station.station_id
        for n in range(sizes.organisations):
            oid = f"{sid}-org{n:03d}"
            subject = f"org-contact:{oid}"
            filed = dice.randint(0, 300)
            name = f"{dice.community()}{ACTIVITIES[n % len(ACTIVITIES)]}队{n:02d}"
            base: Target = {"station_id": sid, "organisation_id": oid}
            await self._step(
                oid,
                org.FileOrganisation(
                    **base,
                    name=name,
                    category=dice.literal(OrgCategory),
                    community=dice.community(),
                    responsible_person_sealed=await self.keys.seal(subject, dice.name()) or "",
                    responsible_phone_sealed=await self.keys.seal(subject, dice.phone()),
                    venue="社区党群服务中心",
                    members=dice.randint(8, 60),
                    activity_area=dice.community(),
                    charter_summary="组织居民开展活动，服务社区。",
                ),
                sid,
                filed,
            )
            day = filed + dice.randint(3, 20)
            if dice.random() < 0.25:
                await self._step(oid, org.ReturnFiling(**base, reasons=("章程不完整",)), sid, day)
                day += dice.randint(3, 15)
                await self._step(oid, org.Resubmit(**base, note="补正章程"), sid, day)
                day += dice.randint(2, 10)
            if day > 360 or dice.random() < 0.1:
                continue  # still pending review at the year's end
            year = self.year.day(day).year
            sequence = self.numbers.get((sid, year), 0) + 1
            self.numbers[(sid, year)] = sequence
            number = org.filing_number(sid, year, sequence)
            await self._step(
                oid, org.Approve(**base, filing_number=number), sid, day, (year, sequence)
            )
            if dice.random() < 0.5 and day < 340:
                day += dice.randint(10, 20)
                team = f"{name}志愿服务队"
                await self._step(
                    oid,
                    org.ConvertToVolunteerTeam(
                        **base, team_name=team, volunteers=dice.randint(8, 40), service_focus="助老"
                    ),
                    sid,
                    day,
                )
                teams.append(team)
            elif dice.random() < 0.1 and day < 350:
                await self._step(oid, org.Deregister(**base, reason="成员解散"), sid, day + 10)
        return teams

    async def _step(
        self,
        oid: str,
        command: org.Command,
        station_id: str,
        day: int,
        numbered: tuple[int, int] | None = None,
    ) -> None:
        await self.orgs.run(
            oid,
            command,
            station_id=station_id,
            at=self.year.at(self.year.day(min(day, 364)), 15),
            hook=lambda envelopes: lambda conn: registers.record(conn, envelopes, numbered),
        )

    def forget(self) -> None:
        self.stations.forget()
        self.orgs.forget()
