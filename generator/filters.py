"""Escaping filters for the build templates: the only way a spec value reaches generated files.

Each filter turns an arbitrary string into a literal of one target language, so that a value
holding quotes, newlines, `{{ }}`, `$()` or backticks comes out as the same text, never as code.
Cookiecutter loads them through `_extensions` in each template's cookiecutter.json:

    py           Python literal (repr)
    sh           one shell word (shlex.quote)
    json         JSON value; also a Dockerfile exec-form array (`ENTRYPOINT {{ [a, b] | json }}`)
    toml         TOML basic string
    docker_str   double-quoted Dockerfile word (LABEL, ARG, ENV values); one line
"""

from __future__ import annotations

import json
import shlex
import unicodedata
from typing import Any

from jinja2 import Environment
from jinja2.ext import Extension

# Characters that would end a Dockerfile line or hide in it: C0/C1 controls and Unicode line breaks.
_LINE_BREAKING_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})


def python_literal(value: Any) -> str:
    """A Python expression that evaluates to `value` (str, int, float, bool, None, lists, dicts)."""
    return repr(value)


def shell_word(value: Any) -> str:
    return shlex.quote(str(value))


def json_literal(value: Any) -> str:
    # ASCII-only output: valid in any file encoding, and Docker's JSON parser decodes \u escapes.
    return json.dumps(value, ensure_ascii=True, sort_keys=True)


def toml_string(value: Any) -> str:
    """A TOML basic string. JSON's escapes are a subset of TOML's; TOML also forbids raw DEL."""
    return json.dumps(str(value), ensure_ascii=False).replace("\x7f", "\\u007F")


def single_line(value: Any) -> str:
    """`value` with every line break and control character turned into a space."""
    return "".join(" " if unicodedata.category(char) in _LINE_BREAKING_CATEGORIES else char for char in str(value))


def docker_string(value: Any) -> str:
    """A double-quoted Dockerfile word that Docker reads back as `single_line(value)`.

    Inside double quotes Docker's lexer removes a backslash only before `"`, `$` and `\\`, and it
    expands `$NAME` in LABEL, ARG and ENV, so exactly those three are escaped. A Dockerfile value
    cannot span lines, hence `single_line`.
    """
    text = single_line(value).replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    return f'"{text}"'


FILTERS = {
    "py": python_literal,
    "sh": shell_word,
    "json": json_literal,
    "toml": toml_string,
    "docker_str": docker_string,
    "single_line": single_line,
}


class PodiumFilters(Extension):
    """Registers FILTERS on cookiecutter's Jinja environment (named in `_extensions`)."""

    def __init__(self, environment: Environment):
        super().__init__(environment)
        environment.filters.update(FILTERS)
