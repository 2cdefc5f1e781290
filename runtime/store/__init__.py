"""SQLite run records: `RunStore` keeps one `RunRecord` per (suite, competition, scaffold, seed, attempt).

RunStore(path)              open (or create) a store; see runs.py for its operations
default_store_path(...)     where `podium run` keeps it unless --store or $PODIUM_STORE says
"""

from podium.runtime.store.paths import default_runs_dir, default_store_path
from podium.runtime.store.records import FINISHED, Resources, RunRecord, RunStatus, Usage, run_id_for
from podium.runtime.store.runs import STORE_ENV, RunStore, StoreError

__all__ = [
    "FINISHED",
    "STORE_ENV",
    "Resources",
    "RunRecord",
    "RunStatus",
    "RunStore",
    "StoreError",
    "Usage",
    "default_runs_dir",
    "default_store_path",
    "run_id_for",
]
