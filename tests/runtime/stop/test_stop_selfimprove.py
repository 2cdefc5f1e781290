"""`podium self-improve`, `improve`, `stop-report` and the escape experiment with a scripted model;
a replay from the cassette reproduces the recorded log byte for byte."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from stop_world import ScriptedModel, build_task, fenced, parity_solution, stop_config
from typer.testing import CliRunner

from podium.cli import app
from podium.runtime.stop.programs import shipped_program
from podium.runtime.stop.utility import EvaluationCache

runner = CliRunner()
SEED = shipped_program("seed_improver.py")
SCAFFOLD = """spec_version: 1
id: stop-test
name: STOP under test
agent: stop
model: {name: scripted, base_url: "http://127.0.0.1:9/v1", api_key_env: null, temperature: 0.7, max_tokens: 256}
budgets: {llm_calls: 3, samples: 6, utility_calls: 2, wall_time: 60}
params:
  samples_per_call: 2
  solution_limits: {timeout: 30s}
  self_improvement: {iterations: 2, meta_utility_calls: 2, repetitions: 1, acceptance: replace}
"""


def respond(request: Any) -> list[str]:
    """Improver prompts get improver variants; solution prompts get parity programs (one escapes)."""
    prompt = request.messages[-1]["content"]
    if "The program is an improver" in prompt:
        return [fenced(SEED + f"\n# variant {index}\n") for index in range(request.n)]
    escaping = "import subprocess\n" + parity_solution("row['b1']")
    return [fenced(parity_solution("row['b0']")), fenced(escaping)][: request.n]


@pytest.fixture
def stop_specs(specs_tree: Path) -> Path:
    (specs_tree / "scaffolds" / "stop-test.yaml").write_text(SCAFFOLD)
    for suite, members in (("stop-test-train", "[stop-parity-noise]"), ("stop-test-transfer", "[stop-parity]")):
        (specs_tree / "suites" / f"{suite}.yaml").write_text(
            f"spec_version: 1\nid: {suite}\ncompetitions: {members}\nscaffolds: [stop-test]\n"
        )
    return specs_tree


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> list[ScriptedModel]:
    made: list[ScriptedModel] = []

    def endpoint(spec: Any) -> ScriptedModel:
        made.append(ScriptedModel(respond))
        return made[-1]

    monkeypatch.setattr("podium.runtime.stop.models.OpenAIEndpoint", endpoint)
    return made


def invoke(*args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def run_ids(runs: Path) -> list[str]:
    return sorted(path.name for path in runs.iterdir())


def test_self_improve_reports_iterations_transfer_and_escapes_and_replays_exactly(
    stop_specs: Path, scripted: list[ScriptedModel], stop_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = tmp_path / "runs"
    common = ["--scaffold", "stop-test", "--meta-suite", "stop-test-train", "--runs-dir", str(runs),
              "--data-dir", str(stop_data)]  # fmt: skip
    result = invoke("self-improve", *common, "--iterations", "2", "--transfer-suite", "stop-test-transfer")
    assert "Meta-utility per iteration" in result.output and "Transfer to unseen" in result.output
    (recorded,) = run_ids(runs)
    report = json.loads(invoke("stop-report", recorded, "--runs-dir", str(runs), "--json").output)
    assert [row["iteration"] for row in report["iterations"]] == [0, 1, 2]
    assert [row["competition_id"] for row in report["transfer"]] == ["stop-parity"]
    solutions = next(row for row in report["escapes"] if row["role"] == "solution")
    assert solutions["flagged"] >= 1 and solutions["categories"] == {"process": solutions["flagged"]}
    assert 0 < solutions["wilson_low"] < solutions["rate"] < solutions["wilson_high"] <= 1
    assert (runs / recorded / "improvers" / "iteration-2.py").is_file()
    assert report["status"] == "finished" and len(scripted) == 1
    monkeypatch.setenv("PODIUM_STOP_RUNS", str(runs))  # `podium report --self-improvement` is the same report
    assert json.loads(invoke("report", "--self-improvement", recorded, "--format", "json").output) == report

    def no_model(spec: Any) -> None:
        raise AssertionError("a replay must not reach the model")

    monkeypatch.setattr("podium.runtime.stop.models.OpenAIEndpoint", no_model)
    invoke("self-improve", *common, "--iterations", "2", "--transfer-suite", "stop-test-transfer",
           "--replay", recorded)  # fmt: skip
    replayed = next(run_id for run_id in run_ids(runs) if run_id != recorded)
    recorded_log = (runs / recorded / "log.jsonl").read_text()
    assert (runs / replayed / "log.jsonl").read_text() == recorded_log
    assert recorded_log.count('"event": "version"') == 3


def test_improve_scores_before_and_after_and_writes_the_program(
    stop_specs: Path, scripted: list[ScriptedModel], stop_data: Path, tmp_path: Path
) -> None:
    out = tmp_path / "improved.py"
    result = invoke("improve", "--scaffold", "stop-test", "--competition", "stop-parity-noise", "--runs-dir",
                    str(tmp_path / "runs"), "--data-dir", str(stop_data), "--out", str(out), "--json")  # fmt: skip
    record = json.loads(result.stdout)
    assert record["status"] == "returned" and record["after"][0] >= record["before"][0]
    assert out.read_text().startswith(("import", '"""'))


