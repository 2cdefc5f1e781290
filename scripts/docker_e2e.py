"""End to end in Docker (`nox -s docker`): build the images, run the dummy agent isolated, grade it.

    1. apt-get install docker.io debootstrap when missing
    2. start a private dockerd (own data/exec roots and socket under a temp folder, no iptables,
       no bridge), stopped by its pid at exit whatever happens
    3. base image: debootstrap --variant=minbase bookworm from the machine's own apt mirror,
       imported as podium-base:bookworm, plus a layer with python3 + venv (podium-python:bookworm)
    4. `podium build spaceship-titanic`; docker build of the competition image and of the dummy
       scaffold image (--network host, the system CA bundle as certs/extra-ca.pem)
    5. `podium prepare spaceship-titanic` on the host
    6. run the dummy agent with --network none, public data read-only at /home/data, the
       submission folder mounted; probe from inside that the answers are unreadable, the data
       read-only, the user not root and the network absent
    7. grade the submission with the competition image (network none, data read-only)

Prints a timing table and exits 1 on the first failed check. `--work DIR` keeps the daemon's
data root (and so its images) between runs; by default everything lives in a temp folder.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# The daemon and base-image steps are shared with the runtime's docker backend and its tests.
from podium.runtime.sandbox.dockerd import (
    PYTHON_TAG,
    DockerSetupError,
    build_context,
    build_image,
    ensure_base_images,
    ensure_tools,
    start_dockerd,
    stop_daemons,
    unmount_below,
)

ROOT = Path(__file__).resolve().parents[1]
COMPETITION = "spaceship-titanic"
SCAFFOLD = "dummy"
AGENT_UID = 10001  # the numeric user of the generated images
# Runs inside the agent container as the agent user: each probe must fail for isolation to hold.
PROBE = r"""
import json, os, socket, subprocess
private = os.environ["HOST_PRIVATE"]
attempts = {
    "answers_at_host_path": ["cat", private + "/test.csv"],
    "answers_beside_data": ["cat", "/home/data/../private/test.csv"],
    "answers_in_prepared": ["cat", "/home/prepared/private/test.csv"],
    "write_to_data": ["touch", "/home/data/written-by-agent"],
}
result = {name: subprocess.run(cmd, capture_output=True).returncode != 0 for name, cmd in attempts.items()}
found = subprocess.run(["find", "/", "-xdev", "-path", "*private*", "-name", "test.csv"],
                       capture_output=True, text=True).stdout.split()
result["no_answers_file_anywhere"] = not found
try:
    socket.create_connection(("1.1.1.1", 53), timeout=3)
    result["network_absent"] = False
except OSError:
    result["network_absent"] = True
result["only_loopback"] = sorted(os.listdir("/sys/class/net")) == ["lo"]
result["not_root"] = os.getuid() != 0
print(json.dumps(result))
"""


class Step:
    """Times named steps; prints them as a table at the end."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        print(f"==> {name}", flush=True)
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = time.perf_counter() - started

    def table(self) -> str:
        rows = [f"| {name} | {seconds:.1f} |" for name, seconds in self.seconds.items()]
        total = sum(self.seconds.values())
        return "\n".join(["| step | seconds |", "|---|---:|", *rows, f"| **total** | **{total:.1f}** |"])


class CheckFailed(Exception):
    pass


def check(condition: bool, what: str) -> None:
    if not condition:
        raise CheckFailed(what)
    print(f"    ok: {what}", flush=True)


# ── images ───────────────────────────────────────────────────────────────────────────────────


def podium_wheel(work: Path, given: Path | None) -> Path:
    """The podium wheel the competition image installs: --wheel, else built from this checkout."""
    if given is not None:
        return given
    folder = work / "wheel"
    shutil.rmtree(folder, ignore_errors=True)
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(folder), str(ROOT)]
    if subprocess.run(pip_wheel, check=False).returncode != 0:
        raise CheckFailed(f"pip could not build a podium wheel from {ROOT}; fix that, or pass --wheel FILE")
    return next(folder.glob("podium-*.whl"))


# ── running ──────────────────────────────────────────────────────────────────────────────────


def run_container(client: Any, image: str, **options: Any) -> tuple[int, str]:
    container = client.containers.run(image, detach=True, network_mode="none", **options)
    try:
        status = container.wait(timeout=600)["StatusCode"]
        return status, container.logs(stdout=True, stderr=True).decode(errors="replace")
    finally:
        container.remove(force=True)


def read_only(path: Path) -> dict[str, str]:
    return {"bind": str(path), "mode": "ro"}


