"""Station evaluations (中期评估): a score per dimension, reviewer, date and exemplary flag,
recorded once by the district bureau and listed per district."""

from shegong_testing.fixtures import eventually

SCORES = {
    "administration": 90,
    "finance": 88,
    "service_delivery": 95,
    "social_evaluation": 93,
    "publicity_innovation": 89,
}


def evaluation(**overrides):
    return {
        "kind": "midterm",
        "period": "2024",
        "scores": SCORES,
        "reviewer": "测试区民政局评估组",
        "evaluated_on": "2024-03-18",
        "exemplary": True,
        "summary": "表现优秀",
        "highlights": ["项目特色鲜明"],
    } | overrides


async def record(desk, body, station=None, token=None, key=None):
    return await desk.client.post(
        f"/stations/{station or desk.stations.a}/evaluations",
        json=body,
        headers={**(token or desk.tokens.officer_a), "Idempotency-Key": key or desk.new_id("key")},
    )


async def per_district(desk, district, token, **params):
    return await desk.client.get(f"/districts/{district}/evaluations", params=params, headers=token)


async def test_an_exemplary_midterm_evaluation_is_recorded_and_listed_for_its_district(desk):
    r = await record(desk, evaluation())
    assert r.status_code == 201, r.text
    assert r.json() | {"version": None} == {
        "evaluation_id": f"{desk.stations.a}-midterm-2024",
        "station_id": desk.stations.a,
        "version": None,
        "total": 91.0,
        "exemplary": True,
    }

    async def listed():
        rows = (
            await per_district(desk, desk.stations.district_a, desk.tokens.officer_a, period="2024")
        ).json()
        return rows["items"]

    [row] = await eventually(listed)
    assert (row["station_id"], row["station_name"], row["exemplary"], row["total"]) == (
        desk.stations.a,
        "测试街道社工站",
        True,
        91.0,
    )
    assert row["service_delivery"] == 95 and row["evaluated_on"] == "2024-03-18"
    assert row["highlights"] == ["项目特色鲜明"] and row["reviewer"] == "测试区民政局评估组"


async def test_an_evaluation_is_recorded_once_and_a_retry_is_not_a_second(desk):
    body, key = evaluation(period="2025", exemplary=False), desk.new_id("key")
    first, retry = await record(desk, body, key=key), await record(desk, body, key=key)
    assert (
        first.status_code == retry.status_code == 201
        and retry.headers["Idempotent-Replayed"] == "true"
    )
    again = await record(desk, body)
    assert (again.status_code, again.json()["rule"]) == (409, "EvaluationAlreadyRecorded")
    final = await record(desk, body | {"kind": "final"})
    assert final.status_code == 201


async def test_a_bad_evaluation_names_its_fields(desk):
    r = await record(desk, evaluation(scores=SCORES | {"finance": 120}, period="24", reviewer=""))
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"scores.finance", "period", "reviewer"}
    missing = await record(
        desk, evaluation(scores={k: v for k, v in SCORES.items() if k != "administration"})
    )
    assert [e["field"] for e in missing.json()["errors"]] == ["scores.administration"]


async def test_only_the_district_bureau_of_the_station_records_evaluations(desk):
    body = evaluation(period="2026")
    assert (await record(desk, body, token=desk.tokens.lead_a)).status_code == 403
    assert (await record(desk, body, token=desk.tokens.officer_b)).status_code == 403
    assert (
        await record(desk, body, station="st-never-opened", token=desk.tokens.admin)
    ).status_code == 422
    assert (await record(desk, body, token=desk.tokens.admin)).status_code == 201


async def test_district_lists_are_scoped_to_the_callers_district_and_stations(desk, settings):
    assert (
        await record(
            desk, evaluation(period="2027"), station=desk.stations.b, token=desk.tokens.admin
        )
    ).status_code == 201

    async def listed():
        return (
            await per_district(desk, desk.stations.district_b, desk.tokens.officer_b, period="2027")
        ).json()["items"]

    assert [r["station_id"] for r in await eventually(listed)] == [desk.stations.b]
    assert (
        await per_district(desk, desk.stations.district_b, desk.tokens.officer_a)
    ).status_code == 403
    worker_view = await per_district(desk, desk.stations.district_b, desk.tokens.worker_a)
    assert worker_view.status_code == 200 and worker_view.json()["items"] == []
    assert (
        await desk.client.get(f"/districts/{desk.stations.district_b}/evaluations")
    ).status_code == 401
