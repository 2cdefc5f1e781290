"""The local sandbox: bubblewrap when it is installed, else a plain process with a loud warning.

With bwrap the agent gets a root of its own: the system folders and the Python that runs it
read-only, the mounts at the contract's /home paths, a private /tmp, no network (a network
namespace with only loopback), its own pid namespace (everything in it dies with the run), and
the rlimits below. When the runtime runs as root the agent still runs as an unprivileged uid of
its own (`setpriv`), taken from a pool so that concurrent runs never share a process budget:
RLIMIT_NPROC is not enforced for root, so a fork bomb is contained only that way. Without bwrap
the agent is a plain process with the same rlimits, sees the mounts through a folder of symlinks
and is NOT isolated from the network or the answers.

    rlimits (prlimit): RLIMIT_AS memory, RLIMIT_CPU cpus x wall time, RLIMIT_NPROC processes,
                       RLIMIT_FSIZE the largest file, RLIMIT_CORE 0
    runtime:           wall clock (the process group is killed), disk use of the writable mounts
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import pwd
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Literal

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
    wait_for,
)

log = logging.getLogger(__name__)

Isolation = Literal["auto", "bwrap", "plain"]
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
AGENT_UID_BASE, AGENT_UID_COUNT = 20001, 1000  # unprivileged uids for agents when the runtime is root
UID_LOCKS = Path(tempfile.gettempdir()) / "podium-agent-uids"
REPORTER = Path(__file__).with_name("usage_reporter.py")
REPORTER_TARGET = "/.podium/usage_reporter.py"
NOT_ISOLATED_WARNING = (
    "agents run as plain processes with rlimits only, NOT isolated from the network or from files "
    "the runtime can read, answers included. Install bubblewrap (Debian/Ubuntu: apt-get install "
    "bubblewrap) before running agents you do not trust."
)


@dataclass(frozen=True)
class Identity:
    """Who the agent runs as; None fields: as the runtime's own user."""

    uid: int | None = None
    gid: int | None = None


