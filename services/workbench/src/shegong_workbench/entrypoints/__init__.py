"""The workbench over HTTP: sign-in, the proxy to the services' APIs, the pages and their
assets, one module each, exported as one `router` like every service's."""

from fastapi import APIRouter

from shegong_workbench.entrypoints import (
    assets,
    board,
    ledger,
    pages,
    proxy,
    signin,
    staff,
    users_api,
)

router = APIRouter()
for part in (signin, proxy, board, staff, users_api, assets, pages, ledger):
    router.include_router(part.router)
