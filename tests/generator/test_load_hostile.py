"""Hostile spec files: each gets a located, readable error; none crashes, hangs or eats memory."""

from __future__ import annotations

import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from podium.generator.errors import SpecLoadError
from podium.generator.load import MAX_SPEC_BYTES, load_spec

ERROR_LINE = re.compile(
    r"^(?P<file>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?P<key>[^:]+): (?P<problem>.+); (?P<expected>.+)$"
)

BOMB = "\n".join(
    ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 10)]
)


def write(tmp_path: Path, content: bytes | str, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def load_error(path: Path) -> str:
    with pytest.raises(SpecLoadError) as caught:
        load_spec(path)
    message = str(caught.value)
    assert ERROR_LINE.match(message.splitlines()[0]), message
    return message


@pytest.mark.parametrize(
    ("content", "located_at", "words"),
    [
        ("spec_version: 1\nid: [unclosed\n", None, "YAML error"),
        ("spec_version: 1\nfoo:\n\t- bar\n", ":3:", "tabs"),
        ("spec_version: 1\nid: a\nid: b\n", ":3:", "duplicate key"),
        ("", ":1:1:", "empty"),
        ("# only a comment\n", ":1:1:", "empty"),
        ("- a list\n- not a mapping\n", ":1:1:", "not a mapping"),
        (b"\x89PNG\r\n\x1a\n\0\0\0binary", ":1:1:", "binary"),
        (b"id: \xff\xfe bad utf8\n", ":1:", "not UTF-8"),
        (BOMB, None, "alias bomb"),
    ],
    ids=[
        "syntax",
        "tabs",
        "duplicate-keys",
        "empty",
        "comment-only",
        "not-mapping",
        "binary",
        "bad-utf8",
        "alias-bomb",
    ],
)
def test_hostile_file_gets_a_located_error(
    tmp_path: Path, content: bytes | str, located_at: str | None, words: str
) -> None:
    message = load_error(write(tmp_path, content))
    assert words in message
    if located_at:
        assert located_at in message.splitlines()[0]


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:  # 50 MB of valid YAML: the cap, not the parser, must stop it
        handle.write(b"spec_version: 1\nitems:\n")
        handle.write(b"  - xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n" * (50 * 2**20 // 50))
    assert path.stat().st_size > MAX_SPEC_BYTES
    assert "limit for specs" in load_error(path)


def test_positions_are_kept_for_nested_keys(tmp_path: Path) -> None:
    loaded = load_spec(write(tmp_path, "spec_version: 1\nsource:\n  kind: pypi\n  files:\n    - a\n"))
    assert loaded.positions[("source", "kind")] == (3, 3)
    assert loaded.positions[("source", "files", 0)] == (5, 7)
    assert loaded.position(("source", "files", 0, "deeper")) == (5, 7)


def _run_bounded(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the CLI with an address-space cap well above podium's needs, below a runaway's."""

    def cap_memory() -> None:
        limit = 2 * 2**30
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "podium", *args], cwd=cwd, capture_output=True, text=True, timeout=120,
        preexec_fn=cap_memory,
    )  # fmt: skip


@pytest.mark.parametrize("hostile", ["bomb", "big", "binary"])
def test_cli_survives_hostile_files_under_a_memory_cap(specs_tree: Path, hostile: str) -> None:
    target = specs_tree / "competitions" / f"{hostile}.yaml"
    if hostile == "bomb":
        target.write_text(BOMB)
    elif hostile == "big":
        target.write_bytes(b"a: b\n" * (10 * 2**20 // 5))
    else:
        target.write_bytes(bytes(range(256)) * 100)
    result = _run_bounded(["validate", str(target)], specs_tree.parent)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert ERROR_LINE.match(result.stdout.splitlines()[0]), result.stdout
