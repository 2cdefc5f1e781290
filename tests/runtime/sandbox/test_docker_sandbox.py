"""The docker sandbox (integration: needs a daemon, skipped with the reason when there is none): the
generated scaffold image runs with no network, read-only data, no answers, a non-root user, cgroup
limits, and the run loop's docker backend records a graded run."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from docker_daemon import skip_if_no_docker

from podium.runtime.execute import execute_run, load_scaffold_package
from podium.runtime.sandbox import Mount, SandboxError, SandboxLimits, SandboxResult
from podium.runtime.sandbox.docker import DockerSandbox
from podium.runtime.store import RunRecord, run_id_for

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "execute"))
from runtime_world import COMPETITION, World, build_world

pytestmark = pytest.mark.integration
PROBE = """
import json, os, socket, sys
private = sys.argv[1]
result = {}
for name, path in {"host_private": private + "/test.csv", "beside_data": "/home/data/../private/test.csv"}.items():
    try:
        open(path).read(); result[name] = "READ"
    except OSError as error:
        result[name] = type(error).__name__
try:
    open("/home/data/train.csv", "a").write("x"); result["data"] = "WRITTEN"
except OSError as error:
    result["data"] = type(error).__name__
try:
    socket.create_connection(("1.1.1.1", 53), timeout=3); result["network"] = "CONNECTED"
except OSError as error:
    result["network"] = str(error)
result["uid"] = os.getuid()
result["interfaces"] = sorted(os.listdir("/sys/class/net"))
print(json.dumps(result))
"""


@pytest.fixture(scope="module")
def client() -> Any:
    return skip_if_no_docker()


@pytest.fixture(scope="module")
def world(client: Any, tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("docker-world"))


@pytest.fixture(scope="module")
def sandbox(client: Any, world: World) -> DockerSandbox:
    """The dummy scaffold's image, built from its generated package."""
    return DockerSandbox.for_scaffold(load_scaffold_package(world.packages / "scaffolds" / "dummy"))


@pytest.fixture
def folders(tmp_path: Path, world: World) -> Iterator[dict[str, Path]]:
    submission, logs = tmp_path / "submission", tmp_path / "logs"
    submission.mkdir()
    logs.mkdir()
    yield {"public": world.data / COMPETITION / "prepared" / "public", "submission": submission, "logs": logs}


def run(sandbox: DockerSandbox, folders: dict[str, Path], command: list[str], **limits: Any) -> SandboxResult:
    timeout = limits.pop("timeout", 60)
    mounts = [
        Mount(folders["public"] / "train.csv", "/home/data/train.csv"),
        Mount(folders["submission"], "/home/submission", read_only=False),
    ]
    return sandbox.run(command, mounts, SandboxLimits(**limits), {"COMPETITION_ID": COMPETITION}, timeout,
                       log_dir=folders["logs"])  # fmt: skip


def test_isolation_holds_in_the_container(sandbox: DockerSandbox, folders: dict[str, Path], world: World) -> None:
    result = run(sandbox, folders, ["python", "-c", PROBE, str(world.private)])
    assert result.exit_code == 0, result.stderr_path.read_text()
    facts = json.loads(result.stdout_path.read_text().strip().splitlines()[-1])
    assert facts["host_private"] == "FileNotFoundError" and facts["beside_data"] == "FileNotFoundError"
    assert facts["data"] in ("OSError", "PermissionError")  # read-only file system or permission
    assert "unreachable" in facts["network"] and facts["interfaces"] == ["lo"]
    assert facts["uid"] != 0
    assert result.isolation == "docker" and result.denied_actions >= 1


def test_a_timeout_kills_the_container(sandbox: DockerSandbox, folders: dict[str, Path]) -> None:
    started = time.monotonic()
    result = run(sandbox, folders, ["python", "-c", "import time; time.sleep(600)"], timeout=2)
    assert result.timed_out and result.exit_code is None and time.monotonic() - started < 30
    assert not sandbox.client.containers.list(all=True, filters={"label": "podium.sandbox=agent"})


def test_the_pids_limit_contains_a_fork_bomb(sandbox: DockerSandbox, folders: dict[str, Path]) -> None:
    code = "import os, time\nn = 0\ntry:\n    for _ in range(500):\n        if os.fork() == 0:\n            time.sleep(30); os._exit(0)\n        n += 1\nexcept OSError as e:\n    print('refused after', n, e)"
    result = run(sandbox, folders, ["python", "-c", code], max_processes=40)
    text = result.stdout_path.read_text()
    assert "refused after" in text and int(text.split("refused after ")[1].split()[0]) < 40


def test_a_run_on_the_docker_backend_is_graded_and_recorded(world: World, tmp_path: Path, client: Any) -> None:
    record = RunRecord(
        run_id=run_id_for("docker", COMPETITION, "dummy", 0), suite="docker", competition_id=COMPETITION,
        scaffold_id="dummy", seed=0, status="running", competition_sha256="", scaffold_sha256="",
        created_at=datetime.now(timezone.utc), run_dir=str(tmp_path / "run"), data_dir=str(world.data),
    )  # fmt: skip
    finished = execute_run(record, world.settings(backend="docker"))
    assert finished.status == "succeeded", finished.error
    assert finished.sandbox == "docker" and finished.report and finished.report["valid_submission"] is True
    assert finished.scaffold_sha256 == load_scaffold_package(world.packages / "scaffolds" / "dummy").spec_sha256


def test_agent_image_without_a_podium_wheel_says_how_to_build_one(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from podium.runtime.sandbox.docker import ensure_scaffold_image

    (tmp_path / "wheels").mkdir()
    baseline = SimpleNamespace(root=tmp_path, spec=SimpleNamespace(agent="baseline"))
    with pytest.raises(SandboxError, match=r"installs podium from a wheel.*pip wheel --no-deps"):
        ensure_scaffold_image(client=None, scaffold=baseline)  # type: ignore[arg-type]
