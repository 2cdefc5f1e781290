"""Developer sessions: `nox -s tests lint typecheck schema` (and `bench`).

Sessions run in the current environment (`pip install -e '.[dev]'` first): podium's
dependencies are heavy and identical across sessions, so a venv per session buys nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

import nox

nox.options.default_venv_backend = "none"
nox.options.sessions = ["tests", "lint", "typecheck", "schema"]

ROOT = Path(__file__).parent
SPEC_KINDS = {"competition": "competitions/*/spec.yaml", "grader": "graders/*.yaml",
              "scaffold": "scaffolds/*.yaml", "suite": "suites/*.yaml"}  # fmt: skip


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite; extra arguments go to pytest (e.g. `nox -s tests -- -k grade`)."""
    args = session.posargs or ["-n", "2", "--dist", "loadfile"]
    session.run("python", "-m", "pytest", *args)


@nox.session
def lint(session: nox.Session) -> None:
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy over the installed layout: generator/ and runtime/ as podium.generator/runtime."""
    tree = _mypy_tree()
    session.run("mypy", "-p", "podium", env={"MYPYPATH": str(tree)})


def _mypy_tree() -> Path:
    # mypy cannot follow setuptools' editable finder, so mirror the installed package layout
    # with symlinks; reported paths still point into the real source files.
    tree = ROOT / ".mypy-tree"
    package = tree / "podium"
    package.mkdir(parents=True, exist_ok=True)
    links = {"generator": ROOT / "generator", "runtime": ROOT / "runtime"}
    links |= {p.name: p for p in (ROOT / "podium").iterdir() if p.name != "__pycache__"}
    for name, target in links.items():
        link = package / name
        if not link.is_symlink():
            link.symlink_to(target)
    return tree


@nox.session
def schema(session: nox.Session) -> None:
    """Committed JSON Schemas match the models, and every spec passes check-jsonschema."""
    session.run("podium", "schema", "--check", "--out", "schemas")
    for kind, pattern in SPEC_KINDS.items():
        files = sorted(str(p) for p in (ROOT / "specs").glob(pattern))
        if files:
            session.run("check-jsonschema", "--schemafile", f"schemas/{kind}.schema.json", *files)
    session.run("podium", "validate")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks; each writes a markdown table under docs/."""
    for script in sorted((ROOT / "bench").glob("bench_*.py")):
        session.run("python", str(script), env={"PYTHONHASHSEED": "0", **os.environ})


@nox.session
def build(session: nox.Session) -> None:
    """Compile every spec into generated/ (incremental); `-- --check` only reports what is stale."""
    session.run("podium", "build", "--all", *session.posargs)
    session.run("podium", "build", "--check")  # a second look must find nothing stale


@nox.session
def docker(session: nox.Session) -> None:
    """End to end in Docker: private dockerd, images, dummy agent isolated, grading (needs root).

    With PODIUM_DOCKER_WORK set, the daemon's data root lives there and outlasts the session, so the
    base images are built once and `scripts/with_dockerd.sh` (the daemon for `nox -s tests`) reuses them.
    """
    args = list(session.posargs)
    work = os.environ.get("PODIUM_DOCKER_WORK")
    if work and "--work" not in args:
        args += ["--work", work]
    session.run("python", str(ROOT / "scripts" / "docker_e2e.py"), *args)


@nox.session(name="docker-tests")
def docker_tests(session: nox.Session) -> None:
    """The docker sandbox tests against a private daemon (scripts/with_dockerd.sh; needs root)."""
    args = session.posargs or ["tests/runtime/sandbox/test_docker_sandbox.py", "-q", "-p", "no:cacheprovider"]
    session.run("bash", str(ROOT / "scripts" / "with_dockerd.sh"), "python", "-m", "pytest", *args, external=True)
