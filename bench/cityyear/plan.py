"""The city being generated: its stations, their sizes and the year, all from one seed.

Every figure is a deterministic function of (seed, station index, end day), so two runs with
the same arguments produce the same facts; only event ids and ciphertexts differ (each event
is recorded when it happened in the year). Sizes follow one street station's year (乡镇（街道）社工站): about 1,200 households in
its care, 80 volunteers, a meeting a week, a dozen organisations and three staff in the
notifications directory, ~22,800 events.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, get_args

from shegong_events.registry import StationKind

DISTRICTS = {
    "chengguan": "城关区",
    "qilihe": "七里河区",
    "xigu": "西固区",
    "anning": "安宁区",
    "honggu": "红古区",
    "yuzhong": "榆中县",
    "gaolan": "皋兰县",
    "yongdeng": "永登县",
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红娥玲芬燕建国志明永"
COMMUNITIES = ["大通路", "福利东路", "合水路", "青白石", "火车站", "草场街", "铁路西村", "海石湾"]
STREETS = ["东岗西路", "庆阳路", "西津东路", "南昌路", "天水北路", "北滨河路", "金城关", "雁滩路"]


@dataclass(frozen=True)
class Year:
    """The generated year: 365 days ending on `end` (by default today, so overdue is real)."""

    end: date

    @property
    def start(self) -> date:
        return self.end - timedelta(days=364)

    def at(self, day: date, hour: int = 10, minute: int = 0) -> datetime:
        """A time of station day `day` (Beijing time, stored as UTC)."""
        local = datetime.combine(day, time(hour, minute))
        return (local - timedelta(hours=8)).replace(tzinfo=UTC)

    def day(self, offset: int) -> date:
        return self.start + timedelta(days=offset)


@dataclass(frozen=True)
class Sizes:
    """One station's year at scale 1; `scale` multiplies the counts (not the cadences), except
    the station's staff in the notifications directory (`recipients`: its lead and social
    workers), which a smaller station has as well."""

    households: int = 1200
    volunteers: int = 80
    meetings: int = 52
    organisations: int = 12
    recipients: int = 3

    def scaled(self, scale: float) -> Sizes:
        def s(n: int) -> int:
            return max(1, round(n * scale))

        return Sizes(
            s(self.households),
            s(self.volunteers),
            s(self.meetings),
            s(self.organisations),
            self.recipients,
        )


@dataclass(frozen=True)
class Station:
    index: int
    station_id: str
    district_id: str
    name: str
    street: str
    kind: StationKind


def stations(count: int) -> list[Station]:
    """`count` stations spread over the city's districts, ids stable for a given index."""
    out = []
    districts = list(DISTRICTS)
    for i in range(count):
        district = districts[i % len(districts)]
        street = STREETS[i % len(STREETS)]
        kind: StationKind = (
            "township" if district in ("yuzhong", "gaolan", "yongdeng") else "street"
        )
        out.append(
            Station(
                i,
                f"{district}-s{i:03d}",
                district,
                f"{DISTRICTS[district]}{street}{'镇' if kind == 'township' else '街道'}社工站{i:03d}",
                street,
                kind,
            )
        )
    return out


class Dice(random.Random):
    """A seeded random source with the picks the generators need."""

    def __init__(self, seed: int, *parts: object) -> None:
        super().__init__(f"{seed}:" + ":".join(map(str, parts)))

    def literal(self, kind: Any) -> Any:
        """One value of a `Literal[...]` type."""
        return self.choice(get_args(kind))

    def some(self, kind: Any, most: int = 2) -> list[Any]:
        values = list(get_args(kind))
        return self.sample(values, self.randint(1, min(most, len(values))))

    def name(self) -> str:
        return self.choice(SURNAMES) + "".join(self.choices(GIVEN, k=self.randint(1, 2)))

    def phone(self) -> str:
        return f"1{self.choice('3589')}{self.randint(0, 999999999):09d}"

    def id_number(self, birth_year: int) -> str:
        return f"6201{self.randint(10, 99)}{birth_year}{self.randint(101, 1228):04d}{self.randint(100, 999)}X"

    def community(self) -> str:
        return self.choice(COMMUNITIES) + "社区"
