"""A table shipped with scikit-learn (`load_wine`, `load_breast_cancer`, …), written as CSV.

Only `load_*` loaders qualify: their data is inside the installed package, so preparing needs
no network. An `id` column (0..n-1) is added first because every competition needs ids.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from podium.runtime.data.sources._common import DataError, progress_step, safe_child

if TYPE_CHECKING:
    from rich.progress import Progress

    from podium.runtime.spec.parts import SklearnSource

ID_COLUMN = "id"


def fetch(
    source: SklearnSource,
    competition_id: str,
    raw_dir: Path,
    *,
    spec_dir: Path | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    import sklearn.datasets  # heavy; only competitions with this source pay for it

    loader = getattr(sklearn.datasets, source.dataset, None)
    if not source.dataset.startswith("load_") or not callable(loader):
        shipped = sorted(name for name in dir(sklearn.datasets) if name.startswith("load_"))
        raise DataError(
            f"{source.dataset!r} is not a dataset shipped with scikit-learn; use one of "
            f"{', '.join(shipped)} (fetch_* loaders download from the internet and are not allowed)"
        )
    with progress_step(progress, f"{competition_id}: sklearn.datasets.{source.dataset}"):
        try:
            frame = loader(as_frame=True).frame
        except TypeError:  # loaders of image or text data have no as_frame
            frame = None
        if frame is None:
            raise DataError(f"sklearn.datasets.{source.dataset} has no table form; pick a tabular loader")
        frame.insert(0, ID_COLUMN, range(len(frame)))
        target = safe_child(raw_dir, source.file)
        target.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(target, index=False)
    return [target]
