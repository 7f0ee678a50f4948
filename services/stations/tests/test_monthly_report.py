"""The monthly statistics report (月度统计报表): March 2024 of the demo stations, reconciled with
the weekly roundups (一周掠影) of the same days, and its Excel and Word forms."""

import io
from datetime import date, timedelta
from functools import partial

import docx
from openpyxl import load_workbook
from shegong_stations.periods import Span, week_of
from shegong_testing.fixtures import eventually

from .test_roundup import roundup_is_complete

MARCH = {"month": "2024-03"}
SCOPES = [{}, {"district": "chengguan"}, {"district": "honggu"}, {"district": "xigu"}]


def weeks_of_march() -> list[Span]:
    """The roundup weeks (Monday to Sunday) that touch March 2024, clipped to the month."""
    first, last = date(2024, 3, 1), date(2024, 3, 31)
    spans, day = [], first
    while day <= last:
        week = week_of(day)
        spans.append(Span(max(week.start, first), min(week.end, last)))
        day = week.end + timedelta(days=1)
    return spans


async def month_and_weeks(board, admin, scope):
    """The month's report and the sum of its weeks' roundup totals, read while nothing moved."""
    month = (await board.get("/reports/monthly", params={**MARCH, **scope}, headers=admin)).json()
    summed: dict[str, int] = {}
    for span in weeks_of_march():
        r = await board.get(
            "/roundup",
            params={"start": str(span.start), "end": str(span.end), **scope},
            headers=admin,
        )
        assert r.status_code == 200, r.text
        for key, value in r.json()["totals"].items():
            summed[key] = summed.get(key, 0) + value
    again = (await board.get("/reports/monthly", params={**MARCH, **scope}, headers=admin)).json()
    return (month, summed) if month["figures"] == again["figures"] else None


async def test_march_2024_adds_up_with_the_weekly_roundups_of_its_days(board, admin, demo_week):
    await eventually(lambda: roundup_is_complete(board, admin))
    for scope in SCOPES:
        month, summed = await eventually(partial(month_and_weeks, board, admin, scope))
        figures = month["figures"]
        assert summed, scope
        for key, value in summed.items():
            assert figures.get(key, 0) == value, (scope, key, figures.get(key), value)
    city = (await board.get("/reports/monthly", params=MARCH, headers=admin)).json()
    figures = city["figures"]
    assert figures["visits.total"] >= 6 and figures["meetings.total"] >= 3
    assert figures["meetings.kind.volunteer_workshop"] >= 1
    assert figures["volunteers.hours"] == round(figures["volunteers.minutes"] / 60, 1)


async def test_each_figure_stands_beside_the_previous_month_and_the_change(board, admin, demo_week):
    await eventually(lambda: roundup_is_complete(board, admin))
    march = (await board.get("/reports/monthly", params=MARCH, headers=admin)).json()
    april = (await board.get("/reports/monthly", params={"month": "2024-04"}, headers=admin)).json()
    assert march["title"] == "兰州市社会工作月度统计报表" and march["period"] == "2024年3月"
    by_code = {r["code"]: r for r in march["rows"]}
    april_rows = {r["code"]: r for r in april["rows"]}
    visits = by_code["visits.total"]
    assert visits["label"] == "入户走访及回访" and visits["unit"] == "户次"
    assert april_rows["visits.total"]["previous"] == visits["current"]  # March is April's 上期
    # 环比 is (this - previous) / previous; with no previous month it is left blank (—)
    expected = (
        round(
            (april_rows["visits.total"]["current"] - visits["current"]) / visits["current"] * 100, 1
        )
        if visits["current"]
        else None
    )
    assert april_rows["visits.total"]["change_percent"] == expected
    assert visits["previous"] == 0 and visits["change_percent"] is None


