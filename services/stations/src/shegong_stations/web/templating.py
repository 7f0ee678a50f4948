"""The one Jinja2 environment: templates from this package, every value escaped unless it is
already markup, and the filters the pages share."""

from __future__ import annotations

from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, StrictUndefined
from shegong_events import glossary

ENV = Environment(
    loader=PackageLoader("shegong_stations.web", "templates"),
    autoescape=True,  # every template here is HTML or SVG
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def href(path: str, **params: object) -> str:
    """A link with its query; empty parameters are left out."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{path}?{query}" if query else path


def number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def percent(fraction: float | None) -> int:
    return round(max(0.0, min(1.0, fraction or 0.0)) * 100)


ENV.globals.update(href=href, glossary=glossary)
ENV.filters.update(
    word=lambda code, table: glossary.word(table, code),
    num=number,
    pct=percent,
    day=lambda d: d.isoformat(),
)


def render(template: str, **context: object) -> str:
    return ENV.get_template(template).render(**context)
