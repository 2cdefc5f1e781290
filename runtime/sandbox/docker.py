"""The docker sandbox: the scaffold's generated image, run with --network none and cgroup limits.

    network none · CPUs (nano_cpus) · memory = memory+swap · pids · RLIMIT_FSIZE · GPUs (device
    requests) · read-only root, private /tmp · all capabilities dropped, no-new-privileges ·
    the image's numeric non-root user (10001)

The image is built from the generated scaffold package when the daemon does not have it, tagged
with a digest of the package's files, so a rebuilt package gets a new image and an unchanged one
is never rebuilt. `PODIUM_DOCKER_BASE_IMAGE` overrides the Dockerfile's base (the private daemon
of dockerd.py has no registry and builds `podium-python:bookworm` instead). The wall clock, the
disk use of the writable mounts and a cancel are watched by the runtime, which kills the container.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import logging
import os
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from podium.runtime.sandbox.base import (
    STDERR_LOG,
    STDOUT_LOG,
    Mount,
    SandboxError,
    SandboxLimits,
    SandboxResult,
    Watch,
    count_denials,
    signal_note,
    stop_note,
)

if TYPE_CHECKING:
    from podium.runtime.execute.packages import ScaffoldPackage

log = logging.getLogger(__name__)

BASE_IMAGE_ENV = "PODIUM_DOCKER_BASE_IMAGE"
AGENT_UID = 10001  # the numeric user of the generated scaffold images
# Files a user adds to a package for `docker build` (see the templates): not part of the image digest.
BUILD_INPUTS = ("certs/extra-ca.pem",)
POLL_SECONDS = 0.5
STATS_EVERY = 1.0


def docker_client_or_error(base_url: str | None = None) -> Any:
    """A docker SDK client that has answered a ping, or SandboxError saying what to do."""
    try:
        import docker
    except ImportError:
        raise SandboxError("the docker backend needs the docker SDK: `pip install 'podium[docker]'`") from None
    where = base_url or os.environ.get("DOCKER_HOST") or "the default socket"
    try:
        client = docker.DockerClient(base_url=base_url, timeout=300) if base_url else docker.from_env(timeout=300)
        client.ping()
    except Exception as error:
        raise SandboxError(
            f"no docker daemon reachable at {where} ({type(error).__name__}); start one (`python -m "
            "podium.runtime.sandbox.dockerd --work DIR` starts a private one and prints DOCKER_HOST) "
            "or use --backend local"
        ) from None
    return client


@functools.cache
def _shared_client(base_url: str | None) -> Any:
    return docker_client_or_error(base_url)


class DockerSandbox:
    isolation = "docker"

    def __init__(self, client: Any, image: str):
        self.client, self.image = client, image

    @classmethod
    def for_scaffold(
        cls, scaffold: ScaffoldPackage, base_url: str | None = None, base_image: str | None = None
    ) -> DockerSandbox:
        client = _shared_client(base_url)
        return cls(client, ensure_scaffold_image(client, scaffold, base_image))

    def run(
        self,
        command: Sequence[str],
        mounts: Sequence[Mount],
        limits: SandboxLimits,
        env: Mapping[str, str],
        timeout: float,
        *,
        log_dir: Path,
        cancel: threading.Event | None = None,
        workdir: str = "/home/agent",
    ) -> SandboxResult:
        import docker

        log_dir.mkdir(parents=True, exist_ok=True)
        writable = [m.source for m in mounts if not m.read_only]
        user = _agent_user(writable)
        watch = Watch(timeout, cancel, writable, limits.disk_bytes)
        container = None
        try:
            options = container_options(command, mounts, limits, env, workdir, user)
            options["labels"]["podium.logs"] = str(log_dir.resolve())
            self._remove_leftovers(log_dir)
            container = self.client.containers.create(self.image, **options)
            container.start()
        except docker.errors.APIError as error:  # the container could not start: not the agent's doing
            if container is not None:
                with contextlib.suppress(Exception):
                    container.remove(force=True)
            return _not_started(log_dir, error.explanation or str(error), watch)
        try:
            status, reason, usage = _supervise(container, watch)
            stdout_path, stderr_path = _save_logs(container, log_dir)
            container.reload()
            oom = bool(container.attrs.get("State", {}).get("OOMKilled"))
        finally:
            with contextlib.suppress(Exception):
                container.remove(force=True)
        exit_code = None if reason else _as_signal(status)
        notes = stop_note(reason, limits, timeout) or (("killed: out of memory",) if oom else signal_note(exit_code))
        return SandboxResult(
            exit_code=exit_code,
            timed_out=reason == "timeout",
            wall_seconds=round(watch.elapsed(), 3),
            cpu_seconds=usage.get("cpu_seconds"),
            max_rss_bytes=usage.get("max_rss_bytes"),
            denied_actions=count_denials(stdout_path, stderr_path),
            stdout_path=stdout_path,
            stderr_path=stderr_path,
            isolation=self.isolation,
            cancelled=reason == "cancel",
            disk_exceeded=reason == "disk",
            notes=notes,
        )

    def _remove_leftovers(self, log_dir: Path) -> None:
        """A container of an earlier attempt of this run whose runtime was killed (containers do not
        die with the process that started them) must not write into the fresh run folder."""
        label = f"podium.logs={log_dir.resolve()}"
        for container in self.client.containers.list(all=True, filters={"label": label}):
            with contextlib.suppress(Exception):
                container.remove(force=True)


def _not_started(log_dir: Path, explanation: str | bytes, watch: Watch) -> SandboxResult:
    stdout_path, stderr_path = log_dir / STDOUT_LOG, log_dir / STDERR_LOG
    stdout_path.write_bytes(b"")
    text = explanation.decode(errors="replace") if isinstance(explanation, bytes) else explanation
    stderr_path.write_text(f"docker: {text}\n", encoding="utf-8")
    return SandboxResult(
        exit_code=None, timed_out=False, wall_seconds=round(watch.elapsed(), 3), cpu_seconds=None,
        max_rss_bytes=None, denied_actions=0, stdout_path=stdout_path, stderr_path=stderr_path,
        isolation=DockerSandbox.isolation, started=False,
    )  # fmt: skip


def container_options(
    command: Sequence[str],
    mounts: Sequence[Mount],
    limits: SandboxLimits,
    env: Mapping[str, str],
    workdir: str,
    user: str,
) -> dict[str, Any]:
    import docker

    options: dict[str, Any] = {
        "entrypoint": list(command),
        "environment": {**env, "HOME": "/tmp", "TMPDIR": "/tmp", "PYTHONDONTWRITEBYTECODE": "1"},
        "working_dir": workdir,
        "user": user,
        "network_mode": "none",
        "nano_cpus": int(limits.cpus * 1e9),
        "mem_limit": limits.memory_bytes,
        "memswap_limit": limits.memory_bytes,
        "pids_limit": limits.max_processes,
        "ulimits": [
            docker.types.Ulimit(name="fsize", soft=limits.max_file_bytes, hard=limits.max_file_bytes),
            docker.types.Ulimit(name="core", soft=0, hard=0),
        ],
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        "read_only": True,
        "tmpfs": {"/tmp": f"size={limits.tmp_bytes},mode=1777"},
        "mounts": [
            docker.types.Mount(m.target, str(m.source.resolve()), type="bind", read_only=m.read_only) for m in mounts
        ],
        "labels": {"podium.sandbox": "agent"},
    }
    if limits.gpus > 0:
        options["device_requests"] = [docker.types.DeviceRequest(count=limits.gpus, capabilities=[["gpu"]])]
    return options


def _agent_user(writable: Sequence[Path]) -> str:
    """The image's agent user when we can hand it the writable folders (as root), else our own uid."""
    if os.geteuid() == 0:
        for folder in writable:
            for path in [folder, *folder.rglob("*")]:
                os.lchown(path, AGENT_UID, AGENT_UID)
        return f"{AGENT_UID}:{AGENT_UID}"
    return f"{os.getuid()}:{os.getgid()}"


