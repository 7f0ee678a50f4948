"""The dashboard's pages, from the same dicts the JSON API answers with."""

from __future__ import annotations

from datetime import date

from shegong_stations import labels
from shegong_stations.completeness import DIMENSIONS
from shegong_stations.web.html import bar, card, cards, esc, href, link, page, section, table, tag

HOME = "/dashboard"


def nav(who_label: str, extra: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    return [
        ("全部站点", HOME),
        *(extra or []),
        ("一周掠影", f"{HOME}/roundup"),
        (f"退出（{who_label}）", f"{HOME}/signout"),
    ]


def day_form(action: str, on: date) -> str:
    return (
        f'<form class="inline" method="get" action="{esc(action)}">'
        f'<label>查看日期<input type="date" name="on" value="{on.isoformat()}"></label>'
        '<button type="submit">查看</button></form>'
    )


def alarm(label: str, value: int, test_id: str) -> str:
    """A count that should be zero: the card turns to a warning as soon as it is not."""
    return card(label, value, warn=value > 0, test_id=test_id)


def month_meetings(f: dict) -> int:
    return sum(k["meetings"] for k in f["meetings"]["this_month"].values())


def headline(f: dict) -> str:
    month_people = sum(k["participants"] for k in f["meetings"]["this_month"].values())
    return cards(
        [
            card("困难家庭（户）", f["households"]["total"], test_id="households"),
            card("本周走访（户次）", f["visits"]["this_week"], test_id="visits-week"),
            card("本月走访（户次）", f["visits"]["this_month"], test_id="visits-month"),
            alarm("逾期未访（户）", f["visits"]["overdue"], "overdue"),
            card("未结需求（项）", f["needs"]["open"], test_id="needs-open"),
            alarm("紧急需求（项）", f["needs"]["urgent"], "needs-urgent"),
            card("社区社会组织（家）", f["organisations"]["total"], test_id="organisations"),
            card("本月活动（场）", month_meetings(f), test_id="meetings-month"),
            card("本月参与（人次）", month_people, test_id="participants-month"),
            card("未完成待办（项）", f["action_items"]["open"], test_id="actions-open"),
            alarm("逾期待办（项）", f["action_items"]["overdue"], "actions-overdue"),
            card("志愿者（名）", f["volunteers"]["enrolled"], test_id="volunteers"),
            card(
                "本月服务时长（小时）",
                f"{f['volunteers']['hours_this_month']:g}",
                test_id="hours-month",
            ),
        ]
    )


def counts(title: str, table_words: dict[str, str], counted: dict[str, int]) -> str:
    order = list(table_words)
    rows = sorted(
        counted.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else 99, kv[0])
    )
    return f"<h3>{esc(title)}</h3>" + table(
        [title, "数量"], [(labels.word(table_words, k), v) for k, v in rows], numeric=[1]
    )


def detail(f: dict) -> str:
    kinds = sorted(
        set(f["meetings"]["total"]) | set(f["meetings"]["this_month"]),
        key=lambda k: list(labels.MEETING_KIND).index(k) if k in labels.MEETING_KIND else 99,
    )
    meeting_rows = [
        (
            labels.word(labels.MEETING_KIND, k),
            f["meetings"]["this_month"].get(k, {}).get("meetings", 0),
            f["meetings"]["this_month"].get(k, {}).get("participants", 0),
            f["meetings"]["total"].get(k, {}).get("meetings", 0),
            f["meetings"]["total"].get(k, {}).get("participants", 0),
        )
        for k in kinds
    ]
    v = f["volunteers"]
    return (
        section(
            "困难家庭",
            counts("类别", labels.CATEGORY, f["households"]["by_category"])
            + counts("风险等级", labels.RISK_TIER, f["households"]["by_risk_tier"]),
            "households",
        )
        + section(
            "需求",
            counts("未结需求按严重程度", labels.SEVERITY, f["needs"]["by_severity"]),
            "needs",
        )
        + section(
            "社区社会组织",
            counts("备案状态", labels.ORG_STATUS, f["organisations"]["by_status"]),
            "organisations",
        )
        + section(
            "会议与活动",
            table(
                ["类别", "本月场次", "本月人次", "累计场次", "累计人次"],
                meeting_rows,
                numeric=[1, 2, 3, 4],
            ),
            "meetings",
        )
        + section(
            "议事待办",
            table(
                ["未完成", "其中逾期", "已完成"],
                [
                    (
                        f["action_items"]["open"],
                        f["action_items"]["overdue"],
                        f["action_items"]["done"],
                    )
                ],
                numeric=[0, 1, 2],
            ),
            "actions",
        )
        + section(
            "志愿者",
            table(
                ["在册志愿者", "本月服务时长（小时）", "累计服务时长（小时）", "时长证明"],
                [
                    (
                        v["enrolled"],
                        f"{v['hours_this_month']:g}",
                        f"{v['hours_total']:g}",
                        v["certificates"],
                    )
                ],
                numeric=[0, 1, 2, 3],
            ),
            "volunteers",
        )
    )


