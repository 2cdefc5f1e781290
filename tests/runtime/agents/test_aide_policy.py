"""AIDE's search with a scripted model: policy, judging of nodes, the kept submission, resume."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from podium.runtime.agents.aide import AideAgent, Journal, Node, SearchParams, SearchSetup, choose_parent, step_rng
from podium.runtime.agents.aide import main as aide_main
from podium.runtime.agents.aide.agent import call_seed
from podium.runtime.agents.aide.extract import extract_program
from podium.runtime.agents.aide.journal import JOURNAL_FILE, load_journal
from podium.runtime.agents.aide.runner import metric_problem, parse_metric
from podium.runtime.agents.contract import AgentPaths, read_task_card
from podium.runtime.llm import BudgetExceeded, Completion

PROGRAM = """Plan: answer {label} for every id.
```python
import csv, json, os
rows = list(csv.DictReader(open(os.path.join(os.environ["DATA_DIR"], "sample_submission.csv"))))
with open("submission.csv", "w", newline="") as handle:
    writer = csv.writer(handle)
    writer.writerow(["Id", "Target"])
    for row in rows{rows}:
        writer.writerow([row["Id"], "{label}"])
print("training done")
print(json.dumps({{"podium_metric": {metric}}}))
```
"""


def program(metric: object = 0.5, label: str = "False", rows: str = "") -> str:
    return PROGRAM.format(metric=metric, label=label, rows=rows)


class ScriptedModel:
    """Answers by step, found from the seed the agent sends: like a cassette, it depends on the request only."""

    model = "scripted"

    def __init__(self, answers: Sequence[object], seed: int = 0):
        self.answers = list(answers)
        self.steps = {call_seed(seed, step): step for step in range(len(self.answers))}
        self.calls: list[int] = []
        self.messages: list[list[dict[str, str]]] = []

    def complete(self, messages, n=1, temperature=None, max_tokens=None, seed=None):
        step = self.steps[seed]
        self.calls.append(step)
        self.messages.append(list(messages))
        answer = self.answers[step]
        if isinstance(answer, BaseException):
            raise answer
        if not isinstance(answer, str):
            return answer  # a malformed reply object, as a broken client might hand back
        return Completion(choices=[answer], model="scripted", prompt_tokens=100 + step, completion_tokens=10)


def setup_for(paths: AgentPaths, **params: object) -> SearchSetup:
    search = SearchParams.model_validate({"steps": 3, "drafts": 1, "debug_prob": 0.0, **params})
    return SearchSetup(paths, read_task_card(paths), search, seed=0, lower_is_better=False)


def run_agent(paths: AgentPaths, answers: Sequence[object], **params: object) -> Journal:
    return AideAgent(setup_for(paths, **params), ScriptedModel(answers), lambda _: None).run()


def submitted_labels(paths: AgentPaths) -> set[str]:
    return set(pd.read_csv(paths.submission_file, dtype=str)["Target"])


# ── the policy on hand-made journals ─────────────────────────────────────────────────────────


def node(node_id: int, parent: int | None, stage: str, metric: float | None = None) -> Node:
    return Node(
        id=node_id,
        parent_id=parent,
        step=node_id,
        stage=stage,
        metric=metric,
        is_buggy=metric is None,
    )


def test_drafts_come_first() -> None:
    journal = Journal(nodes=[node(0, None, "draft", 0.7)])
    params = SearchParams(drafts=2, debug_prob=1.0)
    assert choose_parent(journal, params, step_rng(0, 1)) is None
    journal.nodes.append(node(1, None, "draft", 0.8))
    assert choose_parent(journal, params, step_rng(0, 2)) == journal.nodes[1]  # then the best node


def test_debug_depth_limit_stops_debugging_a_line() -> None:
    chain = [node(0, None, "draft"), node(1, 0, "debug"), node(2, 1, "debug")]
    journal = Journal(nodes=chain)
    assert journal.debug_depth(chain[2]) == 2
    always = SearchParams(drafts=1, debug_prob=1.0, max_debug_depth=3)
    assert choose_parent(journal, always, step_rng(0, 3)) == chain[2]
    limited = always.model_copy(update={"max_debug_depth": 2})
    assert choose_parent(journal, limited, step_rng(0, 3)) is None  # no good node either: a new draft


def test_only_buggy_leaves_are_debugged() -> None:
    journal = Journal(nodes=[node(0, None, "draft"), node(1, 0, "debug", 0.6), node(2, None, "draft")])
    params = SearchParams(drafts=2, debug_prob=1.0)
    picks = {choose_parent(journal, params, step_rng(0, step)).id for step in range(20)}
    assert picks == {2}  # node 0 has a child already


def test_debug_probability_draws_from_the_seeded_generator() -> None:
    journal = Journal(nodes=[node(0, None, "draft", 0.7), node(1, None, "draft")])
    params = SearchParams(drafts=2, debug_prob=0.3)

    def choices(seed: int) -> list[int]:
        return [choose_parent(journal, params, step_rng(seed, step)).id for step in range(300)]

    debugged = choices(0).count(1) / 300
    assert 0.22 < debugged < 0.38
    assert choices(0) == choices(0)
    assert choices(0) != choices(1)
    never = params.model_copy(update={"debug_prob": 0.0})
    assert all(choose_parent(journal, never, step_rng(0, s)).id == 0 for s in range(50))


def test_best_node_follows_the_direction() -> None:
    nodes = [node(0, None, "draft", 0.3), node(1, None, "draft", 0.1), node(2, None, "draft", 0.1)]
    assert Journal(nodes=nodes).best_node() == nodes[0]
    assert Journal(nodes=nodes, lower_is_better=True).best_node() == nodes[1]  # the earliest of a tie


# ── the agent with a scripted model ──────────────────────────────────────────────────────────


def test_the_best_valid_nodes_submission_is_kept_not_the_last(contract: AgentPaths) -> None:
    answers = [program(0.7, "False"), program(0.9, "True"), program(0.8, "False")]
    journal = run_agent(contract, answers, steps=3, drafts=2)
    assert [(n.stage, n.parent_id, n.metric) for n in journal.nodes] == [
        ("draft", None, 0.7),
        ("draft", None, 0.9),
        ("improve", 1, 0.8),
    ]
    assert submitted_labels(contract) == {"True"}
    saved = json.loads((contract.logs / JOURNAL_FILE).read_text())
    first = saved["nodes"][0]
    assert first["code_path"] == "node_0/solution.py" and (contract.code / "node_0" / "solution.py").is_file()
    assert first["plan"] == "Plan: answer False for every id."
    assert first["prompt_tokens"] == 100 and first["exec_seconds"] > 0
    assert {"id", "parent_id", "step", "stage", "metric", "is_buggy", "error"} <= set(first)


def test_improve_prompt_shows_the_best_program_and_the_contract(contract: AgentPaths) -> None:
    model = ScriptedModel([program(0.7, "False"), program(0.8, "True")])
    AideAgent(setup_for(contract, steps=2), model, lambda _: None).run()
    draft, improve = (messages[-1]["content"] for messages in model.messages)
    for text in (draft, improve):
        assert "Predict Target for every Id" in text  # the description
        assert '"metric": "accuracy"' in text  # the task card
        assert "train.csv" in text and "Id,size,colour,Cabin,Target" in text  # listing and preview
        assert '{"podium_metric": 0.8123}' in text  # the I/O contract
    assert "Program to improve (node 0, validation 0.7)" in improve and 'writer.writerow(["Id", "Target"])' in improve


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (program(10.73), "accuracy = 10.73 is impossible"),
        (program('float("nan")'), "not a finite number"),
        (program('"high"'), "must be a number"),
        (program(0.5).replace("print(json.dumps", "0 and print(json.dumps"), "printed no final line"),
        (program(0.5, rows="[:3]"), "the submission is invalid"),
        (program(0.5, label=""), "empty or NaN"),
        ("I would train a model.", "no fenced ```python code block"),
        ("```python\nimport sys\nsys.exit(3)\n```", "exited with code 3"),
        ("```python\ndef broken(:\n```", "does not parse"),
        ("```python\nprint('{\"podium_metric\": 0.5}')\n```", "wrote no submission.csv"),
    ],
    ids=["absurd", "nan", "text", "no-line", "rows", "empty", "no-code", "exit", "syntax", "no-file"],
)
def test_buggy_nodes_say_why_and_the_sample_is_submitted(contract: AgentPaths, answer: str, reason: str) -> None:
    journal = run_agent(contract, [answer], steps=1)
    only = journal.nodes[0]
    assert only.is_buggy and only.metric is None
    assert reason in (only.error or "")
    assert contract.submission_file.read_bytes() == contract.sample_submission.read_bytes()


def test_a_buggy_node_is_debugged_with_its_error(contract: AgentPaths) -> None:
    model = ScriptedModel([program(10.73), program(0.75)])
    journal = AideAgent(setup_for(contract, steps=2, debug_prob=1.0), model, lambda _: None).run()
    assert [(n.stage, n.parent_id, n.is_buggy) for n in journal.nodes] == [("draft", None, True), ("debug", 0, False)]
    debug_prompt = model.messages[1][-1]["content"]
    assert "accuracy = 10.73 is impossible" in debug_prompt and "training done" in debug_prompt


def test_a_hanging_program_is_killed_with_its_children(contract: AgentPaths, tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    hang = (
        "```python\nimport subprocess, sys, time\n"
        f"child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\ntime.sleep(120)\n```"
    )
    started = time.monotonic()
    journal = run_agent(contract, [hang], steps=1, step_timeout=2)
    assert time.monotonic() - started < 30
    assert "longer than the step timeout (2s)" in (journal.nodes[0].error or "")
    child = int(pid_file.read_text())
    assert not _alive(child)


def _alive(pid: int, wait: float = 5.0) -> bool:
    """Whether `pid` still runs after up to `wait` seconds (SIGKILL lands asynchronously; a zombie is dead)."""
    deadline = time.monotonic() + wait
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        status = Path(f"/proc/{pid}/status")
        try:
            if "zombie" in status.read_text():
                return False
        except OSError:
            return False
        if time.monotonic() > deadline:
            return True
        time.sleep(0.05)


def test_model_failures_and_odd_answers_become_buggy_nodes(contract: AgentPaths) -> None:
    odd_reply = SimpleNamespace(text=42, prompt_tokens=1, completion_tokens=1)
    answers: list[object] = [RuntimeError("connection reset"), odd_reply, program(0.6, "True")]
    journal = run_agent(contract, answers, steps=3, drafts=3)
    assert [n.is_buggy for n in journal.nodes] == [True, True, False]
    assert journal.nodes[0].error == "the model call failed: RuntimeError: connection reset"
    assert (journal.nodes[1].error or "").startswith("the step failed: TypeError")  # contained, not raised
    assert submitted_labels(contract) == {"True"}


def test_a_model_that_keeps_failing_ends_the_search(contract: AgentPaths) -> None:
    journal = run_agent(contract, [TimeoutError("no answer")] * 5, steps=5, drafts=5)
    assert len(journal.nodes) == 2 and "failed 3 times in a row" in (journal.stopped or "")
    assert contract.submission_file.read_bytes() == contract.sample_submission.read_bytes()


def test_a_spent_budget_ends_the_search_and_keeps_the_best(contract: AgentPaths) -> None:
    answers: list[object] = [program(0.6, "True"), BudgetExceeded("tokens")]
    journal = run_agent(contract, answers, steps=5)
    assert len(journal.nodes) == 1 and journal.stopped == "the tokens budget is spent"
    assert submitted_labels(contract) == {"True"}


def test_the_journal_is_saved_after_every_step(contract: AgentPaths) -> None:
    seen: list[int] = []

    class Watching(ScriptedModel):
        def complete(self, messages, n=1, temperature=None, max_tokens=None, seed=None):
            saved = load_journal(contract.logs / JOURNAL_FILE)
            seen.append(0 if saved is None else len(saved.nodes))
            return super().complete(messages, n, temperature, max_tokens, seed)

    AideAgent(setup_for(contract, steps=3), Watching([program(0.5)] * 3), lambda _: None).run()
    assert seen == [0, 1, 2]


def test_resuming_from_the_journal_reproduces_the_same_journal(
    contract_factory: Callable[..., AgentPaths],
) -> None:
    answers = [program(10.73), program(0.7), program(0.65), program(0.8, "True"), program('float("inf")'), program(0.9)]
    params = {"steps": 6, "drafts": 2, "debug_prob": 0.5, "max_debug_depth": 1}
    whole, halves = contract_factory(), contract_factory()
    in_one_go = run_agent(whole, answers, **params)
    first = ScriptedModel(answers)
    AideAgent(setup_for(halves, **{**params, "steps": 3}), first, lambda _: None).run()
    second = ScriptedModel(answers)
    resumed = AideAgent(setup_for(halves, **params), second, lambda _: None).run()
    assert first.calls == [0, 1, 2] and second.calls == [3, 4, 5]  # nothing was asked twice
    timings = {"exec_seconds"}
    assert [n.model_dump(exclude=timings) for n in resumed.nodes] == [
        n.model_dump(exclude=timings) for n in in_one_go.nodes
    ]
    assert halves.submission_file.read_bytes() == whole.submission_file.read_bytes()


def test_a_resumed_run_keeps_the_journals_seed(contract: AgentPaths) -> None:
    run_agent(contract, [program(0.5)], steps=1)
    setup = replace(setup_for(contract, steps=2), seed=7)
    model = ScriptedModel([program(0.5), program(0.6)], seed=0)  # answers only to seed 0's requests
    journal = AideAgent(setup, model, lambda _: None).run()
    assert journal.seed == 0 and len(journal.nodes) == 2


# ── extraction, metric lines, command line ───────────────────────────────────────────────────


def test_the_largest_python_block_is_the_program() -> None:
    answer = "Plan.\n```python\nx = 1\n```\n```bash\npip install everything-and-more\n```\n```\nimport os\nprint(os.getcwd())\n```"
    extracted = extract_program(answer)
    assert (
        extracted.code == "import os\nprint(os.getcwd())\n" and extracted.plan == "Plan." and extracted.problem is None
    )
    cut = extract_program("Plan\n```python\nfor i in range(3):\n    print(i")
    assert cut.code is not None and "does not parse (line 2" in (cut.problem or "")


def test_metric_lines_are_read_from_the_end_and_checked() -> None:
    assert parse_metric('{"podium_metric": 0.1}\nlog\n{"podium_metric": 0.2}\n') == (0.2, None)
    assert parse_metric('{"podium_metric": true}')[0] is None
    assert metric_problem("accuracy", 10.73) is not None and metric_problem("accuracy", 0.9) is None
    assert metric_problem("rmse-log", -0.1) is not None and metric_problem("rmse-log", 12.5) is None
    assert metric_problem("quadratic-weighted-kappa", -0.5) is None
    assert metric_problem("mape", 3.0) is None  # an unknown range: only finiteness is checked


def test_main_without_a_model_fails_with_a_sentence(
    contract: AgentPaths,
    argv_for: Callable[[AgentPaths], list[str]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PODIUM_LLM_URL", raising=False)
    monkeypatch.setenv("PODIUM_LLM_SOCKET", str(contract.agent / "no.sock"))
    assert aide_main([*argv_for(contract)]) == 1
    error = capsys.readouterr().err
    assert "no model to ask" in error and "Traceback" not in error


def test_main_rejects_bad_params_with_a_sentence(
    contract: AgentPaths,
    argv_for: Callable[[AgentPaths], list[str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    spec = tmp_path / "scaffold.json"
    spec.write_text(json.dumps({"params": {"steps": 0, "step_timeout": "soon"}}))
    assert aide_main([*argv_for(contract), "--scaffold", str(spec)]) == 1
    error = capsys.readouterr().err
    assert "params are not valid" in error and "steps" in error and "step_timeout" in error


def test_an_answer_cut_off_at_max_tokens_is_named_as_such(contract: AgentPaths) -> None:
    cut = Completion(
        choices=["```python\nfor i in range(3):\n    print(i"], finish_reasons=["length"], model="scripted"
    )
    journal = run_agent(contract, [cut], steps=1)
    assert (journal.nodes[0].error or "").endswith("the answer hit max_tokens and was cut off")


TERMINATED_RUN = """
import sys
from pathlib import Path
from podium.runtime.agents.aide import AideAgent, SearchParams, SearchSetup
from podium.runtime.agents.aide.main import exit_on_sigterm
from podium.runtime.agents.contract import AgentPaths, read_task_card
from podium.runtime.llm import Completion

