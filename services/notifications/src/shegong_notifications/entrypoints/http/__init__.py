"""The HTTP API: thin routes that check scope, build a command and hand it to the one command
path (`shegong_runtime.commands.handle`), and readings over the views."""

from shegong_notifications.entrypoints.http import deliveries, inbox, recipients, rules

ROUTERS = [rules.router, recipients.router, inbox.router, deliveries.router]
