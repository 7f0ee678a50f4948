"""The weekly roundup (一周掠影) as Markdown and as an HTML fragment, from one Roundup value."""

from __future__ import annotations

from shegong_stations.periods import chinese_span
from shegong_stations.roundup import Roundup
from shegong_stations.web.html import esc


def markdown(r: Roundup) -> str:
    lines = [f"# {r.title}", "", f"*{r.subtitle}*", ""]
    if r.lead:
        lines += [r.lead, ""]
    for s in r.sections:
        lines += [f"## {s.heading}", ""]
        for p in s.paragraphs:
            lines += [p, ""]
    if not r.sections:
        lines += [f"{chinese_span(r.span)}暂无记录的工作。", ""]
    return "\n".join(lines).rstrip() + "\n"


def html(r: Roundup) -> str:
    parts = [
        f'<article class="roundup"><h1>{esc(r.title)}</h1><p class="muted">{esc(r.subtitle)}</p>'
    ]
    if r.lead:
        parts.append(f"<p>{esc(r.lead)}</p>")
    for s in r.sections:
        parts.append(f'<section data-kind="{esc(s.kind)}"><h2>{esc(s.heading)}</h2>')
        parts += [f"<p>{esc(p)}</p>" for p in s.paragraphs]
        parts.append("</section>")
    if not r.sections:
        parts.append(f'<p class="muted">{esc(chinese_span(r.span))}暂无记录的工作。</p>')
    parts.append("</article>")
    return "".join(parts)
