"""Regenerates ``drills/schema.json`` from :class:`~engine.drills.contract.DrillSpec`:
``python -m engine.drills.schema``. A ``drill.json`` can point at it with
``"$schema": "../schema.json"`` for validation while it is written."""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path

from engine.drills.catalog import DRILLS_PACKAGE
from engine.drills.contract import DrillSpec

SCHEMA_FILE = "schema.json"


def schema_text() -> str:
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **DrillSpec.model_json_schema(by_alias=True)}
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def schema_path() -> Path:
    return Path(str(resources.files(DRILLS_PACKAGE).joinpath(SCHEMA_FILE)))


if __name__ == "__main__":
    schema_path().write_text(schema_text(), encoding="utf-8")
    print(f"wrote {schema_path()}", file=sys.stderr)
