"""Record and replay: keyed by the model's identity, bit-for-bit without a model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from podium.runtime.llm import Cassette, LLMError, ModelIdentity, ModelSpec, ReplayMiss, request_key

ASK = [{"role": "user", "content": "propose a model"}]
REQUEST: dict[str, Any] = {"messages": ASK, "n": 1, "temperature": 0.5, "max_tokens": 64, "seed": None}


def journal_without_time(logs: Path) -> list[dict[str, Any]]:
    """The call log minus when each call happened and whether it came from the cassette."""
    lines = [json.loads(line) for line in (logs / "llm_calls.jsonl").read_text().splitlines()]
    return [{k: v for k, v in line.items() if k not in ("at", "replayed")} for line in lines]


def run_agent(gateway: Any) -> list[list[str]]:
    """A little agent: samples twice at temperature, asks the same thing again, then a seeded call."""
    asked = [gateway.complete(ASK, n=2), gateway.complete(ASK), gateway.complete(ASK), gateway.complete(ASK, seed=7)]
    return [completion.choices for completion in asked]


def test_replay_without_the_server_reproduces_texts_and_journal(
    fake_openai: Any, fake_spec: ModelSpec, make_gateway: Any, tmp_path: Path
) -> None:
    cassette_path = tmp_path / "run.cassette.jsonl"
    recorded = run_agent(make_gateway(fake_spec, tmp_path / "rec", cassette=Cassette(cassette_path, "record")))
    # The same request asked twice got two different answers; replay must keep them apart.
    assert recorded[1] != recorded[2]

    fake_openai.fail_next(500, times=100)  # were the server asked, the replay would fail
    replaying = make_gateway(fake_spec, tmp_path / "rep", cassette=Cassette(cassette_path, "replay"))
    replayed = run_agent(replaying)

    assert replayed == recorded
    assert journal_without_time(tmp_path / "rep") == journal_without_time(tmp_path / "rec")
    assert (tmp_path / "rep" / "usage.json").read_text() == (tmp_path / "rec" / "usage.json").read_text()
    assert len(fake_openai.requests) == 4, "replay called the model"
    assert replaying.endpoint is None


def test_replay_needs_no_server_at_all(
    fake_openai: Any, fake_spec: ModelSpec, make_gateway: Any, tmp_path: Path
) -> None:
    cassette_path = tmp_path / "c.jsonl"
    recorded = make_gateway(fake_spec, tmp_path / "rec", cassette=Cassette(cassette_path, "record")).complete(ASK)
    fake_openai.stop()
    replayed = make_gateway(fake_spec, tmp_path / "rep", cassette=Cassette(cassette_path, "replay")).complete(ASK)
    assert replayed.choices == recorded.choices
    assert replayed.replayed and not recorded.replayed


def test_a_replay_miss_names_the_request_hash(
    fake_openai: Any, fake_spec: ModelSpec, make_gateway: Any, tmp_path: Path
) -> None:
    cassette_path = tmp_path / "c.jsonl"
    make_gateway(fake_spec, tmp_path / "rec", cassette=Cassette(cassette_path, "record")).complete(ASK)
    replaying = make_gateway(fake_spec, tmp_path / "rep", cassette=Cassette(cassette_path, "replay"))
    with pytest.raises(ReplayMiss) as missed:
        replaying.complete([{"role": "user", "content": "something never asked"}])
    assert missed.value.request_hash in str(missed.value)
    assert len(missed.value.request_hash) == 64
    assert "record again" in str(missed.value)
    logged = json.loads((tmp_path / "rep" / "llm_calls.jsonl").read_text().splitlines()[-1])
    assert logged["error"]["type"] == "ReplayMiss"
    assert logged["key"] == missed.value.request_hash


def test_asking_more_often_than_recorded_is_a_miss(fake_spec: ModelSpec, make_gateway: Any, tmp_path: Path) -> None:
    cassette_path = tmp_path / "c.jsonl"
    make_gateway(fake_spec, tmp_path / "rec", cassette=Cassette(cassette_path, "record")).complete(ASK)
    replaying = make_gateway(fake_spec, tmp_path / "rep", cassette=Cassette(cassette_path, "replay"))
    replaying.complete(ASK)
    with pytest.raises(ReplayMiss, match="occurrence 1"):
        replaying.complete(ASK)


def test_keys_differ_by_model_identity() -> None:
    base = ModelIdentity(base_url="http://127.0.0.1:8080/v1", name="smollm2", fingerprint="abc")
    variants = [
        base,
        base.model_copy(update={"base_url": "http://127.0.0.1:8081/v1"}),
        base.model_copy(update={"name": "smollm2-360m"}),
        base.model_copy(update={"fingerprint": "abd"}),
        base.model_copy(update={"fingerprint": None}),
    ]
    keys = {request_key(identity, REQUEST) for identity in variants}
    assert len(keys) == len(variants)
    assert request_key(base, REQUEST) == request_key(base.model_copy(), dict(reversed(REQUEST.items())))


def test_keys_differ_by_every_request_field() -> None:
    identity = ModelIdentity(base_url="http://127.0.0.1:8080/v1", name="m")
    changes: list[dict[str, Any]] = [
        {"n": 2},
        {"temperature": 0.0},
        {"max_tokens": 65},
        {"seed": 1},
        {"messages": [*ASK, *ASK]},
    ]
    keys = {request_key(identity, {**REQUEST, **change}) for change in changes} | {request_key(identity, REQUEST)}
    assert len(keys) == len(changes) + 1


def test_another_model_never_replays_a_recording(fake_spec: ModelSpec, make_gateway: Any, tmp_path: Path) -> None:
    cassette_path = tmp_path / "c.jsonl"
    make_gateway(fake_spec, tmp_path / "rec", cassette=Cassette(cassette_path, "record")).complete(ASK)
    other = fake_spec.model_copy(update={"name": "other-model"})
    with pytest.raises(LLMError, match="holds no calls of other-model"):
        make_gateway(other, tmp_path / "rep", cassette=Cassette(cassette_path, "replay")).complete(ASK)


def test_the_servers_fingerprint_joins_the_identity(
    fake_openai: Any, fake_spec: ModelSpec, make_gateway: Any, tmp_path: Path
) -> None:
    first = make_gateway(fake_spec, tmp_path / "a").identity()
    again = make_gateway(fake_spec, tmp_path / "b").identity()
    fake_openai.owned_by = "someone-else"  # the server now reports another model under the same name
    changed = make_gateway(fake_spec, tmp_path / "c").identity()
    assert first.fingerprint is not None
    assert first == again, "a volatile field (created) must not change the fingerprint"
    assert changed.fingerprint != first.fingerprint


def test_several_recorded_fingerprints_need_a_pin(
    fake_openai: Any, fake_spec: ModelSpec, make_gateway: Any, tmp_path: Path
) -> None:
    first, second = tmp_path / "1.jsonl", tmp_path / "2.jsonl"
    make_gateway(fake_spec, tmp_path / "r1", cassette=Cassette(first, "record")).complete(ASK)
    fake_openai.owned_by = "someone-else"
    make_gateway(fake_spec, tmp_path / "r2", cassette=Cassette(second, "record")).complete(ASK)
    merged = tmp_path / "merged.jsonl"
    merged.write_text(first.read_text() + second.read_text())

    with pytest.raises(LLMError, match="several fingerprints"):
        make_gateway(fake_spec, tmp_path / "x", cassette=Cassette(merged, "replay")).complete(ASK)
    pinned_fingerprint = json.loads(second.read_text())["identity"]["fingerprint"]
    pinned = fake_spec.model_copy(update={"fingerprint": pinned_fingerprint})
    answer = make_gateway(pinned, tmp_path / "y", cassette=Cassette(merged, "replay")).complete(ASK)
    assert answer.choices == [json.loads(second.read_text())["completion"]["choices"][0]]


def test_record_starts_the_cassette_afresh(fake_spec: ModelSpec, make_gateway: Any, tmp_path: Path) -> None:
    cassette_path = tmp_path / "c.jsonl"
    for _ in range(2):
        make_gateway(fake_spec, tmp_path / "rec", cassette=Cassette(cassette_path, "record")).complete(ASK)
    assert len(cassette_path.read_text().splitlines()) == 1


def test_a_missing_or_corrupt_cassette_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LLMError, match="cannot read the cassette"):
        Cassette(tmp_path / "none.jsonl", "replay")
    corrupt = tmp_path / "bad.jsonl"
    corrupt.write_text('{"key": "k"}\n')
    with pytest.raises(LLMError, match="line 1 is not a recorded call"):
        Cassette(corrupt, "replay")
    with pytest.raises(ValueError, match="one of off, record, replay"):
        Cassette(corrupt, "rewind")  # type: ignore[arg-type]
