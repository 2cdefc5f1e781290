"""The real model behind the layer: any OpenAI-compatible endpoint, through the `openai` client.

Retries with exponential backoff on 429, 5xx and dropped connections are the openai client's
own (`max_retries`, honouring Retry-After); every request has a timeout. A model name is never
routed to a provider nobody configured: a spec's base_url wins, then OPENAI_BASE_URL, then
OpenAI itself for OpenAI's own model names only.
"""

from __future__ import annotations

import hashlib
import importlib
import ipaddress
import os
import time
from collections.abc import Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlparse

from podium.runtime.llm.cassette import ModelIdentity, canonical_json
from podium.runtime.llm.errors import LIMIT_NAMES, BudgetExceeded, EndpointError, LLMError
from podium.runtime.llm.prices import PriceTable, load_prices
from podium.runtime.llm.types import ChatRequest, Completion, Message, ModelSpec

if TYPE_CHECKING:
    import openai

OPENAI_URL = "https://api.openai.com/v1"
OPENAI_MODEL_PREFIXES = ("gpt-", "chatgpt-", "o1", "o3", "o4", "davinci", "babbage")
LOCAL_API_KEY = "podium-local-no-key"  # local servers ignore the key, but the openai client insists on one
UNIX_PREFIX = "unix:"
# /v1/models fields that change between two listings of the same model (vLLM stamps `created` per request).
VOLATILE_MODEL_FIELDS = frozenset({"object", "created", "permission", "permissions"})


def resolve_base_url(spec: ModelSpec) -> str:
    """The endpoint for this model; an error rather than a guess when nobody named one."""
    url = spec.base_url or os.environ.get("OPENAI_BASE_URL")
    if url:
        return url.rstrip("/")
    if spec.name.startswith(OPENAI_MODEL_PREFIXES):
        return OPENAI_URL
    raise EndpointError(
        f"no endpoint for model {spec.name!r}: it is not an OpenAI model, so set `base_url` under the "
        "scaffold's `model` (e.g. http://127.0.0.1:8080/v1 for a local llama.cpp, vLLM or Ollama server) "
        "or the OPENAI_BASE_URL environment variable"
    )


