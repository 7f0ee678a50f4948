"""The HTTP API: write routes that parse, state the command as an `Order` (its scope a
station's, a district's or the person's own) and make one call, `CommandRequest.send`; and
readings over the views."""

from fastapi import APIRouter

from shegong_notifications.entrypoints.http import deliveries, inbox, recipients, rules

router = APIRouter()
for part in (rules, recipients, inbox, deliveries):
    router.include_router(part.router)
