"""Sandboxes: run an agent's command with the contract's folders mounted and limits enforced.

    LocalSandbox(isolation="auto")   bubblewrap when installed, else a plain process (warned)
    DockerSandbox(client, image)     a container: network none, cgroup limits, non-root user

Both implement `Sandbox.run(command, mounts, limits, env, timeout, log_dir=..., cancel=...)
-> SandboxResult`; `make_sandbox(backend, ...)` picks one by name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from podium.runtime.sandbox.base import (
    Mount,
    Sandbox,
    SandboxError,
    SandboxLimits,
    SandboxResult,
    count_denials,
)
from podium.runtime.sandbox.local import NOT_ISOLATED_WARNING, LocalSandbox

if TYPE_CHECKING:
    from podium.runtime.sandbox.docker import DockerSandbox

__all__ = [
    "NOT_ISOLATED_WARNING",
    "DockerSandbox",
    "LocalSandbox",
    "Mount",
    "Sandbox",
    "SandboxError",
    "SandboxLimits",
    "SandboxResult",
    "count_denials",
]


def __getattr__(name: str) -> Any:
    if name == "DockerSandbox":  # the docker SDK is an optional dependency
        from podium.runtime.sandbox.docker import DockerSandbox

        return DockerSandbox
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
