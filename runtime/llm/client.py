"""The agent's side: an `LLM` (or a plain openai client) talking to the runtime's proxy.

Inside the sandbox the proxy is a unix socket, by default /home/llm.sock; PODIUM_LLM_SOCKET
names another path and PODIUM_LLM_URL a loopback URL instead. The model and its default
temperature and max_tokens are the ones the runtime's proxy serves.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from podium.runtime.llm.endpoint import UNIX_PREFIX, OpenAIEndpoint, make_openai_client
from podium.runtime.llm.errors import EndpointError, LLMError
from podium.runtime.llm.prices import PriceTable
from podium.runtime.llm.types import ModelSpec

if TYPE_CHECKING:
    import openai

SANDBOX_SOCKET = "/home/llm.sock"
SOCKET_ENV = "PODIUM_LLM_SOCKET"
URL_ENV = "PODIUM_LLM_URL"
CLIENT_TIMEOUT_S = 3600.0  # the proxy applies the real timeouts and the wall-time budget upstream


def proxy_base_url(socket_path: str | Path | None = None, url: str | None = None) -> str:
    """`unix:/path` or the URL of the proxy, from the arguments, then the environment, then the default."""
    url = url or os.environ.get(URL_ENV)
    if url:
        return url.rstrip("/")
    path = Path(socket_path or os.environ.get(SOCKET_ENV) or SANDBOX_SOCKET)
    if not path.exists():
        raise LLMError(
            f"no LLM proxy socket at {path}: this run serves no model (the scaffold spec has no `model`), "
            f"or the sandbox did not mount it; set {SOCKET_ENV} or {URL_ENV} to reach another proxy"
        )
    return f"{UNIX_PREFIX}{path}"


class ProxyClient(OpenAIEndpoint):
    """An OpenAIEndpoint whose model, defaults and prices are the proxy's; budget refusals raise BudgetExceeded."""


def connect(socket_path: str | Path | None = None, *, url: str | None = None, max_retries: int = 1) -> ProxyClient:
    """An `LLM` for the model the runtime serves to this run."""
    base_url = proxy_base_url(socket_path, url)
    served = _served_model(make_openai_client(base_url, "podium", CLIENT_TIMEOUT_S, max_retries), base_url)
    spec = ModelSpec(name=served.id, base_url=base_url, api_key_env=None, **_defaults(served))
    # An empty price table: the proxy prices every call, and its figure comes back with the response.
    return ProxyClient(spec, prices=PriceTable(), timeout_s=CLIENT_TIMEOUT_S, max_retries=max_retries)


def openai_client(socket_path: str | Path | None = None, *, url: str | None = None) -> openai.OpenAI:
    """A plain `openai.OpenAI` pointed at the proxy, for agents written against the openai API."""
    return make_openai_client(proxy_base_url(socket_path, url), "podium", CLIENT_TIMEOUT_S, max_retries=1)


def _served_model(client: openai.OpenAI, base_url: str) -> openai.types.Model:
    import openai

    try:
        models = client.models.list().data
    except openai.APIError as error:
        raise EndpointError(f"the LLM proxy at {base_url} does not answer: {error}") from error
    if len(models) != 1:
        raise EndpointError(f"the LLM proxy at {base_url} lists {len(models)} models; podium's serves exactly one")
    return models[0]


def _defaults(model: openai.types.Model) -> dict[str, float | int]:
    extra = (model.model_extra or {}).get("podium") or {}
    return {key: extra[key] for key in ("temperature", "max_tokens") if key in extra}
