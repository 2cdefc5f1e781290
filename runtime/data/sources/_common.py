"""What every source kind shares: the error type, hashing, archive extraction, hooks, progress."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import shutil
import sys
import tarfile
import threading
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.progress import Progress

ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".whl")
HASH_CHUNK = 1 << 20


class DataError(Exception):
    """An expected failure while fetching or preparing data; its message says what to do."""


def sha256_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def check_sha256(path: Path, expected: str | None, what: str) -> None:
    """Raise when `path` is not the file the spec pinned (a None pin checks nothing)."""
    if expected is None:
        return
    actual = sha256_of_file(path)
    if actual != expected:
        raise DataError(
            f"{what} ({path}) has sha256 {actual}, but the spec expects {expected}. The download "
            "is corrupt or the upstream file changed: delete it and prepare again, or update the "
            "spec's sha256 if the new file is intended."
        )


def is_archive(path: Path) -> bool:
    return path.name.lower().endswith(ARCHIVE_SUFFIXES)


def archive_members(archive: Path) -> list[str]:
    """Names of the regular files inside a zip (wheels included) or tar archive."""
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as opened:
            return [info.filename for info in opened.infolist() if not info.is_dir()]
    with tarfile.open(archive) as opened:
        return [member.name for member in opened.getmembers() if member.isfile()]


def find_member(members: list[str], wanted: str) -> str | None:
    """`wanted` itself, or `wanted` under one top folder (an sdist's `pkg-1.0/` prefix)."""
    wanted = wanted.strip("/")
    if wanted in members:
        return wanted
    nested = [name for name in members if PurePosixPath(*PurePosixPath(name).parts[1:]).as_posix() == wanted]
    return nested[0] if len(nested) == 1 else None


def extract_files(archive: Path, wanted: Mapping[str, str], dest: Path) -> list[Path]:
    """Copy archive members to `dest`: `wanted` maps a raw file name to its path in the archive.

    Members are read one by one instead of `extractall`, so a hostile archive cannot write
    outside `dest` (names come from the spec, never from the archive).
    """
    members = archive_members(archive)
    located = {name: find_member(members, inner) for name, inner in wanted.items()}
    missing = [wanted[name] for name, member in located.items() if member is None]
    if missing:
        sample = ", ".join(members[:8]) + (" …" if len(members) > 8 else "")
        raise DataError(
            f"{archive.name} has no {', '.join(repr(m) for m in missing)}; it holds {len(members)} "
            f"file(s): {sample}. Fix the paths in the spec's source.files."
        )
    written = []
    for name, member in located.items():
        assert member is not None  # checked above
        target = safe_child(dest, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        with _open_member(archive, member) as source, open(target, "wb") as sink:
            shutil.copyfileobj(source, sink, HASH_CHUNK)
        written.append(target)
    return written


@contextmanager
def _open_member(archive: Path, member: str) -> Iterator[Any]:
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zipped, zipped.open(member) as handle:
            yield handle
        return
    with tarfile.open(archive) as tarred:
        extracted = tarred.extractfile(member)
        if extracted is None:
            raise DataError(f"{member} in {archive} is not a regular file")
        with extracted:
            yield extracted


def safe_child(folder: Path, relative: str) -> Path:
    """`folder / relative`, refusing names that climb out of `folder` ('..', absolute paths)."""
    target = (folder / relative).resolve()
    if not target.is_relative_to(folder.resolve()):
        raise DataError(f"file name {relative!r} points outside {folder}; use a plain relative name")
    return target


def import_hook(reference: str, spec_dir: Path | None) -> Callable[..., Any]:
    """The function a spec names: 'file.py:function' next to the spec, or 'module:function'."""
    module_ref, _, function_name = reference.partition(":")
    if module_ref.endswith(".py"):
        module = _module_from_file(module_ref, spec_dir, reference)
    else:
        try:
            module = importlib.import_module(module_ref)
        except ImportError as error:
            raise DataError(f"cannot import {module_ref!r} for hook {reference!r}: {error}") from None
    function = getattr(module, function_name, None)
    if not callable(function):
        raise DataError(f"hook {reference!r}: {module_ref} has no function {function_name!r}")
    return function


def _module_from_file(relative: str, spec_dir: Path | None, reference: str) -> Any:
    if spec_dir is None:
        raise DataError(
            f"hook {reference!r} is a file next to the spec, but the spec's folder is unknown; "
            "pass spec_dir (the CLI does) or name the hook as 'package.module:function'"
        )
    path = safe_child(spec_dir, relative)
    if not path.is_file():
        raise DataError(f"hook {reference!r}: no file {path}")
    # A unique module name per file, so two competitions' prepare.py never shadow each other.
    name = f"podium_hook_{hashlib.sha256(str(path).encode()).hexdigest()[:12]}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise DataError(f"hook {reference!r}: {path} is not an importable Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@contextmanager
def progress_step(progress: Progress | None, description: str) -> Iterator[None]:
    """One line in the progress display that spins while the block runs, then goes away.

    Finished steps are removed so a suite's display shows what is running now, not a log.
    """
    if progress is None:
        yield
        return
    task = progress.add_task(description, total=None)
    try:
        yield
    finally:
        progress.remove_task(task)


@contextmanager
def watch_download(progress: Progress | None, folder: Path, description: str) -> Iterator[None]:
    """Show bytes arriving in `folder` while a client we do not control downloads into it.

    The Kaggle client and urllib write files themselves; polling the folder's size gives a
    live byte count and speed without reaching into their internals.
    """
    if progress is None:
        yield
        return
    task = progress.add_task(description, total=None)
    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(0.25):
            progress.update(task, description=f"{description} ({_folder_bytes(folder) / 1e6:.1f} MB)")

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join()
        progress.remove_task(task)


def _folder_bytes(folder: Path) -> int:
    try:
        return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())
    except OSError:  # a file vanished between listing and stat (a rename mid-download)
        return 0
