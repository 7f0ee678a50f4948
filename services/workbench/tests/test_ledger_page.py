"""台账 in the workbench: the page for the roles allowed, and the template, dry run and
downloads reached through the same-origin proxy."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from .conftest import sign_in

WRITE = {"X-Workbench": "1", "Content-Type": "application/octet-stream"}


async def test_a_lead_gets_the_template_the_dry_run_and_the_downloads_through_the_workbench(
    stack, web
):
    await sign_in(web, "qingbaishi-zz")
    page = await web.get("/ledger")
    assert page.status_code == 200 and "下载模板" in page.text
    assert "/api/visits/ledger/households?station_id=chengguan-qingbaishi" in page.text
    assert "format=docx" in page.text and "/static/ledger.js" in page.text
    template = await web.get("/api/visits/ledger/households/template")
    assert load_workbook(io.BytesIO(template.content)).sheetnames[0] == "家庭台账"
    wb = Workbook()
    wb.active.append(["户主姓名", "家庭类别"])
    wb.active.append([None, "失业家庭"])
    out = io.BytesIO()
    wb.save(out)
    r = await web.post(
        "/api/visits/ledger/households/dry-run",
        params={"station_id": "chengguan-qingbaishi"},
        content=out.getvalue(),
        headers={**WRITE, "X-Workbench-Author": "qingbaishi-zz"},
    )
    assert r.status_code == 200, r.text
    assert {(p["row"], p["column"]) for p in r.json()["problems"]} == {
        (2, "户主姓名"),
        (2, "家庭类别"),
    }
    report = await web.get(
        "/api/stations/reports/monthly",
        params={"month": "2024-03", "station_id": "chengguan-qingbaishi", "format": "xlsx"},
    )
    assert report.status_code == 200 and report.content.startswith(b"PK")


async def test_a_social_worker_sees_no_household_export_link(stack, web):
    await sign_in(web, "qingbaishi-sg")
    page = await web.get("/ledger")
    assert page.status_code == 200 and "下载模板" in page.text
    assert "/api/visits/ledger/households?station_id=" not in page.text
