"""The words the workbench's forms show: the project's glossary, in the order staff choose.

Every code's word comes from `shegong_events.glossary`, the same on every page; only what is the
forms' own lives here (observation ratings, field names, the choices a worker may pick).
"""

from __future__ import annotations

from shegong_events import glossary

ROLE = {
    r: glossary.ROLE[r] for r in ("social_worker", "station_lead", "district_officer", "city_admin")
}
CATEGORY = glossary.HOUSEHOLD_CATEGORY
TIER = glossary.RISK_TIER
TIER_REASON = glossary.TIER_REASON
RELATION = glossary.RELATION
MODE = glossary.VISIT_MODE
SERVICE = glossary.SERVICE_KIND
POLICY = glossary.POLICY
NEED = glossary.NEED_CATEGORY
SEVERITY = glossary.SEVERITY
AGENCY = glossary.AGENCY_KIND
CONSENT_GIVER = glossary.CONSENT_GIVER
LEGAL_BASIS = glossary.LEGAL_BASIS
CLOSURE = {
    k: v for k, v in glossary.CLOSURE_REASON.items() if k != "household_erased"
}  # erasure closes, not staff
MEETING_KIND = glossary.MEETING_KIND
PARTICIPANT = glossary.PARTICIPANT_ROLE
OUTCOME = glossary.OUTCOME_KIND
ORG_CATEGORY = glossary.ORG_CATEGORY
ORG_STATUS = glossary.ORG_STATUS
VOLUNTEER_CATEGORY = glossary.VOLUNTEER_CATEGORY
RATING = {"good": "良好", "attention": "需关注", "risk": "有风险"}
OBSERVATION = {
    "health": "身体状况",
    "mental_state": "精神状态",
    "gas_safety": "用气安全",
    "electricity_safety": "用电安全",
    "heating_safety": "取暖安全",
    "hygiene": "卫生状况",
    "living_conditions": "居住条件",
}

FIELD = {
    "head_name": "户主姓名",
    "phone": "联系电话",
    "address": "住址",
    "community": "社区",
    "categories": "救助类别",
    "members": "家庭成员",
    "tier": "风险等级",
    "reason": "原因",
    "major_change": "重大变化",
    "visited_at": "走访时间",
    "mode": "方式",
    "services": "服务",
    "observations": "观察情况",
    "notes": "记录",
    "needs": "需求",
    "category": "类别",
    "severity": "紧急程度",
    "agency": "接收机构",
    "agency_kind": "机构类型",
    "title": "名称",
    "held_on": "召开日期",
    "topics": "议题",
    "outcomes": "成果",
    **OBSERVATION,
}


def names() -> dict[str, dict[str, str]]:
    """What the page's script shows instead of codes and field names (queue, 需要处理)."""
    codes: dict[str, str] = {}
    for table in (CATEGORY, TIER_REASON, RELATION, MODE, SERVICE, POLICY, RATING, NEED, AGENCY):
        codes.update(table)
    codes.update(TIER)  # 高风险 over severity's 高 where the codes meet
    return {"codes": codes, "fields": FIELD}
