"""Raw files from a folder or an archive (zip, tar, tar.gz) the user already has on disk.

`path` expands `~` and `$VARS`, so one spec serves every machine (`$KAGGLE_DATA/titanic.zip`);
a relative path is read from the spec's folder, the place its other files live.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from podium.runtime.data.sources._common import (
    DataError,
    archive_members,
    extract_files,
    is_archive,
    progress_step,
    safe_child,
)

if TYPE_CHECKING:
    from rich.progress import Progress

    from podium.runtime.spec.parts import LocalSource


def fetch(
    source: LocalSource,
    competition_id: str,
    raw_dir: Path,
    *,
    spec_dir: Path | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    origin = resolve_path(source.path, spec_dir)
    with progress_step(progress, f"{competition_id}: copy from {origin}"):
        if origin.is_dir():
            return _copy_from_folder(origin, source.files, raw_dir)
        if origin.is_file() and is_archive(origin):
            wanted = source.files or archive_members(origin)
            return extract_files(origin, {name: name for name in wanted}, raw_dir)
    if origin.is_file():
        raise DataError(f"{origin} is not a folder or an archive (.zip, .tar, .tar.gz, .tgz)")
    raise DataError(
        f"the data for {competition_id} is expected at {origin} (from source.path "
        f"{source.path!r}), which does not exist; put the files there or set the variables it uses"
    )


def resolve_path(path: str, spec_dir: Path | None) -> Path:
    expanded = Path(os.path.expandvars(os.path.expanduser(path)))
    if expanded.is_absolute() or spec_dir is None:
        return expanded
    return spec_dir / expanded


def _copy_from_folder(folder: Path, names: list[str], raw_dir: Path) -> list[Path]:
    if not names:
        names = [p.relative_to(folder).as_posix() for p in sorted(folder.rglob("*")) if p.is_file()]
    missing = [name for name in names if not (folder / name).is_file()]
    if missing:
        raise DataError(
            f"{folder} has no {', '.join(repr(m) for m in missing)}; "
            "put the files there or fix source.files in the spec"
        )
    copied = []
    for name in names:
        target = safe_child(raw_dir, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(safe_child(folder, name), target)
        copied.append(target)
    return copied
