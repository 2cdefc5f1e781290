"""The compiled packages a run executes, read from `podium build`'s output folder.

    <packages>/competitions/<id>/<python package>/spec.json (+ spec.sha256, hooks/)
    <packages>/scaffolds/<id>/agent/{start.py, scaffold.json, scaffold.sha256, hooks/}

Runs read the frozen specs here, never the YAML, and each file is checked against the hash the
build recorded, so what runs is exactly what was compiled and the record names that hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from podium.runtime.package import Package, PackageError, check_built_sha256, load_package

SCAFFOLD_SPEC, SCAFFOLD_SHA256 = "scaffold.json", "scaffold.sha256"
IMAGE_PREFIX = "podium/scaffold-"


class ScaffoldCard(BaseModel):
    """The fields of a frozen scaffold spec the runtime acts on; the agent reads the rest itself."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    agent: str
    name: str = ""
    command: list[str] = Field(default_factory=list)
    image: dict[str, Any] = Field(default_factory=dict)
    model: dict[str, Any] | None = None  # served to the sandbox by the runtime's LLM proxy
    budgets: dict[str, Any] = Field(default_factory=dict)  # enforced by that proxy


@dataclass(frozen=True)
class ScaffoldPackage:
    root: Path
    spec: ScaffoldCard
    spec_sha256: str

    @property
    def agent_dir(self) -> Path:
        return self.root / "agent"

    @property
    def image_tag(self) -> str:
        return f"{IMAGE_PREFIX}{self.spec.id}"

    def command(self, python: str) -> list[str]:
        """What starts the agent: the package's start.py, whatever the kind (a command scaffold's
        start.py execs the spec's command), exactly as the image's entry point does."""
        return [python, "/home/agent/start.py"]


def load_scaffold_package(root: Path) -> ScaffoldPackage:
    spec_path = root / "agent" / SCAFFOLD_SPEC
    try:
        data = spec_path.read_bytes()
        recorded = (spec_path.parent / SCAFFOLD_SHA256).read_text(encoding="utf-8").split()[0]
    except (OSError, IndexError) as error:
        raise PackageError(f"cannot read the scaffold package at {root}: {error}; run `podium build`") from None
    check_built_sha256(spec_path, data, recorded)
    try:
        card = ScaffoldCard.model_validate_json(data)
    except ValidationError as error:
        raise PackageError(f"{spec_path} is not a scaffold spec: {error.errors()[0]['msg']}") from None
    return ScaffoldPackage(root, card, recorded)


@dataclass(frozen=True)
class Packages:
    """The output folder of `podium build`."""

    root: Path

    def competition(self, competition_id: str) -> Package:
        folder = self.root / "competitions" / competition_id
        specs = sorted(folder.glob("*/spec.json"))
        if len(specs) != 1:
            raise PackageError(
                f"no compiled package for competition {competition_id!r} in {folder}; "
                f"run `podium build {competition_id}`"
            )
        return load_package(specs[0])

    def scaffold(self, scaffold_id: str) -> ScaffoldPackage:
        folder = self.root / "scaffolds" / scaffold_id
        if not folder.is_dir():
            raise PackageError(
                f"no compiled package for scaffold {scaffold_id!r} in {folder}; run `podium build {scaffold_id}`"
            )
        return load_scaffold_package(folder)