class LocalSandbox:
    """`Sandbox` on this machine; `isolation='auto'` picks bwrap when it is installed."""

    def __init__(self, isolation: Isolation = "auto"):
        bwrap = shutil.which("bwrap")
        if isolation == "bwrap" and bwrap is None:
            raise SandboxError("bwrap is required but not installed (Debian/Ubuntu: apt-get install bubblewrap)")
        self.bwrap = bwrap if isolation != "plain" else None
        self.isolation = "bwrap" if self.bwrap else "plain"
        self.prlimit = shutil.which("prlimit")
        self.setpriv = shutil.which("setpriv")
        self.as_root = os.geteuid() == 0
        if self.bwrap and self.as_root and self.setpriv is None:
            raise SandboxError("running as root needs `setpriv` (util-linux) to drop the agent to its own uid")
        if self.isolation == "plain":
            reason = "bubblewrap (bwrap) is not installed" if bwrap is None else "isolation is 'plain'"
            log.warning(f"{reason}: {NOT_ISOLATED_WARNING}")

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
        log_dir.mkdir(parents=True, exist_ok=True)
        stdout_path, stderr_path = log_dir / STDOUT_LOG, log_dir / STDERR_LOG
        writable = [m.source for m in mounts if not m.read_only]
        with (
            self._identity() as identity,
            tempfile.TemporaryDirectory(prefix="podium-sandbox-") as scratch,
            _ReportPipe() as usage,
            _ReportPipe() as status,
        ):
            give_to(identity, writable)
            pipes = _Pipes(usage, status)
            launch = self._launch(command, mounts, limits, env, timeout, workdir, identity, Path(scratch), pipes)
            watch = Watch(timeout, cancel, writable, limits.disk_bytes)
            with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
                reaped, reason = _supervise(launch, out, err, watch, pipes)
            measured = _usage_report(usage.read()) if self.bwrap else reaped.usage
            # bwrap says the command's exit code on its status descriptor; without it, bwrap itself failed.
            started = reason is not None or not self.bwrap or b'"exit-code"' in status.read()
        exit_code = None if reaped.status is None else os.waitstatus_to_exitcode(reaped.status)
        return SandboxResult(
            exit_code=exit_code if reason is None else None,
            timed_out=reason == "timeout",
            wall_seconds=round(watch.elapsed(), 3),
            cpu_seconds=_rounded(measured.get("cpu_seconds")),
            max_rss_bytes=_whole(measured.get("max_rss_bytes")),
            denied_actions=count_denials(stdout_path, stderr_path),
            stdout_path=stdout_path,
            stderr_path=stderr_path,
            isolation=self.isolation,
            cancelled=reason == "cancel",
            disk_exceeded=reason == "disk",
            notes=stop_note(reason, limits, timeout) + (() if reason else signal_note(exit_code)),
            started=started,
        )

    @contextlib.contextmanager
    def _identity(self) -> Iterator[Identity]:
        if not (self.bwrap and self.as_root):
            yield Identity()
            return
        with claim_agent_uid() as uid:
            yield Identity(uid, uid)

    def _launch(
        self,
        command: Sequence[str],
        mounts: Sequence[Mount],
        limits: SandboxLimits,
        env: Mapping[str, str],
        timeout: float,
        workdir: str,
        identity: Identity,
        scratch: Path,
        pipes: _Pipes,
    ) -> Launch:
        """The argv, working folder and environment that start `command` under this sandbox."""
        values = rlimit_values(limits, timeout, identity)
        limit_args = [self.prlimit, *(f"--{n}={v}" for n, v in values.items()), "--"] if self.prlimit else []
        preexec = None if self.prlimit else _rlimits_in_child(values)
        # The sandbox's first process dies with the runtime (kill -9 included): bwrap's own
        # --die-with-parent covers what runs inside, not bwrap itself, which would linger.
        dies_with_runtime = [self.setpriv, "--pdeathsig", "SIGKILL", "--"] if self.setpriv else []
        if self.bwrap:
            drop = _drop_privileges(self.setpriv, identity)
            inside = [*mounts, Mount(REPORTER, REPORTER_TARGET)]
            report = [sys.executable, "-I", "-S", REPORTER_TARGET, str(pipes.usage.write_end)]
            status = ["--json-status-fd", str(pipes.status.write_end)]
            options = bwrap_arguments(inside, limits, workdir, identity)
            argv = [*dies_with_runtime, self.bwrap, *status, *options, *drop, *limit_args, *report, *command]
            return Launch(argv, scratch, dict(env), preexec, pipes.write_ends)
        view = build_view(scratch / "view", mounts)
        tmp = scratch / "tmp"
        tmp.mkdir()
        full_env = {name: in_view(value, view, mounts) for name, value in env.items()}
        full_env |= {"TMPDIR": str(tmp), "HOME": str(tmp)}
        argv = [*dies_with_runtime, *limit_args, *(in_view(part, view, mounts) for part in command)]
        return Launch(argv, Path(in_view(workdir, view, mounts)), full_env, preexec)


@dataclass(frozen=True)
class Launch:
    argv: list[str]
    cwd: Path
    env: dict[str, str]
    preexec: Callable[[], None] | None  # only without prlimit
    pass_fds: tuple[int, ...] = ()


def _supervise(
    launch: Launch, out: IO[bytes], err: IO[bytes], watch: Watch, pipes: _Pipes
) -> tuple[_Reaper, str | None]:
    process = subprocess.Popen(
        launch.argv,
        cwd=launch.cwd,
        env=launch.env,
        stdin=subprocess.DEVNULL,
        stdout=out,
        stderr=err,
        start_new_session=True,  # its own process group: a stop kills every descendant
        close_fds=True,
        pass_fds=launch.pass_fds,
        preexec_fn=launch.preexec,
    )
    pipes.close_write_ends()  # the sandbox holds the only writers now: reads end when it does
    reaped = _Reaper(process)
    reason = wait_for(reaped.finished.wait, watch)
    kill_group(process.pid)  # on a stop, and after a normal exit: no daemon outlives its run
    reaped.finished.wait()
    return reaped, reason


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _whole(value: float | None) -> int | None:
    return None if value is None else int(value)


def rlimit_values(limits: SandboxLimits, timeout: float, identity: Identity) -> dict[str, int]:
    """prlimit's option names -> values. RLIMIT_NPROC counts every process of the uid, so an agent
    that shares the runtime's uid gets its budget on top of what that uid already runs."""
    processes = limits.max_processes
    if identity.uid is None:
        processes += processes_of(os.getuid())
    return {
        "as": limits.memory_bytes,
        "cpu": int(limits.cpus * timeout) + 60,
        "nproc": processes,
        "fsize": limits.max_file_bytes,
        "core": 0,
    }


