"""The AIDE agent: the search loop around the policy, the model, the program runner and the checks.

One step asks the model for a program (a draft, a debug of a buggy node, or an improvement of
the best node), runs it under the step timeout, and judges it: a node is buggy when its program
fails, times out, prints no or an impossible metric, or writes a submission that fails the
submission checks against the sample submission. Whatever happens inside a step becomes that
node's bug; only a spent budget (or a cassette that cannot answer) ends the search early.
After every step the journal is saved and the best valid node's submission is copied to the
final submission, so a run stopped at any moment leaves its best result behind.
"""

from __future__ import annotations

import hashlib
import math
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from podium.runtime.agents.aide.extract import extract_program
from podium.runtime.agents.aide.journal import JOURNAL_FILE, Journal, Node, load_journal, save_journal
from podium.runtime.agents.aide.policy import SearchParams, choose_parent, stage_for, step_rng
from podium.runtime.agents.aide.prompts import TaskBrief, debug_messages, draft_messages, improve_messages
from podium.runtime.agents.aide.runner import PROGRAM, Execution, metric_problem, run_program
from podium.runtime.agents.contract import SUBMISSION, AgentPaths, TaskCard, submission_problem

MAX_MODEL_FAILURES_IN_A_ROW = 3
TIME_RESERVE_SECONDS = 30.0  # kept back from the run's time limit to copy the best submission
MIN_STEP_SECONDS = 10.0  # a step with less time left than this is not started


class StopSearch(Exception):
    """The search cannot go on (budget spent, replay exhausted, model down); the message says why."""


class ModelCallFailed(Exception):
    """This step's model call failed; the node is buggy and the search goes on."""


@dataclass(frozen=True)
class SearchSetup:
    paths: AgentPaths
    card: TaskCard
    params: SearchParams
    seed: int
    lower_is_better: bool
    time_limit: float | None = None  # seconds for the whole run; None: no limit of the agent's own


