"""What every command needs: the specs catalog, resolved competitions, and clean failures."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console

from podium.generator.catalog import Catalog, find_specs_root, load_catalog
from podium.generator.errors import did_you_mean
from podium.runtime.spec import ResolvedCompetition

console = Console()
err_console = Console(stderr=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a one-paragraph error and exit; expected failures never show a traceback."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@cache
def catalog(root: Path | None = None, check_metrics: bool = False) -> Catalog:
    """The specs catalog; only `podium validate` pays for importing every metric to check names."""
    return load_catalog(root or find_specs_root(), check_metrics=check_metrics)


def resolve_competition(competition_id: str) -> ResolvedCompetition:
    from podium.generator.catalog import load_competition_catalog
    from podium.generator.resolve import resolve_competition as resolve

    # The quick path reads two files; the whole catalog is loaded only to explain a failure.
    one = load_competition_catalog(find_specs_root(), competition_id)
    if competition_id in one.competitions and one.competition(competition_id).grader.metric in one.graders:
        return resolve(one, competition_id)
    specs = catalog()
    if competition_id not in specs.competitions:
        hint = did_you_mean(competition_id, specs.competitions)
        fail(
            f"no competition {competition_id!r} in {specs.root}{hint}. "
            "`podium list competitions` shows the ids; `podium validate` reports specs that failed to load."
        )
    grader_id = specs.competition(competition_id).grader.metric
    if grader_id not in specs.graders:
        fail(f"competition {competition_id!r} names grader {grader_id!r}, which does not exist; run `podium validate`.")
    return resolve(specs, competition_id)