async def test_the_report_downloads_as_a_workbook_and_a_word_document(board, admin, demo_week):
    await eventually(lambda: roundup_is_complete(board, admin))
    params = {**MARCH, "station_id": "chengguan-qingbaishi"}
    data = (await board.get("/reports/monthly", params=params, headers=admin)).json()
    r = await board.get("/reports/monthly", params={**params, "format": "xlsx"}, headers=admin)
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws["A1"].value == "城关区青白石街道社工站社会工作月度统计报表"
    assert [c.value for c in ws[3]] == ["序号", "指标", "单位", "本期", "上期", "环比（%）"]
    assert ws.freeze_panes == "A4"
    rows = {row[1]: row[3] for row in ws.iter_rows(min_row=4, values_only=True) if row[0]}
    visits = next(x for x in data["rows"] if x["code"] == "visits.total")
    assert rows["入户走访及回访"] == visits["current"] == 3
    w = await board.get("/reports/monthly", params={**params, "format": "docx"}, headers=admin)
    document = docx.Document(io.BytesIO(w.content))
    assert document.paragraphs[0].text == "城关区青白石街道社工站社会工作月度统计报表"
    cells = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert cells[0] == ["序号", "指标", "单位", "本期", "上期", "环比（%）"]
    assert any(row[1] == "入户走访及回访" and row[3] == "3" for row in cells)


async def test_a_station_reads_its_own_report_and_no_other(board, token_for, demo_week):
    worker = token_for("social_worker", stations=["chengguan-qingbaishi"])
    own = {**MARCH, "station_id": "chengguan-qingbaishi"}
    assert (await board.get("/reports/monthly", params=own, headers=worker)).status_code == 200
    other = {**MARCH, "station_id": "xigu-fulilu"}
    assert (await board.get("/reports/monthly", params=other, headers=worker)).status_code == 403
    assert (await board.get("/reports/monthly", params=MARCH, headers=worker)).status_code == 403
    bad = await board.get("/reports/monthly", params={"month": "2024-13"}, headers=worker)
    assert bad.status_code == 422


async def test_the_board_ledgers_download_with_frozen_headers_real_dates_and_chinese_words(
    board, admin, demo_week
):
    await eventually(lambda: roundup_is_complete(board, admin))
    week = {"start": "2024-03-16", "end": "2024-03-22", "station_id": "chengguan-qingbaishi"}
    r = await board.get("/reports/ledgers/visits", params=week, headers=admin)
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws.title == "走访台账" and ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]][:4] == ["社工站", "家庭编号", "走访日期", "方式"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 3 and all(isinstance(row[2], date) for row in rows)  # 3 visits that week
    assert {row[3] for row in rows} <= {"入户走访", "电话回访", "入户核查"}
    assert ws.column_dimensions["A"].width == 28
    for kind, title in [
        ("needs", "需求与转介台账"),
        ("meetings", "会议活动台账"),
        ("organisations", "社区社会组织台账"),
        ("volunteer_hours", "志愿服务时长台账"),
    ]:
        r = await board.get(
            f"/reports/ledgers/{kind}",
            params={"start": "2024-03-01", "end": "2024-03-31"},
            headers=admin,
        )
        assert r.status_code == 200, (kind, r.text)
        assert load_workbook(io.BytesIO(r.content)).active.title == title
    meetings = load_workbook(
        io.BytesIO(
            (
                await board.get(
                    "/reports/ledgers/meetings",
                    params={"start": "2024-03-01", "end": "2024-03-31"},
                    headers=admin,
                )
            ).content
        )
    ).active
    kinds = {row[2] for row in meetings.iter_rows(min_row=2, values_only=True)}
    assert {"居民议事会", "联席会议", "共学坊"} <= kinds


async def test_the_dashboard_lists_the_downloads_of_the_callers_scope_and_serves_them(
    board, token_for, demo_week
):
    worker = token_for("social_worker", stations=["chengguan-qingbaishi"])
    page = await board.get("/dashboard/downloads", params={"month": "2024-03"}, headers=worker)
    assert page.status_code == 200 and "报表下载" in page.text
    assert "城关区青白石街道社工站" in page.text and "西固区福利路街道社工站" not in page.text
    link = "/dashboard/downloads/monthly.xlsx?month=2024-03&amp;station_id=chengguan-qingbaishi"
    assert link in page.text
    r = await board.get(link.replace("&amp;", "&"), headers=worker)
    assert r.status_code == 200 and r.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    r = await board.get(
        "/dashboard/downloads/ledgers/meetings.xlsx",
        params={"month": "2024-03", "station_id": "xigu-fulilu"},
        headers=worker,
    )
    assert r.status_code == 403 and "无权查看" in r.text
    bad = await board.get("/dashboard/downloads", params={"month": "March"}, headers=worker)
    assert bad.status_code == 422
