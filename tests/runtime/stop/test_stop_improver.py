"""The seed improver under a scripted model: exact call counts, argmax, budgets, failures, the cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from stop_world import (
    ScriptedModel,
    attach,
    fenced,
    new_session,
    parity_solution,
    queued,
    stop_config,
)

from podium.runtime.stop.budget import CallBudget, LimitReached
from podium.runtime.stop.programs import largest_code_block, program_sha256, shipped_program
from podium.runtime.stop.session import StopSession
from podium.runtime.stop.tasks import CompetitionTask

SEED = shipped_program("seed_improver.py")
# On the parity-noise validation split: always 0 scores 0.52 (the baseline), always 1 scores 0.48.
ZEROS, ONES, FIRST_BIT = parity_solution("0"), parity_solution("1"), parity_solution("row['b0']")


@pytest.fixture
def setup(tmp_path: Path, parity_task: CompetitionTask):
    def make(
        answers: list[list[str]], budgets: dict | None = None, **params
    ) -> tuple[StopSession, CompetitionTask, ScriptedModel]:
        config = stop_config(budgets, **params)
        model = ScriptedModel(queued(*answers))
        session = new_session(config, tmp_path / f"run-{len(list(tmp_path.iterdir()))}", model)
        task = attach(parity_task, session)
        return session, task, model

    return make


def improve(session: StopSession, task: CompetitionTask, improver: str = SEED, solution: str = ZEROS, **overrides):
    arguments = {"role": "solution", "label": "test", "utility_calls": session.config.utility_calls, "wall_time": 60}
    return session.improve(improver, solution, task.validation, **{**arguments, **overrides})


def evaluations(session: StopSession) -> list[dict]:
    import json

    lines = (session.run_dir / "log.jsonl").read_text().splitlines()
    return [event for event in map(json.loads, lines) if event["event"] == "evaluation"]


def test_seed_improver_makes_one_lm_call_for_n_samples_and_n_utility_calls(setup) -> None:
    session, task, model = setup(
        [[fenced(ONES), fenced(FIRST_BIT), fenced(ZEROS + "# same idea\n")]], samples_per_call=3
    )
    outcome = improve(session, task)
    assert len(model.requests) == 1 and model.requests[0].n == 3
    assert outcome.llm_calls == 1 and outcome.samples == 3
    assert outcome.utility_calls == 3  # the input was scored by the runtime beforehand: free for the improver
    assert outcome.status == "returned"


def test_seed_improver_returns_the_argmax_of_the_utility(setup) -> None:
    session, task, _ = setup([[fenced(ONES), fenced(FIRST_BIT)]], samples_per_call=2)
    outcome = improve(session, task)
    scores = {program_sha256(p): task.validation.value(p) for p in (ZEROS, ONES, FIRST_BIT)}
    best = max(scores, key=scores.__getitem__)
    assert program_sha256(outcome.solution) == best
    assert scores[best] > scores[program_sha256(ZEROS)]


def test_the_input_stays_in_the_pool_unless_the_spec_drops_it(setup, tmp_path: Path) -> None:
    session, task, _ = setup([[fenced(ONES)]], samples_per_call=1)
    assert improve(session, task).solution == ZEROS  # 0.48 never beats the input's 0.52
    dropping, task2, _ = setup([[fenced(ONES)]], samples_per_call=1, keep_input=False)
    assert improve(dropping, task2, label="dropping").solution == ONES  # STOP's rule: best of the new ones


def test_n_is_capped_by_the_remaining_utility_budget(setup) -> None:
    session, task, model = setup([[fenced(ONES), fenced(FIRST_BIT)]], budgets={"utility_calls": 2}, samples_per_call=4)
    outcome = improve(session, task, utility_calls=2)
    assert model.requests[0].n == 2 and outcome.utility_calls == 2 and outcome.status == "returned"


def test_an_improver_over_its_utility_budget_is_stopped_and_recorded(setup) -> None:
    greedy = "def improve(solution, utility, lm):\n    for k in range(10):\n        utility(solution + f'# {k}\\n')\n    return solution\n"
    session, task, _ = setup([])
    outcome = improve(session, task, improver=greedy, utility_calls=2)
    assert outcome.status == "budget-exceeded" and outcome.limit == "utility_calls"
    assert outcome.utility_calls == 2 and outcome.solution is None
    assert len(evaluations(session)) == 3  # the input (by the runtime) and the two charged calls, never a third


def test_an_improver_over_its_lm_budget_is_stopped_by_the_llm_layer(setup) -> None:
    chatty = "def improve(solution, utility, lm):\n    for _ in range(5):\n        lm.sample('hi', n=1)\n    return solution\n"
    session, task, model = setup([["a"], ["b"], ["c"]], budgets={"llm_calls": 2})
    outcome = improve(session, task, improver=chatty)
    assert outcome.status == "budget-exceeded" and outcome.limit == "llm_calls"
    assert len(model.requests) == 2 and outcome.llm_calls == 2


def test_cache_hits_are_not_charged(setup) -> None:
    repeats = "def improve(solution, utility, lm):\n    other = solution + '# v2\\n'\n    for _ in range(5):\n        utility(other)\n        utility(solution)\n    return other\n"
    session, task, _ = setup([])
    outcome = improve(session, task, improver=repeats, utility_calls=1)
    assert outcome.status == "returned" and outcome.utility_calls == 1


def test_an_exception_in_the_improver_is_an_outcome_and_scores_zero(setup) -> None:
    from podium.runtime.stop.meta import run_on_task

    broken = "def improve(solution, utility, lm):\n    raise RuntimeError('no idea')\n"
    session, task, _ = setup([])
    outcome = improve(session, task, improver=broken)
    assert outcome.status == "failed" and "RuntimeError: no idea" in outcome.error
    run = run_on_task(session, broken, task, 0, "meta")
    assert run.validation == 0.0 and run.held_out == 0.0 and run.status == "failed"


def test_a_non_string_return_and_a_wall_clock_overrun_are_outcomes(setup) -> None:
    session, task, _ = setup([])
    assert improve(session, task, improver="def improve(s, u, lm):\n    return 42\n").status == "invalid-return"
    sleeper = "import time\ndef improve(s, u, lm):\n    time.sleep(30)\n    return s\n"
    outcome = improve(session, task, improver=sleeper, wall_time=1.5, label="sleeper")
    assert outcome.status == "timed-out"


def test_a_wrong_shape_submission_scores_zero(setup) -> None:
    _session, task, _ = setup([])
    broadcast = parity_solution("0").replace("for row in rows:", "for row in rows + rows:")  # every id twice
    missing = parity_solution("0").replace("for row in rows:", "for row in rows[:-3]:")
    nan = parity_solution("'nan'")
    for program in (broadcast, missing, nan):
        evaluation = task.validation.evaluate(program)
        assert evaluation.status == "invalid" and evaluation.utility == 0.0, evaluation
    assert "duplicate" in task.validation.evaluate(broadcast).error


def test_largest_code_block_takes_the_longest_fence() -> None:
    answer = "x\n```python\nshort\n```\nand\n```\nmuch longer block\n```\n~~~\nmid\n~~~\n"
    assert largest_code_block(answer) == "much longer block\n"
    assert largest_code_block("no code at all") is None


def test_call_budget_raises_past_its_limit() -> None:
    budget = CallBudget("utility_calls", 1)
    budget.charge()
    with pytest.raises(LimitReached, match="utility_calls"):
        budget.charge()


def test_a_solution_cannot_read_the_held_labels_or_reach_the_network(setup) -> None:
    from podium.runtime.stop.sandboxing import sandbox

    if sandbox().isolation != "bwrap":
        pytest.skip("bubblewrap is not installed: programs run as plain processes (apt-get install bubblewrap)")
    _, task, _ = setup([])
    peek = f"open({str(task.validation.split.answers)!r}).read()\n" + ZEROS
    evaluation = task.validation.evaluate(peek)
    assert evaluation.status == "failed" and "No such file" in evaluation.error
    online = "import socket\nsocket.getaddrinfo('podium.invalid', 443)\n" + ZEROS  # no resolver, no traffic
    evaluation = task.validation.evaluate(online)
    assert evaluation.status == "failed" and evaluation.denied_actions >= 1


def test_the_model_sees_metric_direction_contract_and_limits_but_no_answers(parity_task: CompetitionTask) -> None:
    description = parity_task.validation.description
    for expected in ("accuracy (higher is better)", "submission.csv", "data/train.csv", "30s wall clock", "reference"):
        assert expected in description
    for hidden in (str(parity_task.validation.split.answers), "private", "grade_submission", "def accuracy"):
        assert hidden not in description
