"""Chinese terms for the English words of event names, as station staff say them.

An event catalogue reader at a civil-affairs bureau looks for 入户走访 or 备案, not for
`VisitRecorded`: each event name is shown with the terms of its words. Several words that
form one term (`CheckedIn`, `FollowUp`) come first, so they win over their parts.
"""

from __future__ import annotations

import re

TERMS: dict[str, str] = {
    # several words, one term
    "ActionItem": "行动事项",
    "CheckedIn": "签到",
    "CheckedOut": "签退",
    "ConvertedTo": "转型为",
    "FollowUp": "回访跟进",
    "LegalBasis": "法定依据",
    "RiskTier": "风险等级",
    "ServiceSession": "志愿服务时段",
    "VolunteerTeam": "志愿服务队",
    # nouns of the domains
    "Audience": "通知对象",
    "Briefing": "政策宣传",
    "Certificate": "服务时长证明",
    "Channel": "通知渠道",
    "Consent": "知情同意",
    "Digest": "汇总",
    "Contact": "联系人",
    "District": "区民政局",
    "Evaluation": "评估",
    "Household": "困难家庭",
    "Issue": "议题",
    "Meeting": "会议",
    "Motion": "动议",
    "Name": "姓名",
    "Need": "需求",
    "Notification": "通知",
    "Org": "社区社会组织",
    "Organisation": "社区社会组织",
    "Filing": "备案",
    "Recipient": "接收人",
    "Referral": "转介",
    "Reminder": "提醒",
    "Resolution": "决议",
    "Roundup": "一周掠影",
    "Rule": "通知规则",
    "Station": "社工站",
    "Subscription": "订阅",
    "Team": "团队",
    "Training": "培训（共学坊）",
    "Visit": "入户走访",
    "Volunteer": "志愿者",
    "Workshop": "共学坊",
    # what happened
    "Acknowledged": "已确认",
    "Adopted": "通过",
    "Approved": "通过",
    "Assigned": "分派",
    "Attended": "参加",
    "Cancelled": "取消",
    "Changed": "变更",
    "Closed": "关闭",
    "Created": "创建",
    "Defined": "设定",
    "Delivered": "送达",
    "Deregistered": "注销",
    "Disabled": "停用",
    "Done": "完成",
    "Enabled": "启用",
    "Enrolled": "登记加入",
    "Erased": "个人信息删除",
    "Evaluated": "评估（中期评估）",
    "Failed": "失败",
    "Filed": "提交备案",
    "Granted": "给予",
    "Held": "召开",
    "Identified": "排摸发现（需求排摸）",
    "Issued": "出具",
    "Opened": "设立",
    "Overdue": "逾期",
    "Proposed": "提出",
    "Raised": "发出",
    "Read": "已读",
    "Redriven": "重新投递",
    "Recorded": "记录",
    "Referred": "转介",
    "Registered": "登记",
    "Removed": "移除",
    "Resolved": "解决",
    "Resubmitted": "补正后重新提交",
    "Returned": "退回补正",
    "Scheduled": "安排",
    "Sent": "发送",
    "Set": "设置",
    "Suppressed": "抑制",
    "Updated": "更新",
    "Voted": "表决",
    "Withdrawn": "撤回",
}

_WORD = re.compile(r"[A-Z][a-z]*")


def words(event_type: str) -> list[str]:
    return _WORD.findall(event_type)


def terms(event_type: str) -> list[tuple[str, str | None]]:
    """(English part, Chinese term or None) for an event name, longest known parts first."""
    parts = words(event_type)
    out: list[tuple[str, str | None]] = []
    i = 0
    while i < len(parts):
        for size in (2, 1):
            english = "".join(parts[i : i + size])
            if len(parts[i : i + size]) == size and english in TERMS:
                out.append((english, TERMS[english]))
                i += size
                break
        else:
            out.append((parts[i], None))
            i += 1
    return out


def chinese(event_type: str) -> str:
    """e.g. `OrgFilingApproved` → 社区社会组织 · 备案 · 备案通过 (unknown words left out)."""
    return " · ".join(term for _, term in terms(event_type) if term)
