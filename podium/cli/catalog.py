"""Catalog commands: synthetic data, the catalog table, imports from MLE-bench."""

from __future__ import annotations

from pathlib import Path

import typer

from podium.cli.app import app
from podium.cli.context import catalog, console, fail, resolve_competition
from podium.generator.errors import display_path

catalog_app = typer.Typer(help="The competition catalog as a document.", no_args_is_help=True)
import_app = typer.Typer(help="Specs from other benchmarks.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")
app.add_typer(import_app, name="import")


@app.command()
def synth(
    competition: str = typer.Argument(..., help="A competition id."),
    data_dir: Path = typer.Option(None, "--data-dir", help="Data folder; default: PODIUM_DATA_DIR or the user's."),
    rows: int = typer.Option(24, "--rows", help="Answer rows to write (at least 8)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the random values."),
    force: bool = typer.Option(False, "--force", help="Replace data that `podium prepare` or MLE-bench wrote."),
) -> None:
    """Write synthetic prepared data that follows a competition's spec (no download)."""
    from podium.runtime.data.sources import DataError
    from podium.runtime.data.synth import synthesize

    resolved = resolve_competition(competition)
    try:
        result = synthesize(resolved, data_dir, rows=rows, seed=seed, force=force)
    except DataError as error:
        fail(str(error))
    console.print(
        f"wrote synthetic data for {result.competition_id} into {display_path(result.prepared_dir)} "
        f"({result.rows} answer rows); the sample submission is {display_path(result.sample_submission)}",
        highlight=False,
        soft_wrap=True,
    )


@catalog_app.command("table")
def table(
    out: Path = typer.Option(None, "--out", help="Write the markdown here instead of printing it."),
    check: bool = typer.Option(False, "--check", help="Exit 1 if --out differs from the catalog."),
    suites: list[str] = typer.Option(["all", "dev"], "--suite", help="Suites whose competitions to list."),
    leaderboards: Path = typer.Option(
        None, "--leaderboards", help="Folder of <id>/leaderboard.csv; default: PODIUM_LEADERBOARDS, then the cache."
    ),
) -> None:
    """The markdown catalog table: id, metric, direction, split, teams, known issues."""
    from podium.generator.catalog_table import catalog_table

    if check and out is None:
        fail("--check compares with a file: pass --out FILE too", code=2)
    try:
        text = catalog_table(catalog(), suites, leaderboards)
    except KeyError as error:
        fail(str(error.args[0]), code=2)
    if out is None:
        typer.echo(text, nl=False)
    elif check:
        current = out.read_text(encoding="utf-8") if out.is_file() else ""
        if current != text:
            fail(f"{display_path(out)} is out of date with the specs; run `podium catalog table --out {out}`.")
        console.print(f"[green]{display_path(out)} is up to date[/]")
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"wrote {display_path(out)}", highlight=False)


@import_app.command("mlebench")
def import_mlebench(
    path: Path = typer.Argument(..., help="An MLE-bench checkout (or its mlebench/competitions folder)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="List what would be written, write nothing."),
) -> None:
    """Specs for the competitions of an MLE-bench checkout that the catalog lacks."""
    from podium.generator.mlebench_import import CheckoutError
    from podium.generator.mlebench_import import import_mlebench as run_import

    if not path.is_dir():
        fail(f"{path} is not a folder; name the root of an MLE-bench checkout.", code=2)
    specs = catalog()
    try:
        imported = run_import(path, specs, dry_run=dry_run)
    except CheckoutError as error:
        fail(str(error))
    if not imported:
        console.print("every competition of the checkout is already in the catalog", highlight=False)
        return
    verb = "would write" if dry_run else "wrote"
    for item in imported:
        console.print(f"{verb} {display_path(item.spec)}; check: {'; '.join(item.todo)}", highlight=False)
    if not dry_run:
        console.print("then run `podium validate`", highlight=False)
