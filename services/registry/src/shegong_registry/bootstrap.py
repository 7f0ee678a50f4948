"""Wires the registry service together."""

from shegong_runtime.service import Service
from shegong_registry.entrypoints.http import router

service = Service(name="registry", title="Shegong registry (登记)", domain="registry", routers=[router])
