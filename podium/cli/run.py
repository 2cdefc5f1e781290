"""Running agents: `podium run` and `podium runs list|show|resume|clean`.

    podium run --suite quickstart
    podium run --competition spaceship-titanic --scaffold baseline --seeds 3 [--backend local|docker]
               [--executor local|ray] [--workers N]
    podium runs list | show RUN_ID | resume [--suite S] | clean [--suite S] [--all]

`podium run` rebuilds stale packages first and runs what was compiled (the packages' frozen
specs, never the YAML). Runs are recorded in a SQLite store (--store, $PODIUM_STORE, else
runs.sqlite in the runs folder). Exit codes: 0 when every planned run finished (whatever its
status: a failed agent is a result), 1 when the runs could not start, 2 usage errors, 130 when
interrupted (the unfinished runs are pending again; `podium runs resume` continues).
"""

from __future__ import annotations

import enum
import json
import os
import shutil
import signal
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape
from rich.table import Table

from podium.cli.app import app
from podium.cli.context import catalog, console, err_console, fail
from podium.generator.errors import did_you_mean

if TYPE_CHECKING:
    from podium.generator.catalog import Catalog
    from podium.runtime.execute import Executor, Matrix, Packages, RunSettings
    from podium.runtime.execute.model_service import CassetteSetting
    from podium.runtime.store import RunRecord, RunStore

runs_app = typer.Typer(help="Recorded runs: list, show, resume, clean.", no_args_is_help=True)
app.add_typer(runs_app, name="runs")

ADHOC_SUITE = "adhoc"
INTERRUPTED = 130


class Backend(str, enum.Enum):
    local = "local"
    docker = "docker"


class ExecutorKind(str, enum.Enum):
    local = "local"
    ray = "ray"


class CassetteMode(str, enum.Enum):
    record = "record"
    replay = "replay"


DATA_DIR_OPTION = typer.Option(None, "--data-dir", help="Prepared data folder; default: $PODIUM_DATA_DIR, the cache.")
RUNS_DIR_OPTION = typer.Option(None, "--runs-dir", help="Run folders; default: runs/ beside the data folder.")
STORE_OPTION = typer.Option(None, "--store", help="Run store; default: $PODIUM_STORE, else runs/runs.sqlite.")
PACKAGES_OPTION = typer.Option(None, "--packages", help="Compiled packages; default: generated/ beside specs/.")
BACKEND_OPTION = typer.Option(Backend.local, "--backend", help="local (bubblewrap) or docker.")
EXECUTOR_OPTION = typer.Option(ExecutorKind.local, "--executor", help="local (a worker pool) or ray.")
WORKERS_OPTION = typer.Option(None, "--workers", min=1, help="Runs at once; default: CPUs / the runs' CPU limit.")
RAY_ADDRESS_OPTION = typer.Option(None, "--ray-address", help="An existing Ray cluster; default: start Ray locally.")
JSON_OPTION = typer.Option(False, "--json", help="Print the run records as JSON only.")
CASSETTE_OPTION = typer.Option(
    None, "--llm-cassette", help="Record the run's model calls to this JSONL file, or replay them from it."
)
CASSETTE_MODE_OPTION = typer.Option(
    None, "--llm-mode", help="With --llm-cassette: record (default; starts the file afresh) or replay (no model)."
)


