"""Heavy libraries that metrics import when they are called, not when their family loads.

The registry imports a whole family module to find one metric, so a module-level
`from sklearn.metrics import ...` (0.8 s) or `from scipy.stats import ...` (0.4 s) would be
paid by every one-off `podium grade` of that family, even for a metric that needs neither:
more than reading and scoring a 10k-row submission. Metrics reach them through these proxies
instead, e.g. `sklearn_metrics.roc_auc_score(y, s)`, which imports scikit-learn at that call.
"""

from __future__ import annotations

import importlib
from typing import Any


class LazyModule:
    """A module imported on first attribute access; later accesses hit `sys.modules`."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self._name), attribute)

    def __repr__(self) -> str:
        return f"LazyModule({self._name!r})"


sklearn_metrics = LazyModule("sklearn.metrics")
sklearn_preprocessing = LazyModule("sklearn.preprocessing")
scipy_stats = LazyModule("scipy.stats")
scipy_special = LazyModule("scipy.special")
scipy_ndimage = LazyModule("scipy.ndimage")
scipy_optimize = LazyModule("scipy.optimize")
scipy_spatial_distance = LazyModule("scipy.spatial.distance")
shapely = LazyModule("shapely")
