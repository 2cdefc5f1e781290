"""How a STOP run reaches its language model: one endpoint, one cassette, a fresh gateway per improver run.

Every improver run gets its own `Gateway` (the LLM layer's metered client), so its budget
starts fresh as the scaffold spec says; all of them share one endpoint and one cassette, so a
whole run records into, or replays from, a single file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from podium.runtime.llm import Cassette, Gateway, OpenAIEndpoint
from podium.runtime.stop.config import StopConfig
from podium.runtime.stop.host import ModelAccess


def model_access(config: StopConfig, run_dir: Path, cassette: Cassette, endpoint: Any | None = None) -> ModelAccess:
    """`endpoint` defaults to the spec's OpenAI-compatible endpoint; replay needs none."""
    if cassette.mode != "replay" and endpoint is None:
        endpoint = OpenAIEndpoint(config.model)

    def new_gateway(label: str) -> Gateway:
        return Gateway(config.model, config.llm_limits, run_dir / "llm" / label, cassette=cassette, endpoint=endpoint)

    return ModelAccess(
        new_gateway=new_gateway,
        samples_per_call=config.params.samples_per_call,
        temperature=config.model.temperature,
        system_prompt=config.params.system_prompt,
        max_tokens=config.model.max_tokens,
    )