@app.command("run")
def run_command(
    suite: str = typer.Option(None, "--suite", help="Run a suite: its competitions x scaffolds x seeds."),
    competition: str = typer.Option(None, "--competition", "-c", help="One competition (an ad-hoc suite)."),
    scaffold: str = typer.Option(None, "--scaffold", help="The scaffold to run on --competition."),
    seeds: int = typer.Option(1, "--seeds", min=1, help="With --competition: seeds 0..N-1."),
    rerun: bool = typer.Option(False, "--rerun", help="Run finished runs again, as a new attempt."),
    data_dir: Path = DATA_DIR_OPTION,
    runs_dir: Path = RUNS_DIR_OPTION,
    store_path: Path = STORE_OPTION,
    packages_dir: Path = PACKAGES_OPTION,
    backend: Backend = BACKEND_OPTION,
    executor_kind: ExecutorKind = EXECUTOR_OPTION,
    workers: int = WORKERS_OPTION,
    ray_address: str = RAY_ADDRESS_OPTION,
    as_json: bool = JSON_OPTION,
    llm_cassette: Path = CASSETTE_OPTION,
    llm_mode: CassetteMode = CASSETTE_MODE_OPTION,
) -> None:
    """Run agents on competitions in a sandbox, grade them, and record every run."""
    from dataclasses import replace

    from podium.runtime.execute import plan_runs

    specs = catalog()
    matrix = _matrix(specs, suite, competition, scaffold, seeds)
    cassette = _cassette(llm_cassette, llm_mode, matrix)
    packages = _built_packages(specs, packages_dir, [*matrix.competitions, *matrix.scaffolds])
    data, runs = _data_dir(data_dir), _runs_dir(runs_dir, data_dir)
    settings = _settings(packages, data, backend, executor_kind)  # checks docker and Ray before anything is planned
    settings = replace(settings, llm_cassette=cassette)
    with _opened_store(store_path, runs, data_dir, must_exist=False) as store:
        plan = _checked(lambda: plan_runs(store, matrix, packages, runs, data, rerun))
        if plan.already_finished and not as_json:
            err_console.print(f"{len(plan.already_finished)} run(s) already finished (--rerun runs them again)")
        if plan.to_run:
            _prepare_data(store, packages, matrix.competitions, data, plan.to_run)
            executor = _executor(executor_kind, settings, packages, workers, ray_address, matrix.competitions)
            _drive(store, executor, packages, plan.to_run, None, as_json)
        shown = [record for run_id in plan.to_run if (record := store.get(run_id))] + plan.already_finished
    _print_records(shown, as_json)


