"""One error shape for every 4xx and 5xx: RFC 9457 problem details, with the rule's name.

`type` is a URN naming the rule, `title` says what kind of problem it is, `detail` says what
happened in this request, `rule` is the rule's name alone (`OrgFilingNotPending`,
`control_character`, `date_out_of_range`), and `errors` names each field and its rule.
See docs/errors.md.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

MEDIA_TYPE = "application/problem+json"

TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request body too large",
    422: "Request refused by a rule",
    500: "Internal error",
    503: "Service unavailable",
}


class FieldError(BaseModel):
    """One field that broke one rule."""

    field: str = Field(examples=["community"])
    rule: str = Field(examples=["control_character"])
    message: str = Field(examples=["文字中不能有 NUL 或其他控制字符"])


class Problem(BaseModel):
    """RFC 9457 problem details, extended with the rule's name and the fields concerned."""

    type: str = Field(examples=["urn:shegong:rule:control_character"])
    title: str = Field(examples=["Request refused by a rule"])
    status: int = Field(examples=[422])
    detail: str = Field(examples=["community: 文字中不能有 NUL 或其他控制字符"])
    rule: str = Field(examples=["control_character"])
    instance: str | None = Field(default=None, examples=["/households"])
    field: str | None = Field(default=None, description="the first field concerned")
    errors: list[FieldError] = Field(default_factory=list)
    dependency: str | None = Field(
        default=None, description="503 only: the dependency that cannot be reached"
    )
    expected_version: int | None = Field(default=None, description="409 on a lost race")
    current_version: int | None = Field(default=None, description="409 on a lost race")


def problem(
    status: int,
    rule: str,
    detail: str,
    *,
    instance: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"urn:shegong:rule:{rule}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "rule": rule,
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["field"] = errors[0]["field"]
        body["errors"] = errors
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, headers=headers, media_type=MEDIA_TYPE)
