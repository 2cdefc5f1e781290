"""A scripted OpenAI-compatible server on loopback, and gateways and proxies around it.

The fake answers `GET /v1/models` and `POST /v1/chat/completions`; each answer text carries a
counter, so a replayed text is provably the recorded one and not a fresh call. Tests queue
failures (status, headers, delay) with `fail_next`; everything else gets a normal answer.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from podium.runtime.llm import BudgetLimits, Cassette, Gateway, LLMProxy, ModelSpec, PriceTable

FAKE_MODEL = "fake-model"
FAKE_PRICES = PriceTable.model_validate({"prices": {FAKE_MODEL: {"prompt": 1_000.0, "completion": 2_000.0}}})


@dataclass
class Scripted:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


@dataclass
class FakeOpenAI:
    """State of the fake server: what it received and what it will say next."""

    model: str = FAKE_MODEL
    prompt_tokens: int = 10
    completion_tokens_per_choice: int = 5
    max_choices: int | None = None  # like llama.cpp's server: ignores n above this
    owned_by: str = "fake-org"
    requests: list[dict[str, Any]] = field(default_factory=list)
    script: deque[Scripted] = field(default_factory=deque)
    url: str = ""
    answered: int = 0
    stop: Callable[[], None] = lambda: None

    def fail_next(self, status: int, times: int = 1, headers: dict[str, str] | None = None, delay_s: float = 0) -> None:
        body = {"error": {"message": f"scripted {status}", "type": "server_error", "code": None, "param": None}}
        for _ in range(times):
            self.script.append(Scripted(status, body, {"retry-after-ms": "1"} if headers is None else headers, delay_s))

    def delay_next(self, delay_s: float) -> None:
        self.script.append(Scripted(200, {}, {}, delay_s))

    def answer(self, body: dict[str, Any]) -> dict[str, Any]:
        self.answered += 1
        n = body.get("n") or 1
        if self.max_choices is not None:
            n = min(n, self.max_choices)
        last = body["messages"][-1]["content"]
        texts = [f"answer {self.answered}.{i} to {last!r} seed={body.get('seed')}" for i in range(n)]
        return {
            "id": f"chatcmpl-{self.answered}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model,
            "system_fingerprint": "fp_fake",
            "choices": [
                {"index": i, "message": {"role": "assistant", "content": t}, "finish_reason": "stop"}
                for i, t in enumerate(texts)
            ],
            "usage": {
                "prompt_tokens": self.prompt_tokens,
                "completion_tokens": self.completion_tokens_per_choice * n,
                "total_tokens": self.prompt_tokens + self.completion_tokens_per_choice * n,
            },
        }

    def models(self) -> dict[str, Any]:
        entry = {"id": self.model, "object": "model", "created": int(time.time()), "owned_by": self.owned_by}
        return {"object": "list", "data": [entry]}


def _handler(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        wbufsize = -1  # headers and body leave in one write: no Nagle / delayed-ACK stall of ~40 ms on TCP

        def do_GET(self) -> None:
            self._send(200, fake.models(), {})

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            fake.requests.append(body)
            scripted = fake.script.popleft() if fake.script else None
            if scripted and scripted.delay_s:
                time.sleep(scripted.delay_s)
            if scripted and scripted.status != 200:
                return self._send(scripted.status, scripted.body, scripted.headers)
            self._send(200, fake.answer(body), {})

        def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client timed out first, as wanted
                self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    fake.stop = stop
    yield fake
    stop()


@pytest.fixture
def fake_spec(fake_openai: FakeOpenAI) -> ModelSpec:
    return ModelSpec(name=FAKE_MODEL, base_url=fake_openai.url, temperature=0.5, max_tokens=64)


def _make_gateway(
    spec: ModelSpec,
    logs_dir: Path,
    limits: BudgetLimits | None = None,
    cassette: Cassette | None = None,
    max_retries: int = 3,
    timeout_s: float = 10.0,
) -> Gateway:
    """A gateway priced by FAKE_PRICES ($1000 / $2000 per 1M tokens: cents per call, easy to sum)."""
    return Gateway(
        spec, limits, logs_dir, cassette=cassette, prices=FAKE_PRICES, max_retries=max_retries, timeout_s=timeout_s
    )


@pytest.fixture
def make_gateway() -> Any:
    return _make_gateway


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A short folder for unix sockets, whose paths may not pass 107 bytes (pytest's tmp_path can)."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="podium-llm-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def proxied(fake_spec: ModelSpec, tmp_path: Path, short_tmp: Path) -> Iterator[tuple[Gateway, LLMProxy]]:
    """A gateway to the fake server served by a proxy on a unix socket."""
    gateway = _make_gateway(fake_spec, tmp_path / "logs", BudgetLimits(llm_calls=3))
    with LLMProxy(gateway, short_tmp / "llm.sock") as proxy:
        yield gateway, proxy
