"""Regenerates ``quiz_bank/schema.json`` from the pydantic models: ``python -m engine.quiz.schema``.

A bank file can point at it with ``"$schema": "./schema.json"`` for validation in an editor.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from engine.quiz.bank import SCHEMA_FILE, default_folder
from engine.quiz.models import BankFile


def schema_text() -> str:
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **BankFile.model_json_schema(by_alias=True)}
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schema(folder: Path | None = None) -> Path:
    path = (folder or default_folder()) / SCHEMA_FILE
    path.write_text(schema_text(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(f"wrote {write_schema()}", file=sys.stderr)