def urgent_table(needs: list[dict], names: dict[str, str] | None = None) -> str:
    headers = (["站点"] if names else []) + [
        "家庭编号",
        "需求类别",
        "状态",
        "发现日期",
        "已持续（天）",
    ]
    rows = [
        ([names.get(n["station_id"], n["station_id"])] if names else [])
        + [
            n["household_id"],
            labels.word(labels.NEED_CATEGORY, n["category"]),
            labels.word(labels.NEED_STATUS, n["status"]),
            n["identified_on"].isoformat(),
            n["days_open"],
        ]
        for n in needs
    ]
    return table(headers, rows, numeric=[len(headers) - 1])


def evaluation_block(e: dict | None) -> str:
    if not e:
        return '<p class="muted">暂无评估记录</p>'
    head = f"{e['period']}年{labels.word(labels.EVALUATION_KIND, e['kind'])} · {e['evaluated_on'].isoformat()} · {e['reviewer']}"
    flag = " " + tag("表现优秀", ok=True) if e["exemplary"] else ""
    rows = [(labels.word(labels.DIMENSION, d), f"{e['scores'].get(d, 0):g}") for d in DIMENSIONS]
    rows.append(("平均", f"{e['average']:g}"))
    return f'<p data-testid="evaluation">{esc(head)}{flag}</p>' + table(
        ["维度", "得分"], rows, numeric=[1]
    )


def completeness_block(c: dict) -> str:
    rows = []
    for dim in DIMENSIONS:
        d = c[dim]
        checks = "；".join(
            f"{k['label']} {k['done']}/{k['of']}" for k in d["checks"] if k["of"]
        ) or (d["note"] or "暂无可核对的记录")
        rows.append((labels.word(labels.DIMENSION, dim), bar(d["score"]), checks))
    return table(["评估维度", "完整度", "依据"], rows, raw=[1])


def lag_block(lag: list[dict]) -> str:
    pending = sum(r["pending"] for r in lag)
    state = tag("已同步", ok=True) if pending == 0 else tag(f"待处理 {pending} 条事件")
    rows = [
        (r["domain"], r["consumer"], r["pending"], r["applied"], r["dead_lettered"]) for r in lag
    ]
    return f'<p data-testid="lag">数据同步：{state}</p>' + table(
        ["事件流", "消费者", "待处理", "本进程已处理", "死信"], rows, numeric=[2, 3, 4]
    )


def station_page(summary: dict, lag: list[dict], who_label: str, district_visible: bool) -> str:
    st, f = summary["station"], summary["figures"]
    extra = (
        [(st["district_name"], f"{HOME}/districts/{st['district_id']}")] if district_visible else []
    )
    body = (
        f'<p class="muted">{esc(st["city"])} · {esc(st["district_name"])} · {esc(st["street"])} · 数据日期 {summary["on"].isoformat()}</p>'
        + day_form(f"{HOME}/stations/{st['station_id']}", summary["on"])
        + section("概况", headline(f), "overview")
        + section("紧急需求", urgent_table(summary["urgent_needs"]), "urgent")
        + detail(f)
        + section("最新评估", evaluation_block(summary["evaluation"]), "evaluation")
        + section("文书完整度", completeness_block(summary["completeness"]), "completeness")
    )
    return page(st["name"], body, nav(who_label, extra), lag_block(lag))


