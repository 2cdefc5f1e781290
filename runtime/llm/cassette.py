"""Record and replay of model calls, keyed by the model's identity and the request.

A cassette is a JSONL file, one line per served call. Its key hashes the model's identity
(endpoint base URL, model name, fingerprint) together with the canonical request (messages,
n, temperature, max_tokens, seed), so a response is never replayed for another model. The same
request asked twice (sampling at temperature > 0) gets its k-th recorded answer the k-th time,
which makes a replayed run reproduce the recorded one call for call.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from podium.runtime.llm.errors import LLMError, ReplayMiss
from podium.runtime.llm.types import Completion

CassetteMode = Literal["off", "record", "replay"]
CASSETTE_MODES: tuple[CassetteMode, ...] = ("off", "record", "replay")


class ModelIdentity(BaseModel):
    """What makes two models the same model: where they are served, their name and fingerprint."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str
    name: str
    fingerprint: str | None = None


class CassetteEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str
    occurrence: int
    identity: ModelIdentity
    request: dict[str, Any]
    completion: Completion


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def request_key(identity: ModelIdentity, request: dict[str, Any]) -> str:
    """sha256 of the model's identity and the canonical request; never of the request alone."""
    payload = {"model": identity.model_dump(mode="json"), "request": request}
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()


class Cassette:
    """A cassette file in one mode: off (unused), record (written anew) or replay (read only)."""

    def __init__(self, path: Path, mode: CassetteMode) -> None:
        if mode not in CASSETTE_MODES:
            raise ValueError(f"cassette mode must be one of {', '.join(CASSETTE_MODES)}, not {mode!r}")
        self.path = Path(path)
        self.mode: CassetteMode = mode
        self._lock = threading.Lock()
        self._served: Counter[str] = Counter()
        self._entries: dict[tuple[str, int], CassetteEntry] = {}
        if mode == "replay":
            self._entries = {(entry.key, entry.occurrence): entry for entry in _read_entries(self.path)}
        elif mode == "record":
            # A cassette records one run: appending a second run would replay the first one's answers.
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text("", encoding="utf-8")

    @classmethod
    def off(cls) -> Cassette:
        return cls(Path("/dev/null"), "off")

    def __len__(self) -> int:
        return len(self._entries) if self.mode == "replay" else sum(self._served.values())

    def replay(self, key: str) -> Completion:
        """The next recorded answer to this request; ReplayMiss names the hash when there is none."""
        with self._lock:
            occurrence = self._served[key]
            entry = self._entries.get((key, occurrence))
            if entry is None:
                raise ReplayMiss(key, occurrence, str(self.path))
            self._served[key] += 1
        return entry.completion.model_copy(update={"replayed": True})

    def record(self, key: str, identity: ModelIdentity, request: dict[str, Any], completion: Completion) -> None:
        if self.mode != "record":
            return
        with self._lock:
            entry = CassetteEntry(
                key=key, occurrence=self._served[key], identity=identity, request=request, completion=completion
            )
            self._served[key] += 1
            with self.path.open("a", encoding="utf-8") as stream:  # flushed per call: a killed run keeps its calls
                stream.write(entry.model_dump_json() + "\n")

    def identity_for(self, base_url: str, name: str, fingerprint: str | None) -> ModelIdentity:
        """Replay: the recorded identity of this model; several fingerprints need `fingerprint` set."""
        recorded = {entry.identity for entry in self._entries.values()}
        matching = [
            identity
            for identity in recorded
            if identity.base_url == base_url
            and identity.name == name
            and (fingerprint is None or identity.fingerprint == fingerprint)
        ]
        if len(matching) == 1:
            return matching[0]
        held = ", ".join(sorted(f"{i.name} at {i.base_url} ({i.fingerprint or 'no fingerprint'})" for i in recorded))
        wanted = f"{name} at {base_url}" + (f" with fingerprint {fingerprint}" if fingerprint else "")
        if not matching:
            raise LLMError(f"the cassette {self.path} holds no calls of {wanted}; it holds: {held or 'nothing'}")
        raise LLMError(
            f"the cassette {self.path} holds {wanted} under several fingerprints ({held}); "
            "set the model's `fingerprint` to the one to replay"
        )


def _read_entries(path: Path) -> list[CassetteEntry]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise LLMError(f"cannot read the cassette {path} to replay: {error.strerror}") from error
    entries = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entries.append(CassetteEntry.model_validate_json(line))
        except ValidationError as error:
            raise LLMError(
                f"the cassette {path} line {number} is not a recorded call: {error.errors()[0]['msg']}"
            ) from error
    return entries
