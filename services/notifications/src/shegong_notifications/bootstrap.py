"""Wires the notifications service: API, planner, delivery worker and reminder clock."""

from shegong_runtime.service import Runtime, Service

from shegong_notifications import config, courier, reminders, tables
from shegong_notifications.domain.recipient import data_subject
from shegong_notifications.entrypoints.http import router
from shegong_notifications.projections import NotificationPlanner


async def prepare(rt: Runtime) -> None:
    await tables.ensure(rt.pool)


service = Service(
    name="notifications",
    title="Shegong notifications (通知)",
    domain="notifications",
    routers=[router],
    projections=[NotificationPlanner()],
    on_start=[prepare],
    background=[courier.deliver, reminders.clock],
    own_settings=config.settings,
    erasures={"RecipientErased": lambda e: [data_subject(e.aggregate_id)]},
)
