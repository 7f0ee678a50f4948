"""The outbox relay: its loop (`relay.loop`) and its recovery scan (`relay.recovery`).

The names other modules import live here, so `from shegong_runtime.relay import Relay` stays.
"""

from shegong_runtime.eventstore import Position
from shegong_runtime.relay.loop import HIDDEN_RETRY_S, POSITION_HEADER, Relay, Unconfirmed, lock_key

__all__ = ["HIDDEN_RETRY_S", "POSITION_HEADER", "Position", "Relay", "Unconfirmed", "lock_key"]
