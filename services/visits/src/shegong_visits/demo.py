"""The source week's household visits (入户访民意，探访送真情), recorded through the HTTP API.

城关区青白石街道社工站 and 火车站街道社工站 visit 低保 families and left-behind and solitary
elderly: they study each household and plan the visits first, then, with volunteers, listen,
brief on 最低生活保障, 临时救助 and 特困人员供养 and how to apply, give counselling (心理疏导),
verify at home (入户核查) and link resources.

Every household, name, phone, address and ID number below is invented sample data (示例数据);
the ID numbers end in 0000 and are not valid.
"""

from __future__ import annotations

from typing import Any

from shegong_runtime.demo import Poster

QBS, HCZ = "chengguan-qingbaishi", "chengguan-huochezhan"
BRIEFING = {
    "kind": "policy_briefing",
    "policies": ["minimum_living_allowance", "temporary_assistance", "extreme_poverty_support"],
}
COUNSELLING = {"kind": "counselling"}
APPLICATION = {"kind": "application_help"}
LINKING = {"kind": "resource_linking"}

HOUSEHOLDS: list[dict[str, Any]] = [
    {
        "household_id": "demo-qbs-01",
        "station_id": QBS,
        "categories": ["minimum_living_allowance", "children_in_difficulty"],
        "community": "青白石示例社区",
        "head_name": "马秀兰（示例）",
        "phone": "13800000101",
        "address": "青白石街道示例小区1号楼",
        "id_number": "620102197803120000",
        "risk_tier": "key",
        "members": [
            {"member_id": "m1", "relation": "child", "birth_year": 2013, "name": "马小明（示例）"}
        ],
    },
    {
        "household_id": "demo-qbs-02",
        "station_id": QBS,
        "categories": ["left_behind_elderly"],
        "community": "青白石示例社区",
        "head_name": "杨德福（示例）",
        "phone": "13800000102",
        "address": "青白石街道示例村3组",
        "id_number": "620102194605200000",
        "risk_tier": "key",
        "members": [
            {"member_id": "m1", "relation": "spouse", "birth_year": 1948, "name": "李桂英（示例）"}
        ],
    },
    {
        "household_id": "demo-qbs-03",
        "station_id": QBS,
        "categories": ["solitary_elderly", "extreme_poverty_support"],
        "community": "青白石示例社区",
        "head_name": "张玉珍（示例）",
        "phone": "13800000103",
        "address": "青白石街道示例巷7号",
        "id_number": "620102193911080000",
        "risk_tier": "high",
    },
    {
        "household_id": "demo-hcz-01",
        "station_id": HCZ,
        "categories": ["minimum_living_allowance", "disability"],
        "community": "火车站示例社区",
        "head_name": "王建国（示例）",
        "phone": "13800000201",
        "address": "火车站街道示例路12号",
        "id_number": "620102196707150000",
        "risk_tier": "key",
        "members": [
            {"member_id": "m1", "relation": "spouse", "birth_year": 1969, "name": "刘淑芳（示例）"}
        ],
    },
    {
        "household_id": "demo-hcz-02",
        "station_id": HCZ,
        "categories": ["solitary_elderly"],
        "community": "火车站示例社区",
        "head_name": "赵文华（示例）",
        "phone": "13800000202",
        "address": "火车站街道示例院5号",
        "id_number": "620102194202030000",
        "risk_tier": "key",
    },
    {
        "household_id": "demo-hcz-03",
        "station_id": HCZ,
        "categories": ["left_behind_elderly", "temporary_assistance"],
        "community": "火车站示例社区",
        "head_name": "陈永福（示例）",
        "phone": "13800000203",
        "address": "火车站街道示例楼8单元",
        "id_number": "620102195012250000",
        "risk_tier": "general",
    },
]

