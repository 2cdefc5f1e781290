"""Generic feature engineering for tabular competitions: no column is known by name.

Numbers and booleans stay as they are (missing values stay NaN: gradient-boosted trees route
them). A low-cardinality text column becomes ordinal codes. A high-cardinality text column
becomes how often each value occurs (family and group sizes), and, when its values split the
same way on a common separator ('/', '_', ' ', …: "B/265/S", "0012_01", "First Last"), one
feature per part, each numeric when it reads as a number. An id column never is a feature
itself, but a compound id's parts are, because they often encode groups.

Codes and counts are computed over train and test together: they use no labels, and a value
seen only in the test set must get the same code in both.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

SEPARATORS = ("/", "_", "-", ",", ":", "|", ";", " ")
LOW_CARDINALITY = 32  # at most this many distinct values: ordinal codes
CONSISTENT_SPLIT = 0.9  # share of non-empty values that must split into the same number of parts
NUMERIC_SHARE = 0.9  # share of a part's non-empty values that must parse as numbers
MAX_PARTS = 6


def engineer_features(
    train: pd.DataFrame, test: pd.DataFrame, id_column: str | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Numeric feature frames for train and test, with the same columns in the same order."""
    combined = pd.concat([train, test], axis=0, ignore_index=True)
    features: dict[str, pd.Series] = {}
    for column in combined.columns:
        values = combined[column]
        if column == id_column:
            if not _is_number_like(values):
                features.update(_part_features(str(column), values.astype("string")))
        elif _is_number_like(values):
            features[str(column)] = pd.to_numeric(values, errors="coerce").astype(float)
        else:
            features.update(_text_features(str(column), values.astype("string")))
    frame = pd.DataFrame(features, index=combined.index)
    frame = frame.loc[:, frame.nunique(dropna=False) > 1]  # constants carry nothing
    return frame.iloc[: len(train)].reset_index(drop=True), frame.iloc[len(train) :].reset_index(drop=True)


def _is_number_like(values: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        return True
    present = values.dropna()
    # pandas reads a boolean column with gaps as objects holding True/False.
    return bool(len(present)) and bool(present.map(lambda value: isinstance(value, bool | np.bool_)).all())


def _text_features(name: str, values: pd.Series) -> dict[str, pd.Series]:
    if values.nunique(dropna=True) <= LOW_CARDINALITY:
        return {name: _ordinal_codes(values)}
    return {f"{name}.count": _counts(values), **_part_features(name, values)}


def _part_features(name: str, values: pd.Series) -> dict[str, pd.Series]:
    parts = split_on_common_separator(values)
    if parts is None:
        return {}
    features: dict[str, pd.Series] = {}
    for index in parts.columns:
        part = parts[index].str.strip()
        label = f"{name}.part{index}"
        as_number = pd.to_numeric(part, errors="coerce")
        is_numeric = as_number.notna().sum() >= NUMERIC_SHARE * max(part.notna().sum(), 1)
        high_cardinality = part.nunique(dropna=True) > LOW_CARDINALITY
        if is_numeric:
            features[label] = as_number.astype(float)
        elif not high_cardinality:
            features[label] = _ordinal_codes(part)
        if high_cardinality:
            features[f"{label}.count"] = _counts(part)
    return features


def split_on_common_separator(values: pd.Series) -> pd.DataFrame | None:
    """The values split on the first separator that cuts (nearly) every value into the same number
    of parts, or None when no separator does."""
    present = values.dropna()
    if present.empty:
        return None
    for separator in SEPARATORS:
        counts = present.str.count(re.escape(separator))
        usual = int(counts.mode().iloc[0])
        if 0 < usual < MAX_PARTS and (counts == usual).mean() >= CONSISTENT_SPLIT:
            return values.str.split(separator, n=usual, expand=True, regex=False)
    return None


def _ordinal_codes(values: pd.Series) -> pd.Series:
    codes = pd.Series(pd.Categorical(values.astype("string")).codes, index=values.index).astype(float)
    return codes.where(codes >= 0)  # pandas codes a missing value as -1; trees handle NaN better


def _counts(values: pd.Series) -> pd.Series:
    return values.map(values.value_counts(dropna=True)).astype(float)
