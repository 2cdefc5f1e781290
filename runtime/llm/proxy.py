"""An OpenAI-compatible HTTP proxy on a unix socket (or loopback port) in front of a Gateway.

The runtime runs it on the host and bind-mounts the socket into the networkless sandbox, so
the budget, the call log and the cassette live outside the agent's reach. It speaks the part
of OpenAI's API that agents use: `GET /v1/models` and non-streaming `POST /v1/chat/completions`.
Errors carry `x-should-retry: false`: the proxy has already retried the real endpoint, and a
spent budget must not be retried at all.
"""

from __future__ import annotations

import json
import os
import socket
import socketserver
import stat
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_address
from pathlib import Path
from types import TracebackType
from typing import Any

from pydantic import ValidationError

from podium.runtime.llm.errors import BudgetExceeded, EndpointError, LLMError, ReplayMiss
from podium.runtime.llm.gateway import Gateway
from podium.runtime.llm.types import ChatRequest, Completion

MAX_SOCKET_PATH = 107  # sun_path holds 108 bytes with the terminating NUL
MAX_BODY_BYTES = 32 * 2**20
ACCEPTED_FIELDS = frozenset({"model", "messages", "n", "temperature", "max_tokens", "max_completion_tokens", "seed"})
IGNORED_FIELDS = frozenset({"user", "stream_options"})  # harmless bookkeeping some clients always send

Address = Path | tuple[str, int]


class RequestError(ValueError):
    """A request the proxy will not forward; the message goes back to the agent."""


class _UnixThreadingServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class LLMProxy:
    """Serves `gateway` at a unix socket path or a loopback (host, port); port 0 picks a free one."""

    def __init__(self, gateway: Gateway, address: Address) -> None:
        self.gateway = gateway
        self.socket_path = None if isinstance(address, tuple) else Path(address)
        self._server = _bind(address, _handler_for(gateway))
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """What a client passes as base_url: `unix:/path/llm.sock` or `http://127.0.0.1:PORT/v1`."""
        if self.socket_path is not None:
            return f"unix:{self.socket_path}"
        address = self._server.server_address
        assert isinstance(address, tuple)  # a TCP server's (host, port)
        return f"http://{address[0]}:{address[1]}/v1"

    def start(self) -> LLMProxy:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="podium-llm-proxy", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()
        if self.socket_path is not None:
            self.socket_path.unlink(missing_ok=True)
        self.gateway.journal.write_usage(self.gateway.budget)

    def __enter__(self) -> LLMProxy:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


def _bind(address: Address, handler: type[BaseHTTPRequestHandler]) -> socketserver.BaseServer:
    if isinstance(address, tuple):
        host, port = address
        if not ip_address(socket.gethostbyname(host)).is_loopback:
            raise ValueError(f"the LLM proxy listens on loopback only, not {host}: it holds the API key")
        return ThreadingHTTPServer((host, port), handler)
    path = Path(address)
    if len(os.fsencode(path)) > MAX_SOCKET_PATH:
        raise ValueError(f"the socket path {path} is longer than {MAX_SOCKET_PATH} bytes; choose a shorter run folder")
    if path.exists():
        if not stat.S_ISSOCK(path.stat().st_mode):
            raise ValueError(f"{path} exists and is not a socket; the LLM proxy will not replace it")
        path.unlink()  # a stale socket of an earlier run
    path.parent.mkdir(parents=True, exist_ok=True)
    server = _UnixThreadingServer(str(path), handler)
    path.chmod(0o666)  # the sandboxed agent runs as another user
    return server


