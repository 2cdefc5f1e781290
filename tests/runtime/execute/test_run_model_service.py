"""A run whose scaffold names a model: the runtime serves it to the sandbox through its LLM proxy,
records the gateway's usage (not the agent's usage.json) and records a spent budget.

The model is a scripted OpenAI-compatible server on loopback; the agent (llm_probe_agent.py)
asks it three questions through /home/llm.sock.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from runtime_world import COMPETITION, REPO, TINY_SPEC

from podium.generator import compile as compiler
from podium.generator.catalog import load_catalog
from podium.runtime.execute import LocalExecutor, Matrix, Packages, RunSettings, plan_runs, run_pending
from podium.runtime.execute.model_service import CassetteSetting
from podium.runtime.execute.run import ensure_prepared
from podium.runtime.store import RunRecord, RunStore

AGENT = Path(__file__).with_name("llm_probe_agent.py")
MODEL = "scripted-model"
PROMPT_TOKENS, COMPLETION_TOKENS = 11, 7

pytestmark = pytest.mark.filterwarnings("ignore:no price for model:UserWarning")  # the scripted model is free


class ScriptedModel:
    """An OpenAI-compatible chat server on loopback whose answers are numbered."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, body: dict[str, Any]) -> dict[str, Any]:
        self.requests.append(body)
        text = f"answer {len(self.requests)}"
        return {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": 0,
            "model": MODEL,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": PROMPT_TOKENS, "completion_tokens": COMPLETION_TOKENS},
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        model = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self._send(
                    {"object": "list", "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "t"}]}
                )

            def do_POST(self) -> None:
                self._send(model.answer(json.loads(self.rfile.read(int(self.headers["Content-Length"])))))

            def _send(self, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def scripted_model(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedModel]:
    model = ScriptedModel()
    monkeypatch.setenv("OPENAI_BASE_URL", model.url)  # the scaffolds leave base_url null: the runtime's env wins
    yield model
    model.stop()


def probe_scaffold(scaffold_id: str, budgets: str) -> str:
    command = ["python", f"/home/agent/hooks/{AGENT.name}"]
    return (
        f"spec_version: 1\nid: {scaffold_id}\nname: LLM probe\nagent: command\ncommand: {command!r}\n"
        f"hook: {AGENT.name}:main\nmodel: {{name: {MODEL}, max_tokens: 32}}\nbudgets: {budgets}\n"
    )


@pytest.fixture(scope="module")
def llm_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tiny-iris and two probe scaffolds (one call allowed, ten allowed), compiled and prepared."""
    root = tmp_path_factory.mktemp("llm-world")
    specs = root / "specs"
    (specs / "competitions" / COMPETITION).mkdir(parents=True)
    (specs / "competitions" / COMPETITION / "spec.yaml").write_text(TINY_SPEC)
    (specs / "competitions" / COMPETITION / "description.md").write_text("Predict `target` for each id.\n")
    (specs / "graders").mkdir()
    shutil.copy(REPO / "specs" / "graders" / "accuracy.yaml", specs / "graders")
    (specs / "scaffolds").mkdir()
    shutil.copy(AGENT, specs / "scaffolds" / AGENT.name)
    (specs / "scaffolds" / "probe-one-call.yaml").write_text(probe_scaffold("probe-one-call", "{llm_calls: 1}"))
    (specs / "scaffolds" / "probe-ten-calls.yaml").write_text(probe_scaffold("probe-ten-calls", "{llm_calls: 10}"))
    catalog = load_catalog(specs)
    assert not catalog.errors, catalog.errors
    compiler.build(catalog, root / "generated")
    ensure_prepared(Packages(root / "generated").competition(COMPETITION), root / "data")
    return root


def run_probe(root: Path, tmp_path: Path, scaffold: str, cassette: CassetteSetting | None = None) -> RunRecord:
    settings = RunSettings(packages_dir=root / "generated", data_dir=root / "data", llm_cassette=cassette)
    with RunStore(tmp_path / "runs.sqlite") as store:
        plan = plan_runs(store, Matrix("t", [COMPETITION], [scaffold], [0]), Packages(root / "generated"),
                         tmp_path / "runs", root / "data")  # fmt: skip
        executor = LocalExecutor(settings, 1)
        try:
            run_pending(store, executor, run_ids=plan.to_run)
        finally:
            executor.close()
        (record,) = store.list(suite="t")
    return record


def probe_facts(record: RunRecord) -> dict[str, Any]:
    return json.loads((Path(record.run_dir or "") / "logs" / "probe.json").read_text())


def call_log(record: RunRecord) -> list[dict[str, Any]]:
    text = (Path(record.run_dir or "") / "logs" / "llm_calls.jsonl").read_text()
    return [json.loads(line) for line in text.splitlines()]


def test_a_run_with_a_model_records_the_gateways_usage(llm_world: Path, tmp_path: Path, scripted_model: ScriptedModel):
    record = run_probe(llm_world, tmp_path, "probe-ten-calls")

    assert record.status == "succeeded", record.error
    assert record.error is None
    facts = probe_facts(record)
    assert facts["socket"] == "/home/llm.sock"
    assert facts["answers"] == ["answer 1", "answer 2", "answer 3"] and facts["refusals"] == []
    # The agent's forged usage.json claims 999 calls; the record holds what the gateway counted.
    assert record.usage.llm_calls == 3
    assert record.usage.prompt_tokens == 3 * PROMPT_TOKENS
    assert record.usage.completion_tokens == 3 * COMPLETION_TOKENS
    assert [entry["request"]["messages"][0]["content"] for entry in call_log(record)] == [
        "question 0", "question 1", "question 2",
    ]  # fmt: skip
    run_dir = Path(record.run_dir or "")
    # The copy replaced the agent's link instead of writing through it.
    assert not (run_dir / "logs" / "llm_calls.jsonl").is_symlink()
    assert (run_dir / "code" / "victim.txt").read_text() == "untouched\n"
    assert json.loads((run_dir / "logs" / "usage.json").read_text())["llm_calls"] == 3


def test_a_spent_budget_stops_the_agent_and_is_recorded(llm_world: Path, tmp_path: Path, scripted_model: ScriptedModel):
    record = run_probe(llm_world, tmp_path, "probe-one-call")

    facts = probe_facts(record)
    assert facts["answers"] == ["answer 1"]
    assert facts["refusals"] == ["llm_calls", "llm_calls"]
    assert len(scripted_model.requests) == 1  # refused calls never reach the model
    assert record.usage.llm_calls == 1 and record.usage.prompt_tokens == PROMPT_TOKENS
    assert record.status == "succeeded"  # a spent budget is how a run ends, not a failure of the agent
    assert record.error is not None and "llm_calls limit (1)" in record.error and "2 later call(s)" in record.error
    refusals = [entry.get("error", {}).get("type") for entry in call_log(record)]
    assert refusals == [None, "budget_exceeded", "budget_exceeded"]


def test_a_recorded_run_replays_without_the_model(llm_world: Path, tmp_path: Path, scripted_model: ScriptedModel):
    cassette = tmp_path / "calls.cassette.jsonl"
    recorded = run_probe(llm_world, tmp_path / "record", "probe-ten-calls", CassetteSetting(cassette, "record"))
    served = len(scripted_model.requests)
    replayed = run_probe(llm_world, tmp_path / "replay", "probe-ten-calls", CassetteSetting(cassette, "replay"))

    assert recorded.status == replayed.status == "succeeded"
    assert len(scripted_model.requests) == served == 3  # the replay asked the model nothing
    assert probe_facts(replayed)["answers"] == probe_facts(recorded)["answers"]
    assert replayed.usage.llm_calls == 3


def test_a_model_without_an_endpoint_fails_the_run_with_the_fix(
    llm_world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    record = run_probe(llm_world, tmp_path, "probe-ten-calls")

    assert record.status == "failed"
    assert record.error is not None and "OPENAI_BASE_URL" in record.error and MODEL in record.error


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["--llm-mode", "replay"], "--llm-mode goes with --llm-cassette"),
        (["--llm-cassette", "calls.jsonl", "--seeds", "2"], "records one run, but 2 are planned"),
        (["--llm-cassette", "missing.jsonl", "--llm-mode", "replay"], "no cassette at missing.jsonl to replay"),
    ],
)
def test_cassette_options_refuse_what_cannot_work(specs_tree: Path, arguments: list[str], said: str) -> None:
    from typer.testing import CliRunner

    from podium.cli import app

    result = CliRunner().invoke(app, ["run", "--competition", "spaceship-titanic", "--scaffold", "aide", *arguments])

    assert result.exit_code == 2, result.output
    assert said in " ".join(result.output.split())
    assert not (specs_tree.parent / "generated").exists()  # refused before anything was built
