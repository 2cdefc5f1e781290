"""A small reader of Dockerfile syntax, enough to read back what the build templates wrote.

It follows Docker's own rules (moby/buildkit frontend/dockerfile): a line ending in a backslash
continues on the next; comment lines are dropped; words split on unquoted whitespace; inside
double quotes a backslash escapes only `"`, `$` and itself; an unescaped `$` starts a variable.
It is stricter than Docker in one way: any unescaped `$` in a LABEL or ARG value is an error,
since there it would expand instead of staying text.
"""

from __future__ import annotations

import json


class DockerfileSyntaxError(ValueError):
    pass


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined."""
    result: list[tuple[str, str]] = []
    pending = ""
    for line in text.split("\n"):
        if line.lstrip().startswith("#") or (not line.strip() and not pending):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1]
            continue
        whole = (pending + line).strip()
        pending = ""
        name, _, arguments = whole.partition(" ")
        if not name.isalpha():
            raise DockerfileSyntaxError(f"not an instruction: {whole!r}")
        result.append((name.upper(), arguments.strip()))
    if pending:
        raise DockerfileSyntaxError("the last instruction ends with a line continuation")
    return result


def words(arguments: str) -> list[str]:
    """Docker's word splitting and quote removal; refuses unescaped `$`."""
    found: list[str] = []
    current: list[str] = []
    in_word = False
    index = 0
    while index < len(arguments):
        char = arguments[index]
        if char in " \t":
            if in_word:
                found.append("".join(current))
                current, in_word = [], False
            index += 1
            continue
        in_word = True
        if char == '"':
            index = _double_quoted(arguments, index + 1, current)
        elif char == "\\" and index + 1 < len(arguments):
            current.append(arguments[index + 1])
            index += 2
        elif char == "$":
            raise DockerfileSyntaxError(f"unescaped $ in {arguments!r}")
        else:
            current.append(char)
            index += 1
    if in_word:
        found.append("".join(current))
    return found


def _double_quoted(arguments: str, index: int, current: list[str]) -> int:
    while index < len(arguments):
        char = arguments[index]
        if char == '"':
            return index + 1
        if char == "$":
            raise DockerfileSyntaxError(f"unescaped $ inside quotes in {arguments!r}")
        if char == "\\" and index + 1 < len(arguments) and arguments[index + 1] in '"$\\':
            current.append(arguments[index + 1])
            index += 2
            continue
        current.append(char)
        index += 1
    raise DockerfileSyntaxError(f"unterminated double quote in {arguments!r}")


def key_values(arguments: str) -> dict[str, str]:
    pairs = {}
    for word in words(arguments):
        key, equals, value = word.partition("=")
        if not equals:
            raise DockerfileSyntaxError(f"{word!r} is not key=value")
        pairs[key] = value
    return pairs


def labels(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, arguments in instructions(text):
        if name == "LABEL":
            found.update(key_values(arguments))
    return found


def build_args(text: str) -> dict[str, str]:
    return {k: v for name, arguments in instructions(text) if name == "ARG" for k, v in key_values(arguments).items()}


def exec_form(text: str, instruction: str) -> list[str]:
    """The JSON array of an exec-form ENTRYPOINT or CMD."""
    arguments = [a for name, a in instructions(text) if name == instruction][-1]
    value = json.loads(arguments)
    if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise DockerfileSyntaxError(f"{instruction} is not a JSON array of strings")
    return value