RLIMITS = {
    "as": resource.RLIMIT_AS,
    "cpu": resource.RLIMIT_CPU,
    "nproc": resource.RLIMIT_NPROC,
    "fsize": resource.RLIMIT_FSIZE,
    "core": resource.RLIMIT_CORE,
}


def _rlimits_in_child(values: dict[str, int]) -> Callable[[], None]:
    """Without prlimit: the rlimits set between fork and exec. Python's preexec_fn is not safe in a
    threaded program (a lock held by another thread at fork), hence prlimit whenever it exists."""

    def apply() -> None:
        for name, value in values.items():
            resource.setrlimit(RLIMITS[name], (value, value))

    return apply


def processes_of(uid: int) -> int:
    """Tasks (processes and their threads, which RLIMIT_NPROC counts alike) that `uid` runs now."""
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if entry.stat().st_uid == uid:
                    count += len(os.listdir(f"/proc/{entry.name}/task"))
    return count


def _drop_privileges(setpriv: str | None, identity: Identity) -> list[str]:
    if identity.uid is None or setpriv is None:
        return []
    return [
        setpriv, f"--reuid={identity.uid}", f"--regid={identity.gid}", "--clear-groups",
        "--inh-caps=-all", "--bounding-set=-all", "--",
    ]  # fmt: skip


def bwrap_arguments(mounts: Sequence[Mount], limits: SandboxLimits, workdir: str, identity: Identity) -> list[str]:
    """bwrap's options: namespaces, the system read-only, the mounts, a private /tmp, no network."""
    if identity.uid is None:
        namespaces = ["--unshare-all"]  # unprivileged: a user namespace maps the caller's uid
    else:
        # As root, no user namespace: the agent must be a real unprivileged uid for RLIMIT_NPROC to
        # hold, and setpriv inside needs CAP_SETUID/CAP_SETGID to become it (dropped right after).
        namespaces = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
        namespaces += ["--cap-add", "CAP_SETUID,CAP_SETGID"]
    arguments = [*namespaces, "--die-with-parent", "--new-session"]
    arguments += _system_binds()
    arguments += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/dev/shm"]
    arguments += ["--perms", "1777", "--size", str(limits.tmp_bytes), "--tmpfs", "/tmp"]
    arguments += _gpu_devices(limits.gpus)
    all_mounts = [*_python_mounts(), *mounts]
    arguments += _folders_for(all_mounts)
    for mount in sorted(all_mounts, key=lambda m: PurePosixPath(m.target).parts):
        arguments += ["--ro-bind" if mount.read_only else "--bind", os.path.abspath(mount.source), mount.target]
    arguments += ["--remount-ro", "/", "--chdir", workdir, "--"]
    return arguments


def _system_binds() -> list[str]:
    arguments = []
    for folder in SYSTEM_DIRS:
        path = Path(folder)
        if path.is_symlink():
            arguments += ["--symlink", os.readlink(path), folder]
        elif path.is_dir():
            arguments += ["--ro-bind", folder, folder]
    return arguments


def _python_mounts() -> list[Mount]:
    """The interpreter that runs the runtime and podium's own source, read-only at their own paths:
    local agents run on that Python, and podium's agents import podium.runtime.agents. Only the
    package folders are mounted, never a checkout around them (which may hold prepared data)."""
    import podium
    import podium.generator
    import podium.runtime

    prefixes = {Path(sys.prefix), Path(sys.base_prefix), Path(os.path.realpath(sys.executable)).parent.parent}
    sources = {Path(module.__file__ or "").resolve().parent for module in (podium, podium.runtime, podium.generator)}
    folders = sorted(prefixes) + sorted(s for s in sources if not any(s.is_relative_to(p) for p in prefixes))
    return [Mount(folder, str(folder)) for folder in folders if not _under_system(str(folder))]


def _under_system(path: str) -> bool:
    return any(path == folder or path.startswith(folder + "/") for folder in SYSTEM_DIRS)


def _folders_for(mounts: Sequence[Mount]) -> list[str]:
    """`--dir` with mode 0755 for each folder above a mount: bwrap would make them 0700, which an
    agent running as another uid could not enter."""
    targets = {m.target for m in mounts}
    ancestors = {str(parent) for m in mounts for parent in PurePosixPath(m.target).parents}
    needed = sorted((a for a in ancestors if a != "/" and a not in targets and not _under_system(a)), key=len)
    return [part for folder in needed for part in ("--perms", "0755", "--dir", folder)]


