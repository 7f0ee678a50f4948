"""The `shegong` command: run the stack, single parts, and the operators' and integrators' tools.

`app` holds the group and what commands share; each module beside it registers its commands.
"""

from shegong_runtime.cli import history, operations, recovery, running, tooling  # noqa: F401  (registers the commands)
from shegong_runtime.cli.app import main

__all__ = ["main"]
