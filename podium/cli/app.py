"""The typer application; each command group lives in its own module and registers here."""

from __future__ import annotations

import typer

from podium import __version__

app = typer.Typer(
    name="podium",
    help="Declarative benchmarks for ML-engineering agents: specs in, medals out.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"podium {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """podium: specs in, medals out."""


def _register_commands() -> None:
    # Imported for their side effect of adding commands to `app`.
    from podium.cli import build, catalog, data, grading, report, run, specs, stop  # noqa: F401

    data.register_leaderboard_fetch(grading.leaderboard_app)


_register_commands()
