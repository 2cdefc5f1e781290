"""Spec errors, rendered as `FILE:LINE:COL: key.path: what was wrong; what is expected`."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class SpecError:
    file: str
    line: int
    column: int
    key_path: str
    problem: str
    expected: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.key_path}: {self.problem}; {self.expected}"


class SpecLoadError(Exception):
    """A spec file could not be read or parsed; carries the located errors."""

    def __init__(self, errors: list[SpecError]):
        super().__init__("\n".join(map(str, errors)))
        self.errors = errors


def display_path(path: Path) -> str:
    """The path as the user would type it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """` (did you mean 'metric'?)` for a near miss, else ''."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.5)
    return f" (did you mean {close[0]!r}?)" if close else ""


def one_of(choices: Iterable[str], limit: int = 12) -> str:
    names = sorted(set(choices))
    shown = ", ".join(names[:limit]) + (f", … ({len(names)} in all)" if len(names) > limit else "")
    return f"one of {shown}" if names else "nothing here"


def format_key_path(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top)"
