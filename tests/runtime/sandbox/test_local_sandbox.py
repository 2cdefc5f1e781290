"""The local sandbox: bwrap isolation (answers, network, read-only data), the limits it enforces
from outside the agent, and the plain fallback with its warning."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

from podium.runtime.sandbox import LocalSandbox, Mount, SandboxLimits, SandboxResult

MARKER = "podium-sandbox-test-child"


@pytest.fixture(autouse=True)
def needs_bwrap(request: pytest.FixtureRequest) -> None:
    if "plain" not in request.node.name and shutil.which("bwrap") is None:
        pytest.skip("bubblewrap (bwrap) is not installed; `apt-get install bubblewrap` to run isolation tests")


@pytest.fixture
def folders(tmp_path: Path) -> dict[str, Path]:
    """Public data, private answers beside it (as prepared data lies), and the writable folders."""
    public, private = tmp_path / "data/comp/prepared/public", tmp_path / "data/comp/prepared/private"
    for folder in (public, private, tmp_path / "submission", tmp_path / "logs"):
        folder.mkdir(parents=True)
    (public / "train.csv").write_text("id,x\n1,2\n")
    (private / "test.csv").write_text("id,target\n1,SECRET-ANSWER\n")
    return {"public": public, "private": private, "submission": tmp_path / "submission", "logs": tmp_path / "logs"}


def mounts(folders: dict[str, Path]) -> list[Mount]:
    return [
        Mount(folders["public"] / "train.csv", "/home/data/train.csv"),
        Mount(folders["submission"], "/home/submission", read_only=False),
    ]


def run(
    code: str,
    folders: dict[str, Path],
    limits: SandboxLimits | None = None,
    timeout: float = 30,
    isolation: str = "bwrap",
    cancel: threading.Event | None = None,
) -> SandboxResult:
    sandbox = LocalSandbox(isolation)  # type: ignore[arg-type]
    env = {"PATH": "/usr/bin:/bin", "DATA_DIR": "/home/data", "SUBMISSION_DIR": "/home/submission"}
    return sandbox.run(
        [sys.executable, "-c", code], mounts(folders), limits or SandboxLimits(), env, timeout,
        log_dir=folders["logs"], cancel=cancel, workdir="/home/submission",
    )  # fmt: skip


def output(result: SandboxResult) -> str:
    return result.stdout_path.read_text() + result.stderr_path.read_text()


def test_contract_paths_and_a_clean_exit(folders: dict[str, Path]) -> None:
    code = "import os; print(sorted(os.listdir('/home/data'))); open('/home/submission/submission.csv','w').write('x')"
    result = run(code, folders)
    assert result.exit_code == 0 and result.started and result.isolation == "bwrap"
    assert "['train.csv']" in output(result)
    assert (folders["submission"] / "submission.csv").read_text() == "x"
    assert result.cpu_seconds and result.cpu_seconds > 0 and result.max_rss_bytes and result.wall_seconds > 0


ANSWERS_PROBE = """
import os, sys
tries = [sys.argv[1] + '/test.csv', '/home/data/../private/test.csv', '/home/data/../../prepared/private/test.csv']
for path in tries:
    try:
        print('READ', open(path).read())
    except OSError as error:
        print('REFUSED', path, error)
skipped = ('/proc', '/sys', '/usr', '/dev', sys.prefix, sys.base_prefix)  # the system, this Python
for root, dirs, files in os.walk('/'):
    dirs[:] = [d for d in dirs if os.path.join(root, d) not in skipped]
    for name in files:
        try:
            if 'SECRET-ANSWER' in open(os.path.join(root, name), errors='ignore').read(1 << 16):
                print('FOUND', os.path.join(root, name))
        except OSError:
            pass
"""


def test_the_answers_cannot_be_read(folders: dict[str, Path], tmp_path: Path) -> None:
    sandbox = LocalSandbox("bwrap")
    result = sandbox.run(
        [sys.executable, "-c", ANSWERS_PROBE, str(folders["private"])], mounts(folders), SandboxLimits(),
        {"PATH": "/usr/bin:/bin"}, 120, log_dir=folders["logs"], workdir="/home/submission",
    )  # fmt: skip
    text = output(result)
    assert result.exit_code == 0, text
    assert "READ" not in text and "FOUND" not in text
    assert text.count("REFUSED") == 3


def test_the_data_is_read_only(folders: dict[str, Path]) -> None:
    (folders["public"] / "train.csv").chmod(0o666)  # even a file the agent's user may write stays read-only
    code = """
for path in ('/home/data/train.csv', '/home/data/new.csv'):
    try:
        open(path, 'a').write('tampered')
    except OSError as error:
        print('REFUSED', error)
"""
    result = run(code, folders)
    assert result.exit_code == 0 and output(result).count("REFUSED") == 2
    assert "Read-only file system" in output(result)
    assert (folders["public"] / "train.csv").read_text() == "id,x\n1,2\n"
    assert result.denied_actions == 2


def test_no_socket_reaches_out(folders: dict[str, Path]) -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(0.2)
        port = server.getsockname()[1]
        code = f"""
import socket
for address in (('127.0.0.1', {port}), ('1.1.1.1', 53)):
    try:
        socket.create_connection(address, timeout=3); print('CONNECTED', address)
    except OSError as error:
        print('REFUSED', address, error)
