"""One Chinese glossary for every code the events carry, as station staff read it.

Pages, the weekly roundup, the workbench's forms and notifications all take their words from
here, so a household category reads the same everywhere (低保家庭 on a household, 最低生活保障
as a policy explained). A vocabulary is named after the `Literal` type that defines its codes
(`RiskTier`, `OrgStatus`, ...); a test checks that every code of every such type has a word.
Tables keep the order in which staff choose from them.
"""

from __future__ import annotations

HOUSEHOLD_CATEGORY = {
    "minimum_living_allowance": "低保家庭",
    "extreme_poverty_support": "特困供养",
    "temporary_assistance": "临时救助",
    "left_behind_elderly": "留守老人",
    "solitary_elderly": "独居老人",
    "children_in_difficulty": "困境儿童",
    "disability": "残疾人",
    "other": "其他",
}
RISK_TIER = {"high": "高风险", "key": "重点", "general": "一般"}
UNASSESSED = "未评定"  # a household not yet given a tier
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
VISIT_MODE = {"home_visit": "入户走访", "phone": "电话回访", "verification": "入户核查"}
VISIT_PURPOSE = {
    "needs_assessment": "需求评估",
    "policy_briefing": "政策宣传",
    "counselling": "心理疏导",
    "verification": "入户核查",
    "resource_linking": "资源链接",
    "follow_up": "回访跟进",
}
SERVICE_KIND = {
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
NEED_CATEGORY = {
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
SEVERITY = {"urgent": "紧急", "high": "高", "medium": "中", "low": "低"}
AGENCY_KIND = {
    "civil_affairs": "民政部门",
    "health": "卫生健康部门",
    "human_resources": "人社部门",
    "education": "教育部门",
    "disabled_persons_federation": "残联",
    "community": "社区",
    "social_organisation": "社会组织",
    "other": "其他",
}
RESOLUTION_OUTCOME = {
    "assistance_granted": "已获救助",
    "service_provided": "已提供服务",
    "referral_served": "转介已落实",
    "family_support_arranged": "已安排家庭照顾",
    "other": "其他",
}
CLOSURE_REASON = {
    "declined": "本人拒绝",
    "not_eligible": "不符合条件",
    "moved_away": "已迁出",
    "deceased": "已去世",
    "duplicate": "重复登记",
    "no_longer_needed": "已无需求",
    "household_erased": "家庭信息已删除",
}
CONSENT_PURPOSE = {"referral": "转介", "data_sharing": "信息共享"}
CONSENT_GIVER = {"self": "本人", "guardian": "监护人"}
LEGAL_BASIS = {
    "social_assistance_duty": "《社会救助暂行办法》规定的救助职责",
    "minor_protection_duty": "《未成年人保护法》规定的保护职责",
    "life_safety_emergency": "紧急情况下保护生命健康（个人信息保护法第十三条）",
}
LAWFUL_BASIS = {"consent": "本人同意", "legal_basis": "法定职责"}
ERASURE_REASON = {
    "subject_request": "本人申请删除",
    "retention_expired": "保存期限届满",
    "registered_in_error": "登记有误",
}
STATION_KIND = {"street": "街道", "township": "乡镇"}
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
EVALUATION_KIND = {"midterm": "中期评估", "final": "终期评估"}
EVALUATION_DIMENSION = {  # the scored dimensions of an evaluation (registry.EvaluationScores)
    "administration": "行政管理",
    "finance": "财务管理",
    "service_delivery": "服务开展与产出",
    "social_evaluation": "社会评价",
    "publicity_innovation": "宣传与创新",
}
MEETING_KIND = {
    "resident_deliberation": "居民议事会",
    "joint_meeting": "联席会议",
    "peer_exchange": "互学交流",
    "volunteer_workshop": "共学坊",
    "other": "其他活动",
}
MEETING_NOUN = {  # a meeting kind as running text names it: 召开居民议事会议3场 (the weekly roundup)
    "resident_deliberation": "居民议事会议",
    "joint_meeting": "联席会议",
    "peer_exchange": "互学交流会",
    "volunteer_workshop": "共学坊",
    "other": "活动",
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
    "organisation_leader": "社区社会组织负责人",
    "volunteer": "志愿者",
    "student": "大学生志愿者",
    "bureau_official": "民政局工作人员",
    "teacher": "教师",
    "other": "其他人员",
}
CO_ORGANISER_KIND = {
    "community_committee": "社区（居委会）",
    "district_bureau": "区民政局",
    "university_association": "高校社团",
    "community_organisation": "社区社会组织",
    "station": "社工站",
    "other": "其他",
}
OUTCOME_KIND = {
    "consensus": "共识",
    "method": "方式方法",
    "caution": "注意事项",
    "decision": "决定",
    "follow_up": "后续工作",
    "learning": "收获",
    "other": "其他",
}
VOLUNTEER_CATEGORY = {
    "student": "学生",
    "resident": "居民",
    "professional": "专业人士",
    "other": "其他",
}
CHANNEL = {
    "inbox": "站内消息",
    "email": "电子邮件",
    "webhook": "系统推送",
    "wecom": "企业微信群",
    "dingtalk": "钉钉群",
    "sms": "短信",
}
AUDIENCE_ROLE = {
    "social_worker": "社工",
    "station_lead": "站长",
    "district_officer": "区民政局",
    "org_contact": "社会组织联系人",
}
SCOPE_KIND = {"station": "社工站", "district": "区县"}
CONDITION_OP = {
    "eq": "等于",
    "ne": "不等于",
    "in": "属于",
    "not_in": "不属于",
    "exists": "已填写",
    "missing": "未填写",
    "gte": "不少于",
    "lte": "不多于",
}
ROLE = {  # who signs in (shegong_runtime.auth.Role)
    "social_worker": "社工",
    "station_lead": "站长",
    "district_officer": "区民政局",
    "city_admin": "市民政局",
    "integrator": "系统对接",
    "operator": "运维",
}

VOCABULARIES: dict[str, dict[str, str]] = {
    "HouseholdCategory": HOUSEHOLD_CATEGORY,
    "RiskTier": RISK_TIER,
    "TierReason": TIER_REASON,
    "Relation": RELATION,
    "VisitMode": VISIT_MODE,
    "VisitPurpose": VISIT_PURPOSE,
    "ServiceKind": SERVICE_KIND,
    "Policy": POLICY,
    "NeedCategory": NEED_CATEGORY,
    "NeedStatus": NEED_STATUS,
    "Severity": SEVERITY,
    "AgencyKind": AGENCY_KIND,
    "ResolutionOutcome": RESOLUTION_OUTCOME,
    "ClosureReason": CLOSURE_REASON,
    "ConsentPurpose": CONSENT_PURPOSE,
    "ConsentGiver": CONSENT_GIVER,
    "LegalBasis": LEGAL_BASIS,
    "LawfulBasis": LAWFUL_BASIS,
    "ErasureReason": ERASURE_REASON,
    "StationKind": STATION_KIND,
    "OrgCategory": ORG_CATEGORY,
    "OrgStatus": ORG_STATUS,
    "EvaluationKind": EVALUATION_KIND,
    "MeetingKind": MEETING_KIND,
    "ParticipantRole": PARTICIPANT_ROLE,
    "CoOrganiserKind": CO_ORGANISER_KIND,
    "OutcomeKind": OUTCOME_KIND,
    "VolunteerCategory": VOLUNTEER_CATEGORY,
    "Channel": CHANNEL,
    "AudienceRole": AUDIENCE_ROLE,
    "ScopeKind": SCOPE_KIND,
    "ConditionOp": CONDITION_OP,
    "Role": ROLE,
}


def word(table: dict[str, str], code: str | None) -> str:
    """The word for a code; an unknown code is shown as itself rather than hidden."""
    if code is None:
        return ""
    return table.get(code, code)


def words(table: dict[str, str], codes: list[str] | tuple[str, ...]) -> list[str]:
    return [word(table, c) for c in codes]
