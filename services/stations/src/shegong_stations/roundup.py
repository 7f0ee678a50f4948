"""The weekly roundup (一周掠影), written from events alone in the manner of the source document:
a lead, then a section per kind of work naming the stations, with counts and participants."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from shegong_events.glossary import EVALUATION_KIND, MEETING_NOUN, PARTICIPANT_ROLE, POLICY, word

from shegong_stations.periods import Span, chinese_day, chinese_span
from shegong_stations.queries.roundup_facts import Facts

MEETING_SECTIONS = (
    ("resident_deliberation", "社区治理——“居民议事 治理协商”"),
    ("joint_meeting", "社会组织培育——联席共商 规范备案"),
    ("peer_exchange", "互学交流共成长"),
    ("volunteer_workshop", "志愿者共学坊——实务能力提升"),
    ("other", "其他活动"),
)
ENDINGS = ("会", "会议", "坊", "活动", "交流")  # a title that already says what it was


@dataclass(frozen=True)
class Mention:
    """A station named in a section, with what it did; for the JSON answer and for tests."""

    station_id: str
    station: str
    what: str
    on: date | None = None
    count: int | None = None
    participants: int | None = None


@dataclass
class Section:
    kind: str
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)


@dataclass
class Roundup:
    scope: str  # 兰州市, 城关区
    span: Span
    lead: str
    sections: list[Section]
    totals: dict[str, int] = field(default_factory=dict)  # Facts.totals: what the month adds up

    @property
    def title(self) -> str:
        return f"{self.scope}社会工作{'一周掠影' if self.span.days == 7 else '掠影'}"

    @property
    def subtitle(self) -> str:
        return f"{chinese_span(self.span)} · 据各社工站记录生成"


def joined(items: list[str]) -> str:
    """a、b及c, as the source lists participants."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return "、".join(items[:-1]) + "及" + items[-1]


def listed(items: list[str]) -> str:
    return "、".join(i for i in items if i)


def build(scope: str, span: Span, names: dict[str, str], facts: Facts) -> Roundup:
    """`names`: every station's name by id (a peer exchange may name a station outside the scope)."""
    sections = []
    if facts.visits:
        sections.append(_visits(span, names, facts))
    for kind, heading in MEETING_SECTIONS:
        meetings = [m for m in facts.meetings if m["kind"] == kind]
        if meetings or (kind == "joint_meeting" and facts.filings):
            sections.append(_meetings(kind, heading, meetings, names, facts))
    if facts.volunteers:
        sections.append(_volunteers(names, facts))
    if facts.evaluations:
        sections.append(_evaluations(names, facts))
    return Roundup(scope, span, _lead(scope, span, facts), sections, facts.totals())


def _lead(scope: str, span: Span, facts: Facts) -> str:
    done = []
    visits = sum(v["visits"] for v in facts.visits)
    if visits:
        done.append(f"开展困难群众入户走访{visits}户次")
    needs = sum(facts.needs.values())
    if needs:
        done.append(f"排摸需求{needs}项")
    held = []
    for kind, _ in MEETING_SECTIONS:
        n = sum(1 for m in facts.meetings if m["kind"] == kind)
        if n and kind != "volunteer_workshop":
            held.append(f"{MEETING_NOUN[kind]}{n}场")
    if held:
        done.append(f"召开{listed(held)}")
    workshops = sum(1 for m in facts.meetings if m["kind"] == "volunteer_workshop")
    if workshops:
        done.append(f"举办共学坊{workshops}场")
    filed = sum(f["filed"] for f in facts.filings)
    if filed:
        done.append(f"受理社区社会组织备案申请{filed}件")
    if not done:
        return f"{chinese_span(span)}，{scope}各社工站暂无记录的工作。"
    people = sum(m["participants"] or 0 for m in facts.meetings)
    tail = f"，各项活动共计{people}人次参与" if people else ""
    return f"{chinese_span(span)}，{scope}乡镇（街道）社工站{listed(done)}{tail}。"


def _visits(span: Span, names: dict[str, str], facts: Facts) -> Section:
    section = Section("visits", "入户访民意，探访送真情")
    stations = [names.get(v["station_id"], v["station_id"]) for v in facts.visits]
    section.paragraphs.append(
        f"{chinese_span(span)}，{listed(stations)}开展入户走访、需求排摸和政策宣传活动，"
        "了解辖区困难群众生活现状和需求，开展政策宣传、心理疏导等精准服务。"
    )
    for v in facts.visits:
        sid, name = v["station_id"], names.get(v["station_id"], v["station_id"])
        visited = (
            f"{v['households']}户"
            if v["households"] == v["visits"]
            else f"{v['households']}户{v['visits']}户次"
        )
        parts = [f"{name}走访困难家庭{visited}"]
        if v["verifications"]:
            parts.append(f"其中入户核查{v['verifications']}户次")
        if v["calls"]:
            parts.append(f"电话回访{v['calls']}次")
        if v["briefings"]:
            order = list(POLICY)
            policies = sorted(
                facts.policies.get(sid, {}).items(),
                key=lambda p: (-p[1], order.index(p[0]) if p[0] in order else 99),
            )
            words = listed([word(POLICY, p) for p, _ in policies])
            parts.append(
                f"宣传{words}等政策{v['briefings']}户次"
                if words
                else f"开展政策宣传{v['briefings']}户次"
            )
        if v["counselling"]:
            parts.append(f"开展心理疏导{v['counselling']}次")
        if v["resource_linking"]:
            parts.append(f"链接资源{v['resource_linking']}次")
        if v["application_help"]:
            parts.append(f"协助申请{v['application_help']}次")
        if facts.needs.get(sid):
            parts.append(f"排摸需求{facts.needs[sid]}项")
        if v["volunteers"]:
            parts.append(f"志愿者参与{v['volunteers']}人次")
        section.paragraphs.append("，".join(parts) + "。")
        section.mentions.append(Mention(sid, name, "入户走访", count=v["visits"]))
    return section


