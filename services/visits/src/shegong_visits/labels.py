"""Chinese labels for the codes of the visits domain, as station staff read them."""

from __future__ import annotations

CATEGORY = {
    "minimum_living_allowance": "最低生活保障",
    "extreme_poverty_support": "特困人员供养",
    "temporary_assistance": "临时救助",
    "left_behind_elderly": "留守老人",
    "solitary_elderly": "独居老人",
    "children_in_difficulty": "困境儿童",
    "disability": "残疾",
    "other": "其他",
}
TIER = {"high": "高风险", "key": "重点", "general": "一般"}
SEVERITY = {"urgent": "紧急", "high": "高", "medium": "中", "low": "低"}
SEVERITY_ORDER = ("urgent", "high", "medium", "low")
NEED = {
    "financial": "经济",
    "medical": "医疗",
    "care": "照料",
    "housing": "住房",
    "psychological": "心理",
    "daily_living": "日常生活",
    "employment": "就业",
    "education": "教育",
}
NEED_STATUS = {"open": "待处理", "referred": "已转介", "resolved": "已解决", "closed": "已关闭"}
MODE = {"home_visit": "入户走访", "phone": "电话回访", "verification": "入户核查"}
SERVICE = {
    "policy_briefing": "政策宣传",
    "counselling": "心理疏导",
    "resource_linking": "资源链接",
    "application_help": "协助申请",
    "relationship_coordination": "关系协调",
}
POLICY = {
    "minimum_living_allowance": "最低生活保障",
    "temporary_assistance": "临时救助",
    "extreme_poverty_support": "特困人员供养",
    "medical_assistance": "医疗救助",
    "housing_assistance": "住房救助",
    "education_assistance": "教育救助",
    "employment_assistance": "就业救助",
    "disability_subsidy": "残疾人两项补贴",
    "elderly_care_subsidy": "养老服务补贴",
    "other": "其他政策",
}
EVENT = {
    "HouseholdRegistered": "登记建档",
    "HouseholdUpdated": "信息更新",
    "RiskTierAssigned": "风险分级",
    "VisitScheduled": "安排走访",
    "VisitRecorded": "走访记录",
    "FollowUpScheduled": "安排跟进",
    "NeedIdentified": "发现需求",
    "NeedReferred": "需求转介",
    "NeedResolved": "需求解决",
    "NeedClosed": "需求关闭",
    "ConsentGranted": "同意授权",
    "ConsentWithdrawn": "撤回同意",
    "LegalBasisRecorded": "记录法定依据",
    "HouseholdErased": "个人信息删除",
}


def title(event_type: str, facts: dict) -> str:
    """One line for a timeline entry, e.g. 走访记录（入户走访）：政策宣传、心理疏导."""
    head = EVENT.get(event_type, event_type)
    if event_type == "VisitRecorded":
        services = "、".join(SERVICE.get(s["kind"], s["kind"]) for s in facts.get("services", []))
        return f"{head}（{MODE.get(facts.get('mode', ''), '')}）" + (
            f"：{services}" if services else ""
        )
    if event_type in ("NeedIdentified", "NeedReferred", "NeedResolved", "NeedClosed"):
        return f"{head}：{NEED.get(facts.get('category', ''), '')}（{SEVERITY.get(facts.get('severity', ''), '')}）"
    if event_type == "RiskTierAssigned":
        return f"{head}：{TIER.get(facts.get('tier', ''), '')}"
    return head
