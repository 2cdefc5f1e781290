"""Prepare speed: the Lyft 3-D detection hook at Kaggle's scale, and reading a raw table.

    python bench/bench_prepare.py        # writes docs/bench-prepare.md (about two minutes)

The hook splits ten linked JSON tables by driving log and copies every image and lidar sweep to
its side. The raw data here has Kaggle's train-side counts (180 logs, 22,680 samples, 8 sensor
files per sample, 24 annotated boxes per sample) with one-byte sensor files, so the figures are
the hook's own work (parsing, linking, writing, one copy per file), not 85 GB of disk traffic.
Each scale runs in a fresh process; peak memory is that process's maximum resident set size.

The declarative split reads raw CSVs with pyarrow, allowing line breaks inside quoted values (as
pandas does: chats, essays, tweets). The second table prices that against pyarrow's faster
default on a table without any (median of REPEATS reads).
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
HOOK = REPO / "specs" / "competitions" / "3d-object-detection-for-autonomous-vehicles" / "prepare.py"
SAMPLES_PER_LOG, SENSORS, BOXES = 126, ("cam0", "cam1", "cam2", "cam3", "cam4", "cam5", "cam6", "lidar"), 24
TABLES = ("log", "scene", "sample", "sample_data", "ego_pose", "calibrated_sensor", "sample_annotation", "instance")
SCALES = {"a tenth of Kaggle's": 18, "Kaggle's": 180}  # logs
TABLE_ROWS, REPEATS = 2_000_000, 3
RUN_HOOK = """
import sys, time
from pathlib import Path
from podium.runtime.data.sources._common import import_hook
raw, out, folder = (Path(arg) for arg in sys.argv[1:4])
hook = import_hook("prepare.py:prepare", folder)
started = time.perf_counter()
hook(raw=raw, public=out / "public", private=out / "private")
print(time.perf_counter() - started)
"""


def fabricate(raw: Path, logs: int) -> dict[str, int]:
    """Lyft's train-side tables and files in Kaggle's layout; the row counts written."""
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    boxes = []
    for folder in ("train_images", "train_lidar", "train_maps"):
        (raw / folder).mkdir(parents=True)
    for log in range(logs):
        token = f"{log:064x}"
        tables["log"].append({"token": token, "vehicle": f"a{log % 9:03d}", "location": "Palo Alto"})
        tables["scene"].append({"token": token, "log_token": token, "nbr_samples": SAMPLES_PER_LOG})
        tables["calibrated_sensor"] += [{"token": f"{token}-{s}", "sensor_token": s} for s in SENSORS]
        tables["instance"] += [{"token": f"{token}-i{b}", "category_token": "car"} for b in range(BOXES)]
        for index in range(SAMPLES_PER_LOG):
            sample = f"{token}-{index:03d}"
            tables["sample"].append({"token": sample, "scene_token": token, "timestamp": index})
            for sensor in SENSORS:
                add_sensor_file(raw, tables, token, sample, sensor)
            tables["sample_annotation"] += [
                {"token": f"{sample}-a{b}", "sample_token": sample, "instance_token": f"{token}-i{b}"}
                for b in range(BOXES)
            ]
            boxes.append(f"{sample}," + " ".join(f"{b}.5 2.5 -18.5 1.9 4.6 1.7 0.1 car" for b in range(BOXES)))
    for name, rows in tables.items():
        (raw / "train_data").mkdir(exist_ok=True)
        (raw / "train_data" / f"{name}.json").write_text(json.dumps(rows))
    for name in ("attribute", "category", "sensor", "visibility"):
        (raw / "train_data" / f"{name}.json").write_text(json.dumps([{"token": name, "name": name}]))
    tokens = [log["token"] for log in tables["log"]]
    (raw / "train_data" / "map.json").write_text(json.dumps([{"token": "m", "log_tokens": tokens}]))
    (raw / "train_maps" / "map_raster_palo_alto.png").write_bytes(b"png")
    (raw / "train.csv").write_text("Id,PredictionString\n" + "\n".join(boxes) + "\n")
    return {name: len(rows) for name, rows in tables.items()}


def add_sensor_file(raw: Path, tables: dict[str, list[dict[str, Any]]], log: str, sample: str, sensor: str) -> None:
    datum, kind = f"{sample}-{sensor}", ("bin" if sensor == "lidar" else "jpeg")
    folder = "lidar" if kind == "bin" else "images"
    tables["sample_data"].append({"token": datum, "sample_token": sample, "fileformat": kind,
                                  "filename": f"{folder}/{datum}.{kind}", "ego_pose_token": f"p-{datum}",
                                  "calibrated_sensor_token": f"{log}-{sensor}"})  # fmt: skip
    tables["ego_pose"].append({"token": f"p-{datum}", "translation": [0.0, 0.0, 0.0]})
    (raw / f"train_{folder}" / f"{datum}.{kind}").write_bytes(b"x")


def run_hook(raw: Path, out: Path) -> tuple[float, float]:
    """Seconds inside the hook and the peak resident memory (MiB) of the process that ran it."""
    finished = subprocess.run(
        [sys.executable, "-c", RUN_HOOK, str(raw), str(out), str(HOOK.parent)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    # ru_maxrss of children is the largest child's so far: scales run smallest first, so it is this one's
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return float(finished.stdout.strip().splitlines()[-1]), peak / 1024


def read_seconds(path: Path) -> tuple[float, float, float]:
    """Median seconds: pyarrow allowing line breaks in values (podium's setting), pyarrow's default
    (refusing them), and podium's whole raw-table reader (the first, then conversion to pandas)."""
    import pyarrow.csv as pacsv

    from podium.runtime.data.prepare import read_table

    def median(read: Any) -> float:
        times = []
        for _ in range(REPEATS):
            begun = time.perf_counter()
            read()
            times.append(time.perf_counter() - begun)
        return statistics.median(times)

    allowed = pacsv.ParseOptions(newlines_in_values=True)
    return (
        median(lambda: pacsv.read_csv(path, parse_options=allowed)),
        median(lambda: pacsv.read_csv(path)),
        median(lambda: read_table(path, "key")),
    )


def table_row(scratch: Path) -> str:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    table = pd.DataFrame({"key": [f"k{i}" for i in range(TABLE_ROWS)], "x": rng.random(TABLE_ROWS),
                          "y": rng.random(TABLE_ROWS), "n": rng.integers(0, 100, TABLE_ROWS)})  # fmt: skip
    path = scratch / "table.csv"
    table.to_csv(path, index=False)
    allowed, refused, whole = read_seconds(path)
    return f"| {TABLE_ROWS:,} | {path.stat().st_size / 1e6:.0f} | {allowed:.2f} | {refused:.2f} | {whole:.2f} |"


def main() -> None:
    started = time.perf_counter()
    rows = []
    for label, logs in SCALES.items():
        with tempfile.TemporaryDirectory() as scratch:
            raw = Path(scratch) / "raw"
            counts = fabricate(raw, logs)
            seconds, peak = run_hook(raw, Path(scratch) / "out")
            files = counts["sample_data"]
            rows.append(f"| {label} | {logs} | {counts['sample']:,} | {files:,} | {counts['sample_annotation']:,} | "
                        f"{seconds:.1f} | {1e6 * seconds / files:.0f} | {peak:.0f} |")  # fmt: skip
    with tempfile.TemporaryDirectory() as scratch:
        read_row = table_row(Path(scratch))
    lines = [
        "# Prepare benchmark",
        "",
        f"Written by `python bench/bench_prepare.py` (`nox -s bench`). Machine: nproc {os.cpu_count()}, "
        f"Python {platform.python_version()}, {platform.platform()}.",
        f"The whole run took {time.perf_counter() - started:.0f} s.",
        "",
        "The Lyft 3-D detection hook (`specs/competitions/3d-object-detection-for-autonomous-vehicles/prepare.py`)",
        "on fabricated raw data with Kaggle's train-side counts and one-byte sensor files: the table work and",
        "one copy per file, without the real data's 85 GB of disk traffic.",
        "",
        "| scale | logs | samples | sensor files | annotations | hook s | µs per sensor file | peak MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        "Reading a raw table for the declarative split: pyarrow with line breaks allowed in quoted values",
        "(podium's setting), pyarrow's default (refused), and `podium.runtime.data.prepare.read_table` whole",
        f"(the first, then conversion to pandas); median of {REPEATS}.",
        "",
        "| rows | MB | line breaks allowed s | pyarrow default s | read_table s |",
        "|---:|---:|---:|---:|---:|",
        read_row,
        "",
    ]
    output = REPO / "docs" / "bench-prepare.md"
    output.write_text("\n".join(lines))
    print("\n".join(lines))
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
