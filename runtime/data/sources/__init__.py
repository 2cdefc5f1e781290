"""Where raw data comes from: one small module per source kind, one interface.

Every kind has `fetch(source, competition_id, raw_dir, *, spec_dir, progress) -> list[Path]`:
it writes the competition's raw files into `raw_dir` and returns them. `fetch_raw` wraps a
kind with what all of them need: reuse of a finished fetch (`raw/.fetched.json`, written last)
and the rule that Kaggle is only contacted when the user asked for it.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from podium.runtime.data.sources._common import DataError, sha256_of_file
from podium.runtime.spec.resolved import canonical_json

if TYPE_CHECKING:
    from rich.progress import Progress

    from podium.runtime.spec.parts import Source

FETCHED_MARKER = ".fetched.json"
KINDS = ("kaggle", "pypi", "local", "sklearn", "generated")


def fetch_raw(
    source: Source,
    competition_id: str,
    raw_dir: Path,
    *,
    spec_dir: Path | None = None,
    progress: Progress | None = None,
    allow_kaggle: bool = False,
) -> list[Path]:
    """The raw files of a competition, fetched once and reused while the source spec is unchanged."""
    source_sha256 = _source_sha256(source)
    reused = _reusable_fetch(raw_dir, source_sha256)
    if reused is not None:
        return reused
    if source.kind == "kaggle" and not allow_kaggle:
        raise DataError(
            f"{competition_id} downloads its data from Kaggle: pass --kaggle (allow_kaggle=True) "
            "and set Kaggle credentials (~/.kaggle/kaggle.json, or KAGGLE_USERNAME and "
            "KAGGLE_KEY), after accepting the competition's rules on kaggle.com."
        )
    raw_dir.mkdir(parents=True, exist_ok=True)
    (raw_dir / FETCHED_MARKER).unlink(missing_ok=True)  # the old fetch no longer matches
    module = importlib.import_module(f"{__name__}.{source.kind}")
    files: list[Path] = module.fetch(source, competition_id, raw_dir, spec_dir=spec_dir, progress=progress)
    _write_marker(raw_dir, source_sha256, files)
    return files


def _source_sha256(source: Source) -> str:
    return hashlib.sha256(canonical_json(source).encode()).hexdigest()


def _reusable_fetch(raw_dir: Path, source_sha256: str) -> list[Path] | None:
    """The files of an earlier complete fetch of the same source, if all are still there."""
    try:
        marker = json.loads((raw_dir / FETCHED_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if marker.get("source_sha256") != source_sha256:
        return None
    recorded: dict[str, dict[str, int]] = marker.get("files", {})
    files = {raw_dir / name: entry["bytes"] for name, entry in recorded.items()}
    # Sizes, not hashes: cheap enough to check on every prepare, and catches truncation.
    if all(path.is_file() and path.stat().st_size == size for path, size in files.items()):
        return list(files)
    return None


def _write_marker(raw_dir: Path, source_sha256: str, files: list[Path]) -> None:
    record = {
        "source_sha256": source_sha256,
        "files": {
            path.relative_to(raw_dir).as_posix(): {
                "bytes": path.stat().st_size,
                "sha256": sha256_of_file(path),
            }
            for path in files
        },
    }
    marker = raw_dir / FETCHED_MARKER
    partial = marker.with_suffix(".tmp")
    partial.write_text(json.dumps(record, indent=2, sort_keys=True), encoding="utf-8")
    partial.replace(marker)


__all__ = ["FETCHED_MARKER", "KINDS", "DataError", "fetch_raw"]