# (household, social worker, day planned, day visited, mode, services, needs found, observations, follow-up)
VISITS: list[tuple[str, str, str, str, str, list, list, dict, str | None]] = [
    (
        "demo-qbs-01",
        "sw-qbs-01",
        "2024-03-18",
        "2024-03-19T09:30:00+08:00",
        "home_visit",
        [BRIEFING, APPLICATION, COUNSELLING],
        [{"category": "education", "severity": "medium", "member_id": "m1"}],
        {"health": "good", "mental_state": "attention", "living_conditions": "attention"},
        "2024-04-02",
    ),
    (
        "demo-qbs-02",
        "sw-qbs-02",
        "2024-03-18",
        "2024-03-19T15:00:00+08:00",
        "home_visit",
        [BRIEFING, COUNSELLING],
        [{"category": "care", "severity": "medium"}],
        {"health": "attention", "mental_state": "attention", "heating_safety": "good"},
        "2024-04-09",
    ),
    (
        "demo-qbs-03",
        "sw-qbs-01",
        "2024-03-18",
        "2024-03-20T10:00:00+08:00",
        "verification",
        [BRIEFING, COUNSELLING, LINKING],
        [{"category": "daily_living", "severity": "high"}],
        {"health": "attention", "gas_safety": "risk", "hygiene": "attention"},
        "2024-03-25",
    ),
    (
        "demo-hcz-01",
        "sw-hcz-01",
        "2024-03-19",
        "2024-03-20T09:00:00+08:00",
        "home_visit",
        [BRIEFING, APPLICATION, LINKING],
        [{"category": "medical", "severity": "high"}],
        {"health": "risk", "mental_state": "attention", "electricity_safety": "good"},
        "2024-03-27",
    ),
    (
        "demo-hcz-02",
        "sw-hcz-02",
        "2024-03-19",
        "2024-03-20T14:30:00+08:00",
        "home_visit",
        [BRIEFING, COUNSELLING],
        [{"category": "psychological", "severity": "medium"}],
        {"mental_state": "risk", "living_conditions": "good"},
        "2024-04-03",
    ),
    (
        "demo-hcz-03",
        "sw-hcz-01",
        "2024-03-19",
        "2024-03-21T10:00:00+08:00",
        "verification",
        [BRIEFING, APPLICATION],
        [{"category": "financial", "severity": "urgent"}],
        {"health": "good", "living_conditions": "risk"},
        "2024-03-24",
    ),
]
VOLUNTEERS = {QBS: ["vol-qbs-01", "vol-qbs-02"], HCZ: ["vol-hcz-01"]}
STATION_OF = {h["household_id"]: h["station_id"] for h in HOUSEHOLDS}


async def load(client: Poster) -> None:
    for h in HOUSEHOLDS:  # 在入户走访前，社工了解了服务对象的基本情况
        await client.post(
            "visits",
            "/households",
            {**h, "registered_at": "2024-03-18T08:30:00+08:00"},
            key=f"{h['household_id']}-register",
        )
    for hid, worker, planned, visited_at, mode, services, needs, observations, follow_up in VISITS:
        visit_id = f"{hid}-v1"
        path = f"/households/{hid}"
        await client.post(
            "visits",
            f"{path}/visits/scheduled",
            {  # 制定了入户走访的计划与时间
                "visit_id": visit_id,
                "scheduled_for": visited_at[:10],
                "social_worker_id": worker,
                "purposes": ["needs_assessment", "policy_briefing", "counselling"],
            },
            key=f"{visit_id}-plan-{planned}",
        )
        await client.post(
            "visits",
            f"{path}/visits",
            {
                "visit_id": visit_id,
                "visited_at": visited_at,
                "mode": mode,
                "social_worker_ids": [worker],
                "volunteer_ids": VOLUNTEERS[STATION_OF[hid]],
                "services": services,
                "observations": observations,
                "needs": needs,
                "next_follow_up_on": follow_up,
            },
            key=f"{visit_id}-record",
        )
    await _resource_linking(client)


async def _resource_linking(client: Poster) -> None:
    """资源整合: consent, then referral of the medical need; a fall raises a solitary elder to high."""
    hcz = "/households/demo-hcz-01"
    await client.post(
        "visits",
        f"{hcz}/consents",
        {"purpose": "referral", "given_by": "self", "granted_on": "2024-03-20"},
        key="demo-hcz-01-consent",
    )
    await client.post(
        "visits",
        f"{hcz}/needs/demo-hcz-01-v1-n1/referrals",
        {
            "agency": "火车站街道社区卫生服务中心",
            "agency_kind": "health",
            "referred_on": "2024-03-21",
        },
        key="demo-hcz-01-referral",
    )
    qbs = "/households/demo-qbs-03"
    await client.post(
        "visits",
        f"{qbs}/risk-tier",
        {
            "tier": "high",
            "reason": "health_decline",
            "major_change": True,
            "assigned_at": "2024-03-20T11:00:00+08:00",
        },
        key="demo-qbs-03-tier",
    )
    await client.post(
        "visits",
        f"{qbs}/legal-bases",
        {"purpose": "referral", "basis": "social_assistance_duty", "recorded_on": "2024-03-21"},
        key="demo-qbs-03-basis",
    )
    await client.post(
        "visits",
        f"{qbs}/needs/demo-qbs-03-v1-n1/referrals",
        {
            "agency": "青白石街道民政办",
            "agency_kind": "civil_affairs",
            "referred_on": "2024-03-21",
        },
        key="demo-qbs-03-referral",
    )
    await client.post(
        "visits",
        "/households/demo-hcz-03/follow-ups",
        {
            "follow_up_on": "2024-03-22",
            "social_worker_id": "sw-hcz-01",
            "need_id": "demo-hcz-03-v1-n1",
        },
        key="demo-hcz-03-follow-up",
    )
