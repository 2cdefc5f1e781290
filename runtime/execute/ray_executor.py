"""The Ray executor: each run a Ray task that asks for the competition's CPUs, memory and GPUs.

`ray.init()` starts a local Ray instance, or `address=` joins an existing cluster (`ray://…` or
`auto`). The task runs `execute_run` on a worker (the sandbox starts there, so every node needs
bwrap or docker and the data folder, shared or prepared in place) and returns the finished record;
the driver writes it to its store. A run that asks for more than the whole cluster has fails at
once with that sentence instead of waiting forever. Ray is an optional extra: `pip install
'podium[ray]'`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from podium.runtime.execute.executors import Outcome
from podium.runtime.execute.run import RunCancelled, RunSettings, execute_run
from podium.runtime.store.records import RunRecord

if TYPE_CHECKING:
    from podium.runtime.spec import Limits


class RayMissing(Exception):
    """Ray is not installed."""


def import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise RayMissing(
            "the Ray executor needs Ray: `pip install 'podium[ray]'` (or `pip install 'ray[default]'`), "
            "or use --executor local"
        ) from None
    return ray


def _run_on_worker(record_json: str, settings: RunSettings) -> str | None:
    """The Ray task: a finished record as JSON, or None when the run was cancelled."""
    try:
        return execute_run(RunRecord.model_validate_json(record_json), settings).model_dump_json()
    except RunCancelled:
        return None


class RayExecutor:
    def __init__(
        self,
        settings: RunSettings,
        limits_of: Callable[[str], Limits],
        *,
        address: str | None = None,
        workers: int | None = None,
        num_cpus: int | None = None,
    ):
        self.ray = import_ray()
        if not self.ray.is_initialized():
            options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "logging_level": "warning"}
            if address is None and num_cpus is not None:
                options["num_cpus"] = num_cpus
            self.ray.init(address=address, **options)
        self.settings = settings
        self.limits_of = limits_of
        self.cluster = self.ray.cluster_resources()
        self.slots = workers or max(1, int(self.cluster.get("CPU", 1)))
        self._task = self.ray.remote(_run_on_worker)
        self._refs: dict[Any, str] = {}
        self._refused: list[Outcome] = []

    def submit(self, record: RunRecord) -> None:
        request = self.resources_for(record.competition_id)
        too_big = self._exceeds_cluster(request)
        if too_big:
            self._refused.append(Outcome(record.run_id, error=too_big))
            return
        reference = self._task.options(**request, max_retries=0).remote(record.model_dump_json(), self.settings)
        self._refs[reference] = record.run_id

    def resources_for(self, competition_id: str) -> dict[str, Any]:
        limits = self.limits_of(competition_id)
        return {"num_cpus": limits.cpus, "memory": limits.memory, "num_gpus": limits.gpus}

    def _exceeds_cluster(self, request: dict[str, Any]) -> str | None:
        have = {"num_cpus": "CPU", "memory": "memory", "num_gpus": "GPU"}
        for option, resource in have.items():
            wanted, available = request[option], self.cluster.get(resource, 0)
            if wanted and wanted > available:
                return f"the run needs {resource} {wanted:g} but the whole Ray cluster has {available:g}"
        return None

    def collect(self, timeout: float) -> list[Outcome]:
        refused, self._refused = self._refused, []
        if not self._refs:
            return refused
        ready, _ = self.ray.wait(list(self._refs), num_returns=1, timeout=0 if refused else timeout)
        if ready:
            ready, _ = self.ray.wait(list(self._refs), num_returns=len(self._refs), timeout=0)
        return refused + [self._outcome(reference, self._refs.pop(reference)) for reference in ready]

    def _outcome(self, reference: Any, run_id: str) -> Outcome:
        try:
            text = self.ray.get(reference)
        except self.ray.exceptions.TaskCancelledError:
            return Outcome(run_id, cancelled=True)
        except self.ray.exceptions.RayError as error:
            return Outcome(run_id, error=f"the Ray task failed: {str(error).strip().splitlines()[-1]}")
        if text is None:
            return Outcome(run_id, cancelled=True)
        return Outcome(run_id, record=RunRecord.model_validate_json(text))

    def cancel(self) -> None:
        """Force-cancel: the worker process dies, and bwrap's --die-with-parent takes the agent along."""
        for reference in self._refs:
            self.ray.cancel(reference, force=True)

    def close(self) -> None:
        self._refs.clear()
