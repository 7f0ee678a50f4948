"""Managing workbench users over JSON: the city's administrator only (the demo loader uses it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field
from shegong_events.ids import SLUG, USERNAME
from shegong_runtime import paging
from shegong_runtime.auth import WRITERS, Principal, Role, requires
from shegong_runtime.errors import DomainError
from shegong_runtime.paging import Paging
from shegong_runtime.service import runtime

from shegong_workbench import users

router = APIRouter(prefix="/users", tags=["users"])
ADMIN = Depends(requires(Role.city_admin))
Username = Annotated[str, Path(pattern=USERNAME)]


class RoleNotForStaff(DomainError):
    """Workbench users are station staff and bureaus; integrators and operators have tools."""


class ScopeMissing(DomainError):
    """Station staff need stations, a district officer a district."""


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: str = Field(min_length=1, max_length=50)
    password: str = Field(min_length=8, max_length=200)
    role: Role
    stations: list[Annotated[str, Field(pattern=SLUG)]] = Field(default_factory=list, max_length=50)
    district: str | None = Field(default=None, pattern=SLUG)


def _shown(u: users.User) -> dict:
    return {
        "username": u.username,
        "display_name": u.display_name,
        "role": u.role,
        "stations": list(u.stations),
        "district": u.district,
    }


@router.put("/{username}")
async def put_user(
    username: Username,
    body: UserIn,
    request: Request,
    who: Principal = ADMIN,
) -> dict:
    if body.role not in WRITERS:  # integrators and operators use their own tools
        raise RoleNotForStaff(f"角色 {body.role} 不能登录工作台", field="role")
    if body.role in (Role.social_worker, Role.station_lead) and not body.stations:
        raise ScopeMissing("站点人员须指定所属社工站", field="stations")
    if body.role == Role.district_officer and not body.district:
        raise ScopeMissing("区民政局用户须指定区", field="district")
    user = await users.put(
        runtime(request).pool,
        username,
        body.display_name,
        body.password,
        body.role,
        body.stations,
        body.district,
    )
    return _shown(user)


USERS = paging.Keyset.of("users", "username:text")


@router.get("")
async def list_users(request: Request, page: Paging, who: Principal = ADMIN) -> dict:
    """The workbench's accounts by username (staff of a city: bounded, paged in memory)."""
    chosen, after = paging.slice_of_list(await users.everyone(runtime(request).pool), USERS, page)
    return page.answer([_shown(u) for u in chosen], after)