print(sorted(__import__('os').listdir('/sys/class/net')) if __import__('os').path.isdir('/sys/class/net') else 'no-sys')
"""
        result = run(code, folders)
        with pytest.raises(TimeoutError):
            server.accept()
    text = output(result)
    assert result.exit_code == 0 and "CONNECTED" not in text and text.count("REFUSED") == 2
    assert "Network is unreachable" in text and result.denied_actions >= 1


def children_alive() -> list[int]:
    alive = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if MARKER.encode() in Path(entry.path, "cmdline").read_bytes():
                    alive.append(int(entry.name))
            except OSError:
                pass
    return alive


HANG = f"""
import subprocess, sys, time
for new_session in (False, True):
    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', '{MARKER}'], start_new_session=new_session)
time.sleep(600)
"""


@pytest.mark.parametrize("isolation", ["bwrap", "plain"])
def test_a_timeout_kills_the_process_tree(folders: dict[str, Path], isolation: str) -> None:
    started = time.monotonic()
    result = run(HANG, folders, timeout=1.5, isolation=isolation)
    assert result.timed_out and result.exit_code is None
    assert time.monotonic() - started < 10
    assert "wall-clock limit of 1.5s" in result.notes[0]
    if isolation == "plain":  # its group dies; a child in a session of its own escapes (not isolated)
        time.sleep(0.5)
        assert len(children_alive()) == 1
        os.kill(children_alive()[0], 9)
        return
    deadline = time.monotonic() + 5
    while children_alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert children_alive() == []  # the pid namespace takes even the child that left the group


def test_the_file_size_limit_stops_a_huge_file(folders: dict[str, Path]) -> None:
    code = "f = open('/home/submission/submission.csv', 'w')\nfor _ in range(64): f.write('0' * 2**20)"
    result = run(code, folders, SandboxLimits(max_file_bytes=4 * 2**20))
    assert result.exit_code == 1 and "File too large" in output(result)
    assert (folders["submission"] / "submission.csv").stat().st_size <= 4 * 2**20


def test_a_fork_bomb_hits_the_process_limit(folders: dict[str, Path]) -> None:
    code = """
import os, time
started = 0
try:
    for _ in range(500):
        if os.fork() == 0:
            time.sleep(20); os._exit(0)
        started += 1
except OSError as error:
    print('refused after', started, error)
"""
    result = run(code, folders, SandboxLimits(max_processes=40))
    text = output(result)
    assert "refused after" in text and "Resource temporarily unavailable" in text
    assert int(text.split("refused after ")[1].split()[0]) < 40


def test_the_memory_limit_holds(folders: dict[str, Path]) -> None:
    result = run("x = bytearray(1536 * 2**20); print('ALLOCATED')", folders, SandboxLimits(memory_bytes=512 * 2**20))
    assert result.exit_code != 0 and "ALLOCATED" not in output(result) and "MemoryError" in output(result)


def test_the_disk_limit_stops_many_small_files(folders: dict[str, Path]) -> None:
    code = "import os\nfor i in range(10**6): open(f'/home/submission/f{i}', 'wb').write(os.urandom(2**20))"
    result = run(code, folders, SandboxLimits(disk_bytes=5 * 10**6))
    assert result.disk_exceeded and result.exit_code is None
    assert "disk limit of 5MB" in result.notes[0]


def test_a_cancel_stops_the_run(folders: dict[str, Path]) -> None:
    cancel = threading.Event()
    threading.Timer(0.5, cancel.set).start()
    started = time.monotonic()
    result = run("import time; time.sleep(60)", folders, cancel=cancel)
    assert result.cancelled and not result.timed_out and time.monotonic() - started < 10


def test_a_sandbox_that_cannot_start_says_so(folders: dict[str, Path], tmp_path: Path) -> None:
    sandbox = LocalSandbox("bwrap")
    result = sandbox.run(
        [sys.executable, "-c", "pass"], [Mount(tmp_path / "missing", "/home/data")], SandboxLimits(), {}, 10,
        log_dir=folders["logs"], workdir="/",
    )  # fmt: skip
    assert not result.started and "missing" in result.stderr_path.read_text()


def test_the_plain_fallback_warns_and_maps_the_contract_paths(
    folders: dict[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    code = "import os; print(open(os.environ['DATA_DIR'] + '/train.csv').read()); open(os.environ['SUBMISSION_DIR'] + '/submission.csv', 'w').write('y')"
    with caplog.at_level(logging.WARNING):
        result = run(code, folders, isolation="plain")
    assert result.isolation == "plain" and result.exit_code == 0
    assert "id,x" in output(result) and (folders["submission"] / "submission.csv").read_text() == "y"
    assert "NOT isolated" in caplog.text and "isolation is 'plain'" in caplog.text


def test_without_bwrap_installed_auto_is_plain_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name: None if name == "bwrap" else real_which(name))
    with caplog.at_level(logging.WARNING):
        sandbox = LocalSandbox("auto")
    assert sandbox.isolation == "plain"
    assert "bubblewrap (bwrap) is not installed" in caplog.text and "apt-get install bubblewrap" in caplog.text
