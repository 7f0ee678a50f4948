"""A small W3C WebDriver client over httpx, for headless Chromium driven by chromedriver: the
browser tests of the stations dashboard and of the workbench (typing, scripts, and the DevTools
protocol through chromedriver's `goog/cdp/execute`, network emulation for offline).
"""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import socket
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

CHROME_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=412,1600",  # a phone's width: the dashboard must read there
    "--lang=zh-CN",
]
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


def chromium_binary() -> str | None:
    if Path("/usr/lib/chromium/chromium").exists():  # Debian's binary, without the shell launcher
        return "/usr/lib/chromium/chromium"
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def chromedriver_binary() -> str | None:
    return shutil.which("chromedriver") or (
        "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebDriverError(RuntimeError):
    pass


class Browser:
    """One WebDriver session: navigate, find elements, read text, take screenshots."""

    def __init__(self, http: httpx.AsyncClient, session_id: str) -> None:
        self.http, self.session = http, session_id

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        r = await self.http.request(method, f"/session/{self.session}{path}", json=body)
        value = r.json().get("value")
        if r.status_code >= 400:
            raise WebDriverError(f"{method} {path}: {r.status_code} {value}")
        return value

    async def open(self, url: str) -> None:
        await self._call("POST", "/url", {"url": url})

    async def title(self) -> str:
        return str(await self._call("GET", "/title"))

    async def current_url(self) -> str:
        return str(await self._call("GET", "/url"))

    async def find(self, css: str, wait_s: float = 10.0) -> str:
        """The element, waited for: a click that submits a form returns before the answer is
        drawn, so the next find can run on the page being left. `find_all` never waits."""
        deadline = asyncio.get_running_loop().time() + wait_s
        while True:
            try:
                found = await self._call(
                    "POST", "/element", {"using": "css selector", "value": css}
                )
                return found[ELEMENT]
            except WebDriverError as exc:
                if "no such element" not in str(exc):
                    raise
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.1)

    async def find_all(self, css: str) -> list[str]:
        found = await self._call("POST", "/elements", {"using": "css selector", "value": css})
        return [e[ELEMENT] for e in found]

    async def text(self, css: str) -> str:
        return str(await self._call("GET", f"/element/{await self.find(css)}/text"))

    async def texts(self, css: str) -> list[str]:
        return [
            str(await self._call("GET", f"/element/{e}/text")) for e in await self.find_all(css)
        ]

    async def click(self, css: str) -> None:
        """Click; an element the page redrew between finding and clicking is found again."""
        for attempt in range(5):
            try:
                await self._call("POST", f"/element/{await self.find(css)}/click", {})
                return
            except WebDriverError as exc:
                if "stale element" not in str(exc) or attempt == 4:
                    raise
                await asyncio.sleep(0.2)

    async def type(self, css: str, text: str, clear: bool = True) -> None:
        element = await self.find(css)
        if clear:
            await self._call("POST", f"/element/{element}/clear", {})
        await self._call("POST", f"/element/{element}/value", {"text": text})

    async def select(self, css: str, value: str) -> None:
        """Choose an option of a <select> by its value, as a person picking from the list."""
        await self.click(f'{css} option[value="{value}"]')

    async def script(self, source: str, *args: object) -> Any:
        """Runs `source`; answers its return value as JSON decodes it (any shape the page gives)."""
        return await self._call("POST", "/execute/sync", {"script": source, "args": list(args)})

    async def script_async(self, source: str, *args: object) -> Any:
        """Runs `source`; it ends by calling arguments[arguments.length - 1](result)."""
        return await self._call("POST", "/execute/async", {"script": source, "args": list(args)})

    async def keys(self, text: str) -> None:
        """Keys pressed on the keyboard, to whatever has the focus (\ue004 Tab, \ue007 Enter)."""
        actions = []
        for ch in text:
            actions += [{"type": "keyDown", "value": ch}, {"type": "keyUp", "value": ch}]
        await self._call(
            "POST", "/actions", {"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}
        )

    async def delete_cookie(self, name: str) -> None:
        await self._call("DELETE", f"/cookie/{name}")

    async def refresh(self) -> None:
        await self._call("POST", "/refresh", {})

    async def cdp(self, command: str, params: dict[str, Any] | None = None) -> object:
        return await self._call(
            "POST", "/goog/cdp/execute", {"cmd": command, "params": params or {}}
        )

    async def offline(self, offline: bool) -> None:
        """The DevTools protocol's network emulation: no request leaves the page while offline."""
        await self.cdp("Network.enable")
        await self.cdp(
            "Network.emulateNetworkConditions",
            {"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )

    async def screenshot(self, path: Path) -> Path:
        png = await self._call("GET", "/screenshot")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(str(png)))
        return path


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """chromedriver on a free port and one headless Chromium session; both gone afterwards."""
    driver, binary = chromedriver_binary(), chromium_binary()
    assert driver and binary, "chromium and chromedriver must be installed"
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        driver,
        f"--port={port}",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=os.environ.copy(),
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            for _ in range(100):
                try:
                    if (await http.get("/status")).json()["value"].get("ready"):
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
            r = await http.post(
                "/session",
                json={
                    "capabilities": {
                        "alwaysMatch": {
                            "browserName": "chrome",
                            "goog:chromeOptions": {"binary": binary, "args": CHROME_ARGS},
                        }
                    }
                },
            )
            if r.status_code >= 400:
                raise WebDriverError(f"new session: {r.status_code} {r.text[:500]}")
            session = r.json()["value"]["sessionId"]
            try:
                yield Browser(http, session)
            finally:
                await http.delete(f"/session/{session}")
    finally:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()
            await proc.wait()
