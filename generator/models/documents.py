"""The four authoring documents: competition, grader, scaffold, suite.

Each is what a person writes in YAML. They share the parts the runtime executes
(podium.runtime.spec.parts) and add what only authoring needs: `spec_version`, a
description file instead of its text, references by name instead of inlined values.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, model_validator

from podium.runtime.spec.parts import (
    Complexity,
    Direction,
    GraderRef,
    HookRef,
    Identifier,
    InputKind,
    KnownIssue,
    LeaderboardRef,
    Limits,
    Modality,
    Part,
    Prepare,
    Source,
)
from podium.runtime.spec.units import Duration

SpecVersion = Literal[1]
RelativePath = Annotated[
    str,
    Field(pattern=r"^[A-Za-z0-9_.][A-Za-z0-9_./ -]*$", description="a path relative to the spec's folder"),
]


class Document(Part):
    """A spec file's top level. `kind` names the folder it lives in under specs/."""

    kind: ClassVar[str]
    spec_version: SpecVersion = Field(description="version of the spec format; 1")
    id: Identifier = Field(description="unique id; equals the file name without .yaml")


class Competition(Document):
    kind: ClassVar[str] = "competition"
    name: str = Field(min_length=1)
    modality: Modality
    complexity: Complexity
    description: RelativePath = Field(description="markdown file, in our own words, for the agent")
    source: Source
    prepare: Prepare
    grader: GraderRef
    leaderboard: LeaderboardRef = Field(default_factory=LeaderboardRef)
    limits: Limits = Field(default_factory=Limits)
    known_issues: list[KnownIssue] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)


class Grader(Document):
    kind: ClassVar[str] = "grader"
    name: str = Field(min_length=1)
    summary: str = Field(min_length=1, description="one sentence: what the metric measures")
    direction: Direction
    inputs: list[InputKind] = Field(min_length=1)
    implementation: str = Field(
        pattern=r"^([a-z0-9][a-z0-9-]*|[A-Za-z_][A-Za-z0-9_.]*:[A-Za-z_][A-Za-z0-9_]*)$",
        description="a built-in metric name, or 'module:function' for a custom one",
    )
    version: str = Field("1", description="bump when the math changes; recorded with every result")
    params: dict[str, Any] = Field(default_factory=dict, description="default parameters")


class ModelEndpoint(Part):
    name: str = Field(description="model name as the endpoint knows it")
    base_url: str | None = Field(None, description="OpenAI-compatible URL; default OPENAI_BASE_URL")
    api_key_env: str | None = Field("OPENAI_API_KEY", description="env var holding the key; None: none")
    temperature: float = Field(0.7, ge=0, le=2)
    max_tokens: int = Field(2048, gt=0)


class Budgets(Part):
    llm_calls: int | None = Field(None, gt=0)
    samples: int | None = Field(None, gt=0)
    tokens: int | None = Field(None, gt=0)
    dollars: float | None = Field(None, gt=0)
    utility_calls: int | None = Field(None, gt=0)
    wall_time: Duration | None = None


class Image(Part):
    base: str | None = Field(None, description="base image; default: the build's BASE_IMAGE argument")
    requirements: list[str] = Field(default_factory=list, description="pinned pip requirements")


class Scaffold(Document):
    kind: ClassVar[str] = "scaffold"
    name: str = Field(min_length=1)
    agent: Literal["dummy", "baseline", "aide", "stop", "command"] = Field(description="which agent design this is")
    summary: str = ""
    model: ModelEndpoint | None = None
    params: dict[str, Any] = Field(default_factory=dict, description="agent-specific settings")
    budgets: Budgets = Field(default_factory=Budgets)
    image: Image = Field(default_factory=Image)
    command: list[str] = Field(default_factory=list, description="for agent: command — what to run")
    hook: HookRef | None = None

    @model_validator(mode="after")
    def _needs(self) -> Scaffold:
        if self.agent in ("aide", "stop") and self.model is None:
            raise ValueError(f"a {self.agent} scaffold needs a model endpoint under `model`")
        if self.agent == "command" and not (self.command or self.image.base):
            raise ValueError("a command scaffold needs `command` or `image.base`")
        return self


class SplitFile(Part):
    file: RelativePath = Field(description="text file with one competition id per line")


class Suite(Document):
    kind: ClassVar[str] = "suite"
    name: str = ""
    summary: str = ""
    competitions: list[Identifier] = Field(default_factory=list)
    split: SplitFile | None = None
    scaffolds: list[Identifier] = Field(default_factory=list)
    seeds: list[int] = Field(default_factory=lambda: [0], min_length=1)

    @model_validator(mode="after")
    def _members(self) -> Suite:
        if bool(self.competitions) == bool(self.split):
            raise ValueError("give exactly one of `competitions` (a list) or `split` (a file)")
        return self


DOCUMENTS: dict[str, type[Document]] = {
    "competitions": Competition,
    "graders": Grader,
    "scaffolds": Scaffold,
    "suites": Suite,
}
