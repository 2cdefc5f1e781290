"""The `podium` command line: the one place that imports both the generator and the runtime."""

from __future__ import annotations

from podium.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
