"""The household ledger in Excel: the template, the export, the dry run's report per row, and
the import through the command path, idempotent per file and row."""

import io
import uuid
from datetime import date
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from shegong_events.calendar import local_date
from shegong_runtime.auth import Principal, Role
from shegong_runtime.commands import load
from shegong_runtime.service import runtime
from shegong_testing.fixtures import eventually
from shegong_testing.http import bearer, every, store_of
from shegong_visits import config
from shegong_visits.ledger import importer

SOURCE = f"lg-{uuid.uuid4().hex[:8]}"
EMPTY = f"lg-{uuid.uuid4().hex[:8]}"
SPARE = f"lg-{uuid.uuid4().hex[:8]}"
HALF = f"lg-{uuid.uuid4().hex[:8]}"
XLSX = {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
PERSONAL = ("head_name", "phone", "address", "id_number", "community", "categories", "risk_tier")


@pytest.fixture(scope="module")
async def visits(serve):
    async with serve(
        {SOURCE: "chengguan", EMPTY: "chengguan", SPARE: "xigu", HALF: "xigu"}
    ) as client:
        yield client


@pytest.fixture(scope="module")
def tokens(settings):
    return {
        "lead": bearer(settings, "station_lead", [SOURCE, EMPTY, SPARE, HALF], subject="zz-wang"),
        "worker": bearer(settings, "social_worker", [SOURCE, EMPTY, SPARE, HALF], subject="sw-li"),
        "district": bearer(settings, "district_officer", district="chengguan", subject="qu-mzj"),
    }


HOUSEHOLDS: list[dict[str, Any]] = [
    {
        "categories": ["minimum_living_allowance", "solitary_elderly"],
        "community": "台账社区",
        "head_name": "台账户主甲",
        "phone": "13800000011",
        "address": "兰州市城关区台账路1号",
        "id_number": "62010219500101011X",
        "members": [
            {"member_id": "m1", "relation": "spouse", "birth_year": 1952, "name": "台账配偶"}
        ],
        "risk_tier": "high",
        "tier_reason": "living_alone",
        "registered_at": "2024-03-05T09:00:00+08:00",
    },
    {
        "categories": ["children_in_difficulty"],
        "head_name": "台账户主乙",
        "members": [
            {"member_id": "m1", "relation": "grandchild", "birth_year": 2015, "name": "台账孙辈"},
            {"member_id": "m2", "relation": "child", "birth_year": 1985},
        ],
        "registered_at": "2024-03-06T10:00:00+08:00",
    },
    {
        "categories": ["disability"],
        "head_name": "台账户主丙",
        "phone": "0931-8888888",
        "risk_tier": "key",
        "registered_at": "2024-03-07T11:00:00+08:00",
    },
]


async def registered_at_source(visits, tokens):
    for i, h in enumerate(HOUSEHOLDS):
        r = await visits.post(
            "/households",
            json={"station_id": SOURCE, **h},
            headers={**tokens["worker"], "Idempotency-Key": f"{SOURCE}-{i}"},
        )
        assert r.status_code in (200, 201), r.text
    return await listed(visits, tokens, SOURCE, len(HOUSEHOLDS))


async def listed(visits, tokens, station, count):
    async def rows():
        found = await every(visits, "/households", {"station_id": station}, headers=tokens["lead"])
        return found if len(found) >= count else None

    return await eventually(rows)


async def people(visits, tokens, station, count):
    """What makes a household the same: its personal data, categories, tier, day and members."""
    out = []
    for row in await listed(visits, tokens, station, count):
        d = (await visits.get(f"/households/{row['household_id']}", headers=tokens["lead"])).json()
        members = sorted((m["relation"], m.get("name"), m["birth_year"]) for m in d["members"])
        state, _ = await load(store_of(visits.app), config.households(), row["household_id"])
        assert state.registered_at is not None
        day = local_date(state.registered_at)
        out.append((*(str(row[k]) for k in PERSONAL), day, tuple(members)))
    return sorted(out)


async def export(visits, headers, station):
    r = await visits.get("/ledger/households", params={"station_id": station}, headers=headers)
    assert r.status_code == 200, r.text
    return r.content


async def imported(visits, tokens, station, content):
    r = await visits.post(
        "/ledger/households/imports",
        params={"station_id": station},
        content=content,
        headers={**tokens["worker"], **XLSX},
    )
    assert r.status_code == 201, r.text

    async def finished():
        p = await visits.get(r.headers["Location"], headers=tokens["worker"])
        return p.json() if p.json()["status"] != "running" else None

    return await eventually(finished)


async def test_an_exported_ledger_dry_runs_clean_and_imports_into_an_empty_station_as_the_same_households(
    visits, tokens
):
    await registered_at_source(visits, tokens)
    content = await export(visits, tokens["lead"], SOURCE)
    ws = load_workbook(io.BytesIO(content))["家庭台账"]
    assert [c.value for c in ws[1]][:3] == ["家庭编号", "户主姓名", "联系电话"]
    assert ws.freeze_panes == "A2" and ws.column_dimensions["B"].width == 12
    assert all(isinstance(row[8].value, date) for row in ws.iter_rows(min_row=2))  # real dates
    assert "低保家庭、独居老人" in [c.value for c in ws["G"]]  # glossary words, not codes

    r = await visits.post(
        "/ledger/households/dry-run",
        params={"station_id": EMPTY},
        content=content,
        headers=XLSX | tokens["worker"],
    )
    report = r.json()
    assert r.status_code == 200 and report["problems"] == [] and report["clean"]
    assert report["rows"] == report["valid"] == 3 and report["existing"] == 0

    done = await imported(visits, tokens, EMPTY, content)
    assert (done["status"], done["rows_done"], done["rows_added"]) == ("done", 3, 3)
    assert await people(visits, tokens, EMPTY, 3) == await people(visits, tokens, SOURCE, 3)


async def test_importing_the_same_file_again_adds_nothing(visits, tokens):
    await registered_at_source(visits, tokens)
    content = await export(visits, tokens["lead"], SOURCE)
    first = await imported(visits, tokens, SPARE, content)
    again = await imported(visits, tokens, SPARE, content)
    assert (first["rows_added"], again["rows_added"], again["rows_repeated"]) == (3, 0, 3)
    assert len(await listed(visits, tokens, SPARE, 3)) == 3
    back_home = await imported(
        visits, tokens, SOURCE, content
    )  # an export read back where it came from
    assert (back_home["rows_added"], back_home["rows_existing"]) == (0, 3)


def ledger(*rows):
    wb = Workbook()
    ws = wb.active
    ws.title = "家庭台账"
    ws.append(["户主姓名", "联系电话", "身份证号", "家庭类别", "风险等级", "登记日期", "家庭成员"])
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


async def test_a_file_stopped_halfway_is_imported_again_and_only_the_rest_is_added(
    visits, tokens, monkeypatch
):
    content = ledger(
        *[(f"半途户主{i}", None, None, "其他", "一般", date(2024, 3, 1), None) for i in range(6)]
    )
    rt, import_id = runtime(visits.app), f"imp-half-{HALF}"
    digest = importer.file_hash(rt, content)
    real, calls = importer.send, []

    async def dying(*args, **kwargs):  # the connection is lost during the fourth row
        calls.append(1)
        if len(calls) == 4:
            raise ConnectionResetError("the database went away")
        return await real(*args, **kwargs)

    monkeypatch.setattr(importer, "send", dying)
    await rt.pool.execute(
        "INSERT INTO visits.ledger_imports (import_id, station_id, actor, actor_role, file_hash, "
        "file_bytes, rows_total, status) VALUES ($1, $2, 'sw-li', 'social_worker', $3, $4, 6, 'running')",
        import_id,
        HALF,
        digest,
        len(content),
    )
    worker = Principal("sw-li", Role.social_worker, frozenset({HALF}))
    with pytest.raises(ConnectionResetError):
        await importer.run(rt, worker, HALF, content, digest, import_id, uuid.uuid4())
    half = await rt.pool.fetchrow(
        "SELECT * FROM visits.ledger_imports WHERE import_id = $1", import_id
    )
    assert (half["status"], half["failure"]) == ("failed", "ConnectionResetError")
    assert 3 <= half["rows_added"] < 6  # the rows in flight beside the failed one finished
    listed_before = len(
        await every(visits, "/households", {"station_id": HALF}, headers=tokens["lead"])
    )
    monkeypatch.setattr(importer, "send", real)

    done = await imported(visits, tokens, HALF, content)
    assert (done["rows_added"], done["rows_repeated"]) == (
        6 - half["rows_added"],
        half["rows_added"],
    )
    names = sorted(r["head_name"] for r in await listed(visits, tokens, HALF, 6))
    assert names == [f"半途户主{i}" for i in range(6)] and listed_before <= half["rows_added"]


async def test_the_dry_run_answers_row_column_and_rule_in_chinese_and_a_bad_file_imports_nothing(
    visits, tokens
):
    content = ledger(
        (
            "合格户主",
            "13800000099",
            "620102195001010991",
            "低保家庭、残疾人",
            "重点",
            date(2024, 3, 1),
            "配偶 合格配偶 1950",
        ),
        (None, "call me", "12345", "失业家庭", "很高", "三月一日", "邻居 某某"),
        ("重复户主", None, "620102195001010991", "其他", None, "2024-03-02", None),
    )
    r = await visits.post(
        "/ledger/households/dry-run", content=content, headers=XLSX | tokens["worker"]
    )
    report = r.json()
    assert (report["rows"], report["valid"], report["clean"]) == (3, 1, False)
    found = {(p["row"], p["column"], p["rule"]) for p in report["problems"]}
    assert found == {
        (3, "户主姓名", "required"),
        (3, "联系电话", "phone_format"),
        (3, "身份证号", "id_number_format"),
        (3, "家庭类别", "unknown_value"),
        (3, "风险等级", "unknown_value"),
        (3, "登记日期", "date_format"),
        (3, "家庭成员", "member_format"),
        (4, "身份证号", "duplicate"),
    }
    messages = {(p["row"], p["column"]): p["message"] for p in report["problems"]}
    assert messages[(3, "家庭类别")].startswith("“失业家庭”不是可选的家庭类别，可选：低保家庭")
    assert messages[(4, "身份证号")] == "与第2行身份证号重复"

    r = await visits.post(
        "/ledger/households/imports",
        params={"station_id": SPARE},
        content=content,
        headers=XLSX | tokens["worker"],
    )
    assert r.status_code == 422 and r.json()["report"]["problem_count"] == 8
    rows = await every(visits, "/households", {"station_id": SPARE}, headers=tokens["lead"])
    assert "合格户主" not in {row.get("head_name") for row in rows}
    not_excel = await visits.post(
        "/ledger/households/dry-run", content=b"name,phone", headers=XLSX | tokens["worker"]
    )
    assert not_excel.status_code == 422 and not_excel.json()["errors"][0]["field"] == "body"


async def test_the_template_has_chinese_headers_and_the_glossary_as_allowed_values(visits, tokens):
    r = await visits.get("/ledger/households/template", headers=tokens["worker"])
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["家庭台账", "可选值", "填写说明"]
    assert [c.value for c in wb["家庭台账"][1]][1:3] == ["户主姓名", "联系电话"]
    allowed = {c.value for row in wb["可选值"].iter_rows() for c in row}
    assert {"低保家庭", "特困供养", "高风险", "重点", "一般", "配偶", "孙子女"} <= allowed
    report = (
        await visits.post(
            "/ledger/households/dry-run", content=r.content, headers=XLSX | tokens["worker"]
        )
    ).json()
    assert (report["rows"], report["clean"]) == (0, True)


async def test_exports_are_for_leads_and_bureaus_masked_for_bureaus_and_read_audited(
    visits, tokens
):
    await registered_at_source(visits, tokens)
    assert (
        await visits.get(
            "/ledger/households", params={"station_id": SOURCE}, headers=tokens["worker"]
        )
    ).status_code == 403  # an export of names needs its own right (not every worker's)
    content = await export(visits, tokens["district"], SOURCE)
    ws = load_workbook(io.BytesIO(content))["家庭台账"]
    phones = {row[2] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert "138****0011" in phones and "13800000011" not in phones
    audited = await runtime(visits.app).pool.fetch(
        "SELECT DISTINCT subject_id FROM visits.read_audit WHERE reader = 'qu-mzj' AND route = '/ledger/households' AND station_id = $1",
        SOURCE,
    )
    assert len(audited) == 3


async def test_every_import_is_audited_with_who_the_file_hash_and_the_rows(visits, tokens):
    rows = (
        await visits.get(
            "/ledger/households/imports", params={"station_id": SPARE}, headers=tokens["lead"]
        )
    ).json()["items"]
    assert rows and all(r["actor"] == "sw-li" and len(r["file_hash"]) == 64 for r in rows)
    assert {r["rows_total"] for r in rows} == {3}


async def test_a_ledger_may_be_larger_than_a_json_body_but_not_without_limit(visits, tokens):
    big = b"PK" + b"\0" * 1_500_000  # past the 1 MiB of a JSON body, within the upload limit
    r = await visits.post(
        "/ledger/households/dry-run", content=big, headers=XLSX | tokens["worker"]
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body"  # read, then refused
    r = await visits.post("/households", content=big, headers=tokens["worker"])
    assert r.status_code == 413
