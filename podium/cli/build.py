"""`podium build`: compile specs into competition and scaffold packages under generated/."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from podium.cli.app import app
from podium.cli.context import catalog, console, fail
from podium.generator.errors import display_path

if TYPE_CHECKING:
    from podium.generator.catalog import Catalog


@app.command()
def build(
    ids: list[str] = typer.Argument(
        None, metavar="[ID]...", help="Competitions (with their suites' scaffolds) or scaffolds."
    ),
    build_all: bool = typer.Option(False, "--all", help="Every competition and scaffold."),
    check: bool = typer.Option(False, "--check", help="Build nothing; exit 1 if anything is stale."),
    out: Path = typer.Option(None, "--out", help="Output folder; default: generated/ beside specs/."),
    leaderboards: Path = typer.Option(
        None,
        "--leaderboards",
        help="Folder of <id>/leaderboard.csv for thresholds; default: $PODIUM_LEADERBOARDS, the cache.",
    ),
    force: bool = typer.Option(False, "--force", help="Rebuild even unchanged packages."),
) -> None:
    """Compile specs into packages (Python package, console script, Dockerfile, frozen spec)."""
    from podium.generator.compile import BuildError

    if ids and build_all:
        fail("give ids or --all, not both", code=2)
    if not ids and not build_all and not check:
        fail("name what to build (`podium build spaceship-titanic`) or pass --all", code=2)
    specs = catalog()
    target = out or specs.root.resolve().parent / "generated"
    try:
        if check:
            _check(specs, target, ids or [], leaderboards)
        else:
            _build(specs, target, ids or [], leaderboards, force)
    except BuildError as error:
        fail(escape(str(error)))


def _build(specs: Catalog, target: Path, ids: list[str], leaderboards: Path | None, force: bool) -> None:
    from podium.generator.compile import build as build_packages

    outcomes = build_packages(specs, target, ids, leaderboards=leaderboards, force=force)
    table = Table(title=f"packages in {display_path(target)}")
    table.add_column("package", no_wrap=True)
    for column in ("status", "seconds", "note"):
        table.add_column(column)
    for outcome in outcomes:
        table.add_row(outcome.key, outcome.status, f"{outcome.seconds:.3f}", escape(outcome.note))
    console.print(table)


def _check(specs: Catalog, target: Path, ids: list[str], leaderboards: Path | None) -> None:
    from podium.generator.compile import check as stale_packages

    stale = stale_packages(specs, target, ids, leaderboards)
    if not stale:
        console.print(f"[green]{display_path(target)} is up to date with the specs and templates[/]")
        return
    for item in stale:
        console.print(f"stale: {item.key}: {', '.join(item.reasons)}", highlight=False)
    fail(f"{len(stale)} package(s) out of date in {display_path(target)}; run `podium build --all`.")
