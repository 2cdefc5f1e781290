"""Validation, layer one: a loaded spec against its pydantic model.

Pydantic's errors are rewritten into podium's located format, with the keys that were
expected at that place and a did-you-mean for near misses.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from podium.generator.errors import SpecError, did_you_mean, one_of
from podium.generator.load import KeyPath, LoadedSpec
from podium.generator.models import Document


def validate_model(loaded: LoadedSpec, model: type[Document]) -> tuple[Document | None, list[SpecError]]:
    try:
        return model.model_validate(loaded.data), []
    except ValidationError as exc:
        return None, [_located(loaded, model, error) for error in exc.errors(include_url=False)]


def _located(loaded: LoadedSpec, model: type[BaseModel], error: ErrorDetails) -> SpecError:
    key_path = _data_path(loaded.data, error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        allowed = _fields_at(model, loaded.data, key_path[:-1])
        key = str(key_path[-1])
        return loaded.error(key_path, f"unknown key {key!r}", f"{one_of(allowed)}{did_you_mean(key, allowed)}")
    if kind == "missing":
        return loaded.error(key_path, f"required key {key_path[-1]!r} is missing", f"add `{key_path[-1]}:` here")
    if kind in ("literal_error", "union_tag_invalid", "enum"):
        choices = _choices(error)
        given = error.get("input")
        given = given.get(error["ctx"].get("discriminator", "").strip("'"), given) if isinstance(given, dict) else given
        return loaded.error(
            key_path, f"{given!r} is not allowed", f"{one_of(choices)}{did_you_mean(str(given), choices)}"
        )
    if kind == "union_tag_not_found":
        return loaded.error(key_path, "the `kind` key is missing", "add `kind:` naming which variant this is")
    problem, _, expected = _problem(error).partition("; ")
    return loaded.error(key_path, problem, expected or _expectation(error))


def _data_path(data: Any, loc: tuple[int | str, ...]) -> KeyPath:
    """Pydantic's loc, minus the union tags it inserts, as keys of the document."""
    path: list[str | int] = []
    node = data
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        child = _child(node, part)
        if child is not _ABSENT:
            node = child
        elif not last or not isinstance(node, dict):
            continue  # a union tag or validator name pydantic adds to the location
        else:
            node = None
        path.append(part)
    return tuple(path)


_EXPECTED_TYPES = {
    "int": "a whole number", "float": "a number", "bool": "true or false", "string": "a string",
    "list": "a list", "dict": "a mapping", "model": "a mapping",
}  # fmt: skip


_ABSENT = object()


def _child(node: Any, part: int | str) -> Any:
    if isinstance(node, dict) and part in node:
        return node[part]
    if isinstance(node, list) and isinstance(part, int) and part < len(node):
        return node[part]
    return _ABSENT


def _problem(error: ErrorDetails) -> str:
    message = error["msg"]
    message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    given = error.get("input")
    if error["type"] != "value_error" and not isinstance(given, dict | list) and repr(given) not in message:
        return f"{message} (got {given!r})"
    return message


def _expectation(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind == "string_pattern_mismatch":
        return "letters, digits, '.', '_' and '-' (see the schema's description for this key)"
    base = kind.split("_")[0]
    if kind.endswith(("_type", "_parsing")) and base in _EXPECTED_TYPES:
        return _EXPECTED_TYPES[base]
    if kind == "value_error":
        return "see the spec format in README.md and schemas/"
    return "a value that fits the schema in schemas/"


def _choices(error: ErrorDetails) -> list[str]:
    ctx = error.get("ctx") or {}
    raw = ctx.get("expected") or ctx.get("expected_tags") or ""
    return [part.strip(" '\"") for part in raw.replace(" or ", ", ").split(",") if part.strip(" '\"")]


def _fields_at(model: type[BaseModel], data: Any, key_path: KeyPath) -> list[str]:
    """The keys allowed at key_path, found by walking the model's annotations."""
    annotation: Any = model
    node = data
    for part in key_path:
        annotation = _pick_model(annotation, node)
        if isinstance(part, int):
            annotation = _item_type(annotation)
            node = node[part] if isinstance(node, list) and part < len(node) else None
            continue
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        field = _field_named(annotation, part)
        if field is None:
            return []
        annotation = field.annotation
        node = node.get(part) if isinstance(node, dict) else None
    annotation = _pick_model(annotation, node)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [f.alias or name for name, f in annotation.model_fields.items()]
    return []


def _field_named(model: type[BaseModel], key: str) -> Any:
    for name, field in model.model_fields.items():
        if key in (name, field.alias):
            return field
    return None


def _item_type(annotation: Any) -> Any:
    args = [a for a in get_args(_unwrap(annotation)) if a is not type(None)]
    return args[-1] if args else None


def _unwrap(annotation: Any) -> Any:
    while get_origin(annotation) is typing.Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _pick_model(annotation: Any, node: Any) -> Any:
    """For `A | B | None`, the member model whose `kind` literal matches the data."""
    annotation = _unwrap(annotation)
    if get_origin(annotation) not in (Union, types.UnionType):
        return annotation
    members = [_unwrap(a) for a in get_args(annotation) if a is not type(None)]
    models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
    kind = node.get("kind") if isinstance(node, dict) else None
    for candidate in models:
        field = candidate.model_fields.get("kind")
        if field is not None and get_origin(field.annotation) is Literal and kind in get_args(field.annotation):
            return candidate
    return models[0] if len(models) == 1 else (members[0] if len(members) == 1 else annotation)
