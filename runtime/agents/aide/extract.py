"""Taking the program and the plan out of a model's answer, whatever the answer looks like.

The program is the largest fenced block tagged python (or untagged); blocks tagged as another
language (bash, json, …) are not programs. An answer cut off inside its last block still
yields that block, and the syntax check then says it is incomplete.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FENCE = re.compile(r"^[ \t]*(```+|~~~+)[ \t]*([\w+.-]*)[^\n]*$", re.MULTILINE)
PYTHON_TAGS = frozenset({"", "python", "py", "python3", "py3"})
PLAN_CHARS = 2000


@dataclass(frozen=True)
class Extracted:
    code: str | None
    plan: str
    problem: str | None  # why there is no usable program; None when `code` is one


def extract_program(answer: str) -> Extracted:
    blocks = _python_blocks(answer)
    if not blocks:
        return Extracted(None, answer.strip()[:PLAN_CHARS], "the answer has no fenced ```python code block")
    start, end, code = max(blocks, key=lambda block: len(block[2].strip()))
    first_fence = FENCE.search(answer)
    before = answer[: first_fence.start() if first_fence else start]
    plan = (before.strip() or answer[end:].strip())[:PLAN_CHARS]
    if not code.strip():
        return Extracted(None, plan, "the answer's code block is empty")
    return Extracted(code, plan, syntax_problem(code))


def syntax_problem(code: str) -> str | None:
    try:
        compile(code, "solution.py", "exec")
    except SyntaxError as error:
        return f"the program does not parse (line {error.lineno}: {error.msg})"
    except ValueError as error:  # null bytes in the source
        return f"the program cannot be compiled: {error}"
    return None


def _python_blocks(answer: str) -> list[tuple[int, int, str]]:
    """(start of the opening fence, end of the closing one, body) of every python or untagged block."""
    blocks = []
    fences = list(FENCE.finditer(answer))
    index = 0
    while index < len(fences):
        opening = fences[index]
        marker, tag = opening.group(1), opening.group(2).lower()
        closing = next(
            (later for later in range(index + 1, len(fences)) if _closes(fences[later], marker)),
            None,
        )
        body_end = fences[closing].start() if closing is not None else len(answer)
        block_end = fences[closing].end() if closing is not None else len(answer)
        if tag in PYTHON_TAGS:
            blocks.append((opening.start(), block_end, answer[opening.end() + 1 : body_end]))
        index = closing + 1 if closing is not None else len(fences)
    return blocks


def _closes(fence: re.Match[str], marker: str) -> bool:
    """A closing fence is bare and at least as long as the opening one, of the same character."""
    return not fence.group(2) and fence.group(1).startswith(marker)
