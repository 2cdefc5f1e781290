"""The image names stored in TFRecord files, which decide some MLE-bench splits.

MLE-bench reads them with TensorFlow; the `tfrecord` package reads the same `tf.train.Example`
records with protobuf alone, so preparing data does not pull in TensorFlow.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from podium.runtime.data.sources import DataError


def ids_in_records(path: Path, feature: str = "image_name") -> list[str]:
    """The `feature` string of every record in one TFRecord file, in file order."""
    if not path.is_file():
        raise DataError(f"{path} is missing from the raw data; download the competition's full data again")
    loader = _loader()
    from google.protobuf.message import DecodeError  # installed with tfrecord, which parses examples with it

    try:
        return [_text(record[feature]) for record in loader(str(path), None, {feature: "byte"})]
    except (KeyError, OSError, DecodeError, RuntimeError, ValueError, OverflowError, MemoryError) as error:
        # a truncated frame is a RuntimeError, a garbage length an OverflowError or MemoryError
        raise DataError(f"{path} is not a TFRecord file of examples with a {feature!r} feature: {error}") from None


def _text(value: Any) -> str:
    return bytes(value).decode("utf-8")


def _loader() -> Any:
    try:
        from tfrecord.reader import tfrecord_loader
    except ImportError:
        raise DataError(
            "reading TFRecord files needs the tfrecord package: `pip install 'podium[mlebench]'`, then prepare again"
        ) from None
    return tfrecord_loader
