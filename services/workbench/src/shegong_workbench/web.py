"""Rendering the pages: one Jinja2 environment, autoescaped, with the code names as globals."""

from __future__ import annotations

import json
from contextvars import ContextVar
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from shegong_events import glossary

from shegong_workbench import vocabulary
from shegong_workbench.entrypoints.assets import build

ENV = Environment(
    loader=PackageLoader("shegong_workbench", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
ENV.globals["L"] = vocabulary
ENV.globals["word"] = glossary.word
ENV.globals["build"] = build()  # names the service worker's caches (static/sw.js)
ENV.globals["names_json"] = json.dumps(vocabulary.names(), ensure_ascii=False)


# the display name of who is signed in, for the page's chrome (set per request by `pages.shown`)
signed_name: ContextVar[str] = ContextVar("signed_name", default="")


def page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    me = context.pop("me", None)
    name_shown = me.display_name if me is not None else signed_name.get()
    html = ENV.get_template(name).render(me_name=name_shown, **context)
    return HTMLResponse(html, status_code=status)


def message(title: str, text: str, status: int, who: Any = None) -> HTMLResponse:
    return page("message.html", status, title=title, text=text, who=who)
