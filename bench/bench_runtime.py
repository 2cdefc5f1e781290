"""Runtime overhead and throughput: what running an agent through podium costs beyond the agent.

    python bench/bench_runtime.py            # writes docs/bench-runtime.md (a few minutes)
    python bench/bench_runtime.py --quick    # 100 runs per executor instead of 1,000

1. Sandbox overhead: a no-op agent (`python -c pass`) through each sandbox (local plain, local
   bwrap, docker when a daemon is reachable), against the same command started bare; median of
   repeats. Then one whole dummy run (`execute_run`: run folder, task card, validator, sandbox,
   grading) per sandbox.
2. Throughput: 1,000 dummy runs of a tiny synthetic competition (scikit-learn's iris, 45 test rows)
   planned into a fresh store and driven by the local executor (2 workers) and the Ray executor
   (a local Ray instance with 2 CPUs); runs per second from the first claim to the last record.

Everything lives in a temporary folder: its own specs tree, packages, data, runs and store.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "bench-runtime.md"
COMPETITION = "bench-iris"
SPEC = """\
spec_version: 1
id: bench-iris
name: Bench iris
modality: tabular
complexity: low
description: description.md
source: {kind: sklearn, dataset: load_iris}
prepare:
  split: {from: train.csv, test_size: 0.3, random_state: 0}
  id_column: id
  targets: [target]
grader: {metric: accuracy}
limits: {time: 60s, cpus: 1, memory: 2GiB, gpus: 0}
"""
NOOP_REPEATS = 15
WHOLE_REPEATS = 7
WORKERS = 2


def make_world(root: Path) -> tuple[Path, Path]:
    """A specs tree with the tiny competition and the dummy scaffold, compiled and prepared."""
    from podium.generator import compile as compiler
    from podium.generator.catalog import load_catalog
    from podium.runtime.execute import Packages
    from podium.runtime.execute.run import ensure_prepared

    specs, packages, data = root / "specs", root / "generated", root / "data"
    (specs / "competitions" / COMPETITION).mkdir(parents=True)
    (specs / "competitions" / COMPETITION / "spec.yaml").write_text(SPEC)
    (specs / "competitions" / COMPETITION / "description.md").write_text("Predict `target`.\n")
    for kind, name in (("graders", "accuracy.yaml"), ("scaffolds", "dummy.yaml")):
        (specs / kind).mkdir()
        shutil.copy(REPO / "specs" / kind / name, specs / kind)
    compiler.build(load_catalog(specs), packages)
    ensure_prepared(Packages(packages).competition(COMPETITION), data)
    return packages, data


# ── 1. overhead per run ──────────────────────────────────────────────────────────────────────


def sandboxes() -> dict[str, Any]:
    from podium.runtime.sandbox import LocalSandbox, SandboxError

    found: dict[str, Any] = {"local plain": LocalSandbox("plain")}
    if shutil.which("bwrap"):
        found["local bwrap"] = LocalSandbox("bwrap")
    try:
        from podium.runtime.sandbox.docker import docker_client_or_error

        docker_client_or_error(os.environ.get("DOCKER_HOST"))
        found["docker"] = None  # built per scaffold below
    except SandboxError as error:
        print(f"docker skipped: {error}", file=sys.stderr)
    return found


def interleaved_medians(actions: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median seconds of each action, timed in rounds (one of each per round) so that load from
    elsewhere on a shared machine falls on all of them alike."""
    for action in actions.values():
        action()  # warm caches (and, for docker, the image)
    times: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(repeats):
        for name, action in actions.items():
            started = time.perf_counter()
            action()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


def noop_overheads(packages: Path, scratch: Path) -> list[tuple[str, float, float]]:
    """(sandbox, median seconds of a no-op agent, overhead over the same command started bare)."""
    from podium.runtime.execute import load_scaffold_package
    from podium.runtime.sandbox import Mount, SandboxLimits
    from podium.runtime.sandbox.docker import DockerSandbox

    bare_env = {"PATH": "/usr/bin:/bin"}
    actions: dict[str, Callable[[], object]] = {
        "bare process (no sandbox)": lambda: subprocess.run([sys.executable, "-c", "pass"], env=bare_env, check=True)
    }
    writable = scratch / "noop"
    writable.mkdir()
    mounts = [Mount(writable, "/home/submission", read_only=False)]
    for name, sandbox in sandboxes().items():
        if sandbox is None:
            sandbox = DockerSandbox.for_scaffold(load_scaffold_package(packages / "scaffolds" / "dummy"))
        local = name != "docker"  # docker uses the image's own python and PATH
        command = [sys.executable if local else "python", "-c", "pass"]
        env = bare_env if local else {}

        def noop(sandbox: Any = sandbox, command: list[str] = command, env: dict[str, str] = env) -> None:
            result = sandbox.run(
                command, mounts, SandboxLimits(), env, 60, log_dir=scratch / "logs", workdir="/home/submission"
            )
            assert result.exit_code == 0, result.stderr_path.read_text()

        actions[name] = noop
    medians = interleaved_medians(actions, NOOP_REPEATS)
    bare = medians["bare process (no sandbox)"]
    return [(name, seconds, seconds - bare) for name, seconds in medians.items()]