def _meetings(
    kind: str, heading: str, meetings: list[dict], names: dict[str, str], facts: Facts
) -> Section:
    section = Section(kind, heading)
    for m in meetings:
        name = names.get(m["station_id"], m["station_id"])
        section.paragraphs.append(_meeting_paragraph(m, name, names, facts))
        section.mentions.append(
            Mention(
                m["station_id"],
                name,
                m["title"],
                on=m["on_date"],
                count=1,
                participants=m["participants"],
            )
        )
        model = m.get("model_station_id")
        if model and model != m["station_id"]:
            section.mentions.append(
                Mention(model, names.get(model, model), "学习典范", on=m["on_date"])
            )
    if kind == "joint_meeting":
        for f in facts.filings:
            name = names.get(f["station_id"], f["station_id"])
            text = f"{name}受理社区社会组织备案申请{f['filed']}件"
            if f["approved"]:
                text += f"，{f['approved']}家社区社会组织完成备案"
            section.paragraphs.append(text + "。")
            section.mentions.append(
                Mention(f["station_id"], name, "社区社会组织备案", count=f["filed"])
            )
    return section


def _meeting_paragraph(m: dict, host: str, names: dict[str, str], facts: Facts) -> str:
    kind, title = m["kind"], m["title"]
    organisers = [c["name"] for c in m["co_organisers"] if c.get("role") == "organiser"]
    partners = [c["name"] for c in m["co_organisers"] if c.get("role") != "organiser"]
    noun = MEETING_NOUN[kind]
    quoted = title.replace("“", "‘").replace("”", "’")
    event = f"“{quoted}”" if title.endswith(ENDINGS) else f"“{quoted}”{noun}"
    theme = f"以“{m['theme']}”为主题的" if m.get("theme") and m["theme"] not in title else ""
    verb = "开展了" if kind == "volunteer_workshop" else "召开了"
    model = m.get("model_station_id")
    if organisers:
        text = f"{chinese_day(m['on_date'])}，{listed(organisers)}组织{verb[:-1]}{theme}{event}"
        if partners:
            text += f"，{listed(partners)}协办"
        if model != m["station_id"]:
            text += f"，{host}承办"
    else:
        who = f"{host}联合{listed(partners)}" if partners else host
        text = f"{chinese_day(m['on_date'])}，{who}{verb}{theme}{event}"
    if model:
        praised = facts.exemplary.get(model)
        prefix = f"{word(EVALUATION_KIND, praised)}表现优秀的" if praised else ""
        text += f"，以{prefix}{names.get(model, model)}为学习典范"
    text += "。"
    groups = [g.get("label") or word(PARTICIPANT_ROLE, g["role"]) for g in m["participant_groups"]]
    if m["participants"]:
        verb_join = "参与" if kind == "volunteer_workshop" else "参加"
        text += f"{joined(groups)}共计{m['participants']}人{verb_join}。"
    elif groups:
        text += f"{joined(groups)}参加。"
    topics = [t["title"] for t in m["topics"]]
    if topics and kind == "volunteer_workshop":
        text += f"社工从{listed(topics)}等方面与参与者进行共学。"
    elif topics:
        text += f"会上围绕{listed(topics)}等问题交流讨论"
        text += f"，形成决议{m['resolutions']}项。" if m.get("resolutions") else "。"
    text += _outcomes(m["outcomes"])
    return text


def _outcomes(outcomes: list[dict]) -> str:
    """Methods the participants came up with, and the cautions stressed, as the source words them."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for o in outcomes:
        if o["kind"] in ("method", "caution"):
            grouped.setdefault((o["kind"], o.get("group") or ""), []).append(o["text"])
    text = ""
    for (kind, group), items in grouped.items():
        if kind == "method":
            text += f"大家提出了“{listed(items)}”{group or '等方式方法'}。"
        else:
            text += f"社工强调了{listed(items)}{group or '等注意事项'}。"
    return text


def _volunteers(names: dict[str, str], facts: Facts) -> Section:
    section = Section("volunteers", "志愿服务")
    for v in facts.volunteers:
        name = names.get(v["station_id"], v["station_id"])
        parts = []
        if v["enrolled"]:
            parts.append(f"新登记志愿者{v['enrolled']}名")
        if v["minutes"]:
            parts.append(f"志愿服务时长{round(v['minutes'] / 60, 1):g}小时")
        section.paragraphs.append(f"{name}{'，'.join(parts)}。")
        section.mentions.append(
            Mention(v["station_id"], name, "志愿服务", count=int(v["enrolled"]))
        )
    return section


def _evaluations(names: dict[str, str], facts: Facts) -> Section:
    section = Section("evaluations", "评估督导")
    for e in facts.evaluations:
        name = names.get(e["station_id"], e["station_id"])
        average = round(sum(e["scores"].values()) / len(e["scores"]), 1) if e["scores"] else None
        text = f"{chinese_day(e['evaluated_on'])}，{e['reviewer']}对{name}开展{word(EVALUATION_KIND, e['kind'])}"
        text += f"，平均得分{average:g}" if average is not None else ""
        text += "，表现优秀。" if e["exemplary"] else "。"
        section.paragraphs.append(text)
        section.mentions.append(
            Mention(
                e["station_id"],
                name,
                word(EVALUATION_KIND, e["kind"]),
                on=e["evaluated_on"],
            )
        )
    return section
