"""The dry run: every row checked, nothing written; the report staff fix their sheet from."""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass, field

from shegong_visits.ledger import rows
from shegong_visits.ledger.rows import Problem

SHOWN = 1000  # problems listed in one answer; the count says how many there are


@dataclass
class Report:
    rows: int = 0
    valid: int = 0
    existing: int = 0  # rows naming a household the station already has: skipped on import
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0

    @property
    def clean(self) -> bool:
        return self.problem_count == 0

    def as_json(self) -> dict:
        return {
            "rows": self.rows,
            "valid": self.valid,
            "existing": self.existing,
            "problem_count": self.problem_count,
            "problems": [asdict(p) for p in self.problems],
            "clean": self.clean,
        }


def dry_run(content: bytes, existing: set[str] | None = None) -> Report:
    """Raises `rows.NotALedger` when the file is no ledger at all."""
    report = Report()
    seen_ids: dict[str, int] = {}  # 身份证号 -> first row: the same person twice in one file
    for item in rows.stream(io.BytesIO(content)):
        if isinstance(item, rows.Problem):
            if item.rule != "unknown_column":  # an extra column is ignored, not an error
                _add(report, item)
            continue
        number, cells = item
        report.rows += 1
        row, problems = rows.check(number, cells)
        for p in problems:
            _add(report, p)
        if row is None:
            continue
        id_number = row.fields.get("id_number")
        if id_number:
            first = seen_ids.setdefault(id_number.upper(), number)
            if first != number:
                _add(
                    report,
                    rows.Problem(number, "身份证号", "duplicate", f"与第{first}行身份证号重复"),
                )
                continue
        report.valid += 1
        if existing and row.household_id in existing:
            report.existing += 1
    return report


def _add(report: Report, problem: rows.Problem) -> None:
    report.problem_count += 1
    if len(report.problems) < SHOWN:
        report.problems.append(problem)
