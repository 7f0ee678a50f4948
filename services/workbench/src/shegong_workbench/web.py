"""Rendering the pages: one Jinja2 environment, autoescaped, with the code names as globals."""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from shegong_events import glossary

from shegong_workbench import vocabulary

ENV = Environment(
    loader=PackageLoader("shegong_workbench", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
ENV.globals["L"] = vocabulary
ENV.globals["word"] = glossary.word
ENV.globals["names_json"] = json.dumps(vocabulary.names(), ensure_ascii=False)


def page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(ENV.get_template(name).render(**context), status_code=status)


def message(title: str, text: str, status: int, who: Any = None) -> HTMLResponse:
    return page("message.html", status, title=title, text=text, who=who)
