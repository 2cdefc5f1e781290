"""Dollar cost of a call from a per-model price table (dollars per 1M tokens)."""

from __future__ import annotations

import warnings
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from ruamel.yaml import YAML

DEFAULT_PRICES = Path(__file__).with_name("prices.yaml")


class Price(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    prompt: float = Field(ge=0, description="dollars per 1M prompt tokens")
    completion: float = Field(ge=0, description="dollars per 1M completion tokens")


class PriceTable(BaseModel):
    """Model name (or snapshot prefix) -> price; groups in the YAML file are only for reading."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prices: dict[str, Price] = Field(default_factory=dict)

    def price_of(self, model: str) -> Price | None:
        """Exact name first, then the longest key that prefixes a dated snapshot name."""
        if model in self.prices:
            return self.prices[model]
        prefixes = [key for key in self.prices if model.startswith(key + "-") or model.startswith(key + ":")]
        return self.prices[max(prefixes, key=len)] if prefixes else None

    def cost_usd(self, model: str, prompt_tokens: int, completion_tokens: int) -> float:
        price = self.price_of(model)
        if price is None:
            _warn_unpriced(model)
            return 0.0
        return (prompt_tokens * price.prompt + completion_tokens * price.completion) / 1_000_000


@cache
def _warn_unpriced(model: str) -> None:
    # Once per model and process: a long run must not repeat it on every call.
    warnings.warn(
        f"no price for model {model!r} in the price table; its calls count as $0 "
        f"(add it to {DEFAULT_PRICES} or pass a price table)",
        stacklevel=3,
    )


def load_prices(path: Path | None = None) -> PriceTable:
    """Read a price file: groups of `model: {prompt: $, completion: $}` per 1M tokens."""
    source = path or DEFAULT_PRICES
    try:
        groups = YAML(typ="safe").load(source.read_text(encoding="utf-8")) or {}
    except OSError as error:
        raise ValueError(f"cannot read the price table {source}: {error.strerror}") from error
    if not isinstance(groups, dict) or not all(isinstance(group, dict) for group in groups.values()):
        raise ValueError(f"the price table {source} must map group names to `model: {{prompt, completion}}` entries")
    flat = {name: price for group in groups.values() for name, price in group.items()}
    return PriceTable.model_validate({"prices": flat})
