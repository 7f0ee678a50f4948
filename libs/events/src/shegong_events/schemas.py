"""JSON Schema of the envelope and of every event type, written into the repo's contracts folder.

`python -m shegong_events.schemas [DIR]` writes them; a test fails when the committed files
drift from the models, so a subscriber in any language can trust the published contracts.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from shegong_events.all import load_all
from shegong_events.envelope import Envelope

ROOT = Path(__file__).resolve().parents[4]
DEFAULT_DIR = ROOT / "contracts" / "schemas"
BASE_ID = "https://shegong.example/schemas"


def event_schema(model: Any) -> dict[str, Any]:
    """The full envelope with `data` narrowed to this event type and version."""
    envelope = Envelope.model_json_schema()
    data = model.model_json_schema()
    defs = {**envelope.pop("$defs", {}), **data.pop("$defs", {})}
    envelope["properties"]["event_type"] = {"const": model.event_type, "type": "string"}
    envelope["properties"]["schema_version"] = {"const": model.schema_version, "type": "integer"}
    envelope["properties"]["aggregate_type"] = {"const": model.aggregate_type, "type": "string"}
    envelope["properties"]["data"] = data
    envelope["title"] = f"{model.event_type} v{model.schema_version}"
    envelope["description"] = (model.__doc__ or "").strip()
    envelope["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    envelope["$id"] = f"{BASE_ID}/{model.domain}/{model.event_type}.v{model.schema_version}.json"
    if defs:
        envelope["$defs"] = defs
    return envelope


def render_all() -> dict[str, str]:
    """Relative path → file text, for every published contract."""
    files: dict[str, str] = {}
    envelope = Envelope.model_json_schema()
    envelope["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    envelope["$id"] = f"{BASE_ID}/envelope.json"
    files["envelope.json"] = dump(envelope)
    for model in load_all().models():
        if not model.__module__.startswith("shegong_events."):
            continue
        files[f"{model.domain}/{model.event_type}.v{model.schema_version}.json"] = dump(
            event_schema(model)
        )
    return files


def dump(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write(directory: Path = DEFAULT_DIR) -> list[Path]:
    written = []
    for rel, text in render_all().items():
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DIR
    for path in write(target):
        print(path)
