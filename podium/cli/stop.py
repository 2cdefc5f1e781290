"""STOP commands: `podium improve`, `podium self-improve`, `podium stop-report`, `podium stop escape-experiment`.

Each run gets a folder under the STOP runs folder (`--runs-dir`, else $PODIUM_STOP_RUNS, else the
user cache) holding its log, summary, programs, improver versions and the model's answers as a
cassette; `--replay RUN_ID` answers every model call from that run's cassette instead of the model.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from podium.cli.app import app
from podium.cli.context import catalog, console, err_console, fail, resolve_competition
from podium.generator.errors import did_you_mean
from podium.runtime.data.paths import DATA_DIR_ENV

if TYPE_CHECKING:
    from collections.abc import Iterator

    from podium.runtime.stop.config import StopConfig
    from podium.runtime.stop.session import StopSession
    from podium.runtime.stop.tasks import CompetitionTask

stop_app = typer.Typer(help="The STOP scaffold's experiments.", no_args_is_help=True)
app.add_typer(stop_app, name="stop")

SCAFFOLD_HELP = "A scaffold id whose agent is `stop`."
RUNS_HELP = "Folder of STOP runs; default: $PODIUM_STOP_RUNS, else the user cache."
REPLAY_HELP = "Answer every model call from this run's cassette (a run id, run folder or cassette file)."
DATA_HELP = f"Data folder; default: ${DATA_DIR_ENV}, else the user cache folder."
NORMALISATION_HELP = "Override the spec's normalisation: auto, human, reference or raw."


@app.command()
def improve(
    scaffold: str = typer.Option("stop", "--scaffold", help=SCAFFOLD_HELP),
    competition_id: str = typer.Option(..., "--competition", help="The competition whose solution to improve."),
    solution: Path = typer.Option(None, "--solution", help="The program to improve; default: the seed solution."),
    out: Path = typer.Option(None, "--out", help="Write the improved program here."),
    normalisation: str = typer.Option(None, "--normalisation", help=NORMALISATION_HELP),
    replay: str = typer.Option(None, "--replay", help=REPLAY_HELP),
    runs_dir: Path = typer.Option(None, "--runs-dir", help=RUNS_HELP),
    data_folder: Path = typer.Option(None, "--data-dir", help=DATA_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Run the scaffold's improver once on a competition's solution program and score before and after."""
    from podium.runtime.stop.meta import improve_and_score

    config = _config(scaffold, normalisation=normalisation)
    program = _read_program(solution) if solution else None
    with _run("improve", config, replay, runs_dir) as (run_id, session):
        task = _tasks([competition_id], config, data_folder, session)[0]
        improver = config.program_file(config.params.improver, "seed_improver.py")
        record = improve_and_score(session, improver, task, program or task.seed_solution)
        session.summary.update(competition_id=competition_id, result=record)
    if out is not None:
        out.write_text(session.log.program(record["solution"]), encoding="utf-8")
    if as_json:
        console.print_json(json.dumps({"run_id": run_id, **record}))
        return
    _print_report(run_id, runs_dir)
    if out is not None:
        console.print(f"improved program written to {out}")


@app.command("self-improve")
def self_improve_command(
    scaffold: str = typer.Option("stop", "--scaffold", help=SCAFFOLD_HELP),
    meta_suite: str = typer.Option(..., "--meta-suite", help="Suite whose competitions make the meta-utility."),
    iterations: int = typer.Option(None, "--iterations", min=1, help="T; default: the scaffold's params."),
    transfer_suite: str = typer.Option(None, "--transfer-suite", help="Suite of unseen competitions for transfer."),
    normalisation: str = typer.Option(None, "--normalisation", help=NORMALISATION_HELP),
    replay: str = typer.Option(None, "--replay", help=REPLAY_HELP),
    runs_dir: Path = typer.Option(None, "--runs-dir", help=RUNS_HELP),
    data_folder: Path = typer.Option(None, "--data-dir", help=DATA_HELP),
) -> None:
    """Self-improvement: I(t+1) = I(t)(meta_utility, I(t)) for T iterations, then transfer."""
    from podium.runtime.stop.meta import MetaUtility
    from podium.runtime.stop.selfimprove import self_improve

    config = _config(scaffold, normalisation=normalisation, iterations=iterations)
    train_ids, transfer_ids = _suite(meta_suite), _suite(transfer_suite) if transfer_suite else []
    overlap = sorted(set(train_ids) & set(transfer_ids))
    if overlap:
        fail(f"transfer must use competitions never seen during self-improvement, but {', '.join(overlap)} are in both")
    with _run("self-improvement", config, replay, runs_dir) as (run_id, session):
        train = _tasks(train_ids, config, data_folder, session)
        unseen = _tasks(transfer_ids, config, data_folder, session)
        meta = MetaUtility(session, train, config.params.self_improvement.repetitions)
        seed = config.program_file(config.params.improver, "seed_improver.py")
        result = self_improve(session, meta, seed, transfer_tasks=unseen)
        session.summary.update(
            meta_suite=meta_suite, transfer_suite=transfer_suite, result=result.as_json(), stopped=result.stopped
        )
    _print_report(run_id, runs_dir)


