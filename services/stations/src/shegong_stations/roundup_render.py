"""The weekly roundup (一周掠影) as Markdown and as an HTML fragment, from one Roundup value."""

from __future__ import annotations

from collections.abc import Sequence

from shegong_stations.charts import Chart
from shegong_stations.periods import chinese_span
from shegong_stations.roundup import Roundup
from shegong_stations.web.templating import render


def markdown(r: Roundup) -> str:
    lines = [f"# {r.title}", "", f"*{r.subtitle}*", ""]
    if r.lead:
        lines += [r.lead, ""]
    for s in r.sections:
        lines += [f"## {s.heading}", ""]
        for p in s.paragraphs:
            lines += [p, ""]
    if not r.sections:
        lines += [quiet(r), ""]
    return "\n".join(lines).rstrip() + "\n"


def html(r: Roundup, pictures: Sequence[Chart] = ()) -> str:
    """The roundup as an HTML article, with its charts (`web.pictures.for_roundup`) at the end."""
    return render("roundup.html.j2", r=r, pictures=list(pictures), quiet=quiet(r))


def quiet(r: Roundup) -> str:
    return f"{chinese_span(r.span)}暂无记录的工作。"