@runs_app.command("list")
def list_command(
    suite: str = typer.Option(None, "--suite", help="Only this suite's runs."),
    status: str = typer.Option(None, "--status", help="Only runs with this status (pending, running, succeeded, …)."),
    data_dir: Path = DATA_DIR_OPTION,
    runs_dir: Path = RUNS_DIR_OPTION,
    store_path: Path = STORE_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """List recorded runs."""
    with _opened_store(store_path, _runs_dir(runs_dir, data_dir), data_dir) as store:
        store.recover_orphans()  # a run whose runtime died is pending, not running
        records = store.list(suite=suite, status=_status(status))
    _print_records(records, as_json, with_ids=True)


@runs_app.command("show")
def show_command(
    run_id: str = typer.Argument(..., metavar="RUN_ID", help="suite/competition/scaffold/seed/attempt"),
    data_dir: Path = DATA_DIR_OPTION,
    runs_dir: Path = RUNS_DIR_OPTION,
    store_path: Path = STORE_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Show one run: status, score and placement, resources, error, and where its files are."""
    with _opened_store(store_path, _runs_dir(runs_dir, data_dir), data_dir) as store:
        store.recover_orphans()
        record = store.get(run_id)
        known = [r.run_id for r in store.list()] if record is None else []
    if record is None:
        fail(f"no run {run_id!r} in the store{did_you_mean(run_id, known)}; `podium runs list` shows them")
    if as_json:
        typer.echo(record.model_dump_json(indent=2))
        return
    _print_record(record)


@runs_app.command("resume")
def resume_command(
    suite: str = typer.Option(None, "--suite", help="Only this suite's unfinished runs."),
    data_dir: Path = DATA_DIR_OPTION,
    runs_dir: Path = RUNS_DIR_OPTION,
    store_path: Path = STORE_OPTION,
    packages_dir: Path = PACKAGES_OPTION,
    backend: Backend = BACKEND_OPTION,
    executor_kind: ExecutorKind = EXECUTOR_OPTION,
    workers: int = WORKERS_OPTION,
    ray_address: str = RAY_ADDRESS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Run again what is unfinished: pending runs, and runs left running by a runtime that died."""
    with _opened_store(store_path, _runs_dir(runs_dir, data_dir), data_dir) as store:
        recovered = store.recover_orphans()
        pending = store.list(suite=suite, status="pending")
        if not pending:
            if as_json:
                _print_records([], as_json)
            else:
                console.print("nothing to resume: every recorded run is finished")
            return
        if recovered and not as_json:
            err_console.print(f"{len(recovered)} run(s) left running by a runtime that is gone are pending again")
        competitions = sorted({r.competition_id for r in pending})
        scaffolds = sorted({r.scaffold_id for r in pending})
        packages = _built_packages(catalog(), packages_dir, [*competitions, *scaffolds])
        settings = _settings(packages, _data_dir(data_dir), backend, executor_kind)
        executor = _executor(executor_kind, settings, packages, workers, ray_address, competitions)
        run_ids = [r.run_id for r in pending]
        _drive(store, executor, packages, run_ids, suite, as_json)
        shown = [record for run_id in run_ids if (record := store.get(run_id))]
    _print_records(shown, as_json)


@runs_app.command("clean")
def clean_command(
    suite: str = typer.Option(None, "--suite", help="Only this suite's runs."),
    everything: bool = typer.Option(False, "--all", help="Finished runs too, not only unfinished ones."),
    data_dir: Path = DATA_DIR_OPTION,
    runs_dir: Path = RUNS_DIR_OPTION,
    store_path: Path = STORE_OPTION,
) -> None:
    """Delete unfinished runs (pending, or left running by a dead runtime) and their folders;
    with --all, finished ones too. Runs a live runtime is running are never touched."""
    with _opened_store(store_path, _runs_dir(runs_dir, data_dir), data_dir) as store:
        store.recover_orphans()
        doomed = [r for r in store.list(suite=suite) if r.status != "running" and (everything or not r.finished)]
        for record in doomed:
            if record.run_dir:
                shutil.rmtree(record.run_dir, ignore_errors=True)
        removed = store.delete(r.run_id for r in doomed)
    console.print(f"removed {removed} run(s)" + ("" if everything else " (unfinished; --all removes finished too)"))


# ── what to run ───────────────────────────────────────────────────────────────────────────────


def _matrix(specs: Catalog, suite: str | None, competition: str | None, scaffold: str | None, seeds: int) -> Matrix:
    from podium.runtime.execute import Matrix

    if (suite is None) == (competition is None):
        fail("name a suite (`podium run --suite quickstart`) or a competition and a scaffold "
             "(`podium run --competition spaceship-titanic --scaffold dummy`)", code=2)  # fmt: skip
    if suite is not None:
        if scaffold is not None or seeds != 1:
            fail("--scaffold and --seeds go with --competition; a suite names its own", code=2)
        _known(suite, specs.suites, "suite", "suites")
        document: Any = specs.suites[suite].document
        return Matrix(suite, specs.suite_members(suite), list(document.scaffolds), list(document.seeds))
    if scaffold is None:
        fail(f"--competition needs --scaffold; one of {', '.join(sorted(specs.scaffolds))}", code=2)
    _known(competition or "", specs.competitions, "competition", "competitions")
    _known(scaffold, specs.scaffolds, "scaffold", "scaffolds")
    return Matrix(ADHOC_SUITE, [competition or ""], [scaffold], list(range(seeds)))


def _cassette(path: Path | None, mode: CassetteMode | None, matrix: Matrix) -> CassetteSetting | None:
    """Where the model calls are recorded or replayed from; one cassette holds one run's calls."""
    from podium.runtime.execute.model_service import CassetteSetting

    if path is None:
        if mode is not None:
            fail("--llm-mode goes with --llm-cassette PATH: the file to record to or replay from", code=2)
        return None
    mode = mode or CassetteMode.record
    runs = len(matrix.competitions) * len(matrix.scaffolds) * len(matrix.seeds)
    if mode is CassetteMode.record and runs > 1:
        fail(f"--llm-cassette records one run, but {runs} are planned: name one competition, one scaffold and "
             "one seed, or record each run to its own file", code=2)  # fmt: skip
    if mode is CassetteMode.replay and not path.is_file():
        fail(f"no cassette at {path} to replay; record one first with --llm-cassette {path} --llm-mode record", 2)
    return CassetteSetting(path.resolve(), mode.value)


def _known(spec_id: str, section: dict[str, Any], kind: str, plural: str) -> None:
    if spec_id not in section:
        fail(f"no {kind} {spec_id!r}{did_you_mean(spec_id, section)}; `podium list {plural}` shows them", code=2)


def _built_packages(specs: Catalog, packages_dir: Path | None, ids: Sequence[str]) -> Packages:
    """The compiled packages, rebuilt first where their spec, templates or podium changed."""
    from podium.generator.compile import BuildError, build
    from podium.runtime.execute import Packages

    target = (packages_dir or specs.root.parent / "generated").resolve()
    try:
        outcomes = build(specs, target, sorted(set(ids)))
    except BuildError as error:
        fail(escape(str(error)))
    rebuilt = [outcome.key for outcome in outcomes if outcome.status == "built"]
    if rebuilt:
        err_console.print(f"rebuilt {len(rebuilt)} package(s): {', '.join(rebuilt)}", highlight=False)
    return Packages(target)


def _data_dir(option: Path | None) -> Path:
    from podium.runtime.data.paths import data_dir

    return data_dir(option).resolve()


def _runs_dir(option: Path | None, data_dir: Path | None) -> Path:
    from podium.runtime.store import default_runs_dir

    return (option or default_runs_dir(data_dir)).resolve()


@contextmanager
def _opened_store(
    option: Path | None, runs_dir: Path, data_dir: Path | None, must_exist: bool = True
) -> Iterator[RunStore]:
    """The run store; only `podium run` creates one, the `runs` commands never make an empty one."""
    from podium.runtime.store import RunStore, StoreError, default_store_path

    path = option or default_store_path(runs_dir, data_dir)
    if must_exist and not path.is_file():
        fail(
            f"no run store at {path}: nothing has run there yet. Pass --store PATH, or the --data-dir or "
            "--runs-dir that `podium run` was given, to read another one."
        )
    try:
        store = RunStore(path)
    except StoreError as error:
        fail(escape(str(error)))
    try:
        yield store
    finally:
        store.close()


def _status(value: str | None) -> Any:
    from typing import get_args

    from podium.runtime.store import RunStatus

    if value is not None and value not in get_args(RunStatus):
        fail(f"unknown status {value!r}; one of {', '.join(get_args(RunStatus))}", code=2)
    return value


def _checked(action: Any) -> Any:
    """Package errors found while planning (a package edited by hand) end the command cleanly."""
    from podium.runtime.package import PackageError

    try:
        return action()
    except PackageError as error:
        fail(escape(str(error)))


# ── running ───────────────────────────────────────────────────────────────────────────────────


def _settings(packages: Packages, data: Path, backend: Backend, executor_kind: ExecutorKind) -> RunSettings:
    from podium.runtime.execute import RunSettings

    if executor_kind is ExecutorKind.ray:
        from podium.runtime.execute.ray_executor import RayMissing, import_ray

        try:
            import_ray()
        except RayMissing as error:
            fail(str(error))
    docker = _docker_options() if backend is Backend.docker else {}
    return RunSettings(packages_dir=packages.root, data_dir=data, backend=backend.value, docker=docker)


def _docker_options() -> dict[str, Any]:
    from podium.runtime.sandbox import SandboxError
    from podium.runtime.sandbox.docker import BASE_IMAGE_ENV, docker_client_or_error

    try:
        docker_client_or_error(os.environ.get("DOCKER_HOST"))
    except SandboxError as error:
        fail(escape(str(error)))
    return {"base_url": os.environ.get("DOCKER_HOST"), "base_image": os.environ.get(BASE_IMAGE_ENV)}


def _prepare_data(
    store: RunStore, packages: Packages, competitions: Sequence[str], data: Path, run_ids: list[str]
) -> None:
    """Prepare each competition once before the runs; one that cannot be prepared fails its runs
    now, with the reason, instead of in every run."""
    from podium.runtime.execute.run import RunSetupError, ensure_prepared, finished

    for competition in competitions:
        try:
            with err_console.status(f"preparing {competition} ..."):
                ensure_prepared(packages.competition(competition), data)
        except RunSetupError as error:
            for run_id in list(run_ids):
                record = store.get(run_id)
                if record is not None and record.competition_id == competition and not record.finished:
                    store.upsert(finished(record, "failed", error=str(error)))
            err_console.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False)


def _executor(
    kind: ExecutorKind,
    settings: RunSettings,
    packages: Packages,
    workers: int | None,
    ray_address: str | None,
    competitions: Sequence[str],
) -> Executor:
    from podium.runtime.execute import LocalExecutor

    def limits_of(competition_id: str) -> Any:
        return packages.competition(competition_id).competition.limits

    if kind is ExecutorKind.local:
        return LocalExecutor(settings, workers or _default_workers([limits_of(c).cpus for c in competitions]))
    from podium.runtime.execute.ray_executor import RayExecutor

    try:
        return RayExecutor(settings, limits_of, address=ray_address, workers=workers)
    except Exception as error:  # Ray raises many kinds (connection, timeout, runtime) when it cannot start
        where = f" at {ray_address}" if ray_address else ""
        fail(escape(f"cannot start or reach Ray{where}: {error}; `podium runs resume` runs the planned runs later"))


def _default_workers(cpus_per_run: Sequence[float]) -> int:
    """As many runs at once as the machine has CPUs for the hungriest run."""
    return max(1, int((os.cpu_count() or 1) // max(cpus_per_run or [1.0])))


def _drive(
    store: RunStore, executor: Executor, packages: Packages, run_ids: list[str], suite: str | None, quiet: bool
) -> None:
    from podium.runtime.execute import run_pending
    from podium.runtime.execute.progress import RunProgress

    limits = {r.competition_id: packages.competition(r.competition_id).competition.limits.time
              for r in (store.get(i) for i in run_ids) if r is not None}  # fmt: skip
    waiting = sum(1 for i in run_ids if (r := store.get(i)) is not None and not r.finished)
    view = RunProgress(waiting, limits, err_console) if not quiet and err_console.is_terminal else nullcontext()
    try:
        with _interrupt_on_sigterm(), view as progress:
            run_pending(store, executor, run_ids=run_ids, suite=suite, progress=progress or None)
    except KeyboardInterrupt:
        left = sum(1 for i in run_ids if (r := store.get(i)) is not None and not r.finished)
        fail(f"interrupted: {left} unfinished run(s) are pending again; `podium runs resume` continues", INTERRUPTED)
    finally:
        executor.close()


@contextmanager
def _interrupt_on_sigterm() -> Iterator[None]:
    """SIGTERM stops a run like Ctrl-C does: cleanly, with the store consistent."""

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# ── output ────────────────────────────────────────────────────────────────────────────────────


def _print_records(records: Sequence[RunRecord], as_json: bool, with_ids: bool = False) -> None:
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in records], indent=2, ensure_ascii=False))
        return
    if not records:
        console.print("no runs")
        return
    with_errors = any(record.error for record in records)
    table = Table(title=f"{len(records)} run(s)")
    columns = ["run"] if with_ids else ["competition", "scaffold", "seed"]
    for column in columns:
        table.add_column(column, overflow="fold")
    for column in ("status", "score", "medal", "time"):
        table.add_column(column, no_wrap=True)
    if with_errors:
        table.add_column("error", overflow="fold", min_width=20)
    for record in records:
        table.add_row(*_row(record, with_ids, with_errors))
    console.print(table)


