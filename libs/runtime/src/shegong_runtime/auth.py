"""Bearer-token authentication and station scoping, checked in one place for every service.

Tokens are JWTs (PyJWT, HS256 with a shared secret) carrying a role and a scope: a list of
stations, a district, or the whole city. Guarantee 9: callers see and change only their scope.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shegong_runtime.errors import DomainError, Forbidden
from shegong_runtime.settings import Settings

R = TypeVar("R", bound=Any)


class Role(StrEnum):
    social_worker = "social_worker"  # 社工
    station_lead = "station_lead"  # 站长
    district_officer = "district_officer"  # 区民政局
    city_admin = "city_admin"  # 市民政局
    integrator = "integrator"
    operator = "operator"


# The role sets, each named once: routes, audits and erasures take them from here.
BUREAUS = frozenset({Role.district_officer, Role.city_admin})
"""The civil-affairs bureaus above the stations (evaluations; personal data shown masked)."""
MANAGERS = BUREAUS | {Role.station_lead}
"""Station leads and the bureaus: reviews, erasures, rules, the recipients directory, audits."""
WRITERS = MANAGERS | {Role.social_worker}
"""Staff: everyone who records work at a station."""
READERS = WRITERS | {Role.integrator}
"""Everyone who reads a station's records (integrators without personal data)."""
OVERSEERS = MANAGERS | {Role.operator}
"""Who watches deliveries and re-drives them: managers and operators."""
STATION_STAFF = frozenset({Role.social_worker, Role.station_lead})
"""Who works at a station itself, not the bureaus above it: what only a station's own daily work
needs (finding one of its households by the head's name)."""


class Unauthenticated(DomainError):
    """No bearer token, or one that is expired, forged or malformed."""

    status = 401


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    stations: frozenset[str] = field(default_factory=frozenset)
    district: str | None = None

    @property
    def citywide(self) -> bool:
        return self.role in (Role.city_admin, Role.integrator, Role.operator)

    def can_see(
        self, station_id: str, district_of: Callable[[str], str | None] | None = None
    ) -> bool:
        if self.citywide or station_id in self.stations:
            return True
        if self.role == Role.district_officer and self.district and district_of is not None:
            return district_of(station_id) == self.district
        return False

    def require_station(
        self, station_id: str, district_of: Callable[[str], str | None] | None = None
    ) -> None:
        if not self.can_see(station_id, district_of):
            raise Forbidden(f"角色 {self.role} 无权查看社工站 {station_id}", field="station_id")

    def may_write(
        self, station_id: str, district_of: Callable[[str], str | None] | None = None
    ) -> bool:
        """Staff write for the stations they see; integrators and operators only read."""
        return self.role in WRITERS and self.can_see(station_id, district_of)

    def require_write(
        self, station_id: str, district_of: Callable[[str], str | None] | None = None
    ) -> None:
        if self.role not in WRITERS:
            raise Forbidden(f"角色 {self.role} 只能查看，不能登记")
        self.require_station(station_id, district_of)

    def visible(
        self, rows: Iterable[R], district_of: Callable[[str], str | None] | None = None
    ) -> list[R]:
        """The rows (each with a `station_id`) of the stations this caller sees."""
        return [r for r in rows if self.can_see(r["station_id"], district_of)]

    def may_read_district(self, district_id: str | None) -> bool:
        """A district as a whole: the city's roles, or the officer of that district."""
        return self.citywide or (
            self.role == Role.district_officer
            and district_id is not None
            and self.district == district_id
        )

    def require_district(self, district_id: str) -> None:
        if not self.may_read_district(district_id):
            raise Forbidden(f"角色 {self.role} 无权查看区县 {district_id}", field="district_id")

    def require_role(self, roles: Iterable[Role]) -> None:
        allowed = set(roles)
        if self.role not in allowed:
            names = ", ".join(sorted(allowed))
            raise Forbidden(f"角色 {self.role} 无权办理此事（限：{names}）")


def issue(
    settings: Settings,
    subject: str,
    role: Role | str,
    stations: Iterable[str] = (),
    district: str | None = None,
    ttl_s: int = 12 * 3600,
) -> str:
    now = int(time.time())
    claims = {
        "sub": subject,
        "role": str(Role(role)),
        "stations": sorted(stations),
        "iss": settings.jwt_issuer,
        "iat": now,
        "exp": now + ttl_s,
    }
    if district:
        claims["district"] = district
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


def verify(settings: Settings, token: str) -> Principal:
    secrets = [settings.jwt_secret, *(s for s in settings.jwt_previous_secrets.split(",") if s)]
    error: Exception | None = None
    for secret in secrets:  # the current secret first, then those being rotated out
        try:
            claims = jwt.decode(
                token,
                secret,
                algorithms=["HS256"],
                issuer=settings.jwt_issuer,
                options={"require": ["exp", "sub", "role"]},
            )
            role = Role(claims["role"])
            break
        except jwt.InvalidSignatureError as exc:
            error = exc
        except (jwt.PyJWTError, ValueError) as exc:
            raise Unauthenticated(f"登录凭证无效：{exc}") from None
    else:
        raise Unauthenticated(f"登录凭证无效：{error}") from None
    return Principal(
        subject=claims["sub"],
        role=role,
        stations=frozenset(claims.get("stations") or ()),
        district=claims.get("district"),
    )


_bearer = HTTPBearer(auto_error=False)


async def principal(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> Principal:
    """FastAPI dependency: every route of every service takes its caller from here."""
    if credentials is None:
        raise Unauthenticated("缺少登录凭证（Authorization: Bearer <jwt>）")
    return caller(request, credentials.credentials)


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer` header, for a page that also takes one from
    elsewhere (a cookie, a link); routes take `principal`."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def caller(request: Request, token: str) -> Principal:
    """The caller a token names, remembered on the request (the read audit names the reader);
    for a page that takes its token from elsewhere than the header (a cookie, a link)."""
    who = verify(request.app.state.settings, token)
    request.state.principal = who
    return who


def requires(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    async def dependency(who: Principal = Depends(principal)) -> Principal:
        who.require_role(roles)
        return who

    return dependency