def main() -> int:
    arguments = _arguments()
    steps = Step()
    work = arguments.work or Path(tempfile.mkdtemp(prefix="podium-docker-e2e-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        run_all(steps, work, arguments.wheel)
    except (CheckFailed, DockerSetupError, subprocess.CalledProcessError) as error:
        print(f"\nFAILED: {error}", file=sys.stderr)
        return 1
    finally:
        stop_daemons()  # before removing its data root
        print("\n" + steps.table())
        unmount_below(work)
        if arguments.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, help="Keep the daemon's data root (images) here between runs.")
    parser.add_argument("--wheel", type=Path, help="A podium wheel to install; default: built from this checkout.")
    return parser.parse_args()


def run_all(steps: Step, work: Path, wheel_file: Path | None) -> None:
    with steps("install docker.io and debootstrap if missing"):
        ensure_tools()
    with steps("start dockerd"):
        client = start_dockerd(work)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: sys.exit(130))  # runs atexit, so the daemon stops
    with steps("base images (debootstrap minbase + python3)"):
        ensure_base_images(client, work)
    generated = work / "generated"
    with steps(f"podium build {COMPETITION}"):
        subprocess.run(["podium", "build", COMPETITION, "--out", str(generated)], check=True, cwd=ROOT)
    with steps(f"docker build {COMPETITION} image"):
        wheel = podium_wheel(work, wheel_file)
        context = build_context(generated / "competitions" / COMPETITION, work, wheel)
        build_image(client, context, f"podium/{COMPETITION}", {"BASE_IMAGE": PYTHON_TAG})
    with steps(f"docker build {SCAFFOLD} scaffold image"):
        context = build_context(generated / "scaffolds" / SCAFFOLD, work)
        build_image(client, context, f"podium/scaffold-{SCAFFOLD}", {"BASE_IMAGE": PYTHON_TAG})
    check_labels(client, generated)
    data = work / "podium-data"
    with steps(f"podium prepare {COMPETITION}"):
        subprocess.run(["podium", "prepare", COMPETITION, "--data-dir", str(data)], check=True, cwd=ROOT)
    submission = work / "submission"
    with steps("run the dummy agent (network none, data read-only)"):
        run_agent(client, data, submission)
    with steps("probe isolation from inside the agent container"):
        probe_isolation(client, data, submission)
    with steps("grade with the competition image"):
        grade(client, data, submission)


def check_labels(client: Any, generated: Path) -> None:
    manifest = json.loads((generated / "manifest.json").read_text())["packages"]
    for image, key in ((f"podium/{COMPETITION}", f"competitions/{COMPETITION}"),
                       (f"podium/scaffold-{SCAFFOLD}", f"scaffolds/{SCAFFOLD}")):  # fmt: skip
        labels = client.images.get(image).labels
        check(labels.get("podium.spec.sha256") == manifest[key]["spec_sha256"], f"{image} carries its spec hash")
        check(
            client.images.get(image).attrs["Config"]["User"] == f"{AGENT_UID}:{AGENT_UID}",
            f"{image} runs as non-root",
        )


def agent_mounts(data: Path, submission: Path) -> dict[str, dict[str, str]]:
    public = data / COMPETITION / "prepared" / "public"
    return {
        str(public): read_only(Path("/home/data")),
        str(submission): {"bind": "/home/submission", "mode": "rw"},
    }


def run_agent(client: Any, data: Path, submission: Path) -> None:
    submission.mkdir(exist_ok=True)
    os.chown(submission, AGENT_UID, AGENT_UID)  # the agent user writes here, and nowhere else
    status, logs = run_container(
        client, f"podium/scaffold-{SCAFFOLD}", environment={"COMPETITION_ID": COMPETITION},
        volumes=agent_mounts(data, submission),
    )  # fmt: skip
    print(f"    {logs.strip()}")
    check(status == 0, "the dummy agent exits 0")
    sample = data / COMPETITION / "prepared" / "public" / "sample_submission.csv"
    check((submission / "submission.csv").read_bytes() == sample.read_bytes(), "submission.csv is the sample")


def probe_isolation(client: Any, data: Path, submission: Path) -> None:
    private = data / COMPETITION / "prepared" / "private"
    status, logs = run_container(
        client, f"podium/scaffold-{SCAFFOLD}", entrypoint=["python", "-c", PROBE],
        environment={"COMPETITION_ID": COMPETITION, "HOST_PRIVATE": str(private)},
        volumes=agent_mounts(data, submission),
    )  # fmt: skip
    check(status == 0, "the probe ran")
    for name, held in json.loads(logs.strip().splitlines()[-1]).items():
        check(held, f"isolation: {name}")


def grade(client: Any, data: Path, submission: Path) -> None:
    volumes = {str(data): read_only(Path("/data")), str(submission): read_only(Path("/submission"))}
    leaderboards = os.environ.get("PODIUM_LEADERBOARDS")
    if leaderboards:
        volumes[leaderboards] = read_only(Path("/leaderboards"))
    image = f"podium/{COMPETITION}"
    status, logs = run_container(client, image, command=["info", "--json"])
    spec_sha256 = client.images.get(image).labels["podium.spec.sha256"]
    check(status == 0 and json.loads(logs)["spec_sha256"] == spec_sha256, "info reports the image's spec hash")
    status, logs = run_container(client, image, command=["validate", "/submission/submission.csv"], volumes=volumes)
    check(status == 0 and logs.startswith("valid"), f"validate says valid: {logs.strip()}")
    status, logs = run_container(client, image, command=["grade", "/submission/submission.csv"], volumes=volumes)
    report = json.loads(logs[logs.index("{") :])
    print(f"    score {report['score']}, medal {report.get('medal')}, leaderboard: {report.get('n_teams')} teams")
    check(status == 0 and report["valid_submission"] and report["score"] is not None, "the submission grades")


if __name__ == "__main__":
    sys.exit(main())
