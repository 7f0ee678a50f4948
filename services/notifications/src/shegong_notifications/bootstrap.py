"""Wires the notifications service: API, planner, delivery worker and reminder clock."""

from shegong_runtime.service import Runtime, Service

from shegong_notifications import clock, courier, schema
from shegong_notifications.config import NotifySettings
from shegong_notifications.entrypoints import deliveries, inbox, recipients, rules
from shegong_notifications.projections import NotificationPlanner


async def prepare(rt: Runtime) -> None:
    rt.extras["notify"] = NotifySettings()
    await schema.ensure(rt.pool)


service = Service(
    name="notifications",
    title="Shegong notifications (通知)",
    domain="notifications",
    routers=[rules.router, recipients.router, inbox.router, deliveries.router],
    projections=[NotificationPlanner()],
    on_start=[prepare],
    background=[courier.deliver, clock.fire_reminders],
)
