"""The six stations of the source document (DESIGN.md), opened through the HTTP API."""

from shegong_runtime.demo import DemoClient

STATIONS = [
    ("chengguan-qingbaishi", "城关区青白石街道社工站", "chengguan", "城关区", "青白石街道", "street"),
    ("chengguan-huochezhan", "城关区火车站街道社工站", "chengguan", "城关区", "火车站街道", "street"),
    ("chengguan-caochangjie", "城关区草场街街道社工站", "chengguan", "城关区", "草场街街道", "street"),
    ("chengguan-tieluxicun", "城关区铁路西村街道社工站", "chengguan", "城关区", "铁路西村街道", "street"),
    ("honggu-haishiwan", "红古区海石湾镇社工站", "honggu", "红古区", "海石湾镇", "township"),
    ("xigu-fulilu", "西固区福利路街道社工站", "xigu", "西固区", "福利路街道", "street"),
]


async def load(client: DemoClient) -> None:
    for station_id, name, district_id, district_name, street, kind in STATIONS:
        await client.post(
            "registry",
            "/stations",
            {
                "station_id": station_id,
                "name": name,
                "city": "兰州市",
                "district_id": district_id,
                "district_name": district_name,
                "street": street,
                "kind": kind,
            },
            key=f"station-{station_id}",
        )
