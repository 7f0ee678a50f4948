"""The registry's part of the demo week, recorded through the HTTP API.

1. The six stations of the source document (DESIGN.md).
2. 3月19日, 西固区福利路街道社工站's joint meeting "春日茶话联席 共语美好未来": the social
   workers guide the community social organisations through their filing forms (备案申请表).
   The organisations, communities, people and dates of review below are invented sample data;
   one filing is returned for correction and resubmitted, so the whole lifecycle shows.
3. 草场街街道社工站's mid-term evaluation (中期评估), exemplary, recorded before the district's
   peer exchange (互学交流) of 3月22日. The scores are invented sample data.
"""

from __future__ import annotations

from typing import Any

from shegong_runtime.demo import Poster

STATIONS = [
    (
        "chengguan-qingbaishi",
        "城关区青白石街道社工站",
        "chengguan",
        "城关区",
        "青白石街道",
        "street",
    ),
    (
        "chengguan-huochezhan",
        "城关区火车站街道社工站",
        "chengguan",
        "城关区",
        "火车站街道",
        "street",
    ),
    (
        "chengguan-caochangjie",
        "城关区草场街街道社工站",
        "chengguan",
        "城关区",
        "草场街街道",
        "street",
    ),
    (
        "chengguan-tieluxicun",
        "城关区铁路西村街道社工站",
        "chengguan",
        "城关区",
        "铁路西村街道",
        "street",
    ),
    ("honggu-haishiwan", "红古区海石湾镇社工站", "honggu", "红古区", "海石湾镇", "township"),
    ("xigu-fulilu", "西固区福利路街道社工站", "xigu", "西固区", "福利路街道", "street"),
]

FULILU = "xigu-fulilu"
MEETING = "2024-03-19T15:00:00+08:00"  # the joint meeting: forms filled in with the social workers


def _filing(
    org_id: str,
    name: str,
    category: str,
    community: str,
    person: str,
    members: int,
    venue: str,
    area: str,
    charter: str,
) -> dict[str, Any]:
    return {
        "organisation_id": org_id,
        "name": name,
        "category": category,
        "community": community,
        "responsible_person": person,
        "members": members,
        "venue": venue,
        "activity_area": area,
        "charter_summary": charter,
        "occurred_at": MEETING,
    }


FILINGS = [
    _filing(
        "fulilu-yinling-choir",
        "银龄之声合唱团",
        "culture_sports",
        "福东社区（示例）",
        "刘某",
        28,
        "社区党群服务中心多功能厅",
        "福东社区",
        "以合唱丰富老年居民精神文化生活，每周二、四上午排练，节庆参加社区展演。",
    ),
    _filing(
        "fulilu-neighbour-watch",
        "邻里守望互助队",
        "mutual_aid",
        "福西社区（示例）",
        "王某某",
        16,
        "福西社区服务站",
        "福西社区各楼院",
        "楼院邻里结对，探望独居老人，代办小事，发现困难及时告知社工站。",
    ),
    _filing(
        "fulilu-yard-council",
        "楼院议事小组",
        "deliberation",
        "福苑社区（示例）",
        "陈某",
        9,
        "福苑社区议事厅",
        "福苑社区",
        "收集楼院居民意见，协商解决楼道环境、停车等身边事。",
    ),
    _filing(
        "fulilu-knitting",
        "巧手编织公益坊",
        "charity",
        "福苑社区（示例）",
        "赵某某",
        12,
        "福苑社区活动室",
        "福利路街道",
        "编织围巾手套义卖，所得用于辖区困难老人冬季慰问。",
    ),
    _filing(
        "fulilu-red-armband",
        "红袖标平安巡逻队",
        "volunteering",
        "福东社区（示例）",
        "张某",
        20,
        "福东社区警务室旁",
        "福东社区",
        "志愿者每日傍晚巡楼院，协助做好防火防盗和邻里纠纷劝解。",
    ),
]

# (key, organisation, step, body): the station's review after the meeting, in date order
REVIEW: list[tuple[str, str, str, dict[str, Any]]] = [
    (
        "return-yard-council",
        "fulilu-yard-council",
        "returns",
        {
            "reasons": ["章程摘要未写明议事规则和议题收集方式", "成员人数与成员名册不一致"],
            "occurred_at": "2024-03-20T10:00:00+08:00",
        },
    ),
    (
        "approve-yinling-choir",
        "fulilu-yinling-choir",
        "approvals",
        {"occurred_at": "2024-03-21T09:30:00+08:00"},
    ),
    (
        "approve-neighbour-watch",
        "fulilu-neighbour-watch",
        "approvals",
        {"occurred_at": "2024-03-21T09:40:00+08:00"},
    ),
    (
        "resubmit-yard-council",
        "fulilu-yard-council",
        "resubmissions",
        {
            "members": 11,
            "charter_summary": "收集楼院居民意见，每月第一周召开议事会，议题经楼院长征集、居民表决后协商解决楼道环境、停车等身边事。",
            "note": "补充议事规则与议题收集方式，核对成员名册",
            "occurred_at": "2024-03-21T16:00:00+08:00",
        },
    ),
    (
        "approve-yard-council",
        "fulilu-yard-council",
        "approvals",
        {"occurred_at": "2024-03-22T09:30:00+08:00"},
    ),
    (
        "approve-red-armband",
        "fulilu-red-armband",
        "approvals",
        {"occurred_at": "2024-03-22T09:40:00+08:00"},
    ),
]

CAOCHANGJIE_MIDTERM = {
    "kind": "midterm",
    "period": "2024",
    "scores": {
        "administration": 93,
        "finance": 90,
        "service_delivery": 96,
        "social_evaluation": 94,
        "publicity_innovation": 92,
    },
    "reviewer": "城关区民政局中期评估组",
    "evaluated_on": "2024-03-18",
    "exemplary": True,
    "summary": "中期评估表现优秀，作为城关区社工站互学交流（3月22日）的学习典范。",
    "highlights": [
        "项目框架清晰",
        "服务内容贴近居民需求",
        "项目特色鲜明",
        "服务成效显著",
        "文书资料规范、制度健全",
    ],
}


async def load(client: Poster) -> None:
    for station_id, name, district_id, district_name, street, kind in STATIONS:
        await client.post(
            "registry",
            "/stations",
            {
                "station_id": station_id,
                "name": name,
                "city": "兰州市",
                "district_id": district_id,
                "district_name": district_name,
                "street": street,
                "kind": kind,
            },
            key=f"station-{station_id}",
        )
    for filing in FILINGS:
        await client.post(
            "registry",
            f"/stations/{FULILU}/organisations",
            filing,
            key=f"org-file-{filing['organisation_id']}",
        )
    for key, org_id, step, body in REVIEW:
        await client.post(
            "registry", f"/stations/{FULILU}/organisations/{org_id}/{step}", body, key=f"org-{key}"
        )
    await client.post(
        "registry",
        "/stations/chengguan-caochangjie/evaluations",
        CAOCHANGJIE_MIDTERM,
        key="evaluation-caochangjie-midterm-2024",
    )