def _row(record: RunRecord, with_ids: bool, with_errors: bool) -> list[str]:
    report = record.report or {}
    score = report.get("score")
    seconds = record.resources.wall_seconds
    style = {"succeeded": "green", "invalid": "yellow", "failed": "red", "timed-out": "magenta"}.get(record.status)
    cells = [record.run_id] if with_ids else [record.competition_id, record.scaffold_id, str(record.seed)]
    cells += [
        f"[{style}]{record.status}[/]" if style else record.status,
        "-" if score is None else f"{score:.5g}",
        medal_of(report),
        "-" if seconds is None else f"{seconds:.1f}s",
    ]
    return cells + ([escape(_short(record.error or ""))] if with_errors else [])


def medal_of(report: dict[str, Any]) -> str:
    for medal in ("gold", "silver", "bronze"):
        if report.get(f"{medal}_medal"):
            return medal
    if report.get("above_median"):
        return "above median"
    return "-" if report.get("n_teams") is None else "none"


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _print_record(record: RunRecord) -> None:
    report = record.report or {}
    run_dir = Path(record.run_dir) if record.run_dir else None
    facts: dict[str, Any] = {
        "run": record.run_id,
        "status": record.status,
        "score": report.get("score"),
        "medal": medal_of(report),
        "rank": f"{report['rank']} of {report['n_teams']}" if report.get("rank") else None,
        "percentile": report.get("percentile"),
        "error": record.error,
        "exit code": record.exit_code,
        "sandbox": record.sandbox,
        "started": record.started_at,
        "finished": record.finished_at,
        "wall seconds": record.resources.wall_seconds,
        "cpu seconds": record.resources.cpu_seconds,
        "peak memory": f"{record.resources.max_rss_bytes / 2**20:.1f} MiB" if record.resources.max_rss_bytes else None,
        "denied actions": record.resources.denied_actions,
        "validator calls": record.usage.validator_calls,
        "llm calls": record.usage.llm_calls,
        "cost (USD)": record.usage.cost_usd,
        "competition sha256": record.competition_sha256,
        "scaffold sha256": record.scaffold_sha256,
        "submission": run_dir / "submission" / "submission.csv" if run_dir else None,
        "logs": run_dir / "logs" if run_dir else None,
        "code": run_dir / "code" if run_dir else None,
        "leaderboard": report.get("leaderboard_note"),
    }
    for name, value in facts.items():
        if value is not None:
            console.print(f"[bold]{name}:[/] {escape(str(value))}", highlight=False)