def is_local(base_url: str) -> bool:
    """A unix socket or a loopback host: a server on this machine, which needs no API key."""
    if base_url.startswith(UNIX_PREFIX):
        return True
    host = urlparse(base_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_api_key(spec: ModelSpec, base_url: str) -> str:
    key = os.environ.get(spec.api_key_env) if spec.api_key_env else None
    if key:
        return key
    if spec.api_key_env is None or is_local(base_url):
        return LOCAL_API_KEY
    raise EndpointError(
        f"the environment variable {spec.api_key_env} holds no API key for {base_url}; set it, or set "
        "`api_key_env: null` under the scaffold's `model` if the endpoint needs none"
    )


def http_library() -> ModuleType:
    """The HTTP library this openai release is built on (httpx, or httpx2 from openai 3 on)."""
    import openai

    client_base = openai.DefaultHttpxClient.__mro__[1]
    return importlib.import_module(client_base.__module__.partition(".")[0])


def make_openai_client(base_url: str, api_key: str, timeout_s: float, max_retries: int) -> openai.OpenAI:
    try:
        import openai
    except ImportError as error:
        raise EndpointError("calling a model needs the openai package: pip install 'podium[llm]'") from error
    http_client = None
    if base_url.startswith(UNIX_PREFIX):
        transport = http_library().HTTPTransport(uds=base_url.removeprefix(UNIX_PREFIX))
        http_client = openai.DefaultHttpxClient(transport=transport)
        base_url = "http://localhost/v1"
    return openai.OpenAI(
        base_url=base_url, api_key=api_key, timeout=timeout_s, max_retries=max_retries, http_client=http_client
    )


class Endpoint(Protocol):
    """What a Gateway calls: OpenAIEndpoint, or a scripted stand-in in tests."""

    timeout_s: float

    def identity(self) -> ModelIdentity: ...

    def send(self, request: ChatRequest, timeout_s: float | None = None) -> Completion: ...


class OpenAIEndpoint:
    """An `LLM` that calls the endpoint directly (host side), with retries, timeouts and prices."""

    def __init__(
        self,
        spec: ModelSpec,
        *,
        prices: PriceTable | None = None,
        timeout_s: float = 600.0,
        max_retries: int = 4,
    ) -> None:
        self.spec = spec
        self.base_url = resolve_base_url(spec)
        self.prices = prices or load_prices()
        self.timeout_s = timeout_s
        self.client = make_openai_client(self.base_url, resolve_api_key(spec, self.base_url), timeout_s, max_retries)
        self._identity: ModelIdentity | None = None

    @property
    def model(self) -> str:
        return self.spec.name

    def identity(self) -> ModelIdentity:
        """Base URL, name and fingerprint: the spec's pin, else what the server lists for the model."""
        if self._identity is None:
            fingerprint = self.spec.fingerprint or self._probe_fingerprint()
            self._identity = ModelIdentity(base_url=self.base_url, name=self.spec.name, fingerprint=fingerprint)
        return self._identity

    def complete(
        self,
        messages: Sequence[Message],
        n: int = 1,
        temperature: float | None = None,
        max_tokens: int | None = None,
        seed: int | None = None,
    ) -> Completion:
        return self.send(ChatRequest.build(self.spec, messages, n, temperature, max_tokens, seed))

    def send(self, request: ChatRequest, timeout_s: float | None = None) -> Completion:
        """One request; servers that return fewer than n choices (llama.cpp, Ollama) are asked again.

        A refill asks for the missing choices with seed+1, seed+2, ... so that a seeded request
        does not get the same sample n times from a deterministic server.
        """
        started = time.perf_counter()
        responses = [self._create(request, timeout_s)]
        choices = _choices(responses[0])
        while len(choices) < request.n:
            missing = request.n - len(choices)
            seed = None if request.seed is None else request.seed + len(responses)
            refill = request.model_copy(update={"n": missing, "seed": seed})
            responses.append(self._create(refill, timeout_s))
            choices += _choices(responses[-1])[:missing]
        return self._completion(responses, choices, time.perf_counter() - started)

    def _create(self, request: ChatRequest, timeout_s: float | None) -> Any:
        import openai

        arguments: dict[str, Any] = {
            "model": self.spec.name,
            "messages": request.messages,
            "n": request.n,
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
            "timeout": timeout_s or self.timeout_s,
        }
        if request.seed is not None:
            arguments["seed"] = request.seed
        try:
            response = self.client.chat.completions.create(**arguments)
        except openai.APIStatusError as error:
            raise _typed_error(error, self.base_url, self.spec.name) from error
        except openai.APIConnectionError as error:  # includes timeouts, after the client's retries
            raise EndpointError(f"cannot reach the model endpoint {self.base_url} ({error})") from error
        if not response.choices:
            raise EndpointError(f"{self.base_url} returned no choices for model {self.spec.name}")
        return response

    def _completion(self, responses: list[Any], choices: list[Any], latency_s: float) -> Completion:
        prompt_tokens = sum(r.usage.prompt_tokens if r.usage else 0 for r in responses)
        completion_tokens = sum(r.usage.completion_tokens if r.usage else 0 for r in responses)
        first = responses[0]
        return Completion(
            choices=[choice.message.content or "" for choice in choices],
            finish_reasons=[choice.finish_reason for choice in choices],
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            latency_s=latency_s,
            cost_usd=self._cost(responses, prompt_tokens, completion_tokens),
            model=first.model or self.spec.name,
            system_fingerprint=first.system_fingerprint,
            replayed=all(_podium_extra(r).get("replayed") is True for r in responses),
        )

    def _cost(self, responses: list[Any], prompt_tokens: int, completion_tokens: int) -> float:
        # Behind podium's own proxy the proxy priced the call already; trust its figure.
        proxied = [_podium_extra(r) for r in responses]
        if all("cost_usd" in extra for extra in proxied):
            return sum(float(extra["cost_usd"]) for extra in proxied)
        return self.prices.cost_usd(self.spec.name, prompt_tokens, completion_tokens)

    def _probe_fingerprint(self) -> str | None:
        import openai

        try:
            listed = self.client.models.list()
        except openai.NotFoundError:
            return None  # a server without /models: the identity is the URL and the name
        except openai.APIStatusError as error:
            raise _typed_error(error, self.base_url, self.spec.name) from error
        except openai.APIConnectionError as error:
            raise EndpointError(f"cannot reach the model endpoint {self.base_url} ({error})") from error
        for entry in listed.data:
            if entry.id == self.spec.name:
                stable = {k: v for k, v in entry.model_dump().items() if k not in VOLATILE_MODEL_FIELDS}
                return hashlib.sha256(canonical_json(stable).encode()).hexdigest()[:16]
        return None


def _podium_extra(response: Any) -> dict[str, Any]:
    """The `podium` field podium's proxy adds to a response (cost, replayed); empty elsewhere."""
    extra = (response.model_extra or {}).get("podium")
    return extra if isinstance(extra, dict) else {}


def _choices(response: Any) -> list[Any]:
    return sorted(response.choices, key=lambda choice: choice.index)


def _typed_error(error: Any, base_url: str, model: str) -> LLMError:
    """Budget refusals of podium's proxy become BudgetExceeded, its own failures LLMError, the rest EndpointError."""
    body = error.body if isinstance(error.body, dict) else {}
    details = body.get("error", body) if isinstance(body.get("error", body), dict) else {}
    limit = details.get("param")
    if details.get("type") == "budget_exceeded" and limit in LIMIT_NAMES:
        return BudgetExceeded(limit, str(details.get("detail", "")))
    message = details.get("message") or str(error)
    if details.get("type") in ("replay_miss", "podium_error"):
        return LLMError(message)  # the proxy's own failure, not the endpoint's: say it as the proxy did
    return EndpointError(f"{base_url} answered HTTP {error.status_code} for model {model}: {message}")
