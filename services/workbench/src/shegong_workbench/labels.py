"""Chinese names of the codes the forms offer, in the order staff choose from them.

The codes are the services' own (shegong_events); only their names live here.
"""

from __future__ import annotations

ROLE = {
    "social_worker": "社工",
    "station_lead": "站长",
    "district_officer": "区民政局",
    "city_admin": "市民政局",
}
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
TIER_REASON = {
    "initial_assessment": "首次评估",
    "periodic_review": "定期复评",
    "health_decline": "健康状况下降",
    "hospitalised": "住院",
    "bereavement": "丧亲",
    "income_loss": "收入减少",
    "living_alone": "独自居住",
    "housing_risk": "住房风险",
    "family_conflict": "家庭矛盾",
    "improved": "情况好转",
    "other": "其他",
}
RELATION = {
    "spouse": "配偶",
    "child": "子女",
    "grandchild": "孙子女",
    "parent": "父母",
    "grandparent": "祖父母",
    "sibling": "兄弟姐妹",
    "other": "其他",
}
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
SEVERITY = {"urgent": "紧急", "high": "高", "medium": "中", "low": "低"}
AGENCY = {
    "civil_affairs": "民政部门",
    "health": "卫生健康部门",
    "human_resources": "人社部门",
    "education": "教育部门",
    "disabled_persons_federation": "残联",
    "community": "社区",
    "social_organisation": "社会组织",
    "other": "其他",
}
CONSENT_GIVER = {"self": "本人", "guardian": "监护人"}
LEGAL_BASIS = {
    "social_assistance_duty": "《社会救助暂行办法》规定的救助职责",
    "minor_protection_duty": "《未成年人保护法》规定的保护职责",
    "life_safety_emergency": "紧急情况下保护生命健康（个人信息保护法第十三条）",
}
CLOSURE = {
    "declined": "本人拒绝",
    "not_eligible": "不符合条件",
    "moved_away": "已迁出",
    "deceased": "已去世",
    "duplicate": "重复登记",
    "no_longer_needed": "已无需求",
}
MEETING_KIND = {
    "resident_deliberation": "居民议事会",
    "joint_meeting": "联席会议",
    "peer_exchange": "互学交流",
    "volunteer_workshop": "共学坊",
    "other": "其他",
}
PARTICIPANT = {
    "resident": "居民",
    "resident_representative": "居民代表",
    "building_head": "楼院长",
    "community_secretary": "社区书记",
    "community_cadre": "社区干部",
    "social_worker": "社工",
    "station_lead": "社工站负责人",
    "station_staff": "社工站人员",
    "organisation_leader": "社区社会组织负责人",
    "volunteer": "志愿者",
    "student": "学生",
    "bureau_official": "民政部门工作人员",
    "teacher": "教师",
    "other": "其他",
}
OUTCOME = {
    "consensus": "共识",
    "method": "方式方法",
    "caution": "注意事项",
    "decision": "决定",
    "follow_up": "后续工作",
    "learning": "收获",
    "other": "其他",
}
ORG_CATEGORY = {
    "deliberation": "议事协商",
    "culture_sports": "文体娱乐",
    "volunteering": "志愿服务",
    "charity": "公益慈善",
    "life_services": "生活服务",
    "mutual_aid": "互助",
    "other": "其他",
}
ORG_STATUS = {
    "pending": "待审核",
    "returned": "退回补正",
    "approved": "已备案",
    "volunteer_team": "已转型志愿服务队",
    "deregistered": "已注销",
}
VOLUNTEER_CATEGORY = {
    "student": "学生",
    "resident": "居民",
    "professional": "专业人士",
    "other": "其他",
}


def word(table: dict[str, str], code: str | None) -> str:
    return table.get(code or "", code or "")


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
