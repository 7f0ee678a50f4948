"""The network between the phone and the workbench, as a TCP relay a test can cut and restore.

The DevTools protocol's emulation takes the page offline (navigator.onLine, the page's own
requests) but not what a service worker fetches; cutting this link takes everything offline.
"""

from __future__ import annotations

import asyncio
import contextlib

from shegong_testing.browser import free_port


class Link:
    def __init__(self, target_port: int) -> None:
        self.target = target_port
        self.port = free_port()
        self.server: asyncio.AbstractServer | None = None
        self.open: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def up(self) -> None:
        if self.server is None:
            self.server = await asyncio.start_server(
                self._relay, "127.0.0.1", self.port, reuse_address=True
            )

    async def down(self) -> None:
        """Refuse new connections and break the open ones, as a lost signal does."""
        if self.server is not None:
            self.server.close()
            self.server = None
        for writer in list(self.open):
            writer.transport.abort()
        self.open.clear()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
        except OSError:
            writer.transport.abort()
            return
        self.open |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.CancelledError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            with contextlib.suppress(OSError, RuntimeError):
                dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self.open -= {writer, up_writer}