def whole_runs(packages: Path, data: Path, scratch: Path) -> list[tuple[str, float]]:
    """(sandbox, median seconds of one whole dummy run: folders, card, validator, agent, grading)."""
    from podium.runtime.execute import RunSettings, execute_run
    from podium.runtime.store import RunRecord, run_id_for

    counter = iter(range(10**6))

    def one(settings: RunSettings) -> None:
        seed = next(counter)
        record = RunRecord(
            run_id=run_id_for("bench", COMPETITION, "dummy", seed), suite="bench", competition_id=COMPETITION,
            scaffold_id="dummy", seed=seed, status="running", competition_sha256="", scaffold_sha256="",
            created_at=datetime.now(timezone.utc), run_dir=str(scratch / "whole" / str(seed)), data_dir=str(data),
        )  # fmt: skip
        finished = execute_run(record, settings)
        assert finished.status == "succeeded", finished.error

    actions = {}
    for name in sandboxes():
        backend = "docker" if name == "docker" else "local"
        isolation = "plain" if name == "local plain" else "auto"
        settings = RunSettings(packages_dir=packages, data_dir=data, backend=backend, isolation=isolation)  # type: ignore[arg-type]
        actions[name] = lambda s=settings: one(s)
    return list(interleaved_medians(actions, WHOLE_REPEATS).items())


# ── 2. throughput ────────────────────────────────────────────────────────────────────────────


def throughput(packages: Path, data: Path, scratch: Path, runs: int, executor_name: str) -> tuple[float, int]:
    """Seconds to drive `runs` dummy runs through an executor, and how many succeeded."""
    from podium.runtime.execute import LocalExecutor, Matrix, Packages, RunSettings, plan_runs, run_pending
    from podium.runtime.store import RunStore

    folder = scratch / f"throughput-{executor_name}"
    store = RunStore(folder / "runs.sqlite")
    settings = RunSettings(packages_dir=packages, data_dir=data)
    plan = plan_runs(
        store, Matrix("bench", [COMPETITION], ["dummy"], list(range(runs))), Packages(packages), folder / "runs", data
    )
    if executor_name == "ray":
        import ray

        from podium.runtime.execute.ray_executor import RayExecutor

        ray.init(num_cpus=WORKERS, include_dashboard=False, log_to_driver=False, logging_level="warning")
        executor: Any = RayExecutor(settings, lambda c: Packages(packages).competition(c).competition.limits)
    else:
        executor = LocalExecutor(settings, WORKERS)
    started = time.perf_counter()
    try:
        run_pending(store, executor, run_ids=plan.to_run)
    finally:
        executor.close()
    seconds = time.perf_counter() - started
    succeeded = sum(r.status == "succeeded" for r in store.list())
    store.close()
    if executor_name == "ray":
        import ray

        ray.shutdown()
    shutil.rmtree(folder / "runs", ignore_errors=True)
    return seconds, succeeded


# ── report ───────────────────────────────────────────────────────────────────────────────────


def report(
    noop: list[tuple[str, float, float]],
    whole: list[tuple[str, float]],
    flows: list[tuple[str, int, float, int]],
    load: tuple[float, float],
) -> str:
    lines = [
        "# Runtime benchmark",
        "",
        f"`python bench/bench_runtime.py` on {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, {'root' if os.geteuid() == 0 else 'non-root'}. The machine was shared "
        f"with other work (load average {load[0]:.1f} at the start, {load[1]:.1f} at the end, on "
        f"{os.cpu_count()} CPUs), so treat the figures as orders of magnitude.",
        "",
        "## Overhead per run",
        "",
        "A no-op agent (`python -c pass`) through each sandbox, median of "
        f"{NOOP_REPEATS}; the overhead is the difference to starting the same command bare.",
        "",
        "| sandbox | no-op agent (ms) | overhead (ms) |",
        "|---|---:|---:|",
        *(f"| {name} | {seconds * 1000:.0f} | {extra * 1000:.0f} |" for name, seconds, extra in noop),
        "",
        "One whole dummy run (`execute_run`: run folder, task card, validator thread, the dummy agent "
        f"copying the sample submission, grading, the finished record), median of {WHOLE_REPEATS}:",
        "",
        "| sandbox | whole run (ms) |",
        "|---|---:|",
        *(f"| {name} | {seconds * 1000:.0f} |" for name, seconds in whole),
        "",
        "## Throughput",
        "",
        f"Dummy runs of the tiny competition, planned into a fresh store and driven to finished records "
        f"with {WORKERS} runs at once (local: {WORKERS} worker threads; Ray: a local instance with {WORKERS} CPUs, "
        "each run a task asking for the competition's 1 CPU and 2 GiB).",
        "",
        "| executor | runs | seconds | runs/s | succeeded |",
        "|---|---:|---:|---:|---:|",
        *(f"| {name} | {runs} | {seconds:.1f} | {runs / seconds:.1f} | {ok} |" for name, runs, seconds, ok in flows),
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100 runs per executor instead of 1,000")
    parser.add_argument("--out", type=Path, default=OUT)
    arguments = parser.parse_args()
    runs = 100 if arguments.quick else 1000
    load_at_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="podium-bench-runtime-") as folder:
        scratch = Path(folder)
        packages, data = make_world(scratch)
        noop = noop_overheads(packages, scratch)
        whole = whole_runs(packages, data, scratch)
        flows = []
        for name in ("local", "ray"):
            if name == "ray" and not _has_ray():
                print("ray skipped: not installed (pip install 'podium[ray]')", file=sys.stderr)
                continue
            seconds, succeeded = throughput(packages, data, scratch, runs, name)
            flows.append((name, runs, seconds, succeeded))
    text = report(noop, whole, flows, (load_at_start, os.getloadavg()[0]))
    arguments.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


def _has_ray() -> bool:
    try:
        import ray  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
