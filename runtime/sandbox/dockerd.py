"""A private Docker daemon and the base images podium builds on: for CI, tests and the docker backend
on machines without a system daemon (and without access to a public registry).

    ensure_tools()                          apt-get install docker.io debootstrap when missing
    start_dockerd(work) -> client           dockerd with its own data/exec roots and socket under `work`,
                                            no iptables, no bridge (containers run --network none);
                                            stopped by its pid at exit (stop_daemons)
    ensure_base_images(client, work)        debootstrap --variant=minbase bookworm from the machine's
                                            apt mirror (podium-base:bookworm) + python3/venv (podium-python)
    build_image(client, context, tag, ...)  docker build --network host, output streamed to `echo`
    build_context(package, work)            a copy of a generated package plus the system CA bundle

    python -m podium.runtime.sandbox.dockerd --work DIR
        starts a daemon, builds the base images, prints `export DOCKER_HOST=...` and
        `export PODIUM_DOCKER_BASE_IMAGE=...`, and serves until Ctrl-C.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BASE_TAG = "podium-base:bookworm"
PYTHON_TAG = "podium-python:bookworm"
SYSTEM_CA = Path("/etc/ssl/certs/ca-certificates.crt")
DAEMONS: list[subprocess.Popen[bytes]] = []
PYTHON_LAYER = """\
FROM podium-base:bookworm
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \\
    && apt-get install -y --no-install-recommends python3 python3-venv python3-pip \\
    && rm -rf /var/lib/apt/lists/*
"""


class DockerSetupError(Exception):
    """The daemon or an image could not be made; the message says where to look."""


def ensure_tools() -> None:
    wanted = {"dockerd": "docker.io", "debootstrap": "debootstrap"}
    missing = [package for tool, package in wanted.items() if not Path(tool_path(tool)).exists()]
    if not missing:
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=env)


def socket_url(work: Path) -> str:
    return f"unix://{work / 'docker.sock'}"


def start_dockerd(work: Path, timeout: float = 60.0) -> Any:
    """A private dockerd; returns a docker SDK client. Its pid is stopped at exit."""
    import docker

    for folder in ("docker-data", "docker-exec"):
        (work / folder).mkdir(parents=True, exist_ok=True)
    command = [
        tool_path("dockerd"), "--iptables=false", "--bridge=none", "--ip-forward=false",
        "--data-root", str(work / "docker-data"), "--exec-root", str(work / "docker-exec"),
        "-H", socket_url(work), "--pidfile", str(work / "docker.pid"),
    ]  # fmt: skip
    log = (work / "dockerd.log").open("ab")
    daemon = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    DAEMONS.append(daemon)
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(Exception):  # the client asks the daemon's API version at once
            client = docker.DockerClient(base_url=socket_url(work), timeout=600)
            if client.ping():
                return client
        if daemon.poll() is not None or time.monotonic() > deadline:
            raise DockerSetupError(f"dockerd did not start; see {work / 'dockerd.log'}")
        time.sleep(0.5)


def stop_daemons() -> None:
    """Stop the daemons this process started, by their pid."""
    while DAEMONS:
        daemon = DAEMONS.pop()
        if daemon.poll() is not None:
            continue
        daemon.terminate()
        try:
            daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()


atexit.register(stop_daemons)


def unmount_below(folder: Path) -> None:
    """dockerd leaves its network namespace bind-mounted under --exec-root; unmount what remains."""
    mounts = [line.split()[1].replace("\\040", " ") for line in Path("/proc/self/mounts").read_text().splitlines()]
    inside = [m for m in mounts if Path(m).is_relative_to(folder.resolve())]
    for mount_point in sorted(inside, key=len, reverse=True):
        subprocess.run(["umount", "-l", mount_point], check=False)


def tool_path(name: str) -> str:
    return shutil.which(name) or f"/usr/sbin/{name}"


def apt_mirror() -> str:
    """The first Debian mirror the machine's apt uses (never a hard-coded host)."""
    files = [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]
    for path in files:
        if not path.is_file() or path.suffix not in (".list", ".sources", ""):
            continue
        text = path.read_text(errors="replace")
        for uri in re.findall(r"^URIs:\s*(\S+)", text, re.M) + re.findall(r"^deb\s+(?:\[[^]]*\]\s+)?(\S+)", text, re.M):
            if "security" not in uri:
                return uri
    raise DockerSetupError("no Debian mirror found in /etc/apt/sources.list or /etc/apt/sources.list.d/")


def ensure_base_images(client: Any, work: Path, echo: Callable[[str], None] = print) -> None:
    if not has_image(client, BASE_TAG):
        rootfs = work / "rootfs"
        shutil.rmtree(rootfs, ignore_errors=True)
        debootstrap = [tool_path("debootstrap"), "--variant=minbase", "bookworm", str(rootfs), apt_mirror()]
        subprocess.run(debootstrap, check=True, stdout=sys.stderr)  # stdout is for what callers print
        archive = work / "rootfs.tar"
        subprocess.run(["tar", "-C", str(rootfs), "-cf", str(archive), "."], check=True)
        repository, tag = BASE_TAG.split(":")
        client.api.import_image_from_file(str(archive), repository=repository, tag=tag)
        archive.unlink()
        shutil.rmtree(rootfs, ignore_errors=True)
    if not has_image(client, PYTHON_TAG):
        context = work / "python-layer"
        context.mkdir(exist_ok=True)
        (context / "Dockerfile").write_text(PYTHON_LAYER)
        build_image(client, context, PYTHON_TAG, {}, echo)


def has_image(client: Any, tag: str) -> bool:
    import docker

    try:
        client.images.get(tag)
    except docker.errors.ImageNotFound:
        return False
    return True


def build_image(
    client: Any, context: Path, tag: str, buildargs: dict[str, str], echo: Callable[[str], None] = print
) -> None:
    """docker build --network host, streaming the build's output to `echo`."""
    stream = client.api.build(
        path=str(context),
        tag=tag,
        buildargs=buildargs,
        network_mode="host",
        rm=True,
        forcerm=True,
        decode=True,
    )
    for chunk in stream:
        if "error" in chunk:
            raise DockerSetupError(f"docker build of {tag} failed: {chunk['error'].strip()}")
        text = chunk.get("stream", "")
        if text.strip():
            echo(f"    {text.rstrip()}")


def build_context(package: Path, work: Path, wheel: Path | None = None) -> Path:
    """A copy of the generated package plus the docker build inputs (the package stays untouched)."""
    context = work / "contexts" / package.name
    shutil.rmtree(context, ignore_errors=True)
    shutil.copytree(package, context, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    if SYSTEM_CA.is_file():
        shutil.copyfile(SYSTEM_CA, context / "certs" / "extra-ca.pem")
    if wheel is not None:
        shutil.copy(wheel, context / "wheels" / wheel.name)
    return context


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, required=True, help="The daemon's folder (images persist here).")
    arguments = parser.parse_args(argv)
    work = arguments.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    try:
        ensure_tools()
        client = start_dockerd(work)
        ensure_base_images(client, work, echo=lambda line: print(line, file=sys.stderr))
    except (DockerSetupError, subprocess.CalledProcessError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"export DOCKER_HOST={socket_url(work)}")
    print(f"export PODIUM_DOCKER_BASE_IMAGE={PYTHON_TAG}", flush=True)
    stopped = False

    def stop(*_: object) -> None:
        nonlocal stopped
        stopped = True

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)
    while not stopped and all(daemon.poll() is None for daemon in DAEMONS):
        time.sleep(0.5)
    stop_daemons()
    unmount_below(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