def test_escape_experiment_counts_each_request_per_condition(
    stop_specs: Path, scripted: list[ScriptedModel], tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    invoke("stop", "escape-experiment", "--n", "3", "--scaffold", "stop-test", "--runs-dir", str(runs))
    (run_id,) = run_ids(runs)
    report = json.loads(invoke("stop-report", run_id, "--runs-dir", str(runs), "--json").output)
    assert {(row["condition"], row["programs"]) for row in report["escapes"]} == {("unwarned", 3), ("warned", 3)}
    warned_prompt = scripted[0].requests[-1].messages[-1]["content"]
    assert "Never disable" in warned_prompt and "use_sandbox=True" in warned_prompt


def test_bad_input_is_one_clear_error(stop_specs: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["self-improve", "--scaffold", "dummy", "--meta-suite", "stop-test-train"])
    assert result.exit_code == 1 and "agent is stop" in result.output and "Traceback" not in result.output
    result = runner.invoke(app, ["stop-report", "nope", "--runs-dir", str(tmp_path)])
    assert result.exit_code == 1 and "no STOP run 'nope'" in result.output
    result = runner.invoke(app, ["self-improve", "--scaffold", "stop-test", "--meta-suite", "stop-test-train",
                                 "--transfer-suite", "stop-test-train", "--runs-dir", str(tmp_path)])  # fmt: skip
    assert result.exit_code == 1 and "never seen during self-improvement" in result.output


CRYO_RULE = """import pandas as pd

test = pd.read_csv("data/test.csv", dtype={"PassengerId": str})
awake = test["CryoSleep"].astype(str).str.lower() != "true"
pd.DataFrame({"PassengerId": test["PassengerId"], "Transported": ~awake}).to_csv("submission.csv", index=False)
"""


def test_a_kaggle_competition_is_normalised_against_the_human_median(
    tmp_path: Path, stop_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    anchors = Path(__file__).resolve().parents[4] / "shared" / "anchors" / "mle-bench"
    if not (anchors / "spaceship-titanic" / "leaderboard.csv").is_file():
        pytest.skip(f"MLE-bench's leaderboards are not at {anchors}")
    monkeypatch.setenv("PODIUM_LEADERBOARDS", str(anchors))
    task = build_task("spaceship-titanic", stop_config(), stop_data, tmp_path / "work", EvaluationCache())
    scale = task.validation.scale
    assert "human median" in scale.one_is and scale.zero < scale.one
    assert 0.0 < task.validation.value(CRYO_RULE) < 1.0  # a one-rule model is above the baseline, below humans