def _supervise(container: Any, watch: Watch) -> tuple[int | None, str | None, dict[str, Any]]:
    """Wait for the container, sampling its cgroup stats; kill it on a stop reason."""
    import requests

    usage: dict[str, Any] = {}
    sampled = 0.0
    while True:
        try:
            return container.wait(timeout=POLL_SECONDS)["StatusCode"], None, usage
        except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):
            pass
        if time.monotonic() - sampled >= STATS_EVERY:
            sampled = time.monotonic()
            _sample(container, usage)
        reason = watch.stop_reason()
        if reason is not None:
            with contextlib.suppress(Exception):
                container.kill()
            container.wait(timeout=60)
            return None, reason, usage


def _sample(container: Any, usage: dict[str, Any]) -> None:
    with contextlib.suppress(Exception):
        stats = container.stats(stream=False, one_shot=True)
        memory = stats.get("memory_stats", {})
        peak = max(memory.get("max_usage") or 0, memory.get("usage") or 0)
        usage["max_rss_bytes"] = max(usage.get("max_rss_bytes") or 0, peak) or None
        total = stats.get("cpu_stats", {}).get("cpu_usage", {}).get("total_usage")
        if total:
            usage["cpu_seconds"] = round(total / 1e9, 3)


def _save_logs(container: Any, log_dir: Path) -> tuple[Path, Path]:
    paths = log_dir / STDOUT_LOG, log_dir / STDERR_LOG
    for path, stdout in zip(paths, (True, False), strict=True):
        with path.open("wb") as handle:
            for chunk in container.logs(stdout=stdout, stderr=not stdout, stream=True):
                handle.write(chunk)
    return paths


