"""Executing runs: plan them, drive them through an executor, run each in a sandbox, grade, record.

plan_runs(store, Matrix(...), packages, runs_dir, data_dir)   pending records for a suite
run_pending(store, executor, run_ids=..., progress=...)       claim, execute, record
execute_run(record, settings)                                 one run, start to finish
LocalExecutor(settings, workers), RayExecutor(settings, ...)  where runs execute
"""

from podium.runtime.execute.drive import run_pending
from podium.runtime.execute.executors import Executor, LocalExecutor, Outcome
from podium.runtime.execute.packages import Packages, ScaffoldPackage, load_scaffold_package
from podium.runtime.execute.plan import Matrix, Plan, plan_runs
from podium.runtime.execute.run import RunCancelled, RunSettings, execute_run

__all__ = [
    "Executor",
    "LocalExecutor",
    "Matrix",
    "Outcome",
    "Packages",
    "Plan",
    "RunCancelled",
    "RunSettings",
    "ScaffoldPackage",
    "execute_run",
    "load_scaffold_package",
    "plan_runs",
    "run_pending",
]
