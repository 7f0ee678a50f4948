"""The meetings of the source week (一周掠影, 2024-03-28), recorded through the HTTP API.

海石湾's resident deliberation and 福利路's joint meeting (both 3月19日), 城关区's peer
exchange with 草场街 as the model (3月22日), and 铁路西村's volunteer workshop (3月16日),
whose student volunteers (fictional names) are enrolled and their attendance recorded.
"""

from __future__ import annotations

from typing import Any

from shegong_runtime.demo import Poster

HAISHIWAN, FULILU = "honggu-haishiwan", "xigu-fulilu"
CAOCHANGJIE, TIELUXICUN = "chengguan-caochangjie", "chengguan-tieluxicun"


def topics(*titles: str) -> list[dict[str, str]]:
    return [{"title": t} for t in titles]


MEETINGS: list[dict[str, Any]] = [
    {
        "station_id": HAISHIWAN,
        "meeting_id": "haishiwan-2024-03-19-deliberation",
        "schedule": {
            "kind": "resident_deliberation",
            "title": "大通路社区居民议事会",
            "theme": "居民议事 治理协商",
            "scheduled_on": "2024-03-19",
            "co_organisers": [{"name": "大通路社区", "kind": "community_committee"}],
            "planned_topics": topics("为老服务", "小区文化营造", "文体娱乐"),
            "description": "社区需求由居民表达、社区问题由居民讨论、社区事务由居民参与",
        },
        "held": {
            "held_on": "2024-03-19",
            "format": "“拉家常”议事会",
            "participants_total": 20,
            "participant_groups": [
                {"role": "community_secretary", "count": 1, "label": "大通路社区书记"},
                {"role": "building_head", "label": "社区楼院长"},
                {"role": "resident_representative", "label": "大通路社区居民代表"},
                {"role": "station_staff", "label": "海石湾镇社工站人员"},
            ],
            "topics": [
                {"title": "小区基本情况", "summary": "社工带领居民梳理小区基本情况"},
                {"title": "为老服务", "summary": "收集居民关于社区为老服务的意见"},
                {"title": "小区文化营造", "summary": "收集居民关于小区文化营造的意见"},
                {"title": "文体娱乐", "summary": "收集居民关于日常文体娱乐活动的意见"},
            ],
            "outcomes": [
                {
                    "kind": "consensus",
                    "text": "与居民面对面沟通，引导大家畅所欲言，把问题解决在“家门口”",
                },
                {
                    "kind": "follow_up",
                    "text": "呼吁居民为共同构建和谐社区共同努力，为今后开展好社区各项工作奠定基础",
                },
            ],
            "summary": "群策群力，共商社区治理相关问题；围绕居民急难愁盼问题面对面协商讨论。",
        },
        "issues": [
            {"issue_id": "elderly-services", "title": "社区为老服务", "topic": "为老服务"},
            {"issue_id": "community-culture", "title": "小区文化营造", "topic": "小区文化营造"},
            {"issue_id": "recreation", "title": "日常文体娱乐活动", "topic": "文体娱乐"},
        ],
    },
    {
        "station_id": FULILU,
        "meeting_id": "fulilu-2024-03-19-joint-meeting",
        "schedule": {
            "kind": "joint_meeting",
            "title": "春日茶话联席 共语美好未来",
            "theme": "社区社会组织备案",
            "scheduled_on": "2024-03-19",
            "co_organisers": [
                {"name": "福利路街道各社区社会组织", "kind": "community_organisation"}
            ],
            "planned_topics": topics("备案的意义", "备案的程序", "自组织的作用"),
            "description": "激发社区社会组织活力，建立规范有效的备案机制，形成优势互补、资源共享新格局",
        },
        "held": {
            "held_on": "2024-03-19",
            "format": "茶话会",
            "participants_total": 20,
            "participant_groups": [
                {"role": "organisation_leader", "label": "各团队负责人"},
                {"role": "social_worker", "label": "社工"},
            ],
            "topics": [
                {"title": "备案的意义", "summary": "社区自组织备案登记的必要性和重要性"},
                {"title": "备案的程序", "summary": "对备案登记相关流程进行了详细说明"},
                {
                    "title": "自组织的作用",
                    "summary": "社区社会组织扎根社区、贴近群众，是社工站开展服务的重要抓手与载体",
                },
            ],
            "outcomes": [
                {
                    "kind": "follow_up",
                    "text": "社工指导各社区社会组织负责人规范填写了备案申请表等相关报表",
                },
                {
                    "kind": "consensus",
                    "text": "各社区社会组织通过备案登记实现规范有效管理，增强向志愿团队转型发展的意识",
                },
                {"kind": "learning", "text": "拉近了社工和社区社会组织及团体之间的距离"},
            ],
        },
    },
    {
        "station_id": CAOCHANGJIE,
        "meeting_id": "chengguan-2024-03-22-peer-exchange",
        "schedule": {
            "kind": "peer_exchange",
            "title": "城关区社工站互学交流会",
            "theme": "互学交流共成长 践行初心谱新篇",
            "scheduled_on": "2024-03-22",
            "co_organisers": [
                {"name": "城关区民政局", "kind": "district_bureau", "role": "organiser"}
            ],
            "planned_topics": topics(
                "居民骨干挖掘和社区社会组织孵化培育", "如何提高居民参与的积极性", "资源整合和运用"
            ),
            "model_station_id": CAOCHANGJIE,
            "description": "以中期评估表现优秀的草场街街道社工站为学习典范，推动社工站之间的经验分享与协同发展",
        },
        "held": {
            "held_on": "2024-03-22",
            "format": "互动式交流",
            "participant_groups": [
                {"role": "station_lead", "label": "草场街街道社工站负责人"},
                {"role": "social_worker", "label": "城关区各社工站社工"},
            ],
            "topics": [
                {
                    "title": "草场街街道社工站中期工作分享",
                    "summary": "从项目框架、服务内容、项目特色及成效等五个方面分享",
                },
                {"title": "居民骨干挖掘和社区社会组织孵化培育"},
                {"title": "如何提高居民参与的积极性"},
                {"title": "资源整合和运用"},
                {
                    "title": "文书资料",
                    "summary": "查阅草场街街道社工站的文书资料，就资料撰写和制度等问题进一步交流",
                },
            ],
            "outcomes": [
                {"kind": "learning", "text": "拓宽了视野，找到了提升服务质量的有效途径"},
                {"kind": "consensus", "text": "针对每个街道的不同情况进行具体分析交流"},
            ],
        },
    },
    {
        "station_id": TIELUXICUN,
        "meeting_id": "tieluxicun-2024-03-16-workshop",
        "schedule": {
            "kind": "volunteer_workshop",
            "title": "“走进社区”实务能力提升共学坊",
            "theme": "走进社区",
            "scheduled_on": "2024-03-16",
            "co_organisers": [
                {"name": "兰州财经大学社会工作协会", "kind": "university_association"}
            ],
            "planned_topics": topics("团队的功能", "社区活动的意义", "走进社区的方式", "注意事项"),
            "description": "提升社会工作专业大学生志愿者的实务能力，推动“校社联动”模式下社会工作专业服务在基层开展",
        },
        "held": {
            "held_on": "2024-03-16",
            "format": "共学坊",
            "participants_total": 27,
            "participant_groups": [
                {"role": "student", "label": "社会工作专业大学生志愿者"},
                {"role": "social_worker", "label": "铁路西村街道社工站社工"},
            ],
            "topics": topics("团队的功能", "社区活动的意义", "走进社区的方式", "注意事项"),
            "outcomes": [
                *(
                    {"kind": "method", "text": t, "group": "五大方式"}
                    for t in ("主动作为", "有效沟通", "敢于拒绝", "产出成果", "专业使命")
                ),
                *(
                    {"kind": "caution", "text": t, "group": "四项注意事项"}
                    for t in ("活动安全", "穿衣打扮", "文明礼貌", "积极沟通")
                ),
                {"kind": "learning", "text": "加强了学校与社工机构、社区之间的联系"},
            ],
        },
    },
]

