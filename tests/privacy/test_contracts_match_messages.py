"""The integrators' guide and the AsyncAPI documents describe the messages as they are: the
headers the relay sets, and the correlation id where it travels (the payload)."""

import json
from pathlib import Path

from shegong_runtime import identity, relay
from shegong_runtime.ops import contracts

ROOT = Path(__file__).resolve().parents[2]


def test_every_asyncapi_message_finds_the_correlation_id_in_the_payload():
    for path in sorted((ROOT / "contracts" / "asyncapi").glob("*.json")):
        messages = json.loads(path.read_text(encoding="utf-8"))["components"]["messages"]
        assert messages, path
        for name, message in messages.items():
            assert message["correlationId"]["location"] == "$message.payload#/correlation_id", (
                path,
                name,
            )
            assert "headers" in message, (path, name)


def test_the_documented_headers_are_the_ones_the_relay_sets():
    documented = set(contracts.EVENT_HEADERS["properties"])
    assert documented == {"Nats-Msg-Id", relay.POSITION_HEADER, identity.HEADER}
    guide = (ROOT / "docs" / "integrators.md").read_text(encoding="utf-8")
    assert "Sw-Event-Type" not in guide and "Sw-Schema-Version" not in guide
    assert all(f"`{h}`" in guide for h in documented)
