"""The stations service records nothing: it learns the demo week from the other services' events."""

from shegong_runtime.demo import DemoClient


async def load(client: DemoClient) -> None:
    return None


load.needs = ()  # type: ignore[attr-defined]
