"""Build speed: cold and no-op `podium build --all`, shipped specs and a 100-competition catalog.

    python bench/bench_build.py          # writes docs/bench-build.md (about half a minute)

`cold` builds into an empty folder; `no-op` builds again into the same folder, where every package
is unchanged and skipped (fingerprints only: spec hash, template hash, hook files, leaderboard).
`CLI` runs `podium build` in a fresh process as a user would (Python start-up and imports
included); `in-process` calls podium.generator.compile.build on an already loaded catalog. Each
figure is the median of REPEATS runs. The synthetic catalog copies spaceship-titanic 100 times
under new ids, beside the shipped graders, scaffolds and suites.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SPECS = REPO / "specs"
REPEATS = 3
SYNTHETIC = 100


def median_seconds(action: Callable[[], object], prepare: Callable[[], object] = lambda: None) -> float:
    times = []
    for _ in range(REPEATS):
        prepare()
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def cli_times(specs: Path, out: Path) -> tuple[float, float]:
    command = [sys.executable, "-m", "podium", "build", "--all", "--out", str(out)]
    env = {**os.environ, "PODIUM_SPECS": str(specs)}

    def run() -> None:
        subprocess.run(command, env=env, check=True, capture_output=True)

    cold = median_seconds(run, lambda: shutil.rmtree(out, ignore_errors=True))
    return cold, median_seconds(run)


def library_times(specs: Path, out: Path) -> tuple[float, float, int]:
    from podium.generator.catalog import load_catalog
    from podium.generator.compile import build

    catalog = load_catalog(specs)
    packages = len(catalog.competitions) + len(catalog.scaffolds)
    cold = median_seconds(lambda: build(catalog, out), lambda: shutil.rmtree(out, ignore_errors=True))
    return cold, median_seconds(lambda: build(catalog, out)), packages


def synthetic_specs(folder: Path) -> Path:
    specs = folder / "specs"
    shutil.copytree(SPECS, specs)
    source = specs / "competitions" / "spaceship-titanic"
    for index in range(SYNTHETIC):
        copy = specs / "competitions" / f"synthetic-{index:03d}"
        shutil.copytree(source, copy)
        spec = copy / "spec.yaml"
        spec.write_text(spec.read_text().replace("id: spaceship-titanic", f"id: synthetic-{index:03d}"))
    return specs


def machine() -> str:
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        model = next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                      if line.startswith("model name")), model)  # fmt: skip
    from importlib.metadata import version

    return (
        f"Machine: {model}, nproc {os.cpu_count()}, Python {platform.python_version()}, "
        f"{platform.platform()}; cookiecutter {version('cookiecutter')}, jinja2 {version('jinja2')}."
    )


def main() -> None:
    started = time.perf_counter()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for label, specs in (("shipped specs", SPECS), (f"{SYNTHETIC} competitions", synthetic_specs(folder))):
            cold_lib, noop_lib, packages = library_times(specs, folder / "lib")
            cold_cli, noop_cli = cli_times(specs, folder / "cli")
            rows.append(f"| {label} | {packages} | {cold_cli:.2f} | {noop_cli:.2f} | {cold_lib:.2f} | "
                        f"{noop_lib:.3f} | {1000 * cold_lib / packages:.0f} |")  # fmt: skip
    lines = [
        "# Build benchmark",
        "",
        "Written by `python bench/bench_build.py` (`nox -s bench`). " + machine(),
        f"The whole run took {time.perf_counter() - started:.0f} s.",
        "",
        "`cold`: into an empty folder; `no-op`: again into the same folder, every package skipped.",
        f"CLI: `podium build --all` in a fresh process; in-process: `compile.build`. Median of {REPEATS}.",
        "",
        "| catalog | packages | CLI cold s | CLI no-op s | in-process cold s | in-process no-op s | ms per package |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
    ]
    output = REPO / "docs" / "bench-build.md"
    output.write_text("\n".join(lines))
    print("\n".join(lines))
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