WORKSHOP = MEETINGS[3]
STUDENTS = [  # fictional members of the association
    ("tieluxicun-student-01", "林晓雨", ["社区活动策划"]),
    ("tieluxicun-student-02", "马骏", ["入户陪伴", "摄影"]),
    ("tieluxicun-student-03", "苏婉清", ["宣传设计"]),
]


async def record_meeting(client: Poster, m: dict[str, Any]) -> None:
    station, mid = m["station_id"], m["meeting_id"]
    base = f"/stations/{station}/meetings"
    day = m["schedule"]["scheduled_on"]
    schedule = {"meeting_id": mid, "announced_on": day, **m["schedule"]}
    await client.post("engagement", base, schedule, key=f"meeting-{mid}-scheduled")
    await client.post("engagement", f"{base}/{mid}/held", m["held"], key=f"meeting-{mid}-held")
    for issue in m.get("issues", []):
        body = {**issue, "proposer_role": "resident", "proposed_on": day}
        await client.post(
            "engagement",
            f"{base}/{mid}/issues",
            body,
            key=f"meeting-{mid}-issue-{issue['issue_id']}",
        )


async def enrol_workshop_students(client: Poster) -> None:
    station, mid = WORKSHOP["station_id"], WORKSHOP["meeting_id"]
    for vid, name, skills in STUDENTS:
        enrol = {
            "volunteer_id": vid,
            "name": name,
            "category": "student",
            "affiliation": "兰州财经大学社会工作协会",
            "skills": skills,
            "enrolled_on": "2024-03-16",
        }
        await client.post(
            "engagement", f"/stations/{station}/volunteers", enrol, key=f"volunteer-{vid}"
        )
        training = {
            "training_id": mid,
            "title": WORKSHOP["schedule"]["title"],
            "attended_on": "2024-03-16",
            "meeting_id": mid,
        }
        await client.post(
            "engagement",
            f"/stations/{station}/volunteers/{vid}/trainings",
            training,
            key=f"volunteer-{vid}-{mid}",
        )


async def load(client: Poster) -> None:
    for meeting in MEETINGS:
        await record_meeting(client, meeting)
    await enrol_workshop_students(client)
