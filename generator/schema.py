"""JSON Schema export: one schema per document kind, committed under schemas/."""

from __future__ import annotations

import json
from pathlib import Path

from podium.generator.models import DOCUMENTS

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_file_name(folder: str) -> str:
    return f"{folder.removesuffix('s')}.schema.json"


def render_schemas() -> dict[str, str]:
    """File name -> schema text; deterministic so committed files can be compared byte for byte."""
    rendered = {}
    for folder, model in DOCUMENTS.items():
        schema = {"$schema": SCHEMA_DIALECT, **model.model_json_schema(by_alias=True, mode="validation")}
        schema["title"] = f"podium {model.kind} spec"
        rendered[schema_file_name(folder)] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    return rendered


def write_schemas(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_schemas().items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def stale_schemas(out: Path) -> list[str]:
    """Names of committed schema files that differ from the models (or are missing)."""
    return [
        name
        for name, text in render_schemas().items()
        if not (out / name).is_file() or (out / name).read_text(encoding="utf-8") != text
    ]
