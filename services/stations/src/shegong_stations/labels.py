"""Chinese words station staff read, for the codes the events carry."""

from __future__ import annotations

CATEGORY = {
    "minimum_living_allowance": "低保家庭",
    "extreme_poverty_support": "特困供养",
    "temporary_assistance": "临时救助",
    "left_behind_elderly": "留守老人",
    "solitary_elderly": "独居老人",
    "children_in_difficulty": "困境儿童",
    "disability": "残疾人",
    "other": "其他",
}
RISK_TIER = {"high": "高风险", "key": "重点", "general": "一般", "unassessed": "未评定"}
SEVERITY = {"urgent": "紧急", "high": "高", "medium": "中", "low": "低"}
NEED_CATEGORY = {
    "financial": "经济",
    "medical": "医疗",
    "care": "照护",
    "housing": "住房",
    "psychological": "心理",
    "daily_living": "日常生活",
    "employment": "就业",
    "education": "教育",
}
NEED_STATUS = {"open": "待处理", "referred": "已转介", "resolved": "已解决", "closed": "已关闭"}
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
    "other": "其他",
}
SERVICE = {
    "policy_briefing": "政策宣传",
    "counselling": "心理疏导",
    "resource_linking": "资源链接",
    "application_help": "协助申请",
    "relationship_coordination": "关系协调",
}
ORG_STATUS = {
    "pending": "备案审核中",
    "returned": "退回补正",
    "registered": "已备案",
    "volunteer_team": "已转型志愿队",
    "deregistered": "已注销",
}
MEETING_KIND = {
    "resident_deliberation": "居民议事会",
    "joint_meeting": "联席会议",
    "peer_exchange": "互学交流",
    "volunteer_workshop": "共学坊",
    "other": "其他活动",
}
PARTICIPANT_ROLE = {
    "resident": "居民",
    "resident_representative": "居民代表",
    "building_head": "楼院长",
    "community_secretary": "社区书记",
    "community_cadre": "社区干部",
    "social_worker": "社工",
    "station_lead": "社工站负责人",
    "station_staff": "社工站人员",
    "organisation_leader": "各团队负责人",
    "volunteer": "志愿者",
    "student": "大学生志愿者",
    "bureau_official": "民政局工作人员",
    "teacher": "教师",
    "other": "其他人员",
}
EVALUATION_KIND = {"midterm": "中期评估", "final": "终期评估"}
DIMENSION = {
    "administration": "行政管理",
    "finance": "财务管理",
    "service_delivery": "服务开展与产出",
    "social_evaluation": "社会评价",
    "publicity_innovation": "宣传与创新",
}
ROLE = {
    "social_worker": "社工",
    "station_lead": "站长",
    "district_officer": "区民政局",
    "city_admin": "市民政局",
    "integrator": "系统对接",
    "operator": "运维",
}


def word(table: dict[str, str], code: str | None) -> str:
    if code is None:
        return ""
    return table.get(code, code)
