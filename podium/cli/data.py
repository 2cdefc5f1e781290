"""Data commands: `podium prepare`, `podium data verify`, and `leaderboard fetch` for the lead to wire."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from podium.cli.app import app
from podium.cli.context import catalog, console, err_console, fail, resolve_competition
from podium.generator.errors import did_you_mean
from podium.runtime.data.paths import DATA_DIR_ENV, data_dir, prepared_dir

if TYPE_CHECKING:  # the data runtime loads inside the commands: other commands never pay for it
    from rich.progress import Progress

    from podium.runtime.data.leaderboards import Origin
    from podium.runtime.data.prepare import PrepareResult

data_app = typer.Typer(help="Prepared data: check it against its recorded checksums.", no_args_is_help=True)
app.add_typer(data_app, name="data")

DATA_DIR_HELP = f"Data folder; default: ${DATA_DIR_ENV}, else the user cache folder."


@app.command()
def prepare(
    competition_id: str = typer.Argument(None, metavar="[ID]", help="A competition id."),
    suite: str = typer.Option(None, "--suite", help="Prepare every competition of this suite."),
    data_folder: Path = typer.Option(None, "--data-dir", help=DATA_DIR_HELP),
    kaggle: bool = typer.Option(
        False, "--kaggle", help="Download competitions whose source is Kaggle (needs credentials)."
    ),
    force: bool = typer.Option(False, "--force", help="Rebuild even if already prepared."),
) -> None:
    """Fetch and split competition data into <data-dir>/<id>/prepared/{public,private}."""
    from podium.runtime.data.prepare import prepare_competition
    from podium.runtime.data.sources import DataError

    ids = _competitions_to_prepare(competition_id, suite)
    target = data_dir(data_folder)
    results: list[PrepareResult] = []
    failures: dict[str, str] = {}
    with _progress() as progress:
        for member in ids:
            competition = resolve_competition(member)
            spec_dir = catalog().competitions[member].folder
            try:
                results.append(
                    prepare_competition(
                        competition,
                        target,
                        spec_dir=spec_dir,
                        force=force,
                        allow_kaggle=kaggle,
                        progress=progress,
                    )
                )
            except DataError as error:  # one member's failure never stops the others
                failures[member] = str(error)
    _print_results(results, target)
    _report_failures(failures)


def _competitions_to_prepare(competition_id: str | None, suite: str | None) -> list[str]:
    if (competition_id is None) == (suite is None):
        fail(
            "name one competition (`podium prepare spaceship-titanic`) or a suite (`--suite offline`).",
            code=2,
        )
    if competition_id is not None:
        return [competition_id]
    specs = catalog()
    if suite not in specs.suites:
        fail(
            f"no suite {suite!r}{did_you_mean(suite or '', specs.suites)}; `podium list suites` shows them.",
            code=2,
        )
    return specs.suite_members(suite or "")


@contextmanager
def _progress() -> Iterator[Progress]:
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as progress:
        yield progress


def _print_results(results: list[PrepareResult], target: Path) -> None:
    if not results:
        return
    table = Table(title=f"prepared data in {target}")
    for column in ("competition", "status", "train rows", "test rows", "seconds"):
        table.add_column(column)
    for result in results:
        prepare = resolve_competition(result.competition_id).prepare
        train = result.rows.get(f"public/{prepare.public_train}", "-")
        test = result.rows.get(f"private/{prepare.answers}", "-")
        status = "already prepared" if result.skipped else "prepared"
        table.add_row(result.competition_id, status, str(train), str(test), f"{result.seconds:.2f}")
    console.print(table)


def _report_failures(failures: dict[str, str]) -> None:
    if len(failures) == 1:
        ((member, message),) = failures.items()
        fail(escape(f"{member}: {message}"))
    for member, message in failures.items():
        err_console.print(f"[bold red]error:[/] {escape(f'{member}: {message}')}", highlight=False)
    if failures:
        raise typer.Exit(1)


@data_app.command("verify")
def verify_command(
    competition_id: str = typer.Argument(..., metavar="ID", help="A competition id."),
    data_folder: Path = typer.Option(None, "--data-dir", help=DATA_DIR_HELP),
) -> None:
    """Check prepared files against the checksums recorded when they were prepared."""
    from podium.runtime.data.checksums import verify

    folder = prepared_dir(competition_id, data_dir(data_folder))
    problems = verify(folder)
    errors = [p for p in problems if p.severity == "error"]
    for problem in problems:
        colour = "red" if problem.severity == "error" else "yellow"
        err_console.print(f"[{colour}]{problem.severity}:[/] {escape(f'{problem.path}: {problem.message}')}")
    if errors:
        raise typer.Exit(1)
    note = f" ({len(problems)} warning(s) above)" if problems else ""
    console.print(f"[green]{escape(str(folder))}: matches its checksums{note}[/]", highlight=False)


def register_leaderboard_fetch(leaderboard_app: typer.Typer) -> None:
    """Add `fetch` to the `podium leaderboard` group (the group lives with the grading commands)."""
    leaderboard_app.command("fetch")(fetch_leaderboard_command)


def fetch_leaderboard_command(
    competition_id: str = typer.Argument(..., metavar="ID", help="A competition id."),
    origin: str = typer.Option(
        None,
        "--from",
        help="kaggle, mlebench, or a folder holding <id>/leaderboard.csv; default: the spec's leaderboard.source.",
    ),
) -> None:
    """Fetch a competition's human leaderboard into the cache, after checking its pin."""
    from podium.runtime.data.leaderboards import fetch_leaderboard
    from podium.runtime.data.sources import DataError
    from podium.runtime.grading.leaderboard import Leaderboard

    competition = resolve_competition(competition_id)
    chosen = _leaderboard_origin(origin or competition.leaderboard.source, competition_id)
    try:
        path = fetch_leaderboard(competition, chosen)
    except DataError as error:
        fail(escape(str(error)))
    leaderboard = Leaderboard.from_csv(path)
    pin = "matches the spec's pin" if competition.leaderboard.sha256 else "not pinned by the spec"
    console.print(
        f"{escape(str(path))}: {leaderboard.n_teams} teams, sha256 {leaderboard.sha256} ({pin})",
        highlight=False,
    )


def _leaderboard_origin(origin: str, competition_id: str) -> Origin:
    if origin == "kaggle":
        return "kaggle"
    if origin == "mlebench":
        return "mlebench"
    if origin == "local":
        fail(f"{competition_id}'s leaderboard is local: name its folder with --from DIR.", code=2)
    folder = Path(origin).expanduser()
    if not folder.exists():
        fail(
            f"--from {origin}: no such folder; use kaggle, mlebench, or a folder holding "
            f"{competition_id}/leaderboard.csv.",
            code=2,
        )
    return folder
