"""Notifications service (通知): rules over the domains' events, delivered by webhook, email
and in-app inbox, once per rule, source event and recipient."""