class Hang:
    model = "scripted"
    def complete(self, messages, n=1, temperature=None, max_tokens=None, seed=None):
        code = "import subprocess, sys, time\\n"
        code += "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\\n"
        code += f"open({sys.argv[2]!r}, 'w').write(str(child.pid))\\ntime.sleep(120)\\n"
        return Completion(choices=["```python\\n" + code + "```"], model="scripted")

root = Path(sys.argv[1])
paths = AgentPaths(root / "data", root / "submission", root / "logs", root / "code", root / "agent")
exit_on_sigterm()
setup = SearchSetup(paths, read_task_card(paths), SearchParams(steps=1, step_timeout=300), 0, False)
AideAgent(setup, Hang(), print).run()
"""


def test_sigterm_stops_the_agent_and_its_running_program(contract: AgentPaths, tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    pid_file = tmp_path / "child.pid"
    agent = subprocess.Popen([sys.executable, "-c", TERMINATED_RUN, str(contract.data.parent), str(pid_file)])
    deadline = time.monotonic() + 60
    while not (pid_file.is_file() and pid_file.read_text()) and time.monotonic() < deadline:
        time.sleep(0.1)
    agent.send_signal(signal.SIGTERM)
    assert agent.wait(timeout=30) == 128 + signal.SIGTERM
    assert not _alive(int(pid_file.read_text()))


def test_main_inside_a_run_without_a_proxy_names_the_proxy(
    contract: AgentPaths,
    argv_for: Callable[[AgentPaths], list[str]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.delenv("PODIUM_LLM_URL", raising=False)
    monkeypatch.setenv("PODIUM_LLM_SOCKET", str(contract.agent / "no.sock"))
    monkeypatch.setenv("PODIUM_RUN_ID", "adhoc/synthetic/aide/0/0")
    spec = tmp_path / "scaffold.json"
    spec.write_text(json.dumps({"model": {"name": "smollm2", "base_url": "http://127.0.0.1:9/v1"}}))
    assert aide_main([*argv_for(contract), "--scaffold", str(spec)]) == 1
    assert "this run has no LLM proxy" in capsys.readouterr().err