class AideAgent:
    def __init__(
        self, setup: SearchSetup, llm: Any, log: Callable[[str], None], clock: Callable[[], float] = time.monotonic
    ):
        self.setup = setup
        self.llm = llm
        self.log = log
        self.clock = clock
        self.started = clock()
        self.journal_path = setup.paths.logs / JOURNAL_FILE
        self.brief = TaskBrief.build(setup.paths, setup.card, setup.params.step_timeout, setup.params.preview_rows)
        self.model_failures = 0

    def run(self) -> Journal:
        journal = self._start_or_resume()
        self._keep_best(journal)
        while len(journal.nodes) < self.setup.params.steps and journal.stopped is None:
            if self._time_left() < MIN_STEP_SECONDS:
                journal.stopped = "the run's time limit is near"
                break
            try:
                node = self.step(journal)
            except StopSearch as stop:
                journal.stopped = str(stop)
            else:
                journal.nodes.append(node)
                self.log(_describe(node))
            save_journal(journal, self.journal_path)
            self._keep_best(journal)
        if journal.stopped:
            self.log(f"search stopped after {len(journal.nodes)} nodes: {journal.stopped}")
        tokens = f"{journal.prompt_tokens} prompt and {journal.completion_tokens} completion tokens"
        self.log(f"{len(journal.nodes)} nodes, {tokens}")
        self._fall_back_to_sample(journal)
        return journal

    def step(self, journal: Journal) -> Node:
        """Make one node; any failure inside becomes the node's bug (StopSearch alone escapes)."""
        step = len(journal.nodes)
        parent = choose_parent(journal, self.setup.params, step_rng(self.setup.seed, step))
        node = Node(id=step, parent_id=None if parent is None else parent.id, step=step, stage=stage_for(parent))
        try:
            self._make(node, parent, journal)
        except StopSearch:
            raise
        except Exception as error:  # a step must never crash the agent, whatever the model wrote
            node.is_buggy, node.metric, node.submission_path = True, None, None
            node.error = f"the step failed: {type(error).__name__}: {_one_line(error)}"
        return node

    # ── one step ─────────────────────────────────────────────────────────────────────────────

    def _make(self, node: Node, parent: Node | None, journal: Journal) -> None:
        try:
            completion = self._ask(self._messages(node, parent, journal), node.step)
        except ModelCallFailed as failure:
            node.error = f"the model call failed: {failure}"
            return
        node.prompt_tokens, node.completion_tokens = completion.prompt_tokens, completion.completion_tokens
        extracted = extract_program(completion.text)
        node.plan = extracted.plan
        if extracted.code is None:
            node.error = extracted.problem
            return
        folder = self.setup.paths.code / f"node_{node.id}"
        node.code_path = f"{folder.name}/{PROGRAM}"
        if extracted.problem is not None:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / PROGRAM).write_text(extracted.code, encoding="utf-8")
            node.error = extracted.problem + _cut_off_note(completion)
            return
        self._execute(node, folder, extracted.code)

    def _messages(self, node: Node, parent: Node | None, journal: Journal) -> list[dict[str, str]]:
        if parent is None:
            return draft_messages(self.brief, journal)
        code = self._code_of(parent)
        if node.stage == "debug":
            return debug_messages(self.brief, parent, code)
        return improve_messages(self.brief, journal, parent, code or "")

    def _code_of(self, node: Node) -> str | None:
        if node.code_path is None:
            return None
        try:
            return (self.setup.paths.code / node.code_path).read_text(encoding="utf-8")
        except OSError:
            return None

    def _ask(self, messages: Sequence[dict[str, str]], step: int) -> Any:
        """The model's answer; ModelCallFailed for this call, StopSearch when no call can succeed any more."""
        from podium.runtime.llm import BudgetExceeded, ReplayMiss

        params = self.setup.params
        try:
            completion = self.llm.complete(
                messages,
                n=1,
                temperature=params.temperature,
                max_tokens=params.max_tokens,
                seed=call_seed(self.setup.seed, step),
            )
        except BudgetExceeded as error:
            raise StopSearch(f"the {error.limit} budget is spent") from None
        except ReplayMiss as error:
            raise StopSearch(f"replay cannot go on: {_one_line(error)}") from None
        except Exception as error:  # an endpoint down or a malformed reply: this node fails, the search goes on
            self.model_failures += 1
            reason = f"{type(error).__name__}: {_one_line(error)}"
            if self.model_failures >= MAX_MODEL_FAILURES_IN_A_ROW:
                raise StopSearch(f"the model failed {self.model_failures} times in a row: {reason}") from None
            raise ModelCallFailed(reason) from None
        self.model_failures = 0
        return completion

    def _execute(self, node: Node, folder: Path, code: str) -> None:
        submission = folder / SUBMISSION
        submission.unlink(missing_ok=True)  # a resumed step must not judge an old run's file
        env = {**os.environ, "DATA_DIR": str(self.setup.paths.data)}
        execution = run_program(folder, code, self._step_timeout(), env)
        node.exec_seconds = round(execution.seconds, 3)
        node.output_tail = execution.output_tail
        node.error = self._judge(execution, submission)
        node.is_buggy = node.error is not None
        if not node.is_buggy:
            node.metric = execution.metric
            node.submission_path = f"{folder.name}/{SUBMISSION}"

    def _judge(self, execution: Execution, submission: Path) -> str | None:
        """Why the node is buggy, in the order a person would fix it; None for a good node."""
        if execution.timed_out:
            return f"the program ran longer than the step timeout ({self._step_timeout():.0f}s) and was killed"
        if execution.exit_code != 0:
            last = _last_line(execution.stderr_tail) or "no error output"
            return f"the program exited with code {execution.exit_code}: {last}"
        if execution.metric is None:
            return execution.metric_problem
        impossible = metric_problem(self.setup.card.metric, execution.metric)
        if impossible is not None:
            return impossible
        if not submission.is_file():
            return f"the program wrote no {SUBMISSION} in its working folder"
        problem = submission_problem(submission, self.setup.paths, self.setup.card)
        return None if problem is None else f"the submission is invalid: {problem}"

    def _step_timeout(self) -> float:
        return max(1.0, min(self.setup.params.step_timeout, self._time_left() - TIME_RESERVE_SECONDS))

    def _time_left(self) -> float:
        if self.setup.time_limit is None:
            return math.inf
        return self.setup.time_limit - (self.clock() - self.started)

    # ── journal and submission ───────────────────────────────────────────────────────────────

    def _start_or_resume(self) -> Journal:
        journal = load_journal(self.journal_path)
        if journal is None:
            return Journal(
                competition_id=self.setup.card.competition_id,
                seed=self.setup.seed,
                lower_is_better=self.setup.lower_is_better,
                params=self.setup.params.model_dump(mode="json"),
            )
        self.log(f"resuming from {self.journal_path}: {len(journal.nodes)} nodes made")
        if journal.seed != self.setup.seed:
            self.log(f"the journal was made with seed {journal.seed}; it goes on with that seed")
        journal.stopped = None  # a new budget or a longer limit may let it go on
        journal.params = self.setup.params.model_dump(mode="json")
        self.setup = _with_seed(self.setup, journal.seed)
        return journal

    def _keep_best(self, journal: Journal) -> None:
        best = journal.best_node()
        if best is None or best.submission_path is None:
            return
        self._submit(self.setup.paths.code / best.submission_path)

    def _fall_back_to_sample(self, journal: Journal) -> None:
        best = journal.best_node()
        if best is None:
            self.log("no node produced a valid submission; submitting the sample submission")
            self._submit(self.setup.paths.sample_submission)
        else:
            self.log(f"best node {best.id}: validation {best.metric}, submitted as {self.setup.paths.submission_file}")

    def _submit(self, source: Path) -> None:
        try:
            _copy_atomically(source, self.setup.paths.submission_file)
        except OSError as error:  # e.g. a resumed run whose code folder was not kept
            self.log(f"cannot submit {source}: {error}")


def call_seed(seed: int, step: int) -> int:
    """The model's seed for one step: distinct across seeds and steps, the same on a resumed run."""
    digest = hashlib.sha256(f"podium-aide-llm:{seed}:{step}".encode()).digest()
    return int.from_bytes(digest[:4], "big") >> 1  # a positive 31-bit integer every server accepts


def _with_seed(setup: SearchSetup, seed: int) -> SearchSetup:
    from dataclasses import replace

    return replace(setup, seed=seed)


def _copy_atomically(source: Path, destination: Path) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.partial")
    shutil.copyfile(source, partial)
    os.replace(partial, destination)


def _describe(node: Node) -> str:
    origin = "" if node.parent_id is None else f" of node {node.parent_id}"
    outcome = f"validation {node.metric}" if not node.is_buggy else f"buggy: {node.error}"
    return f"node {node.id} ({node.stage}{origin}): {outcome}"


def _cut_off_note(completion: Any) -> str:
    reasons = getattr(completion, "finish_reasons", None) or [None]
    return "; the answer hit max_tokens and was cut off" if reasons[0] == "length" else ""


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:300]
