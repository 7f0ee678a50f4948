"""Documentation completeness (文书完整度) on the evaluation dimensions, from what was recorded.

A peer exchange (互学交流) used to compare stations by leafing through their binders; here each
dimension of the evaluation gets the share of records that carry what a reviewer looks for.
Finance is not recorded in these services, so it is left to the reviewers (no score).
"""

from __future__ import annotations

from dataclasses import dataclass

from shegong_events.glossary import EVALUATION_DIMENSION

from shegong_stations.queries.figures import FILING_DAYS, NEED_ACT_DAYS


@dataclass(frozen=True)
class Check:
    key: str
    dimension: str
    label: str


CHECKS = (
    Check("visits_with_observations", "service_delivery", "走访记录含观察情况"),
    Check("needs_acted_in_time", "service_delivery", f"需求在{NEED_ACT_DAYS}日内转介、解决或结案"),
    Check("meetings_with_outcomes", "service_delivery", "活动记录含成果"),
    Check("filings_processed_in_time", "administration", f"备案申请在{FILING_DAYS}日内办结或退回"),
    Check("action_items_on_time", "administration", "议事待办事项按期完成"),
    Check("sessions_checked_out", "administration", "志愿服务时长规范签退"),
    Check("meetings_with_participants", "social_evaluation", "活动记录含参与人数及构成"),
    Check("deliberations_with_resolutions", "social_evaluation", "居民议事会形成决议或共识"),
    Check("meetings_with_summary", "publicity_innovation", "活动记录含总结"),
    Check("meetings_with_topics", "publicity_innovation", "活动记录含议题或主题内容"),
)
DIMENSIONS = tuple(EVALUATION_DIMENSION)  # as registry scores them
NOT_RECORDED = {"finance": "财务资料不在系统记录范围，需现场查阅"}


def completeness(records: dict[str, list[int]]) -> dict[str, dict]:
    """Per dimension: the checks with done/of, and the share of all checked records that pass."""
    out: dict[str, dict] = {}
    for dim in DIMENSIONS:
        checks = []
        done_all = of_all = 0
        for check in (c for c in CHECKS if c.dimension == dim):
            done, of = records.get(check.key, [0, 0])
            checks.append(
                {
                    "key": check.key,
                    "label": check.label,
                    "done": done,
                    "of": of,
                    "share": round(done / of, 3) if of else None,
                }
            )
            done_all, of_all = done_all + done, of_all + of
        out[dim] = {
            "score": round(done_all / of_all, 3) if of_all else None,
            "checks": checks,
            "note": NOT_RECORDED.get(dim),
        }
    return out