def _gpu_devices(gpus: int) -> list[str]:
    if gpus <= 0:
        return []
    devices = sorted(str(p) for p in Path("/dev").glob("nvidia*"))
    return [part for device in devices for part in ("--dev-bind", device, device)]


def build_view(root: Path, mounts: Sequence[Mount]) -> Path:
    """For the plain sandbox: the contract's paths as symlinks under `root`."""
    for mount in mounts:
        link = root / mount.target.lstrip("/")
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(mount.source.resolve())
    return root


def in_view(value: str, view: Path, mounts: Sequence[Mount]) -> str:
    """A contract path (`/home/data/train.csv`) as its place in the view; other values unchanged."""
    tops = {PurePosixPath(m.target).parts[1] for m in mounts if len(PurePosixPath(m.target).parts) > 1}
    parts = PurePosixPath(value).parts if value.startswith("/") else ()
    if len(parts) > 1 and parts[1] in tops:
        return str(view / value.lstrip("/"))
    return value


def give_to(identity: Identity, folders: Sequence[Path]) -> None:
    """Make the writable mounts the agent's: it writes there and nowhere else."""
    if identity.uid is None or identity.gid is None:
        return
    for folder in folders:
        for path in [folder, *folder.rglob("*")]:
            os.lchown(path, identity.uid, identity.gid)


@contextlib.contextmanager
def claim_agent_uid() -> Iterator[int]:
    """An unprivileged uid no other run holds (a file lock per uid, released even by kill -9) and
    no account on this machine has."""
    UID_LOCKS.mkdir(mode=0o755, exist_ok=True)
    for uid in range(AGENT_UID_BASE, AGENT_UID_BASE + AGENT_UID_COUNT):
        if _has_account(uid):
            continue
        descriptor = os.open(UID_LOCKS / f"{uid}.lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            continue
        try:
            yield uid
        finally:
            os.close(descriptor)  # releases the lock
        return
    raise SandboxError(f"all {AGENT_UID_COUNT} agent uids from {AGENT_UID_BASE} are in use; run fewer at once")


def _has_account(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
    except KeyError:
        return False
    return True


def kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


class _Reaper:
    """Waits for the process with wait4, which also reports its CPU time and peak memory (those of
    the descendants it reaped included)."""

    def __init__(self, process: subprocess.Popen[bytes]):
        self.process = process
        self.finished = threading.Event()
        self.status: int | None = None
        self.usage: dict[str, float] = {}
        threading.Thread(target=self._wait, name=f"reaper-{process.pid}", daemon=True).start()

    def _wait(self) -> None:
        try:
            _, status, usage = os.wait4(self.process.pid, 0)
        except ChildProcessError:  # reaped elsewhere; nothing to report
            status, usage = 0, None
        self.status = status
        if usage is not None:
            self.usage = {"cpu_seconds": usage.ru_utime + usage.ru_stime, "max_rss_bytes": usage.ru_maxrss * 1024}
        self.process.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait again
        self.finished.set()


class _ReportPipe:
    """A pipe a process inside the sandbox reports on (bwrap's status, the usage reporter)."""

    def __init__(self) -> None:
        self.read_end, self.write_end = os.pipe()
        self._write_open = True

    def __enter__(self) -> _ReportPipe:
        return self

    def __exit__(self, *_: object) -> None:
        self.close_write_end()
        os.close(self.read_end)

    def close_write_end(self) -> None:
        if self._write_open:
            os.close(self.write_end)
            self._write_open = False

    def read(self) -> bytes:
        """What was written and is buffered; never blocks (a killed writer wrote nothing)."""
        self.close_write_end()
        os.set_blocking(self.read_end, False)
        chunks = []
        with contextlib.suppress(BlockingIOError):
            while chunk := os.read(self.read_end, 65536):
                chunks.append(chunk)
        return b"".join(chunks)


@dataclass(frozen=True)
class _Pipes:
    usage: _ReportPipe
    status: _ReportPipe

    @property
    def write_ends(self) -> tuple[int, ...]:
        return (self.usage.write_end, self.status.write_end)

    def close_write_ends(self) -> None:
        self.usage.close_write_end()
        self.status.close_write_end()


def _usage_report(data: bytes) -> dict[str, float]:
    try:
        report = json.loads(data or b"{}")
    except ValueError:
        return {}
    fields = ("cpu_seconds", "max_rss_bytes")
    return {key: report[key] for key in fields if isinstance(report.get(key), int | float)}
