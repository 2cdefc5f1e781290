"""Read a spec file with ruamel.yaml, keeping the line and column of every key and value.

Hostile input gets a located error, never a traceback or a hang: files are size-capped
before parsing, binary files are refused, duplicate keys are errors, and alias expansion is
bounded so a billion-laughs document cannot eat the machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from podium.generator.errors import SpecError, SpecLoadError, display_path

MAX_SPEC_BYTES = 1 << 20  # specs are small; data lives in files the spec names
MAX_EXPANDED_VALUES = 100_000  # after following aliases; far above any real spec

KeyPath = tuple[str | int, ...]


@dataclass
class LoadedSpec:
    """A parsed spec: plain data plus where each key and value was written."""

    path: Path
    data: dict[str, Any]
    positions: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)

    def position(self, key_path: KeyPath) -> tuple[int, int]:
        """Line and column of the deepest part of key_path that exists in the file."""
        for end in range(len(key_path), -1, -1):
            if key_path[:end] in self.positions:
                return self.positions[key_path[:end]]
        return (1, 1)

    def error(self, key_path: KeyPath, problem: str, expected: str) -> SpecError:
        from podium.generator.errors import format_key_path

        line, column = self.position(key_path)
        return SpecError(display_path(self.path), line, column, format_key_path(key_path), problem, expected)


def load_spec(path: Path) -> LoadedSpec:
    """Parse one spec file; raises SpecLoadError with located errors."""
    text = _read_text(path)
    tree = _parse(path, text)
    if not isinstance(tree, CommentedMap):
        what = "empty" if tree is None else f"a {type(tree).__name__}, not a mapping"
        raise _fail(path, 1, 1, f"the document is {what}", "a mapping starting with `spec_version: 1`")
    loaded = LoadedSpec(path=path, data={})
    loaded.data = _plain(tree, (), loaded, _Budget(path))
    return loaded


def _fail(path: Path, line: int, column: int, problem: str, expected: str) -> SpecLoadError:
    return SpecLoadError([SpecError(display_path(path), line, column, "(top)", problem, expected)])


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_SPEC_BYTES:
            raise _fail(
                path, 1, 1, f"the file is {size:,} bytes, over the {MAX_SPEC_BYTES:,}-byte limit for specs",
                "a small YAML file; keep data in files the spec names",
            )  # fmt: skip
        raw = path.read_bytes()
    except OSError as exc:
        raise _fail(path, 1, 1, f"cannot read the file ({exc.strerror})", "a readable YAML file") from None
    if b"\0" in raw:
        raise _fail(path, 1, 1, "the file is binary (it holds NUL bytes)", "a UTF-8 YAML text file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _fail(path, line, 1, "the file is not UTF-8 text", "a UTF-8 YAML text file") from None


def _parse(path: Path, text: str) -> Any:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p).strip()
        problem = problem.splitlines()[0] if problem else "invalid YAML"
        expected = "valid YAML (check indentation, quotes and colons)"
        if "\t" in "".join(text.splitlines()[max(0, line - 2) : line]):
            expected = "indentation with spaces; YAML does not allow tabs"
        if "duplicate key" in problem:
            expected = "each key once per mapping"
        raise _fail(path, line, column, f"YAML error: {problem}", expected) from None
    except YAMLError as exc:
        raise _fail(path, 1, 1, f"YAML error: {exc}", "valid YAML") from None
    except RecursionError:
        raise _fail(path, 1, 1, "the document nests too deeply", "a spec a person could read") from None


class _Budget:
    """Counts values visited while expanding aliases, so an alias bomb stops early."""

    def __init__(self, path: Path):
        self.path = path
        self.left = MAX_EXPANDED_VALUES

    def spend(self, line: int, column: int) -> None:
        self.left -= 1
        if self.left < 0:
            raise _fail(
                self.path, line, column,
                f"the document expands to more than {MAX_EXPANDED_VALUES:,} values through aliases",
                "aliases used a few times, not nested into an alias bomb",
            )  # fmt: skip


def _plain(node: Any, key_path: KeyPath, loaded: LoadedSpec, budget: _Budget) -> Any:
    """Copy the ruamel tree into plain dicts and lists, recording positions."""
    if isinstance(node, CommentedMap):
        result: dict[str, Any] = {}
        for key in node:
            line, column = node.lc.key(key) if key in node.lc.data else loaded.position(key_path)
            budget.spend(line + 1, column + 1)
            child = (*key_path, str(key))
            loaded.positions.setdefault(child, (line + 1, column + 1))
            result[str(key)] = _plain(node[key], child, loaded, budget)
        return result
    if isinstance(node, CommentedSeq):
        items = []
        for index, item in enumerate(node):
            line, column = node.lc.item(index) if index in node.lc.data else loaded.position(key_path)
            budget.spend(line + 1, column + 1)
            loaded.positions.setdefault((*key_path, index), (line + 1, column + 1))
            items.append(_plain(item, (*key_path, index), loaded, budget))
        return items
    if isinstance(node, str):
        return str(node)  # ruamel's scalar string subclasses carry formatting we do not need
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node
