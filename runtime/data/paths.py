"""Where prepared data lives on disk, in MLE-bench's layout so data it prepared grades unchanged.

<data-dir>/<competition-id>/prepared/public/    what the agent sees
<data-dir>/<competition-id>/prepared/private/   the answers, never shown to the agent
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "PODIUM_DATA_DIR"  # a contract: users and CI set it


def cache_dir() -> Path:
    """podium's per-user cache folder (platformdirs), home of data and leaderboards by default."""
    import platformdirs  # imported here: only commands that touch data pay for it

    return Path(platformdirs.user_cache_dir("podium"))


def data_dir(override: Path | None = None) -> Path:
    """The data folder: an explicit override, then $PODIUM_DATA_DIR, then the user cache."""
    if override is not None:
        return Path(override).expanduser()
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser()
    return cache_dir() / "data"


def prepared_dir(competition_id: str, data_dir: Path) -> Path:
    return data_dir / competition_id / "prepared"


def public_dir(competition_id: str, data_dir: Path) -> Path:
    return prepared_dir(competition_id, data_dir) / "public"


def private_dir(competition_id: str, data_dir: Path) -> Path:
    return prepared_dir(competition_id, data_dir) / "private"