def _as_signal(status: int | None) -> int | None:
    """Docker reports death by signal N as 128+N; say it as -N, as the local sandbox does."""
    if status is not None and 128 < status <= 128 + 64:
        return -(status - 128)
    return status


# ── the scaffold image ───────────────────────────────────────────────────────────────────────


def package_digest(root: Path) -> str:
    """A hash over the package's files (names and bytes), build inputs excluded."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        name = path.relative_to(root).as_posix()
        if name in BUILD_INPUTS or "__pycache__" in path.parts:
            continue
        digest.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def ensure_scaffold_image(client: Any, scaffold: ScaffoldPackage, base_image: str | None = None) -> str:
    """The tag of the scaffold's image, built from its package if the daemon lacks it."""
    from podium.runtime.sandbox.dockerd import DockerSetupError, build_context, build_image, has_image

    _require_podium_wheel(scaffold)
    tag = f"{scaffold.image_tag}:{package_digest(scaffold.root)[:16]}"
    with _build_lock(tag):
        if has_image(client, tag):
            return tag
        base = base_image or os.environ.get(BASE_IMAGE_ENV)
        with tempfile.TemporaryDirectory(prefix="podium-image-") as work:
            context = build_context(scaffold.root, Path(work))
            try:
                build_image(client, context, tag, {"BASE_IMAGE": base} if base else {}, echo=log.debug)
            except DockerSetupError as error:
                raise SandboxError(f"{error}; set {BASE_IMAGE_ENV} to a base image the daemon has") from None
    return tag


# Agents written with podium import it inside their image, which installs it from a wheel
# placed in the package (the runtime cannot reach an index that has this exact podium).
AGENTS_NEEDING_PODIUM = frozenset({"baseline", "aide"})


def _require_podium_wheel(scaffold: ScaffoldPackage) -> None:
    if scaffold.spec.agent not in AGENTS_NEEDING_PODIUM or list((scaffold.root / "wheels").glob("podium-*.whl")):
        return
    raise SandboxError(
        f"the {scaffold.spec.agent} image installs podium from a wheel, and {scaffold.root / 'wheels'} has none; "
        f"build one with `pip wheel --no-deps -w {scaffold.root / 'wheels'} <podium checkout>` and run again"
    )


@contextlib.contextmanager
def _build_lock(tag: str) -> Any:
    """One build of an image at a time, across threads and processes."""
    name = hashlib.sha256(tag.encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"podium-image-{name}.lock"
    with _THREAD_LOCK, path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


_THREAD_LOCK = threading.Lock()
