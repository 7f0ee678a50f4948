"""The dashboard's pages, from the same dicts the JSON API answers with: each function puts the
words and rows in order and hands them to its template."""

from __future__ import annotations

from datetime import date

from markupsafe import Markup
from shegong_events.glossary import (
    EVALUATION_DIMENSION,
    EVALUATION_KIND,
    HOUSEHOLD_CATEGORY,
    MEETING_KIND,
    NEED_CATEGORY,
    NEED_STATUS,
    ORG_STATUS,
    RISK_TIER,
    SEVERITY,
    UNASSESSED,
    word,
)

from shegong_stations.charts import Chart
from shegong_stations.web.templating import number, render

HOME = "/dashboard"
TIERS = {**RISK_TIER, "unassessed": UNASSESSED}


def nav(who_label: str, extra: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    return [
        ("全部站点", HOME),
        *(extra or []),
        ("一周掠影", f"{HOME}/roundup"),
        ("报表下载", f"{HOME}/downloads"),
        (f"工作台（{who_label}）", "/"),  # the workbench, through which the pages are opened
    ]


def in_order(table: dict[str, str], counted: dict[str, int]) -> list[tuple[str, int]]:
    """(word, count) in the order staff choose from the table; unknown codes last."""
    order = list(table)
    keys = sorted(counted, key=lambda k: (order.index(k) if k in order else 99, k))
    return [(word(table, k), counted[k]) for k in keys]


def detail(f: dict) -> dict:
    """The detail sections' rows: households, needs, filings, meetings, actions, volunteers."""
    this_month, total = f["meetings"]["this_month"], f["meetings"]["total"]
    kinds = sorted(set(total) | set(this_month), key=_kind_order)
    v, a = f["volunteers"], f["action_items"]
    return {
        "categories": in_order(HOUSEHOLD_CATEGORY, f["households"]["by_category"]),
        "tiers": in_order(TIERS, f["households"]["by_risk_tier"]),
        "severities": in_order(SEVERITY, f["needs"]["by_severity"]),
        "statuses": in_order(ORG_STATUS, f["organisations"]["by_status"]),
        "meetings": [
            (
                word(MEETING_KIND, k),
                this_month.get(k, {}).get("meetings", 0),
                this_month.get(k, {}).get("participants", 0),
                total.get(k, {}).get("meetings", 0),
                total.get(k, {}).get("participants", 0),
            )
            for k in kinds
        ],
        "actions": (a["open"], a["overdue"], a["done"]),
        "volunteers": (
            v["enrolled"],
            number(v["hours_this_month"]),
            number(v["hours_total"]),
            v["certificates"],
        ),
    }


def _kind_order(kind: str) -> tuple[int, str]:
    order = list(MEETING_KIND)
    return (order.index(kind) if kind in order else 99, kind)


def urgent(needs: list[dict], names: dict[str, str] | None = None) -> dict:
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
            word(NEED_CATEGORY, n["category"]),
            word(NEED_STATUS, n["status"]),
            n["identified_on"].isoformat(),
            n["days_open"],
        ]
        for n in needs
    ]
    return {"headers": headers, "rows": rows, "numeric": [len(headers) - 1]}


def evaluation(e: dict | None) -> dict | None:
    if not e:
        return None
    kind = word(EVALUATION_KIND, e["kind"])
    rows = [(name, number(e["scores"].get(d, 0))) for d, name in EVALUATION_DIMENSION.items()]
    return {
        "head": f"{e['period']}年{kind} · {e['evaluated_on'].isoformat()} · {e['reviewer']}",
        "exemplary": e["exemplary"],
        "rows": [*rows, ("平均", number(e["average"]))],
    }


def completeness(c: dict) -> list[tuple[str, float | None, str]]:
    """(dimension, score, the checks it rests on) for each dimension of the evaluation."""
    rows = []
    for dim, name in EVALUATION_DIMENSION.items():
        d = c[dim]
        grounds = "；".join(f"{k['label']} {k['done']}/{k['of']}" for k in d["checks"] if k["of"])
        rows.append((name, d["score"], grounds or d["note"] or "暂无可核对的记录"))
    return rows


def lag(rows: list[dict]) -> dict:
    return {
        "pending": sum(r["pending"] for r in rows),
        "rows": [
            (r["domain"], r["consumer"], r["pending"], r["applied"], r["dead_lettered"])
            for r in rows
        ],
    }


def station_page(
    summary: dict,
    pictures: list[Chart],
    lag_rows: list[dict],
    who_label: str,
    district_visible: bool,
) -> str:
    st, f = summary["station"], summary["figures"]
    extra = (
        [(st["district_name"], f"{HOME}/districts/{st['district_id']}")] if district_visible else []
    )
    return render(
        "station.html.j2",
        title=st["name"],
        nav=nav(who_label, extra),
        st=st,
        on=summary["on"],
        f=f,
        pictures=pictures,
        urgent=urgent(summary["urgent_needs"]),
        d=detail(f),
        e=evaluation(summary["evaluation"]),
        c=completeness(summary["completeness"]),
        l=lag(lag_rows),
    )


def list_page(
    total: dict,
    parts: list[dict],
    pictures: list[Chart],
    districts: list[tuple[str, str]],
    lag_rows: list[dict],
    who_label: str,
    on: date,
    next_page: str | None = None,
) -> str:
    return render(
        "list.html.j2",
        next_page=next_page,
        title="社工站看板",
        nav=nav(who_label),
        on=on,
        districts=districts,
        f=total["figures"],
        pictures=pictures,
        parts=parts,
        l=lag(lag_rows),
    )


def comparison(parts: list[dict]) -> list[dict]:
    rows = []
    for p in parts:
        e = p["evaluation"]
        average = number(e["average"]) + ("（优秀）" if e["exemplary"] else "") if e else None
        scores = [p["completeness"][d]["score"] for d in EVALUATION_DIMENSION]
        rows.append({"name": p["station"]["name"], "scores": scores, "average": average})
    return rows


def district_page(
    rollup: dict,
    pictures: list[Chart],
    lag_rows: list[dict],
    who_label: str,
    names: dict[str, str],
    next_page: str | None = None,
) -> str:
    """A district's totals over all its stations; the table and the comparison a page of them."""
    ev = rollup["evaluations"]
    averages = "；".join(
        f"{word(EVALUATION_DIMENSION, d)} {number(v)}" for d, v in ev["average_scores"].items()
    )
    return render(
        "district.html.j2",
        title=f"{rollup['scope']['name']}社工站",
        nav=nav(who_label),
        scope=rollup["scope"],
        on=rollup["on"],
        f=rollup["figures"],
        pictures=pictures,
        parts=rollup["items"],
        next_page=next_page,
        urgent=urgent(rollup["urgent_needs"], names),
        dimension_names=list(EVALUATION_DIMENSION.values()),
        comparison=comparison(rollup["items"]),
        evaluated=ev["evaluated"],
        station_count=ev["stations"],
        averages=averages,
        d=detail(rollup["figures"]),
        l=lag(lag_rows),
    )


def roundup_page(
    article: str, scopes: list[tuple[str, str]], chosen: str, start: date, end: date, who_label: str
) -> str:
    return render(
        "roundup_page.html.j2",
        title="一周掠影",
        nav=nav(who_label),
        article=Markup(article),  # rendered (and escaped) by its own template
        scopes=scopes,
        chosen=chosen,
        start=start,
        end=end,
    )


def message_page(title: str, text: str, hint: str = "") -> str:
    return render("message.html.j2", title=title, nav=[("全部站点", HOME)], text=text, hint=hint)
