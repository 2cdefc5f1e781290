"""Program texts: hashing, the largest fenced code block of an answer, the shipped programs."""

from __future__ import annotations

import hashlib
import re
from importlib import resources

# A fenced block: ``` or ~~~, an optional info string, the code, the same fence closing it.
FENCED = re.compile(r"^(?P<fence>```|~~~)[^\n]*\n(?P<code>.*?)^(?P=fence)[ \t]*$", re.DOTALL | re.MULTILINE)
SEED_IMPROVER = "seed_improver.py"
SEED_SOLUTION = "seed_solution.py"


def program_sha256(program: str) -> str:
    return hashlib.sha256(program.encode("utf-8")).hexdigest()


def largest_code_block(answer: str) -> str | None:
    """The longest fenced code block of a model's answer (STOP's extraction), or None."""
    blocks = [match.group("code") for match in FENCED.finditer(answer)]
    return max(blocks, key=len) if blocks else None


def shipped_program(name: str) -> str:
    """A program shipped with the scaffold (`seed_improver.py`, `seed_solution.py`) as text."""
    return resources.files("podium.runtime.stop").joinpath(name).read_text(encoding="utf-8")