def station_rows(parts: list[dict], on: date) -> str:
    rows = []
    for p in parts:
        st, f = p["station"], p["figures"]
        rows.append(
            (
                link(f"{HOME}/stations/{st['station_id']}", st["name"], on=on.isoformat()),
                esc(st["district_name"]),
                f["households"]["total"],
                f["visits"]["this_week"],
                f["visits"]["overdue"],
                f["needs"]["open"],
                f["needs"]["urgent"],
                month_meetings(f),
                f["volunteers"]["enrolled"],
            )
        )
    return table(
        [
            "站点",
            "区",
            "困难家庭",
            "本周走访",
            "逾期未访",
            "未结需求",
            "紧急需求",
            "本月活动",
            "志愿者",
        ],
        rows,
        numeric=[2, 3, 4, 5, 6, 7, 8],
        raw=[0, 1],
    )


def list_page(
    total: dict,
    parts: list[dict],
    districts: list[tuple[str, str]],
    lag: list[dict],
    who_label: str,
    on: date,
) -> str:
    district_links = " ".join(
        link(f"{HOME}/districts/{d}", name, on=on.isoformat()) for d, name in districts
    )
    body = (
        day_form(HOME, on)
        + (f"<p>区：{district_links}</p>" if district_links else "")
        + section("合计", headline(total["figures"]), "overview")
        + section("站点", station_rows(parts, on), "stations")
    )
    return page("社工站看板", body, nav(who_label), lag_block(lag))


def comparison(parts: list[dict]) -> str:
    rows = []
    for p in parts:
        e = p["evaluation"]
        cells = [esc(p["station"]["name"])]
        cells += [bar(p["completeness"][d]["score"]) for d in DIMENSIONS]
        cells.append(
            esc(f"{e['average']:g}" + ("（优秀）" if e["exemplary"] else ""))
            if e
            else '<span class="muted">未评估</span>'
        )
        rows.append(cells)
    headers = ["站点", *(labels.word(labels.DIMENSION, d) for d in DIMENSIONS), "最新评估均分"]
    return table(headers, rows, raw=list(range(len(headers))))


def district_page(rollup: dict, lag: list[dict], who_label: str) -> str:
    scope, on = rollup["scope"], rollup["on"]
    names = {p["station"]["station_id"]: p["station"]["name"] for p in rollup["stations"]}
    ev = rollup["evaluations"]
    averages = "；".join(
        f"{labels.word(labels.DIMENSION, d)} {v:g}" for d, v in ev["average_scores"].items()
    )
    body = (
        f'<p class="muted">{esc(scope["city"])} · {esc(scope["name"])} · 数据日期 {on.isoformat()}</p>'
        + day_form(f"{HOME}/districts/{scope['district_id']}", on)
        + f"<p>{link(f'{HOME}/roundup', '本区一周掠影', district=scope['district_id'], end=on.isoformat())}</p>"
        + section("合计", headline(rollup["figures"]), "overview")
        + section("站点", station_rows(rollup["stations"], on), "stations")
        + section("紧急需求", urgent_table(rollup["urgent_needs"], names), "urgent")
        + section(
            "互学交流：文书完整度与评估",
            comparison(rollup["stations"])
            + f'<p class="muted">已评估 {ev["evaluated"]}/{ev["stations"]} 个站点{"；各维度均分：" + esc(averages) if averages else ""}</p>',
            "comparison",
        )
        + detail(rollup["figures"])
    )
    return page(f"{scope['name']}社工站", body, nav(who_label), lag_block(lag))


def roundup_page(
    article: str, scopes: list[tuple[str, str]], chosen: str, start: date, end: date, who_label: str
) -> str:
    options = "".join(
        f'<option value="{esc(value)}"{" selected" if value == chosen else ""}>{esc(text)}</option>'
        for value, text in scopes
    )
    form = (
        f'<form class="inline" method="get" action="{HOME}/roundup">'
        f'<label>范围<select name="district">{options}</select></label>'
        f'<label>起<input type="date" name="start" value="{start.isoformat()}"></label>'
        f'<label>止<input type="date" name="end" value="{end.isoformat()}"></label>'
        '<button type="submit">生成</button></form>'
    )
    md = f'<p><a href="{href(f"{HOME}/roundup.md", district=chosen, start=start.isoformat(), end=end.isoformat())}">下载 Markdown</a></p>'
    return page("一周掠影", form + article + md, nav(who_label))


def message_page(title: str, text: str, status_hint: str = "") -> str:
    body = f"<p>{esc(text)}</p>" + (
        f'<p class="muted">{esc(status_hint)}</p>' if status_hint else ""
    )
    return page(title, body, [("全部站点", HOME)])
