"""Grading speed: rows/s per metric family, CLI end-to-end time, peak memory.

    python bench/bench_grading.py            # writes docs/bench-grading.md (about a minute)
    python bench/bench_grading.py --quick    # 10k and 100k rows only

Each row count runs in its own worker process, so the peak memory reported for it (the
process's maximum resident set size, from resource.getrusage) belongs to that size alone. The
data are synthetic and written as CSV files, because reading the CSV is part of grading.
The CLI timing runs `podium grade` as a user would, in a fresh process, on a 10k-row
submission for spaceship-titanic with synthetic answers in a temporary data folder.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
ANCHORS = REPO.parent / "shared" / "anchors" / "mle-bench"
SIZES = (10_000, 100_000, 1_000_000)
CLI_ROWS = 10_000
CLI_REPEATS = 5
WARM_REPEATS_UP_TO = 100_000  # sizes up to this are timed best of 3 (warm caches); 1M once


@dataclass(frozen=True)
class Family:
    """One metric family: its grader, and how to make synthetic answers and predictions."""

    name: str
    metric: str
    inputs: tuple[str, ...]
    targets: tuple[str, ...]
    make: Callable[[Any, int], tuple[dict[str, Any], dict[str, Any]]]  # (rng, n) -> truth, pred
    params: tuple[tuple[str, Any], ...] = ()


def _labels(rng: Any, n: int) -> tuple[dict[str, Any], dict[str, Any]]:
    return {"label": rng.choice(["yes", "no"], n)}, {"label": rng.choice(["yes", "no"], n)}


def _binary_probabilities(rng: Any, n: int) -> tuple[dict[str, Any], dict[str, Any]]:
    return {"target": rng.integers(0, 2, n)}, {"target": rng.random(n)}


def _multiclass(rng: Any, n: int) -> tuple[dict[str, Any], dict[str, Any]]:
    import numpy as np

    classes = [f"c{k}" for k in range(5)]
    truth_index = rng.integers(0, 5, n)
    one_hot = np.eye(5, dtype=np.int64)[truth_index]
    proba = rng.random((n, 5))
    return (
        {c: one_hot[:, k] for k, c in enumerate(classes)},
        {c: proba[:, k] for k, c in enumerate(classes)},
    )


def _numbers(rng: Any, n: int) -> tuple[dict[str, Any], dict[str, Any]]:
    return {"y": rng.normal(0, 1, n)}, {"y": rng.normal(0, 1, n)}


def _strings(rng: Any, n: int) -> tuple[dict[str, Any], dict[str, Any]]:
    letters = list("abcdefghij")
    words = ["".join(rng.choice(letters, 12)) for _ in range(1000)]
    return {"text": rng.choice(words, n)}, {"text": rng.choice(words, n)}


def _ranked_lists(rng: Any, n: int) -> tuple[dict[str, Any], dict[str, Any]]:
    labels = [f"w{k}" for k in range(50)]
    lists = [" ".join(rng.choice(labels, 5, replace=False)) for _ in range(1000)]
    return {"Id": rng.choice(labels, n)}, {"Id": rng.choice(lists, n)}


FAMILIES = (
    Family("labels", "accuracy", ("labels",), ("label",), _labels),
    Family("binary probabilities", "auc", ("probabilities",), ("target",), _binary_probabilities),
    Family(
        "class probabilities",
        "multiclass-log-loss",
        ("probabilities",),
        tuple(f"c{k}" for k in range(5)),
        _multiclass,
    ),
    Family("numbers", "rmse", ("numbers",), ("y",), _numbers),
    Family("strings", "normalized-levenshtein", ("strings",), ("text",), _strings),
    Family("ranked lists", "map-at-k", ("ranked-list",), ("Id",), _ranked_lists, (("k", 5),)),
)


# --- worker: one row count, every family, in this process --------------------------------------


def competition_for(family: Family) -> Any:
    from podium.runtime.spec import ResolvedCompetition

    return ResolvedCompetition.model_validate(
        {
            "id": f"bench-{family.metric}",
            "name": family.name,
            "modality": "tabular",
            "complexity": "low",
            "description": "synthetic benchmark",
            "source": {"kind": "local", "path": "/nowhere"},
            "prepare": {
                "split": {"from": "train.csv", "test_size": 0.1},
                "id_column": "id",
                "targets": list(family.targets),
            },
            "grader": {
                "id": family.metric,
                "implementation": family.metric,
                "direction": "maximize",
                "inputs": list(family.inputs),
                "params": dict(family.params),
                "version": "bench",
            },
            "leaderboard": {},
            "limits": {},
        }
    )


def write_tables(family: Family, n: int, folder: Path) -> tuple[Path, Path]:
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(0)
    truth, pred = family.make(rng, n)
    ids = np.char.add("r", np.arange(n).astype(str))
    order = rng.permutation(n)  # the submission lists the ids in another order
    answers = pa.table({"id": ids, **truth})
    submission = pa.table({"id": ids[order], **{k: np.asarray(v)[order] for k, v in pred.items()}})
    answers_path, submission_path = folder / "answers.csv", folder / "submission.csv"
    pacsv.write_csv(answers, answers_path)
    pacsv.write_csv(submission, submission_path)
    return answers_path, submission_path


def time_family(family: Family, n: int, folder: Path) -> dict[str, Any]:
    from podium.runtime.grading.grade import grade_submission, metric_params, resolve_metric
    from podium.runtime.grading.submission import Aligned, SubmissionRules, check_submission, read_answers

    answers_path, submission_path = write_tables(family, n, folder)
    competition = competition_for(family)
    rules = SubmissionRules.for_competition(competition)
    metric = resolve_metric(family.metric)
    started = time.perf_counter()
    aligned = check_submission(submission_path, read_answers(answers_path, rules), rules)
    checked = time.perf_counter()
    if not isinstance(aligned, Aligned):
        raise SystemExit(f"{family.metric}: the synthetic submission is invalid: {aligned.error}")
    metric(aligned.truth, aligned.pred, **metric_params(competition))
    scored = time.perf_counter()
    report = grade_submission(submission_path, competition, answers_path, None)
    if not report.valid_submission:
        raise SystemExit(f"{family.metric}: {report.error}")
    return {
        "family": family.name,
        "metric": family.metric,
        "rows": n,
        "read_check_s": checked - started,
        "metric_s": scored - checked,
        "total_s": report.grading_seconds,
    }


def run_worker(n: int, out: Path) -> None:
    from podium.runtime.grading.registry import get_metric

    get_metric("accuracy")  # load the registry before timing: import cost is not per-row work
    baseline_mib = _peak_mib()
    repeats = 3 if n <= WARM_REPEATS_UP_TO else 1
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for family in FAMILIES:
            runs = [time_family(family, n, Path(folder)) for _ in range(repeats)]
            results.append(min(runs, key=lambda run: run["total_s"]))
    summary = {"rows": n, "baseline_mib": baseline_mib, "peak_mib": _peak_mib(), "results": results}
    out.write_text(json.dumps(summary))


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


# --- CLI end to end ------------------------------------------------------------------------------


def podium_command() -> list[str]:
    found = shutil.which("podium")
    return [found] if found else [sys.executable, "-m", "podium"]


def time_cli(folder: Path) -> dict[str, Any]:
    """Median wall and CPU time of `podium grade` on a 10k-row submission, and of its parts."""
    env = _cli_environment(folder)
    submission = _write_spaceship_submission(folder, CLI_ROWS)
    grade = [*podium_command(), "grade", str(submission), "--competition", "spaceship-titanic", "--json"]
    one_metric = "from podium.runtime.grading.registry import get_metric as g; g('accuracy')"
    every_metric = "from podium.runtime.grading.registry import metric_names as m; m()"
    load_catalog = "from podium.cli.context import catalog as c; print(sum(map(len, (c().competitions, c().graders))))"
    commands = {
        "python": [sys.executable, "-c", "pass"],
        "help": [*podium_command(), "--help"],
        "catalog": [sys.executable, "-c", load_catalog],
        "one_metric": [sys.executable, "-c", one_metric],
        "grade": grade,
    }
    runs = {name: [_timed_run(command, env) for _ in range(CLI_REPEATS)] for name, command in commands.items()}
    report = json.loads(subprocess.run(grade, env=env, capture_output=True, text=True, check=True).stdout)
    # Read before the every-family runs: the children's peak is a running maximum over all of them.
    grade_peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    runs["every_metric"] = [_timed_run([sys.executable, "-c", every_metric], env) for _ in range(CLI_REPEATS)]
    return {
        **{f"{name}_median_s": statistics.median(wall for wall, _ in times) for name, times in runs.items()},
        **{f"{name}_cpu_s": statistics.median(cpu for _, cpu in times) for name, times in runs.items()},
        "grade_min_s": min(wall for wall, _ in runs["grade"]),
        "specs": int(subprocess.run(commands["catalog"], env=env, capture_output=True, text=True).stdout or 0),
        "in_process_s": report["grading_seconds"],
        "valid": report["valid_submission"],
        "leaderboard": report["leaderboard_sha256"] is not None,
        "peak_mib": grade_peak_mib,
        "imports": _import_breakdown(grade, env),
    }


def _import_breakdown(command: list[str], env: dict[str, str]) -> list[tuple[str, float]]:
    """The slowest top-level imports of one run (`python -X importtime`), cumulative seconds."""
    run = [sys.executable, "-X", "importtime", "-m", "podium", *command[command.index("grade") :]]
    lines = subprocess.run(run, env=env, capture_output=True, text=True, check=True).stderr.splitlines()
    top_level = []
    for line in lines:
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.removeprefix("import time:").split("|")
        if cumulative.strip().isdigit() and not name.startswith("  "):  # depth 0: imported by the run itself
            top_level.append((name.strip(), int(cumulative) / 1e6))
    return sorted(top_level, key=lambda item: -item[1])[:6]


def _cli_environment(folder: Path) -> dict[str, str]:
    specs = folder / "specs"
    shutil.copytree(REPO / "specs", specs)
    env = {**os.environ, "PODIUM_SPECS": str(specs), "PODIUM_DATA_DIR": str(folder / "data")}
    if ANCHORS.is_dir():
        env["PODIUM_LEADERBOARDS"] = str(ANCHORS)
    return env


def _write_spaceship_submission(folder: Path, n: int) -> Path:
    private = folder / "data" / "spaceship-titanic" / "prepared" / "private"
    private.mkdir(parents=True)
    ids = [f"{k:06d}_01" for k in range(n)]
    answers = "".join(f"{i},{'True' if k % 3 else 'False'}\n" for k, i in enumerate(ids))
    (private / "test.csv").write_text("PassengerId,Transported\n" + answers)
    submission = folder / "submission.csv"
    rows = "".join(f"{i},{'True' if k % 2 else 'False'}\n" for k, i in reversed(list(enumerate(ids))))
    submission.write_text("PassengerId,Transported\n" + rows)
    return submission


def _timed_run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run; CPU time holds steady on a shared, busy machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=env, capture_output=True, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


# --- report ------------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip() or str(os.cpu_count())
    versions = {}
    for package in ("pandas", "pyarrow", "numpy", "scikit-learn"):
        from importlib.metadata import version

        versions[package] = version(package)
    return {
        "cpu": model,
        "nproc": nproc,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "libraries": ", ".join(f"{name} {number}" for name, number in versions.items()),
    }


def markdown(workers: list[dict[str, Any]], cli: dict[str, Any], info: dict[str, str], seconds: float) -> str:
    lines = [
        "# Grading benchmark",
        "",
        "Written by `python bench/bench_grading.py` (the future `nox -s bench`); synthetic data.",
        "",
        f"Machine: {info['cpu']}, nproc {info['nproc']}, Python {info['python']}, {info['platform']}.",
        f"Libraries: {info['libraries']}. The whole run took {seconds:.0f} s.",
        f"Load average (1 min; other processes share the cores): {info['load']}.",
        "",
        "## In-process grading, per metric family",
        "",
        "`read+check`: reading both CSVs with pyarrow and every submission check (ids, columns, values);",
        "`metric`: the metric alone on the aligned frames; `total`: `grade_submission` end to end",
        "(its `grading_seconds`); rows/s = rows / total. Up to 100k rows each figure is the best of",
        "3 runs of `grade_submission`; the read+check and metric columns come from the same run.",
        "",
        "| family | metric | rows | read+check s | metric s | total s | rows/s |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for worker in workers:
        for r in worker["results"]:
            lines.append(
                f"| {r['family']} | {r['metric']} | {r['rows']:,} | {r['read_check_s']:.3f} | "
                f"{r['metric_s']:.3f} | {r['total_s']:.3f} | {r['rows'] / r['total_s']:,.0f} |"
            )
    lines += [
        "",
        "## Peak memory",
        "",
        "Maximum resident set size of the worker process that graded all families at that size;",
        "`after imports` is the same process before any data (interpreter, pandas, pyarrow, metrics).",
        "",
        "| rows | after imports MiB | peak MiB |",
        "|---:|---:|---:|",
        *(f"| {w['rows']:,} | {w['baseline_mib']:.0f} | {w['peak_mib']:.0f} |" for w in workers),
        "",
        "## CLI end to end",
        "",
        f"`podium grade submission.csv --competition spaceship-titanic --json` on {CLI_ROWS:,} rows, a",
        f"fresh process each time, median of {CLI_REPEATS} (leaderboard placement "
        f"{'included' if cli['leaderboard'] else 'skipped: anchors absent'}). CPU is the process's user +",
        "system time: on a shared machine the wall time grows with the load, the CPU time hardly.",
        "",
        "| what | wall s | CPU s |",
        "|---|---:|---:|",
        f"| `python -c pass` (interpreter start alone) | {cli['python_median_s']:.3f} | {cli['python_cpu_s']:.3f} |",
        f"| `podium --help` (interpreter start + CLI import) | {cli['help_median_s']:.3f} | {cli['help_cpu_s']:.3f} |",
        f"| a process that imports the CLI and loads the spec catalog ({cli['specs']} competitions and graders) | "
        f"{cli['catalog_median_s']:.3f} | {cli['catalog_cpu_s']:.3f} |",
        "| a process that finds one metric (`get_metric('accuracy')`: pandas + one family) | "
        f"{cli['one_metric_median_s']:.3f} | {cli['one_metric_cpu_s']:.3f} |",
        "| a process that loads every metric family (`metric_names()`) | "
        f"{cli['every_metric_median_s']:.3f} | {cli['every_metric_cpu_s']:.3f} |",
        f"| **`podium grade` 10k rows, median** | **{cli['grade_median_s']:.3f}** | {cli['grade_cpu_s']:.3f} |",
        f"| `podium grade` 10k rows, fastest | {cli['grade_min_s']:.3f} | |",
        f"| of which grading in process (`grading_seconds`) | {cli['in_process_s']:.3f} | |",
        "",
        f"Peak memory of a `podium grade` process: {cli['peak_mib']:.0f} MiB.",
        "",
        "Where a `podium grade` process spends its import time (`python -X importtime`, one run, the",
        "slowest imports made by the command itself, each with everything it imports in turn):",
        "",
        "| module | seconds |",
        "|---|---:|",
        *(f"| `{name}` | {seconds:.3f} |" for name, seconds in cli["imports"]),
        "",
        "The grading itself is a small part of the CLI's time. The rest is starting Python, loading the",
        "spec catalog (every competition and grader spec is parsed and checked, and every pinned",
        "leaderboard found in the leaderboards folder is hashed, to resolve one competition) and",
        "importing what grading needs: the CLI with pydantic and the spec models, pyarrow to read the",
        "CSVs, pandas for the metrics (pyarrow's compute functions import it too), and the one metric",
        "family holding the competition's metric. scikit-learn (0.8 s) and scipy.stats (0.4 s) load",
        "only when a metric that needs them runs (`runtime/grading/metrics/lazy.py`); accuracy, top-1",
        "error and the squared and absolute errors are computed with numpy. The catalog's cost grows",
        "with the number of specs; resolving a competition from its own spec and its grader's would",
        "remove it from `podium grade`.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10k and 100k rows only")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "bench-grading.md")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--worker-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        run_worker(args.worker, args.worker_out)
        return
    started, load_before = time.perf_counter(), os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        cli = time_cli(Path(folder))  # first, so RUSAGE_CHILDREN holds only CLI processes
        workers = [_spawn_worker(n, Path(folder)) for n in (SIZES[:2] if args.quick else SIZES)]
    info = {**machine(), "load": f"{load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"}
    text = markdown(workers, cli, info, time.perf_counter() - started)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)


def _spawn_worker(n: int, folder: Path) -> dict[str, Any]:
    out = folder / f"worker-{n}.json"
    command = [sys.executable, __file__, "--worker", str(n), "--worker-out", str(out)]
    subprocess.run(command, check=True)
    result: dict[str, Any] = json.loads(out.read_text())
    return result


if __name__ == "__main__":
    main()
