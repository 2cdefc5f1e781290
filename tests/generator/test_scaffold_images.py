"""Scaffold images: baseline and aide install the podium wheel with its `agents` extra, pinned;
dummy, command and stop images stay light. (Building and running the images needs Docker: see
`nox -s docker-tests` and scripts/with_dockerd.sh.)"""

from __future__ import annotations

import importlib.metadata
import re
import shutil
from pathlib import Path

import pytest
from dockerfile_syntax import instructions

from podium.generator import compile as compiler
from podium.generator.catalog import Catalog, load_catalog

PODIUM_AGENTS = ["aide", "baseline"]
LIGHT = ["dummy", "stop"]


def catalog_of(specs: Path) -> Catalog:
    catalog = load_catalog(specs)
    assert not catalog.errors, catalog.errors
    return catalog


@pytest.fixture
def built(specs_tree: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    compiler.build(catalog_of(specs_tree), out, PODIUM_AGENTS + LIGHT)  # the scaffolds only: quick
    return out


def pins(path: Path) -> dict[str, str]:
    lines = [line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]
    return {compiler.requirement_name(line): line.partition("==")[2] for line in lines}


def build_commands(dockerfile: Path) -> list[str]:
    return [arguments for name, arguments in instructions(dockerfile.read_text()) if name == "RUN"]


@pytest.mark.parametrize("scaffold", PODIUM_AGENTS)
def test_podium_agent_images_install_the_wheel_with_the_agents_extra(built: Path, scaffold: str) -> None:
    package = built / "scaffolds" / scaffold
    install = build_commands(package / "Dockerfile")[0]
    assert "set -- /src/wheels/podium-*.whl" in install
    assert "PIP_CONSTRAINT=/src/constraints.txt /opt/venv/bin/pip install" in install
    assert install.endswith('-r /src/requirements.txt "$1[agents]"')
    assert any("libgomp1" in command for command in build_commands(package / "Dockerfile")[1:])  # lightgbm's OpenMP
    assert "pip wheel --no-deps -w wheels" in (package / "wheels/README.md").read_text()


@pytest.mark.parametrize("scaffold", PODIUM_AGENTS)
def test_the_spec_pins_win_over_the_runtime_constraints(built: Path, scaffold: str) -> None:
    package = built / "scaffolds" / scaffold
    own = pins(package / "requirements.txt")
    constraints = pins(package / "constraints.txt")
    assert {"pandas", "scikit-learn", "lightgbm"} <= set(own)
    assert not set(own) & set(constraints), "pip cannot satisfy two pins of one package"
    assert {"pydantic", "numpy", "openai", "pycocotools"} <= set(constraints)
    assert all(re.fullmatch(r"[0-9][0-9A-Za-z.+!]*", version) for version in constraints.values())


@pytest.mark.parametrize("scaffold", LIGHT)
def test_other_images_stay_light(built: Path, scaffold: str) -> None:
    package = built / "scaffolds" / scaffold
    text = (package / "Dockerfile").read_text()
    assert "wheels" not in text and "libgomp1" not in text and "PIP_CONSTRAINT" not in text
    assert pins(package / "constraints.txt") == {}


def test_every_runtime_and_agents_dependency_is_pinned() -> None:
    """A dependency added to pyproject (core or the agents extra) must get a pin in the image too."""
    requires = importlib.metadata.requires("podium") or []
    wanted = {
        compiler.requirement_name(line)
        for line in requires
        if ";" not in line or re.search(r"""extra\s*==\s*['"]agents['"]""", line)
    }
    pinned = pins(compiler.AGENT_CONSTRAINTS)
    assert wanted, "podium's metadata lists no dependencies"
    assert wanted - set(pinned) == set()


def test_a_changed_pin_makes_the_scaffolds_stale_and_reaches_their_constraints(
    specs_tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(compiler.TEMPLATES / "scaffold", templates / "scaffold")
    monkeypatch.setattr(compiler, "TEMPLATES", templates)
    monkeypatch.setattr(compiler, "AGENT_CONSTRAINTS", templates / "scaffold" / "agent-constraints.txt")
    out = tmp_path / "out"
    compiler.build(catalog_of(specs_tree), out, ["baseline"])
    text = compiler.AGENT_CONSTRAINTS.read_text()
    compiler.AGENT_CONSTRAINTS.write_text(text.replace("pydantic==", "pydantic==0.0.0.dev0+"))
    stale = compiler.check(catalog_of(specs_tree), out, ["baseline"])
    assert [(s.key, s.reasons) for s in stale] == [("scaffolds/baseline", ("templates changed",))]
    compiler.build(catalog_of(specs_tree), out, ["baseline"])
    assert "pydantic==0.0.0.dev0+" in (out / "scaffolds/baseline/constraints.txt").read_text()


def test_a_wheel_placed_in_the_package_is_kept_and_never_makes_it_stale(built: Path, specs_tree: Path) -> None:
    wheel = built / "scaffolds/baseline/wheels/podium-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"wheel")
    assert compiler.check(catalog_of(specs_tree), built, ["baseline"]) == []
    compiler.build(catalog_of(specs_tree), built, ["baseline"], force=True)
    assert wheel.read_bytes() == b"wheel"


@pytest.mark.parametrize(
    ("requirement", "name"),
    [("Scikit_Learn==1.5.2", "scikit-learn"), ("ruamel.yaml==0.19.1", "ruamel-yaml"), ("ray[default]==2.9", "ray")],
)
def test_requirement_names_are_normalised(requirement: str, name: str) -> None:
    assert compiler.requirement_name(requirement) == name
