"""The OpenAPI document tells the truth about what every route may answer and which headers
it reads and writes: problem details for each error status, Idempotency-Key on every command,
Idempotent-Replayed on its answer, Retry-After on a 503. Routes that honour If-Match say so
with `IF_MATCH` in their `openapi_extra`, a reading sent as POST with `READ_BY_POST`.

What a route says about its own answers is said with one set of helpers, the same in every
service: `reading(model, description)` for a GET, `command(status, description, model,
**links)` for a command, `link(operation_id, **parameters)` for the reading a command's answer
leads to. Operation ids follow one rule (`routes.operation_id`: the function's name)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from shegong_runtime.problems import MEDIA_TYPE, TITLES, FieldError, Problem

PROBLEM = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds to wait before trying again",
        "schema": {"type": "integer"},
    }
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "1 to 200 printable ASCII characters; a retry with the same key and body "
    "gets the first answer back (Idempotent-Replayed: true) and changes nothing",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[\\x20-\\x7e]+$"},
}
IF_MATCH = {
    "parameters": [
        {
            "name": "If-Match",
            "in": "header",
            "required": False,
            "description": "the version (ETag) the caller last saw; refused with 409 if it moved",
            "schema": {"type": "string", "pattern": '^(W/)?"?[0-9]{1,9}"?$', "examples": ['"3"']},
        }
    ]
}
READ_BY_POST = {"x-reading": True}
"""`openapi_extra` of a reading sent as POST, because what it looks for (a person's name) must
not travel in an address, where access logs, proxies and a shared phone's history keep it. It
changes nothing: no Idempotency-Key, no 409; its page's next cursor goes back in the body."""
REPLAYED = {
    "Idempotent-Replayed": {
        "description": "true when this is the remembered answer to an earlier request with the "
        "same Idempotency-Key",
        "schema": {"type": "string", "enum": ["true"]},
    }
}


ANSWER = {
    "type": "object",
    "description": "the command's answer: the aggregate's id, its new version, the events "
    "recorded; the same answer again on a retry with the same Idempotency-Key",
    "properties": {
        "version": {"type": ["integer", "null"], "description": "the aggregate's version now"}
    },
    "additionalProperties": True,
}
NEXT_PAGE = {
    "Link": {
        "description": 'the next page, `<...>; rel="next"` (RFC 8288), absent on the last page; '
        "the same cursor is the answer's `next`",
        "schema": {
            "type": "string",
            "examples": ['</households?station_id=a&cursor=eyJv...>; rel="next"'],
        },
    }
}
ETAG = {
    "ETag": {
        "description": "the version of what was read; send it back as If-Match",
        "schema": {"type": "string", "examples": ['"3"']},
    }
}


# ── what a route says about its answers: `responses=` of a reading or a command ──


def link(operation_id: str, **parameters: str) -> dict[str, Any]:
    """An OpenAPI link to the reading `operation_id`, its parameters runtime expressions taken
    from the exchange (`$request.path.station_id`, `$response.body#/meeting_id`)."""
    return {"operationId": operation_id, "parameters": parameters}


def reading(model: Any, description: str, *, etag: bool = False) -> dict[int | str, Any]:
    """`responses=` of a GET: its 200 described by `model` (the route's rows are not reshaped);
    `etag`: it gives the version read as its ETag, to send back as If-Match."""
    documented: dict[str, Any] = {"model": model, "description": description}
    if etag:
        documented["headers"] = {**ETAG}
    return {200: documented}


def command(
    status: int, description: str, model: Any = None, **links: dict[str, Any]
) -> dict[int | str, Any]:
    """`responses=` of a command: its answer (`model`, else the generic `ANSWER`) with the new
    version as its ETag (the command request sets it), linked to the readings of what it
    changed (`link(...)`)."""
    documented: dict[str, Any] = {"description": description, "headers": {**ETAG}}
    if model is not None:
        documented["model"] = model
    if links:
        documented["links"] = links
    return {status: documented}


def _problem(status: int, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {"description": TITLES[status], "content": PROBLEM}
    if headers:
        response["headers"] = headers
    return response


def _statuses(method: str, path: str, operations: bool, reading: bool) -> list[int]:
    if operations:
        return [503] if path == "/readyz" else []
    statuses = [401, 403, 404, 422, 503]  # 404: a named aggregate, station or district unknown
    if method == "post":
        statuses += [400, 413] if reading else [400, 409, 413]  # 400: a body that is not JSON
    return sorted(statuses)


def truthful(app: FastAPI) -> dict[str, Any]:
    spec = get_openapi(title=app.title, version=app.version, routes=app.routes)
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas["Problem"].pop("$defs", None)
    schemas["FieldError"] = FieldError.model_json_schema()
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    for path, operations in spec.get("paths", {}).items():
        for method, op in operations.items():
            operational = "operations" in op.get("tags", [])
            reading = method == "get" or bool(op.get("x-reading"))
            responses = op.setdefault("responses", {})
            standard = _statuses(method, path, operational, reading)
            for status in standard:
                responses[str(status)] = _problem(status, RETRY_AFTER if status == 503 else None)
            own = [int(s) for s in responses if s.isdigit() and int(s) in TITLES and int(s) >= 400]
            for status in [s for s in own if s not in standard]:
                declared = responses[str(status)].get(
                    "description"
                )  # a route's own refusal, e.g. 409
                responses[str(status)] = {
                    **_problem(status),
                    **({"description": declared} if declared else {}),
                }
            paged = any(p.get("name") == "cursor" for p in op.get("parameters", []))
            if method == "get" and paged and "200" in responses:
                responses["200"].setdefault("headers", {}).update(NEXT_PAGE)
            if method == "post" and not operational and not reading:
                params = op.setdefault("parameters", [])
                if not any(p.get("name") == "Idempotency-Key" for p in params):
                    params.append(IDEMPOTENCY_KEY)
                for success in ("200", "201"):
                    if success in responses:
                        responses[success].setdefault("headers", {}).update(REPLAYED)
                        content = responses[success].get("content", {}).get("application/json")
                        if content is not None and not content.get("schema"):
                            content["schema"] = ANSWER
    return spec


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = truthful(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override
