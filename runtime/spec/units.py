"""Durations and sizes written as humans write them (`24h`, `1h30m`, `16GiB`, `512MB`).

Both parse to plain numbers (seconds, bytes) so the runtime never sees a unit string, and
both accept a bare number for people who prefer seconds and bytes.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(d|h|m|s)")
_DURATION_FULL = re.compile(r"^(?:\d+(?:\.\d+)?(?:d|h|m|s))+$")
_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}

_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?$")
_BYTES = {
    None: 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
    "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40,
}  # fmt: skip

DURATION_PATTERN = r"^([0-9]+(\.[0-9]+)?(d|h|m|s))+$"
SIZE_PATTERN = r"^[0-9]+(\.[0-9]+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?$"


def parse_duration(value: Any) -> float:
    """`'1h30m'` -> 5400.0; a bare number is seconds."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or a string like '24h' or '1h30m'")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and _DURATION_FULL.match(value.strip()):
        parts = _DURATION_PART.findall(value.strip())
        seconds = sum(float(n) * _SECONDS[unit] for n, unit in parts)
    else:
        raise ValueError(f"{value!r} is not a duration; write it like '24h', '30m', '1h30m' or 90s")
    if seconds <= 0:
        raise ValueError("a duration must be positive")
    return seconds


def parse_size(value: Any) -> int:
    """`'16GiB'` -> 17179869184; a bare number is bytes."""
    if isinstance(value, bool):
        raise ValueError("a size is a number of bytes or a string like '16GiB' or '512MB'")
    if isinstance(value, int | float):
        size = int(value)
    elif isinstance(value, str) and (match := _SIZE.match(value.strip())):
        size = int(float(match.group(1)) * _BYTES[match.group(2)])
    else:
        raise ValueError(f"{value!r} is not a size; write it like '16GiB', '512MB' or 1024")
    if size <= 0:
        raise ValueError("a size must be positive")
    return size


def format_duration(seconds: float) -> str:
    whole = int(seconds)
    for unit in ("d", "h", "m"):
        if whole and whole % _SECONDS[unit] == 0:
            return f"{whole // _SECONDS[unit]}{unit}"
    return f"{seconds:g}s"


def format_size(size: int) -> str:
    for unit in ("TiB", "GiB", "MiB", "KiB"):
        if size % _BYTES[unit] == 0:
            return f"{size // _BYTES[unit]}{unit}"
    return f"{size}B"


Duration = Annotated[
    float,
    BeforeValidator(parse_duration),
    WithJsonSchema(
        {"anyOf": [{"type": "number", "exclusiveMinimum": 0},
                   {"type": "string", "pattern": DURATION_PATTERN}],
         "description": "seconds, or a duration like '24h', '30m', '1h30m'"}
    ),
]  # fmt: skip
Size = Annotated[
    int,
    BeforeValidator(parse_size),
    WithJsonSchema(
        {"anyOf": [{"type": "integer", "exclusiveMinimum": 0}, {"type": "string", "pattern": SIZE_PATTERN}],
         "description": "bytes, or a size like '16GiB' or '512MB'"}
    ),
]  # fmt: skip
