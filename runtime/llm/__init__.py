"""The language-model layer: one small interface, budgets enforced outside the agent, record/replay.

Agents (inside the networkless sandbox) talk to the model through a proxy the runtime runs on
the host; the proxy enforces the budget, logs every call and serves from / records to a
cassette. The agent's side is one call::

    from podium.runtime.llm import connect
    llm = connect()                      # PODIUM_LLM_SOCKET (default /home/llm.sock) or PODIUM_LLM_URL
    reply = llm.complete([{"role": "user", "content": "Write train.py"}], n=2, temperature=0.7)
    reply.choices, reply.prompt_tokens, reply.completion_tokens, reply.cost_usd
    # raises BudgetExceeded("tokens") once a limit is spent; the runtime records which.

An agent may instead use the plain `openai` client: `openai_client()` returns one pointed at
the proxy (chat completions, n, temperature, max_tokens, seed; no streaming).

The runtime's side, around one run::

    gateway = Gateway(ModelSpec(name="gpt-4o-mini"), BudgetLimits(tokens=100_000), logs_dir,
                      cassette=Cassette(path, "record"))
    with LLMProxy(gateway, socket_path) as proxy:      # bind-mount socket_path at /home/llm.sock
        ...run the agent with PODIUM_LLM_SOCKET=/home/llm.sock...
    record.usage = gateway.usage()                     # podium.runtime.store.records.Usage
    gateway.budget_exceeded                            # None or the limit name that stopped the agent

Files in `logs_dir`: `llm_calls.jsonl` (one line per call: request, response, tokens, latency,
cost, refusals) and `usage.json` (llm_calls, prompt_tokens, completion_tokens, cost_usd, plus
samples and budget_exceeded); `read_usage(logs_dir)` reads the latter back as a `Usage`.
Prices per 1M tokens live in `prices.yaml` beside this file; an unknown model costs 0 with a warning.

`Gateway` and `OpenAIEndpoint` also implement `LLM`, for code that runs on the host.
The `openai` package is needed only to reach an endpoint: `pip install 'podium[llm]'`.
"""

from podium.runtime.llm.budget import Budget
from podium.runtime.llm.cassette import Cassette, CassetteMode, ModelIdentity, request_key
from podium.runtime.llm.client import SANDBOX_SOCKET, ProxyClient, connect, openai_client
from podium.runtime.llm.endpoint import Endpoint, OpenAIEndpoint
from podium.runtime.llm.errors import LIMIT_NAMES, BudgetExceeded, EndpointError, LimitName, LLMError, ReplayMiss
from podium.runtime.llm.gateway import Gateway
from podium.runtime.llm.journal import CALLS_FILE, USAGE_FILE, UsageSummary, read_usage
from podium.runtime.llm.prices import PriceTable, load_prices
from podium.runtime.llm.proxy import LLMProxy
from podium.runtime.llm.types import LLM, BudgetLimits, ChatRequest, Completion, Message, ModelSpec

__all__ = [
    "CALLS_FILE",
    "LIMIT_NAMES",
    "LLM",
    "SANDBOX_SOCKET",
    "USAGE_FILE",
    "Budget",
    "BudgetExceeded",
    "BudgetLimits",
    "Cassette",
    "CassetteMode",
    "ChatRequest",
    "Completion",
    "Endpoint",
    "EndpointError",
    "Gateway",
    "LLMError",
    "LLMProxy",
    "LimitName",
    "Message",
    "ModelIdentity",
    "ModelSpec",
    "OpenAIEndpoint",
    "PriceTable",
    "ProxyClient",
    "ReplayMiss",
    "UsageSummary",
    "connect",
    "load_prices",
    "openai_client",
    "read_usage",
    "request_key",
]
