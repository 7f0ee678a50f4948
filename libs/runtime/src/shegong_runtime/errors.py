"""Domain errors named for the rule broken; the HTTP layer maps them to status codes in one place."""

from __future__ import annotations


class DomainError(Exception):
    """A command refused by a rule of the domain (HTTP 422 unless a subclass says otherwise)."""

    status = 422

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    @property
    def code(self) -> str:
        return type(self).__name__


class NotFound(DomainError):
    """The aggregate named by the request does not exist."""

    status = 404


class Conflict(DomainError):
    """The request clashes with the current state (a duplicate, an illegal transition)."""

    status = 409


class Forbidden(DomainError):
    """The caller's role or scope does not reach this station or action."""

    status = 403
