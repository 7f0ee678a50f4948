"""The HTTP API: thin routes that check scope, build a command and hand it to the one command
path (`shegong_runtime.commands.handle`), and readings over the views."""

from fastapi import APIRouter

from shegong_notifications.entrypoints.http import deliveries, inbox, recipients, rules

router = APIRouter()
for part in (rules, recipients, inbox, deliveries):
    router.include_router(part.router)
