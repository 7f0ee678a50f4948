"""The demo directory and rules: who in the six stations and three district bureaus is told
what, through the HTTP API. Everything recorded after the rules follows them; the week's own
events, recorded before, send nothing (a rule never reaches back into history)."""

from __future__ import annotations

from typing import Any

from shegong_runtime.demo import Poster

STATIONS = {
    "chengguan-qingbaishi": "chengguan",
    "chengguan-huochezhan": "chengguan",
    "chengguan-caochangjie": "chengguan",
    "chengguan-tieluxicun": "chengguan",
    "honggu-haishiwan": "honggu",
    "xigu-fulilu": "xigu",
}
WORKERS = {
    "chengguan-qingbaishi": ["sw-qbs-01", "sw-qbs-02"],
    "chengguan-huochezhan": ["sw-hcz-01", "sw-hcz-02"],
}
ORGANISATIONS = [  # the organisations filing at 福利路 after the joint meeting of 19 March
    "fulilu-yinling-choir",
    "fulilu-neighbour-watch",
    "fulilu-yard-council",
    "fulilu-knitting",
    "fulilu-red-armband",
]
COMMITTEE_REFS = [
    "大通路社区居委会",
    "大通路社区",
]  # owner of action items of the 海石湾 deliberation


def recipients() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for station_id in STATIONS:
        out.append(
            {"recipient_id": f"lead-{station_id}", "role": "station_lead", "station_id": station_id}
        )
        for worker in WORKERS.get(station_id, []):
            out.append({"recipient_id": worker, "role": "social_worker", "station_id": station_id})
    for org in ORGANISATIONS:
        out.append(
            {
                "recipient_id": f"contact-{org}",
                "role": "org_contact",
                "station_id": "xigu-fulilu",
                "refs": [org],
            }
        )
    out.append(
        {
            "recipient_id": "contact-datonglu",
            "role": "org_contact",
            "station_id": "honggu-haishiwan",
            "refs": COMMITTEE_REFS,
        }
    )
    for district in sorted(set(STATIONS.values())):
        out.append(
            {
                "recipient_id": f"bureau-{district}",
                "role": "district_officer",
                "district_id": district,
            }
        )
    return out


URGENT = [{"field": "severity", "op": "eq", "value": "urgent"}]
CONTACT = {"role": "org_contact", "match_field": "aggregate_id"}
OWNER = {"match_field": "owner_unit"}
# (name, trigger, conditions, audience, template, reminder, description): the rules as data
RULES: list[tuple[str, str, list, dict, str, dict | None, str]] = [
    (
        "urgent-need-lead",
        "NeedIdentified",
        URGENT,
        {"role": "station_lead"},
        "urgent-need",
        None,
        "紧急需求：通知站长",
    ),
    (
        "urgent-need-bureau",
        "NeedIdentified",
        URGENT,
        {"role": "district_officer"},
        "urgent-need",
        None,
        "紧急需求：通知区民政局",
    ),
    (
        "visit-overdue",
        "VisitRecorded",
        [],
        {"role": "social_worker", "match_field": "social_worker_ids"},
        "visit-overdue",
        {"at_field": "next_due_at", "cancel_on": ["RiskTierAssigned", "HouseholdErased"]},
        "按风险等级走访逾期：提醒走访社工",
    ),
    (
        "tier-visit-overdue",
        "RiskTierAssigned",
        [],
        {"role": "station_lead"},
        "visit-overdue",
        {"at_field": "next_due_at", "cancel_on": ["VisitRecorded", "HouseholdErased"]},
        "风险等级调整后逾期未走访：提醒站长",
    ),
    (
        "follow-up-due",
        "FollowUpScheduled",
        [],
        {"role": "social_worker", "match_field": "social_worker_id"},
        "follow-up-due",
        {"at_field": "follow_up_on", "offset_days": -1, "cancel_on": ["HouseholdErased"]},
        "跟进前一天提醒社工",
    ),
    (
        "referral-pending",
        "NeedReferred",
        [],
        {"role": "station_lead"},
        "referral-pending",
        {
            "at_field": "referred_on",
            "offset_days": 7,
            "key": "{aggregate_id}-{need_id}",
            "cancel_on": ["NeedResolved", "NeedClosed"],
        },
        "转介7天未办结：提醒站长",
    ),
    (
        "filing-returned",
        "OrgFilingReturned",
        [],
        CONTACT,
        "filing-returned",
        None,
        "备案退回：通知组织联系人",
    ),
    (
        "filing-approved",
        "OrgFilingApproved",
        [],
        CONTACT,
        "filing-approved",
        None,
        "备案通过：通知组织联系人",
    ),
    (
        "action-item-due",
        "ActionItemAssigned",
        [],
        OWNER,
        "action-item-due",
        {
            "at_field": "due_on",
            "key": "{aggregate_id}-{action_id}",
            "cancel_on": ["ActionItemDone"],
        },
        "议事事项到期：提醒负责单位",
    ),
    (
        "action-item-overdue",
        "ActionItemAssigned",
        [],
        OWNER,
        "action-item-overdue",
        {
            "at_field": "due_on",
            "offset_days": 1,
            "key": "{aggregate_id}-{action_id}",
            "cancel_on": ["ActionItemDone"],
        },
        "议事事项逾期：提醒负责单位",
    ),
    (
        "weekly-roundup",
        "MeetingHeld",
        [],
        {"role": "district_officer"},
        "weekly-roundup",
        {
            "at_field": "held_on",
            "weekday": 1,
            "at_time": "09:00",
            "key": "{district_id}-{week}",
            "repeat": "once",
        },
        "每周一上午：一周掠影提醒区民政局",
    ),
]


def rules(district: str) -> list[dict[str, Any]]:
    return [
        {
            "rule_id": f"{name}-{district}",
            "district_id": district,
            "trigger": trigger,
            "conditions": conditions,
            "audience": audience,
            "channel": "inbox",
            "template_id": template,
            "reminder": reminder,
            "description": description,
        }
        for name, trigger, conditions, audience, template, reminder, description in RULES
    ]


async def load(client: Poster) -> None:
    for body in recipients():  # station staff first: their stations must be known to the service
        await client.post(
            "notifications", "/recipients", body, key=f"recipient-{body['recipient_id']}"
        )
    for district in sorted(set(STATIONS.values())):
        for body in rules(district):
            await client.post("notifications", "/rules", body, key=f"rule-{body['rule_id']}")
