"""Raw files a function writes: `generator(raw_dir, seed, **params)` for synthetic competitions.

The function is 'file.py:function' next to the spec or 'package.module:function'. It returns
nothing; every file it leaves in `raw_dir` is raw data.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from podium.runtime.data.sources import FETCHED_MARKER
from podium.runtime.data.sources._common import DataError, import_hook, progress_step

if TYPE_CHECKING:
    from rich.progress import Progress

    from podium.runtime.spec.parts import GeneratedSource


def fetch(
    source: GeneratedSource,
    competition_id: str,
    raw_dir: Path,
    *,
    spec_dir: Path | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    generate = import_hook(source.generator, spec_dir)
    with progress_step(progress, f"{competition_id}: {source.generator}"):
        generate(raw_dir, source.seed, **source.params)
    files = sorted(p for p in raw_dir.rglob("*") if p.is_file() and p.name != FETCHED_MARKER)
    if not files:
        raise DataError(f"generator {source.generator!r} wrote no file into {raw_dir}")
    return files
