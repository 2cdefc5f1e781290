"""Budgets are enforced by the gateway, outside the agent: each limit stops the run and is recorded."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from podium.runtime.llm import (
    Budget,
    BudgetExceeded,
    BudgetLimits,
    ModelSpec,
    PriceTable,
    load_prices,
    read_usage,
)
from podium.runtime.llm.journal import read_usage_summary

ASK = [{"role": "user", "content": "write train.py"}]

# Each fake call: 10 prompt + 5 completion tokens per choice, $0.01 + $0.01 per choice.
LIMIT_CASES = [
    pytest.param(BudgetLimits(llm_calls=2), 1, 2, id="llm_calls"),
    pytest.param(BudgetLimits(samples=5), 2, 2, id="samples"),  # 2+2 drawn; 2 more would pass 5
    pytest.param(BudgetLimits(tokens=40), 1, 3, id="tokens"),  # 15, 30 < 40: third served, crossing to 45
    pytest.param(BudgetLimits(dollars=0.05), 1, 3, id="dollars"),  # $0.02, $0.04 < $0.05: third served
]


def read_journal(logs: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (logs / "llm_calls.jsonl").read_text().splitlines()]


@pytest.mark.parametrize(("limits", "n", "served"), LIMIT_CASES)
def test_each_limit_stops_the_agent_and_is_recorded(
    fake_openai: Any, fake_spec: ModelSpec, make_gateway: Any, tmp_path: Path, limits: BudgetLimits, n: int, served: int
) -> None:
    limit_name = next(name for name, value in limits.model_dump().items() if value is not None)
    logs = tmp_path / "logs"
    gateway = make_gateway(fake_spec, logs, limits)

    for _ in range(served):
        gateway.complete(ASK, n=n)
    with pytest.raises(BudgetExceeded) as refused:
        gateway.complete(ASK, n=n)

    assert refused.value.limit == limit_name
    assert len(fake_openai.requests) == served, "a refused call must never reach the model"
    assert gateway.budget_exceeded == limit_name
    summary = read_usage_summary(logs)
    assert summary.budget_exceeded == limit_name
    assert summary.llm_calls == served
    assert summary.refused_calls == 1
    last = read_journal(logs)[-1]
    assert last["error"]["type"] == "budget_exceeded"
    assert limit_name in last["error"]["message"]


def test_the_first_refusal_is_final(fake_openai: Any, fake_spec: ModelSpec, make_gateway: Any, tmp_path: Path) -> None:
    gateway = make_gateway(fake_spec, tmp_path, BudgetLimits(samples=3))
    gateway.complete(ASK, n=2)
    with pytest.raises(BudgetExceeded):
        gateway.complete(ASK, n=2)
    with pytest.raises(BudgetExceeded) as again:
        gateway.complete(ASK, n=1)  # would fit the samples left, but the run's budget is over
    assert again.value.limit == "samples"
    assert len(fake_openai.requests) == 1


def test_wall_time_limit_counts_from_the_gateways_start(
    fake_openai: Any, fake_spec: ModelSpec, make_gateway: Any, tmp_path: Path
) -> None:
    gateway = make_gateway(fake_spec, tmp_path, BudgetLimits(wall_time=0.4))
    gateway.complete(ASK)
    time.sleep(0.45)
    with pytest.raises(BudgetExceeded) as refused:
        gateway.complete(ASK)
    assert refused.value.limit == "wall_time"
    assert read_usage_summary(tmp_path).budget_exceeded == "wall_time"


def test_wall_time_shortens_the_request_timeout(
    fake_openai: Any, fake_spec: ModelSpec, make_gateway: Any, tmp_path: Path
) -> None:
    from podium.runtime.llm import EndpointError

    gateway = make_gateway(fake_spec, tmp_path, BudgetLimits(wall_time=0.5), max_retries=0, timeout_s=30)
    fake_openai.delay_next(2.0)
    started = time.perf_counter()
    with pytest.raises(EndpointError):
        gateway.complete(ASK)
    assert time.perf_counter() - started < 1.5


def test_usage_json_becomes_the_run_records_usage(
    fake_openai: Any, fake_spec: ModelSpec, make_gateway: Any, tmp_path: Path
) -> None:
    gateway = make_gateway(fake_spec, tmp_path, None)
    gateway.complete(ASK, n=2)
    gateway.complete(ASK)
    usage = read_usage(tmp_path)
    assert (usage.llm_calls, usage.prompt_tokens, usage.completion_tokens) == (2, 20, 15)
    assert usage.cost_usd == pytest.approx(20 * 1e-3 + 15 * 2e-3)  # $1000 and $2000 per 1M tokens
    assert gateway.usage() == usage


def test_a_run_without_calls_reports_zero_usage(tmp_path: Path) -> None:
    assert read_usage(tmp_path).llm_calls == 0


def test_budget_refuses_the_samples_that_would_pass_the_limit() -> None:
    budget = Budget(BudgetLimits(samples=4))
    budget.admit(3)
    with pytest.raises(BudgetExceeded) as refused:
        budget.admit(2)
    assert refused.value.limit == "samples"
    assert "3 samples drawn" in str(refused.value)


def test_budget_wall_clock_is_injectable() -> None:
    now = [100.0]
    budget = Budget(BudgetLimits(wall_time=60), clock=lambda: now[0])
    budget.admit(1)
    assert budget.remaining_wall_s() == 60
    now[0] += 61
    with pytest.raises(BudgetExceeded, match="wall_time"):
        budget.admit(1)


def test_prices_match_dated_snapshots_by_the_longest_prefix() -> None:
    prices = load_prices()
    assert prices.cost_usd("gpt-4o-mini", 1_000_000, 0) == pytest.approx(0.15)
    assert prices.cost_usd("gpt-4o-mini-2024-07-18", 0, 1_000_000) == pytest.approx(0.60)
    assert prices.cost_usd("gpt-4o-2024-08-06", 1_000_000, 0) == pytest.approx(2.50)


def test_an_unpriced_model_costs_nothing_with_a_warning() -> None:
    with pytest.warns(UserWarning, match="no price for model 'mystery-7b'"):
        assert PriceTable().cost_usd("mystery-7b", 1000, 1000) == 0.0


def test_a_malformed_price_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "prices.yaml"
    bad.write_text("gpt-4o: 3\n")
    with pytest.raises(ValueError, match="must map group names"):
        load_prices(bad)


def test_a_scaffold_specs_model_and_budgets_convert_without_loss() -> None:
    """The runtime cannot import the generator, so its types mirror the spec's; this keeps them in step."""
    from podium.generator.models.documents import Budgets, ModelEndpoint

    endpoint = ModelEndpoint(name="gpt-4o-mini", base_url="http://127.0.0.1:8080/v1", temperature=0.2, max_tokens=99)
    assert ModelSpec.model_validate(endpoint.model_dump()).model_dump(exclude={"fingerprint"}) == endpoint.model_dump()
    budgets = Budgets(llm_calls=5, samples=9, tokens=1000, dollars=2.5, utility_calls=3, wall_time="1h")
    limits = BudgetLimits.model_validate(budgets.model_dump())
    assert limits.model_dump() == budgets.model_dump(exclude={"utility_calls"})
