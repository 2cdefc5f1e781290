"""Authoring commands: validate, schema, new, list."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from podium.cli.app import app
from podium.cli.context import catalog, console, fail
from podium.generator.catalog import Catalog, load_catalog
from podium.generator.errors import SpecError, display_path
from podium.generator.models import DOCUMENTS, Competition
from podium.runtime.spec.parts import Direction

list_app = typer.Typer(help="List specs in the catalog.", no_args_is_help=True)
app.add_typer(list_app, name="list")


def _specs_root_of(path: Path) -> Path | None:
    """The specs folder a file belongs to: the parent of its kind folder."""
    for folder in path.resolve().parents:
        if folder.name in DOCUMENTS:
            return folder.parent
    return None


def _errors_for(paths: list[Path]) -> tuple[list[SpecError], int]:
    """Errors that concern the named files or folders, checked against their whole catalog."""
    if not paths:
        specs = catalog(check_metrics=True)
        return specs.errors, _count(specs)
    errors: list[SpecError] = []
    checked = 0
    for path in paths:
        root = path if (path / "competitions").is_dir() or path.name == "specs" else _specs_root_of(path)
        if root is None:
            fail(f"{path} is not inside a specs folder (specs/competitions, specs/graders, …); "
                 "move it there so its references can be checked.", code=2)  # fmt: skip
        specs = load_catalog(root)
        shown = {display_path(p) for p in _files_under(path)}
        errors += [e for e in specs.errors if e.file in shown]
        checked += len(shown)
    return errors, checked


def _files_under(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return [p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()]


def _count(specs: Catalog) -> int:
    return sum(len(specs.section(folder)) for folder in DOCUMENTS)


@app.command()
def validate(
    paths: list[Path] = typer.Argument(None, help="Spec files or folders; default: all of specs/."),
    as_json: bool = typer.Option(False, "--json", help="Print errors as JSON."),
) -> None:
    """Check specs: their shape, then every cross reference. Exit 1 if any is invalid."""
    for path in paths or []:
        if not path.exists():
            fail(f"{path} does not exist; name a spec file or a folder of specs.", code=2)
    errors, checked = _errors_for(list(paths or []))
    errors = sorted(set(errors))
    if as_json:
        typer.echo(json.dumps([e.__dict__ | {"message": str(e)} for e in errors], indent=2))
    else:
        for error in errors:
            typer.echo(str(error))
        files = len({e.file for e in errors})
        summary = f"{len(errors)} error(s) in {files} file(s)" if errors else f"{checked} spec(s) valid"
        console.print(f"[{'red' if errors else 'green'}]{summary}[/]", highlight=False)
    raise typer.Exit(1 if errors else 0)


@app.command()
def schema(
    out: Path = typer.Option(Path("schemas"), "--out", help="Folder for the JSON Schema files."),
    check: bool = typer.Option(False, "--check", help="Exit 1 if the files in --out are stale."),
) -> None:
    """Export the JSON Schemas of the four spec documents (or check the committed ones)."""
    from podium.generator.schema import stale_schemas, write_schemas

    if check:
        stale = stale_schemas(out)
        if stale:
            fail(f"schemas out of date in {out}: {', '.join(stale)}; run `podium schema --out {out}`.")
        console.print(f"[green]schemas in {out} match the models[/]")
        return
    for path in write_schemas(out):
        console.print(f"wrote {path}", highlight=False)


@app.command()
def new(
    kind: str = typer.Argument(..., help="competition, grader, scaffold or suite"),
    spec_id: str = typer.Argument(..., metavar="ID", help="the new spec's id"),
    specs_dir: Path = typer.Option(None, "--specs", help="specs folder; default: the nearest specs/"),
    force: bool = typer.Option(False, help="Overwrite an existing spec."),
) -> None:
    """Start a spec from a commented template that teaches the format."""
    from podium.generator.new import NewSpecError, render_new_spec

    try:
        created = render_new_spec(kind, spec_id, specs_dir or catalog().root, overwrite=force)
    except NewSpecError as exc:
        fail(str(exc), code=2)
    shown = display_path(created)
    console.print(f"created {shown}; edit it, then run `podium validate {shown}`", highlight=False)


@list_app.command("competitions")
def list_competitions(
    suite: str = typer.Option(None, help="Only the members of this suite."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Competitions: id, name, metric, complexity, data source, leaderboard."""
    specs = catalog()
    ids = sorted(specs.competitions)
    if suite:
        if suite not in specs.suites:
            fail(f"no suite {suite!r}; suites: {', '.join(sorted(specs.suites)) or 'none'}.")
        ids = [i for i in specs.suite_members(suite) if i in specs.competitions]
    rows = [_competition_row(specs, i) for i in ids]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title=f"{len(rows)} competitions" + (f" in suite {suite}" if suite else ""))
    columns = ("id", "metric", "direction", "teams", "gold", "silver", "bronze", "median")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(_shown(row[c]) for c in columns))
    console.print(table)


def _competition_row(specs: Catalog, competition_id: str) -> dict[str, object]:
    competition = specs.competition(competition_id)
    known_grader = competition.grader.metric in specs.graders
    return {
        "id": competition.id,
        "name": competition.name,
        "metric": competition.grader.metric,
        "direction": specs.grader(competition.grader.metric).direction if known_grader else "?",
        "complexity": competition.complexity,
        "modality": competition.modality,
        "source": competition.source.kind,
        "leaderboard": "pinned" if competition.leaderboard.sha256 else "none",
        **_leaderboard_fields(competition, specs.grader(competition.grader.metric).direction if known_grader else None),
    }


def _leaderboard_fields(competition: Competition, direction: Direction | None) -> dict[str, object]:
    """Teams and medal thresholds when the pinned leaderboard is at hand (None otherwise)."""
    from podium.runtime.grading.leaderboard import LeaderboardError, load_leaderboard, thresholds

    fields: dict[str, object] = dict.fromkeys(("teams", "gold", "silver", "bronze", "median"))
    if direction is None or competition.leaderboard.sha256 is None:
        return fields
    try:
        board = load_leaderboard(competition.id, pin=competition.leaderboard.sha256, direction=direction)
    except LeaderboardError:
        return fields  # a leaderboard that fails its pin is reported by `podium validate`
    if board is None:
        return fields
    limits = thresholds(board.scores)
    return {"teams": board.n_teams, "gold": limits.gold, "silver": limits.silver, "bronze": limits.bronze,
            "median": limits.median}  # fmt: skip


def _shown(value: object) -> str:
    if value is None:
        return "—"
    return f"{value:.5g}" if isinstance(value, float) else str(value)


def _simple_list(folder: str, columns: tuple[str, ...]) -> None:
    specs = catalog()
    table = Table(title=folder)
    for column in ("id", *columns):
        table.add_column(column)
    for spec_id, entry in sorted(specs.section(folder).items()):
        table.add_row(spec_id, *(str(getattr(entry.document, c, "")) for c in columns))
    console.print(table)


@list_app.command("graders")
def list_graders() -> None:
    """Graders: id, direction, implementation."""
    _simple_list("graders", ("direction", "implementation", "inputs"))


@list_app.command("scaffolds")
def list_scaffolds() -> None:
    """Scaffolds: id, agent design, name."""
    _simple_list("scaffolds", ("agent", "name"))


@list_app.command("suites")
def list_suites() -> None:
    """Suites: id, scaffolds, seeds."""
    _simple_list("suites", ("scaffolds", "seeds"))
