"""The proxy the sandbox talks to, the agent's client, and the endpoint's retries and routing."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import openai
import pytest

from podium.runtime.llm import (
    LLM,
    BudgetExceeded,
    EndpointError,
    Gateway,
    LLMError,
    LLMProxy,
    ModelSpec,
    OpenAIEndpoint,
    PriceTable,
    connect,
    openai_client,
)
from podium.runtime.llm.endpoint import LOCAL_API_KEY, resolve_api_key, resolve_base_url

ASK = [{"role": "user", "content": "hello"}]


def test_an_agent_completes_through_the_unix_socket(
    fake_openai: Any, proxied: tuple[Gateway, LLMProxy], tmp_path: Path
) -> None:
    gateway, proxy = proxied
    llm = connect(proxy.base_url.removeprefix("unix:"))
    reply = llm.complete(ASK, n=2)

    assert llm.model == "fake-model"
    assert isinstance(llm, LLM) and isinstance(gateway, LLM)
    assert len(reply.choices) == 2 and reply.choices[0].startswith("answer 1.0")
    assert (reply.prompt_tokens, reply.completion_tokens) == (10, 10)
    assert reply.cost_usd == pytest.approx(10 * 1e-3 + 10 * 2e-3), "the proxy's price, not the client's"
    # The proxy's defaults (the scaffold spec's), not the client library's, were sent upstream.
    assert fake_openai.requests[0]["temperature"] == 0.5 and fake_openai.requests[0]["max_tokens"] == 64
    logged = json.loads((tmp_path / "logs" / "llm_calls.jsonl").read_text())
    assert logged["response"]["choices"] == reply.choices
    assert gateway.usage().llm_calls == 1


def test_the_socket_is_found_through_the_environment(
    proxied: tuple[Gateway, LLMProxy], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, proxy = proxied
    monkeypatch.setenv("PODIUM_LLM_SOCKET", proxy.base_url.removeprefix("unix:"))
    assert connect().complete(ASK).text.startswith("answer 1.0")


def test_a_plain_openai_client_works_too(proxied: tuple[Gateway, LLMProxy]) -> None:
    _, proxy = proxied
    client = openai_client(proxy.base_url.removeprefix("unix:"))
    reply = client.chat.completions.create(model="fake-model", messages=ASK, n=2, seed=3)  # type: ignore[arg-type]
    assert [c.message.content for c in reply.choices] == [
        "answer 1.0 to 'hello' seed=3",
        "answer 1.1 to 'hello' seed=3",
    ]
    assert reply.usage is not None and reply.usage.total_tokens == 20


def test_budget_refusal_reaches_the_agent_typed_and_unretried(
    fake_openai: Any, proxied: tuple[Gateway, LLMProxy]
) -> None:
    gateway, proxy = proxied  # llm_calls=3
    llm = connect(proxy.base_url.removeprefix("unix:"))
    for _ in range(3):
        llm.complete(ASK)
    with pytest.raises(BudgetExceeded) as refused:
        llm.complete(ASK)
    assert refused.value.limit == "llm_calls"
    assert str(refused.value) == "LLM budget exceeded: llm_calls (3 calls made of a limit of 3)"

    plain = openai_client(proxy.base_url.removeprefix("unix:"))
    with pytest.raises(openai.APIStatusError) as raw:
        plain.chat.completions.create(model="fake-model", messages=ASK)  # type: ignore[arg-type]
    assert raw.value.status_code == 402
    assert raw.value.response.headers["x-should-retry"] == "false"
    assert len(fake_openai.requests) == 3
    assert gateway.summary().refused_calls == 2


def test_the_proxy_rejects_what_it_does_not_forward(proxied: tuple[Gateway, LLMProxy]) -> None:
    _, proxy = proxied
    client = openai_client(proxy.base_url.removeprefix("unix:"))
    with pytest.raises(openai.BadRequestError, match="serves no other"):
        client.chat.completions.create(model="gpt-4o", messages=ASK)  # type: ignore[arg-type]
    with pytest.raises(openai.BadRequestError, match="does not stream"):
        client.chat.completions.create(model="fake-model", messages=ASK, stream=True)  # type: ignore[arg-type]
    with pytest.raises(openai.BadRequestError, match="does not support tools"):
        client.chat.completions.create(model="fake-model", messages=ASK, tools=[])  # type: ignore[arg-type]
    with pytest.raises(openai.BadRequestError, match="needs a 'role' and a 'content'"):
        client.chat.completions.create(model="fake-model", messages=[{"role": "user"}])  # type: ignore[typeddict-item]


@pytest.mark.parametrize("status", [500, 429])
def test_retries_with_backoff_on_server_errors(
    fake_openai: Any, fake_spec: ModelSpec, make_gateway: Any, tmp_path: Path, status: int
) -> None:
    fake_openai.fail_next(status, times=2)
    reply = make_gateway(fake_spec, tmp_path, max_retries=3).complete(ASK)
    assert reply.text.startswith("answer 1.0")
    assert len(fake_openai.requests) == 3


def test_backoff_grows_between_retries(
    fake_openai: Any, fake_spec: ModelSpec, make_gateway: Any, tmp_path: Path
) -> None:
    fake_openai.fail_next(503, times=2, headers={})  # no Retry-After: the client's own exponential backoff
    started = time.perf_counter()
    make_gateway(fake_spec, tmp_path, max_retries=2).complete(ASK)
    assert time.perf_counter() - started >= 0.5 * 0.75 + 1.0 * 0.75  # 0.5 s then 1 s, less at most 25% jitter


def test_an_endpoint_that_keeps_failing_is_an_endpoint_error_through_the_proxy(
    fake_openai: Any, fake_spec: ModelSpec, make_gateway: Any, tmp_path: Path, short_tmp: Path
) -> None:
    fake_openai.fail_next(500, times=10)
    gateway = make_gateway(fake_spec, tmp_path, max_retries=1)
    with (
        LLMProxy(gateway, short_tmp / "llm.sock") as proxy,
        pytest.raises(EndpointError, match=r"HTTP 502.*answered HTTP 500"),
    ):
        connect(proxy.base_url.removeprefix("unix:")).complete(ASK)
    assert len(fake_openai.requests) == 2, "the proxy retried once; the agent's client did not retry the 502"
    logged = json.loads((tmp_path / "llm_calls.jsonl").read_text())
    assert logged["error"]["type"] == "EndpointError"


def test_a_slow_endpoint_times_out(fake_openai: Any, fake_spec: ModelSpec, make_gateway: Any, tmp_path: Path) -> None:
    fake_openai.delay_next(3.0)
    started = time.perf_counter()
    with pytest.raises(EndpointError, match="cannot reach"):
        make_gateway(fake_spec, tmp_path, max_retries=0, timeout_s=0.3).complete(ASK)
    assert time.perf_counter() - started < 2.0


def test_missing_choices_are_asked_for_again_with_the_next_seed(fake_openai: Any, fake_spec: ModelSpec) -> None:
    fake_openai.max_choices = 1  # as llama.cpp's server does: one choice whatever n says
    free = PriceTable.model_validate({"prices": {"fake-model": {"prompt": 0, "completion": 0}}})
    reply = OpenAIEndpoint(fake_spec, prices=free).complete(ASK, n=3, seed=10)
    assert [request["seed"] for request in fake_openai.requests] == [10, 11, 12]
    assert len(reply.choices) == 3 and len(set(reply.choices)) == 3
    assert (reply.prompt_tokens, reply.completion_tokens) == (30, 15), "every request's prompt is paid for"


def test_a_loopback_proxy_port_works_and_others_are_refused(
    fake_spec: ModelSpec, make_gateway: Any, tmp_path: Path
) -> None:
    gateway = make_gateway(fake_spec, tmp_path)
    with LLMProxy(gateway, ("127.0.0.1", 0)) as proxy:
        assert proxy.base_url.startswith("http://127.0.0.1:")
        assert connect(url=proxy.base_url).complete(ASK).choices
    with pytest.raises(ValueError, match="loopback only"):
        LLMProxy(gateway, ("0.0.0.0", 0))


def test_socket_paths_are_checked(fake_spec: ModelSpec, make_gateway: Any, tmp_path: Path, short_tmp: Path) -> None:
    gateway = make_gateway(fake_spec, tmp_path)
    with pytest.raises(ValueError, match="longer than 107 bytes"):
        LLMProxy(gateway, short_tmp / ("x" * 120))
    regular = short_tmp / "file"
    regular.write_text("mine")
    with pytest.raises(ValueError, match="is not a socket"):
        LLMProxy(gateway, regular)


def test_connect_without_a_proxy_explains(tmp_path: Path) -> None:
    with pytest.raises(LLMError, match=r"no LLM proxy socket at .*serves no model"):
        connect(tmp_path / "none.sock")


def test_stopping_the_proxy_removes_the_socket(proxied: tuple[Gateway, LLMProxy]) -> None:
    _, proxy = proxied
    socket_path = Path(proxy.base_url.removeprefix("unix:"))
    assert socket_path.is_socket()
    proxy.stop()
    assert not socket_path.exists()


class TestRouting:
    def test_a_spec_base_url_is_never_replaced(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
        spec = ModelSpec(name="gpt-4o", base_url="http://127.0.0.1:8080/v1/")
        assert resolve_base_url(spec) == "http://127.0.0.1:8080/v1"

    def test_openai_base_url_applies_without_a_spec_url(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
        assert resolve_base_url(ModelSpec(name="llama3")) == "http://127.0.0.1:9/v1"

    def test_openai_models_default_to_openai(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
        assert resolve_base_url(ModelSpec(name="gpt-4o-mini")) == "https://api.openai.com/v1"

    def test_other_models_need_an_endpoint(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
        with pytest.raises(EndpointError, match=r"no endpoint for model 'llama3'.*set `base_url`"):
            resolve_base_url(ModelSpec(name="llama3"))

    @pytest.mark.parametrize(
        "url", ["http://127.0.0.1:8080/v1", "http://localhost:1/v1", "http://[::1]:8/v1", "unix:/s"]
    )
    def test_local_endpoints_need_no_key(self, monkeypatch: pytest.MonkeyPatch, url: str) -> None:
        monkeypatch.delenv("OPENAI_API_KEY", raising=False)
        assert resolve_api_key(ModelSpec(name="m"), url) == LOCAL_API_KEY

    def test_a_remote_endpoint_without_its_key_explains(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("MY_KEY", raising=False)
        with pytest.raises(EndpointError, match="MY_KEY holds no API key"):
            resolve_api_key(ModelSpec(name="m", api_key_env="MY_KEY"), "https://models.example.org/v1")
        monkeypatch.setenv("MY_KEY", "sk-test")
        assert resolve_api_key(ModelSpec(name="m", api_key_env="MY_KEY"), "https://models.example.org/v1") == "sk-test"


def test_a_replay_miss_reaches_the_agent_with_its_hash(
    fake_spec: ModelSpec, make_gateway: Any, tmp_path: Path, short_tmp: Path
) -> None:
    from podium.runtime.llm import Cassette

    cassette_path = tmp_path / "c.jsonl"
    make_gateway(fake_spec, tmp_path / "rec", cassette=Cassette(cassette_path, "record")).complete(ASK)
    replaying = make_gateway(fake_spec, tmp_path / "rep", cassette=Cassette(cassette_path, "replay"))
    with LLMProxy(replaying, short_tmp / "llm.sock") as proxy:
        llm = connect(proxy.socket_path)
        assert llm.complete(ASK).replayed
        with pytest.raises(LLMError, match=r"holds no response for request [0-9a-f]{64} \(occurrence 1\)") as missed:
            llm.complete(ASK)
    assert not isinstance(missed.value, EndpointError)
