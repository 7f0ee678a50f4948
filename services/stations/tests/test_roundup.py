"""The weekly roundup (一周掠影), written from the events of the source week alone."""

from datetime import timedelta

from shegong_stations.periods import today
from shegong_testing.fixtures import eventually

WEEK = {"start": "2024-03-16", "end": "2024-03-22"}
STATIONS = [  # the six stations of the source document (DESIGN.md)
    ("chengguan-qingbaishi", "城关区青白石街道社工站"),
    ("chengguan-huochezhan", "城关区火车站街道社工站"),
    ("chengguan-caochangjie", "城关区草场街街道社工站"),
    ("chengguan-tieluxicun", "城关区铁路西村街道社工站"),
    ("honggu-haishiwan", "红古区海石湾镇社工站"),
    ("xigu-fulilu", "西固区福利路街道社工站"),
]


async def city_roundup(board, admin, **extra):
    r = await board.get("/roundup", params={**WEEK, **extra}, headers=admin)
    assert r.status_code == 200, r.text
    return r


async def roundup_is_complete(board, admin):
    """The whole week has reached the board: every station, every visit, the evaluation."""
    body = (await city_roundup(board, admin)).json()
    named = {m["station_id"] for s in body["sections"] for m in s["mentions"]}
    visits = {
        m["station_id"]: m["count"]
        for s in body["sections"]
        for m in s["mentions"]
        if s["kind"] == "visits"
    }
    ready = (
        {sid for sid, *_ in STATIONS} <= named
        and visits.get("chengguan-qingbaishi") == 3
        and visits.get("chengguan-huochezhan") == 3
        and "社区社会组织备案" in body["markdown"]
        and "表现优秀" in body["markdown"]
    )
    return body if ready else None


async def test_city_roundup_of_the_source_week_names_every_station_and_the_participants(
    board, admin, demo_week
):
    body = await eventually(lambda: roundup_is_complete(board, admin))
    assert body["title"] == "兰州市社会工作一周掠影"
    named = {m["station_id"] for s in body["sections"] for m in s["mentions"]}
    assert {sid for sid, *_ in STATIONS} <= named
    text = body["markdown"]
    for _, name, *_ in STATIONS:
        assert name in text
    demo = {sid for sid, *_ in STATIONS}  # other tests add stations of their own to the city
    participants = {
        s["kind"]: [
            m["participants"]
            for m in s["mentions"]
            if m["participants"] and m["station_id"] in demo
        ]
        for s in body["sections"]
    }
    assert participants["resident_deliberation"] == [20]
    assert participants["joint_meeting"] == [20]
    assert participants["volunteer_workshop"] == [27]
    assert "共计20人参加" in text and "共计27人参与" in text
    assert "“主动作为、有效沟通、敢于拒绝、产出成果、专业使命”五大方式" in text
    assert "以中期评估表现优秀的城关区草场街街道社工站为学习典范" in text


async def test_roundup_reads_the_same_as_markdown_and_as_html(board, admin, demo_week):
    await eventually(lambda: roundup_is_complete(board, admin))
    md = (await city_roundup(board, admin, format="markdown")).text
    html = (await city_roundup(board, admin, format="html")).text
    assert md.startswith("# 兰州市社会工作一周掠影\n")
    assert "## 社区治理——“居民议事 治理协商”" in md
    assert "<h1>兰州市社会工作一周掠影</h1>" in html
    assert html.count("<section") == md.count("\n## ")
    assert "大通路社区书记、社区楼院长、大通路社区居民代表及海石湾镇社工站人员共计20人参加" in md
    assert "大通路社区书记、社区楼院长、大通路社区居民代表及海石湾镇社工站人员共计20人参加" in html


async def test_district_roundup_covers_only_its_own_stations(board, token_for, demo_week, admin):
    await eventually(lambda: roundup_is_complete(board, admin))
    officer = token_for("district_officer", district="honggu")
    r = await board.get("/roundup", params={**WEEK, "district": "honggu"}, headers=officer)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["title"] == "红古区社会工作一周掠影"
    assert {m["station_id"] for s in body["sections"] for m in s["mentions"]} == {
        "honggu-haishiwan"
    }
    assert "西固区福利路街道社工站" not in body["markdown"]
    assert (await board.get("/roundup", params=WEEK, headers=officer)).status_code == 403
    other = await board.get("/roundup", params={**WEEK, "district": "xigu"}, headers=officer)
    assert other.status_code == 403


async def test_roundup_defaults_to_the_last_seven_days(board, admin):
    body = (await board.get("/roundup", headers=admin)).json()
    assert body["end"] == today().isoformat()
    assert body["start"] == (today() - timedelta(days=6)).isoformat()


async def test_a_roundup_that_ends_before_it_starts_names_the_field(board, admin):
    r = await board.get(
        "/roundup", params={"start": "2024-03-22", "end": "2024-03-16"}, headers=admin
    )
    assert r.status_code == 422
    assert r.json()["field"] == "start"


async def test_dashboard_offers_the_roundup_as_markdown_to_download(board, admin, demo_week):
    await eventually(lambda: roundup_is_complete(board, admin))
    r = await board.get("/dashboard/roundup.md", params={**WEEK, "district": "xigu"}, headers=admin)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/markdown")
    assert r.text.startswith("# 西固区社会工作一周掠影\n")
    assert "“春日茶话联席 共语美好未来”联席会议" in r.text and "共计20人参加" in r.text


async def test_the_roundup_as_a_word_document_reads_like_the_source_week(
    board, admin, demo_week, tmp_path
):
    """What a district bureau files and forwards: a .docx whose text is the roundup's."""
    import io
    from pathlib import Path

    from docx import Document

    await eventually(lambda: roundup_is_complete(board, admin))
    r = await city_roundup(board, admin, format="docx")
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument")
    assert "attachment" in r.headers["content-disposition"]
    doc = Document(io.BytesIO(r.content))
    artifacts = Path(__file__).resolve().parents[3] / "artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "roundup.docx").write_bytes(r.content)  # kept for a person to open
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[0] == "兰州市社会工作一周掠影"
    assert paragraphs[1].startswith("2024年3月16日") and "据各社工站记录生成" in paragraphs[1]
    assert doc.paragraphs[0].alignment == 1  # centred title
    title_run = doc.paragraphs[0].runs[0]
    size = title_run.font.size
    assert size is not None and size.pt == 22 and title_run.font.name == "方正小标宋简体"
    text = "\n".join(paragraphs)
    for _, name, *_ in STATIONS:
        assert name in text
    assert "共计20人参加" in text and "共计27人参与" in text
    assert "一、" in text and "二、" in text  # numbered sections, as a report numbers them
    md = (await city_roundup(board, admin, format="markdown")).text
    for heading in [line[3:] for line in md.splitlines() if line.startswith("## ")]:
        assert any(p.endswith(heading) for p in paragraphs), heading
    body = [p for p in doc.paragraphs[3:] if p.text]
    indents = [p.paragraph_format.first_line_indent for p in body]
    assert all(i is not None and i.pt == 32 for i in indents)  # two characters of 三号
    margin = doc.sections[0].top_margin
    assert margin is not None and round(margin.cm, 2) == 3.7
