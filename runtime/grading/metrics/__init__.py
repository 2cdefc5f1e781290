"""Built-in metric families; importing this package registers them all."""

from podium.runtime.grading.metrics import (  # noqa: F401
    classification,
    detection,
    ranking,
    regression,
    segmentation,
    text,
)
