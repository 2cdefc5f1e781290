"""Where runs live by default.

With a data folder given (`--data-dir` or $PODIUM_DATA_DIR), runs go beside it in `runs/`, so
`podium run --data-dir data` keeps `data/` and `runs/` side by side. Otherwise they go to the
user data folder (platformdirs), `.../podium/runs/`. The store is `runs.sqlite` in the runs
folder unless --store or $PODIUM_STORE names another file.
"""

from __future__ import annotations

import os
from pathlib import Path

from podium.runtime.data.paths import DATA_DIR_ENV
from podium.runtime.store.runs import STORE_ENV

STORE_FILE = "runs.sqlite"


def default_runs_dir(data_dir: Path | None = None) -> Path:
    chosen = data_dir or (Path(os.environ[DATA_DIR_ENV]) if os.environ.get(DATA_DIR_ENV) else None)
    if chosen is not None:
        return Path(chosen).expanduser().resolve().parent / "runs"
    import platformdirs

    return Path(platformdirs.user_data_dir("podium")) / "runs"


def default_store_path(runs_dir: Path | None = None, data_dir: Path | None = None) -> Path:
    if os.environ.get(STORE_ENV):
        return Path(os.environ[STORE_ENV]).expanduser()
    return (runs_dir or default_runs_dir(data_dir)) / STORE_FILE
