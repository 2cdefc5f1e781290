"""Reading one prediction-string cell, shared by the families that parse them (detection,
3-D detection, segmentation): what an empty cell reads as, and whose fault a bad one is."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Hashable, Iterator

import pandas as pd

from podium.runtime.grading.registry import MetricInputError


def cell_text(cell: object) -> str:
    """The cell as text; an empty cell (None, NA or NaN, as pandas reads one) is ""."""
    if cell is None or cell is pd.NA or (isinstance(cell, float) and math.isnan(cell)):
        return ""
    return str(cell)


@contextlib.contextmanager
def blamed_on(row_id: Hashable, *, from_answers: bool) -> Iterator[None]:
    """Name the id in a parse error; a bad answer is a data problem of ours, not the submission's."""
    try:
        yield
    except MetricInputError as error:
        if from_answers:
            raise ValueError(f"answers for id {row_id!r}: {error}") from error
        raise MetricInputError(f"id {row_id!r}: {error}; check the prediction string.") from error
