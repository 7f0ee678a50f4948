"""Demo users of every role for the six stations of the source week (`shegong up`).

All share the configured demo password (SHEGONG_WORKBENCH_DEMO_PASSWORD, `shegong-demo`);
loading again leaves existing users as they are.
"""

from __future__ import annotations

import httpx
from shegong_runtime.demo import DEMO_DISTRICTS, DemoClient, DemoFailed

from shegong_workbench import config

STATIONS = {
    "chengguan-qingbaishi": ("qingbaishi", "青白石"),
    "chengguan-huochezhan": ("huochezhan", "火车站"),
    "chengguan-caochangjie": ("caochangjie", "草场街"),
    "chengguan-tieluxicun": ("tieluxicun", "铁路西村"),
    "honggu-haishiwan": ("haishiwan", "海石湾"),
    "xigu-fulilu": ("fulilu", "福利路"),
}


def demo_users() -> dict[str, dict]:
    """username → the user: a social worker and a lead per station, an officer per district."""
    out: dict[str, dict] = {}
    for station, (short, name) in STATIONS.items():
        out[f"{short}-sg"] = {
            "display_name": f"{name}社工",
            "role": "social_worker",
            "stations": [station],
        }
        out[f"{short}-zz"] = {
            "display_name": f"{name}站长",
            "role": "station_lead",
            "stations": [station],
        }
    for district, name in DEMO_DISTRICTS.items():
        out[f"{district}-mz"] = {
            "display_name": f"{name}民政局",
            "role": "district_officer",
            "district": district,
        }
    out["city-admin"] = {"display_name": "兰州市民政局", "role": "city_admin"}
    return out


async def load(client: DemoClient) -> None:
    """Puts the demo users that do not exist yet: loading again hashes nothing and keeps a
    password an administrator changed."""
    password = config.settings().demo_password
    auth = {"Authorization": f"Bearer {client.token}"}
    try:
        known = {u["username"] for u in await client.every("workbench", "/users")}
    except httpx.HTTPStatusError as exc:
        r = exc.response
        raise DemoFailed(f"GET workbench/users → {r.status_code}: {r.text[:300]}") from exc
    async with client._client("workbench") as http:
        for username, user in demo_users().items():
            if username in known:
                continue
            r = await http.put(
                f"/users/{username}",
                json={**user, "password": password},
                headers=auth,
            )
            if r.status_code >= 300:
                raise DemoFailed(
                    f"PUT workbench/users/{username} → {r.status_code}: {r.text[:300]}"
                )


load.needs = ("workbench",)  # type: ignore[attr-defined]  # read by demo.run via getattr