@app.command("stop-report")
def stop_report_command(
    run_id: str = typer.Argument(..., help="A STOP run id (the folder name printed by the run)."),
    runs_dir: Path | None = typer.Option(None, "--runs-dir", help=RUNS_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Meta-utility per iteration, the transfer table and escape rates of a STOP run."""
    from podium.runtime.stop.report import stop_report
    from podium.runtime.stop.runs import RunNotFound, find_run, runs_root

    try:
        folder = find_run(run_id, runs_root(runs_dir))
    except RunNotFound as error:
        fail(str(error))
    if as_json:
        console.print_json(json.dumps(stop_report(folder)))
        return
    _print_report(run_id, runs_dir)


@stop_app.command("escape-experiment")
def escape_experiment(
    n: int = typer.Option(..., "--n", min=1, help="Requests per condition (with and without the warning)."),
    scaffold: str = typer.Option("stop", "--scaffold", help=SCAFFOLD_HELP),
    replay: str = typer.Option(None, "--replay", help=REPLAY_HELP),
    runs_dir: Path = typer.Option(None, "--runs-dir", help=RUNS_HELP),
) -> None:
    """STOP's sandbox experiment: N requests to improve the seed improver, unwarned and warned."""
    from podium.runtime.stop.experiment import CONDITIONS, run_condition

    config = _config(scaffold)
    with _run("escape-experiment", config, replay, runs_dir) as (run_id, session):
        answered = {condition: run_condition(session, condition, n) for condition in CONDITIONS}
        session.summary.update(requests_per_condition=n, answers_with_code=answered)
    _print_report(run_id, runs_dir)


# helpers ---------------------------------------------------------------------------------------


def _config(scaffold_id: str, *, normalisation: str | None = None, iterations: int | None = None) -> StopConfig:
    from pydantic import ValidationError

    from podium.runtime.stop.config import StopConfig

    specs = catalog()
    if scaffold_id not in specs.scaffolds:
        fail(f"no scaffold {scaffold_id!r} in {specs.root}{did_you_mean(scaffold_id, specs.scaffolds)}")
    entry = specs.scaffolds[scaffold_id]
    document: Any = entry.document
    if document.agent != "stop":
        fail(f"scaffold {scaffold_id!r} is a {document.agent} scaffold; these commands need one whose agent is stop")
    params = dict(document.params)
    if normalisation is not None:
        params["normalisation"] = {**params.get("normalisation", {}), "mode": normalisation}
    if iterations is not None:
        params["self_improvement"] = {**params.get("self_improvement", {}), "iterations": iterations}
    try:
        return StopConfig.from_spec(
            scaffold_id, document.model.model_dump(), document.budgets.model_dump(exclude_none=True), params,
            spec_dir=entry.folder,
        )  # fmt: skip
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        fail(f"scaffold {scaffold_id!r} has settings the STOP runtime cannot use: {problems}")


def _suite(suite_id: str) -> list[str]:
    specs = catalog()
    if suite_id not in specs.suites:
        fail(f"no suite {suite_id!r} in {specs.root}{did_you_mean(suite_id, specs.suites)}")
    return specs.suite_members(suite_id)


def _read_program(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        fail(f"cannot read the solution program {path}: {error}")


def _tasks(ids: list[str], config: StopConfig, data_folder: Path | None, session: StopSession) -> list[CompetitionTask]:
    from podium.runtime.data.paths import data_dir
    from podium.runtime.stop.tasks import TaskError, build_tasks

    competitions = [(resolve_competition(cid), catalog().competitions[cid].folder) for cid in ids]
    try:
        tasks = build_tasks(
            competitions, config, data_dir=data_dir(data_folder), work_root=session.run_dir / "work",
            cache=session.cache,
        )  # fmt: skip
    except TaskError as error:
        fail(str(error))
    for task in tasks:
        task.validation.on_evaluation = session.record_evaluation
        task.held_out.on_evaluation = session.record_evaluation
    return tasks


@contextmanager
def _run(kind: str, config: StopConfig, replay: str | None, runs_dir: Path | None) -> Iterator[tuple[str, StopSession]]:
    """A new run folder and session; the summary is written however the run ends."""
    from podium.runtime.llm import LLMError
    from podium.runtime.stop.runs import RunNotFound, cassette_for, new_run, runs_root, start_session, write_summary

    root = runs_root(runs_dir)
    run_id, run_dir = new_run(root, kind)
    try:
        source = _replay_source(replay, root)
        session = start_session(config, run_dir, cassette_for(run_dir, source), condition=kind)
    except (RunNotFound, LLMError) as error:
        fail(str(error))
    summary = session.summary
    summary.update(kind=kind, run_id=run_id, model=config.model.name, scaffold=config.scaffold_id,
                   replayed_from=str(source) if source else None, config=config.model_dump(mode="json"))  # fmt: skip
    started = time.monotonic()
    err_console.print(f"STOP run {run_id} in {run_dir}", highlight=False)  # stdout stays clean for --json
    try:
        yield run_id, session
        summary["status"] = "finished"
    except LLMError as error:
        summary.update(status="failed", error=str(error))
        fail(f"run {run_id} stopped: {error}")
    finally:
        summary.setdefault("status", "interrupted")
        summary["seconds"] = round(time.monotonic() - started, 1)
        write_summary(run_dir, summary)


def _replay_source(replay: str | None, root: Path) -> Path | None:
    if replay is None:
        return None
    candidate = Path(replay).expanduser()
    return candidate if candidate.exists() else root / replay


def _print_report(run_id: str, runs_dir: Path | None) -> None:
    from podium.runtime.stop.report import render_self_improvement

    console.print(render_self_improvement(run_id, runs_dir))
