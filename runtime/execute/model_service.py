"""The scaffold's model, served to one run's sandbox (see docs/llm.md).

    scaffold.json `model` + `budgets` ─▶ Gateway (budget, llm_calls.jsonl, cassette) ─▶ LLMProxy on a
    unix socket in a short private folder ─▶ bind-mounted at /home/llm.sock, PODIUM_LLM_SOCKET set

The endpoint is the spec's `base_url`, else the runtime's own `OPENAI_BASE_URL` (the agent's
environment is never consulted: it is built by the runtime and has no key). After the run the
record takes `gateway.usage()`, counted in memory on the host, not the usage.json in the logs
folder the agent can write.

The gateway writes `llm_calls.jsonl` and `usage.json` to `<run dir>/llm/`, which the agent cannot
reach: a root runtime appending to files in the agent's logs folder would follow any symlink the
agent planted there. When the run is over, copies replace whatever the agent left under those
names in its logs folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from podium.runtime.execute.packages import ScaffoldCard
from podium.runtime.sandbox import Mount
from podium.runtime.store.records import Usage

SANDBOX_SOCKET = "/home/llm.sock"  # the same path as podium.runtime.llm.client.SANDBOX_SOCKET
SOCKET_ENV = "PODIUM_LLM_SOCKET"
SOCKET_NAME = "llm.sock"
MAX_SOCKET_PATH = 107  # sun_path holds 108 bytes with the terminating NUL
CassettePlayback = Literal["record", "replay"]


class ModelSetupError(Exception):
    """The scaffold's model cannot be served to this run; the message is the record's error."""


@dataclass(frozen=True)
class CassetteSetting:
    """Record every model call of a run to `path`, or replay them from it without a model server."""

    path: Path
    mode: CassettePlayback = "record"


@dataclass(frozen=True)
class ServedModel:
    """What the sandbox needs to reach the model, and the gateway that counted what it spent."""

    gateway: Any = None  # podium.runtime.llm.Gateway, or None when the scaffold names no model
    socket: Path | None = None

    @property
    def mounts(self) -> list[Mount]:
        # Read-only is enough: connect() on a socket needs write permission on the inode, which
        # the proxy grants (0666), not a writable mount.
        return [] if self.socket is None else [Mount(self.socket, SANDBOX_SOCKET)]

    @property
    def env(self) -> dict[str, str]:
        return {} if self.socket is None else {SOCKET_ENV: SANDBOX_SOCKET}

    def usage(self, agent_says: Usage) -> Usage:
        """The gateway's figures when it served the run, else what the agent wrote (no model: nothing to check)."""
        if self.gateway is None:
            return agent_says
        counted: Usage = self.gateway.usage()
        return counted.model_copy(update={"validator_calls": agent_says.validator_calls})

    def budget_note(self) -> str | None:
        """A sentence for the record when a budget limit stopped the agent's model calls."""
        if self.gateway is None or self.gateway.budget_exceeded is None:
            return None
        limit = self.gateway.budget_exceeded
        allowed = getattr(self.gateway.budget.limits, limit)
        refused = self.gateway.budget.refused
        return (
            f"the LLM budget stopped the agent: its {limit} limit ({allowed}) was spent and "
            f"{refused} later call(s) were refused"
        )


@contextmanager
def serve_model(
    scaffold: ScaffoldCard, journal_dir: Path, logs_dir: Path, cassette: CassetteSetting | None
) -> Iterator[ServedModel]:
    """Serve the scaffold's model for the duration of the block (nothing when it names none);
    the call log goes to `journal_dir`, and a copy to `logs_dir` at the end."""
    if not scaffold.model:
        yield ServedModel()
        return
    gateway = make_gateway(scaffold.model, scaffold.budgets, journal_dir, cassette)
    from podium.runtime.llm import CALLS_FILE, USAGE_FILE, LLMProxy

    try:
        with _socket_folder() as folder, LLMProxy(gateway, folder / SOCKET_NAME) as proxy:
            yield ServedModel(gateway, proxy.socket_path)
    finally:
        for name in (CALLS_FILE, USAGE_FILE):
            with contextlib.suppress(OSError):  # a convenience copy: the run's own log stays in journal_dir
                copy_into_agent_folder(journal_dir / name, logs_dir / name)


def copy_into_agent_folder(source: Path, target: Path) -> None:
    """Copy `source` to `target` in a folder the agent owned: whatever the agent left at that name
    (a symlink to a file of the host, a hard link) is removed, never written through."""
    if not source.is_file():
        return
    target.unlink(missing_ok=True)
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(descriptor, "wb") as copy, source.open("rb") as original:
        shutil.copyfileobj(original, copy)


def make_gateway(
    model: dict[str, Any], budgets: dict[str, Any], logs_dir: Path, cassette: CassetteSetting | None
) -> Any:
    """A Gateway for the scaffold's model and budgets; every way it cannot start is a ModelSetupError."""
    from podium.runtime.llm import BudgetLimits, Cassette, Gateway, LLMError, ModelSpec
    from podium.runtime.llm.endpoint import resolve_base_url

    try:
        spec = ModelSpec.model_validate(model)
        limits = BudgetLimits.model_validate(budgets)
        resolve_base_url(spec)  # fails now, with the fix named, rather than at the agent's first call
        recorder = Cassette(cassette.path, cassette.mode) if cassette is not None else None
        return Gateway(spec, limits, logs_dir, cassette=recorder)
    except ValidationError as error:
        raise ModelSetupError(f"the scaffold's model or budgets are not valid: {error.errors()[0]['msg']}") from None
    except (LLMError, OSError) as error:
        raise ModelSetupError(f"cannot serve the scaffold's model {model.get('name')!r}: {error}") from None
    except ImportError as error:
        raise ModelSetupError(f"calling the model needs openai ({error}): pip install 'podium[llm]'") from None


@contextmanager
def _socket_folder() -> Iterator[Path]:
    """A private folder with a path short enough for a unix socket, removed afterwards. The agent
    may run as another uid (bwrap as root, docker's image user): the folder is traversable (not
    listable) and the proxy makes the socket itself connectable by anyone."""
    base = tempfile.gettempdir()
    if len(os.fsencode(base)) + len("/podium-llm-XXXXXXXX/") + len(SOCKET_NAME) > MAX_SOCKET_PATH:
        base = "/tmp"  # a long $TMPDIR would not fit in sun_path
    folder = Path(tempfile.mkdtemp(prefix="podium-llm-", dir=base))
    try:
        folder.chmod(0o711)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
