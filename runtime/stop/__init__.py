"""STOP, the Self-Taught Optimizer (Zelikman et al., 2023), as a podium scaffold.

An improver is a program `improve(solution, utility, lm) -> solution`, run in its own sandboxed
process with proxies; the runtime keeps every budget outside it. The pieces, in pipeline order:

    CompetitionTask.build(...)      tasks.py      prepared data, validation/held-out splits, scales, description
    CompetitionUtility              utility.py    run a solution in the sandbox, check, grade, normalise, cache
    StopSession.improve(...)        session.py    one improver run under fresh budgets, logged and scanned
    MetaUtility                     meta.py       mean utility of an improver over K competitions x R runs
    self_improve(...)               selfimprove.py  I(t+1) = I(t)(meta_utility, I(t)), acceptance gate, transfer
    scan(program)                   escape.py     sandbox-escape attempts by category
    run_condition(...)              experiment.py STOP's sandbox experiment, warned and unwarned
    render_self_improvement(run_id) report.py     meta-utility per iteration, transfer table, escape rates

Programs shipped as text: `seed_improver.py` (STOP's seed improver), `seed_solution.py` (predict
the commonest target), `escape_improver.py` (the seed improver with its sandbox flag in sight).
The CLI is `podium improve`, `podium self-improve`, `podium stop-report` and
`podium stop escape-experiment` (podium/cli/stop.py).
"""

from podium.runtime.stop.config import StopConfig
from podium.runtime.stop.escape import CATEGORIES, Finding, ScanResult, scan
from podium.runtime.stop.host import ImproveOutcome, ModelAccess
from podium.runtime.stop.meta import MetaEvaluation, MetaUtility, improve_and_score, run_on_task
from podium.runtime.stop.programs import largest_code_block, program_sha256, shipped_program
from podium.runtime.stop.report import render_self_improvement, stop_report
from podium.runtime.stop.selfimprove import SelfImprovementResult, self_improve, transfer
from podium.runtime.stop.session import StopSession
from podium.runtime.stop.stats import Rate, wilson_rate
from podium.runtime.stop.tasks import CompetitionTask, TaskError, build_tasks
from podium.runtime.stop.utility import CompetitionUtility, Evaluation, Scale

__all__ = [
    "CATEGORIES",
    "CompetitionTask",
    "CompetitionUtility",
    "Evaluation",
    "Finding",
    "ImproveOutcome",
    "MetaEvaluation",
    "MetaUtility",
    "ModelAccess",
    "Rate",
    "Scale",
    "ScanResult",
    "SelfImprovementResult",
    "StopConfig",
    "StopSession",
    "TaskError",
    "build_tasks",
    "improve_and_score",
    "largest_code_block",
    "program_sha256",
    "render_self_improvement",
    "run_on_task",
    "scan",
    "self_improve",
    "shipped_program",
    "stop_report",
    "transfer",
    "wilson_rate",
]