def _handler_for(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(_ProxyHandler):
        pass

    Handler.gateway = gateway
    return Handler


class _ProxyHandler(BaseHTTPRequestHandler):
    gateway: Gateway
    protocol_version = "HTTP/1.1"  # keep-alive: one connection serves an agent's many calls
    wbufsize = -1  # headers and body leave in one write: no Nagle / delayed-ACK stall of ~40 ms on TCP

    def do_GET(self) -> None:
        if self.path.rstrip("/") not in ("/v1/models", "/models"):
            return self._error(HTTPStatus.NOT_FOUND, "not_found", f"no such path {self.path}")
        spec = self.gateway.spec
        defaults = {"temperature": spec.temperature, "max_tokens": spec.max_tokens}
        model = {"id": spec.name, "object": "model", "created": 0, "owned_by": "podium", "podium": defaults}
        self._send(HTTPStatus.OK, {"object": "list", "data": [model]})

    def do_POST(self) -> None:
        if self.path.rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
            self._drain()
            return self._error(HTTPStatus.NOT_FOUND, "not_found", f"no such path {self.path}")
        try:
            request = self._chat_request()
            completion = self.gateway.serve(request)
        except RequestError as error:
            return self._error(HTTPStatus.BAD_REQUEST, "invalid_request_error", str(error))
        except BudgetExceeded as error:
            detail = {"param": error.limit, "detail": error.detail}
            return self._error(HTTPStatus.PAYMENT_REQUIRED, "budget_exceeded", str(error), **detail)
        except ReplayMiss as error:
            return self._error(HTTPStatus.FAILED_DEPENDENCY, "replay_miss", str(error), param=error.request_hash)
        except EndpointError as error:
            return self._error(HTTPStatus.BAD_GATEWAY, "upstream_error", str(error))
        except LLMError as error:
            return self._error(HTTPStatus.INTERNAL_SERVER_ERROR, "podium_error", str(error))
        except Exception as error:  # a server boundary: the agent gets an answer, not a dropped connection
            message = f"internal error in podium's LLM proxy: {type(error).__name__}: {error}"
            return self._error(HTTPStatus.INTERNAL_SERVER_ERROR, "podium_error", message)
        self._send(HTTPStatus.OK, _chat_response(completion))

    def _chat_request(self) -> ChatRequest:
        body = self._read_json()
        unknown = sorted(set(body) - ACCEPTED_FIELDS - IGNORED_FIELDS - {"stream"})
        if unknown:
            raise RequestError(f"the podium LLM proxy does not support {', '.join(unknown)}")
        if body.get("stream"):
            raise RequestError("the podium LLM proxy does not stream; send stream=false")
        if body.get("model") not in (None, self.gateway.model):
            raise RequestError(f"this run's model is {self.gateway.model!r}; the proxy serves no other")
        max_tokens = body.get("max_tokens", body.get("max_completion_tokens"))
        try:
            messages = [_text_message(message) for message in body.get("messages") or []]
            return ChatRequest.build(
                self.gateway.spec, messages, body.get("n") or 1, body.get("temperature"), max_tokens, body.get("seed")
            )
        except (ValidationError, TypeError, AttributeError) as error:
            raise RequestError(f"not a chat completion request: {error}") from error

    def _read_json(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self.close_connection = True  # the unread body would otherwise be taken for the next request
            raise RequestError(f"request body of {length} bytes is over the proxy's {MAX_BODY_BYTES} bytes")
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError as error:
            raise RequestError(f"the request body is not JSON: {error}") from error
        if not isinstance(body, dict):
            raise RequestError("the request body must be a JSON object")
        return body

    def _drain(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _error(self, status: HTTPStatus, kind: str, message: str, param: str | None = None, **extra: str) -> None:
        error = {"message": message, "type": kind, "code": kind, "param": param, **extra}
        self._send(status, {"error": error})

    def _send(self, status: HTTPStatus, payload: dict[str, Any]) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if status != HTTPStatus.OK:
            self.send_header("x-should-retry", "false")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: every call is in llm_calls.jsonl, and unix peers have no address to print."""

    def address_string(self) -> str:
        return "unix" if not self.client_address else super().address_string()


def _text_message(message: Any) -> dict[str, str]:
    """A chat message with its content as one string; text parts ([{type: text, text}]) are joined."""
    content = message.get("content")
    if isinstance(content, list):
        if not all(isinstance(part, dict) and part.get("type") == "text" for part in content):
            raise RequestError("the podium LLM proxy takes text content only")
        content = "".join(str(part.get("text", "")) for part in content)
    return {**message, "content": content}


def _chat_response(completion: Completion) -> dict[str, Any]:
    reasons = completion.finish_reasons + ["stop"] * (len(completion.choices) - len(completion.finish_reasons))
    choices = [
        {"index": index, "message": {"role": "assistant", "content": text}, "finish_reason": reason, "logprobs": None}
        for index, (text, reason) in enumerate(zip(completion.choices, reasons, strict=True))
    ]
    return {
        "id": f"chatcmpl-podium-{time.time_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": completion.model,
        "system_fingerprint": completion.system_fingerprint,
        "choices": choices,
        "usage": {
            "prompt_tokens": completion.prompt_tokens,
            "completion_tokens": completion.completion_tokens,
            "total_tokens": completion.total_tokens,
        },
        # Not OpenAI's: the proxy's own figures, which podium's client reads back.
        "podium": {"cost_usd": completion.cost_usd, "latency_s": completion.latency_s, "replayed": completion.replayed},
    }
