"""`python -m podium.runtime.agents.aide`: the AIDE agent's command line, as `agent/start.py` calls it.

    python -m podium.runtime.agents.aide [--data-dir DIR] … [--seed N] [--scaffold scaffold.json]

The model: inside a podium sandbox, the runtime's LLM proxy (`podium.runtime.llm.connect`), which
enforces the scaffold's budgets outside the agent; on a host without a proxy, the scaffold spec's
`model` endpoint called directly through a metered `Gateway` with the same budgets.
Exit codes: 0 the search ran (the submission is the best valid node's, else the sample), 1 it
could not start (the log says why).
"""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from podium.runtime.agents.aide.agent import AideAgent, SearchSetup
from podium.runtime.agents.aide.journal import JournalError
from podium.runtime.agents.aide.policy import SearchParams
from podium.runtime.agents.aide.runner import NON_NEGATIVE_WORDS
from podium.runtime.agents.contract import (
    AgentLog,
    AgentPaths,
    ContractError,
    TaskCard,
    chosen_seed,
    parse_contract_arguments,
    read_task_card,
    scaffold_settings,
)
from podium.runtime.spec.units import parse_duration

EXIT_OK, EXIT_FAILED = 0, 1
RUN_ID_ENV = "PODIUM_RUN_ID"  # set by the runtime for every run it starts


def main(argv: Sequence[str] | None = None) -> int:
    from podium.runtime.llm import LLMError

    arguments = parse_contract_arguments("aide", "podium's AIDE agent: tree search over model-written programs", argv)
    paths = AgentPaths.from_arguments(arguments)
    log = AgentLog(paths.logs, "aide")
    exit_on_sigterm()
    try:
        settings = scaffold_settings(arguments.scaffold)
        setup = search_setup(paths, settings, chosen_seed(arguments))
        llm = connect_model(settings, paths)
        AideAgent(setup, llm, log).run()
    except (ContractError, JournalError, LLMError) as error:
        log(f"failed: {error}")
        return EXIT_FAILED
    return EXIT_OK


def exit_on_sigterm() -> None:
    """SIGTERM unwinds like an exit, so a running node's process group is killed on the way out."""
    if threading.current_thread() is threading.main_thread():  # signals can only be set there
        signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))


def search_setup(paths: AgentPaths, settings: dict[str, Any], seed: int) -> SearchSetup:
    try:
        params = SearchParams.model_validate(settings.get("params") or {})
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise ContractError(f"the aide scaffold's params are not valid: {problems}") from None
    card = read_task_card(paths)
    return SearchSetup(paths, card, params, seed, lower_is_better(card), time_limit=_time_limit(card))


def lower_is_better(card: TaskCard) -> bool:
    """The card's direction; else the metric registry's; else what the metric's name says."""
    if card.direction in ("maximize", "minimize"):
        return card.direction == "minimize"
    if card.metric:
        from podium.runtime.grading.registry import get_metric

        try:
            return get_metric(card.metric).direction == "minimize"
        except KeyError:
            pass
    return bool(set(re.split(r"[^a-z0-9]+", (card.metric or "").lower())) & NON_NEGATIVE_WORDS)


def _time_limit(card: TaskCard) -> float | None:
    value = card.limits.get("time_seconds", card.limits.get("time"))
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as error:
        raise ContractError(f"the task card's time limit {value!r} is not a duration: {error}") from None


def connect_model(settings: dict[str, Any], paths: AgentPaths) -> Any:
    """The runtime's proxy when this run has one; otherwise the scaffold's endpoint, metered here."""
    from podium.runtime.llm import BudgetLimits, Gateway, ModelSpec, connect
    from podium.runtime.llm.client import SANDBOX_SOCKET, SOCKET_ENV, URL_ENV

    socket = Path(os.environ.get(SOCKET_ENV) or SANDBOX_SOCKET)
    if os.environ.get(URL_ENV) or socket.exists():
        return connect()
    if os.environ.get(RUN_ID_ENV):  # inside a podium run: no network, so only the runtime's proxy can answer
        raise ContractError(
            f"this run has no LLM proxy: nothing at {socket} (${SOCKET_ENV}) and no ${URL_ENV}; the runtime "
            "must serve the scaffold's model to the sandbox for an aide run"
        )
    model = settings.get("model")
    if not model:
        raise ContractError(
            f"no model to ask: there is no LLM proxy (${SOCKET_ENV}, ${URL_ENV}) and the scaffold spec has no "
            "`model`; run the agent through `podium run`, or pass --scaffold with a spec that names a model"
        )
    try:
        spec = ModelSpec.model_validate(model)
        limits = BudgetLimits.model_validate(settings.get("budgets") or {})
    except ValidationError as error:
        raise ContractError(f"the scaffold's model or budgets are not valid: {error.errors()[0]['msg']}") from None
    try:
        return Gateway(spec, limits, paths.logs)
    except ImportError as error:
        raise ContractError(f"calling the model needs openai ({error}): pip install 'podium[llm]'") from None
