"""The agent container contract as the runtime provides it: folders, mounts, environment, task card.

    /home/data         prepared public data, read-only (each file mounted; never the answers)
    /home/data/task.json   the task card: ids, targets, metric, direction, limits (per run)
    /home/submission   the agent writes submission.csv here
    /home/logs         logs (the runtime adds stdout.log, stderr.log; the agent may add usage.json)
    /home/code         the agent's code
    /home/agent        the scaffold package's agent/ folder, read-only
    /home/validate     the validation endpoint (validate.py, requests/, responses/)

MLE-bench's variables name them (DATA_DIR, SUBMISSION_DIR, …) and COMPETITION_ID is set, so an
agent built for MLE-bench runs unchanged.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from podium.runtime.sandbox import Mount, SandboxLimits
from podium.runtime.spec import ResolvedCompetition

DATA, SUBMISSION, LOGS, CODE, AGENT, VALIDATE = (
    "/home/data", "/home/submission", "/home/logs", "/home/code", "/home/agent", "/home/validate",
)  # fmt: skip
TASK_CARD = "task.json"
SUBMISSION_FILE = "submission.csv"
USAGE_FILE = "usage.json"
VALIDATOR_LOG = "validator.log"


@dataclass(frozen=True)
class RunDirs:
    """`<runs dir>/<run id>/`: the agent's writable folders plus what the runtime keeps beside them."""

    root: Path

    @property
    def submission(self) -> Path:
        return self.root / "submission"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def code(self) -> Path:
        return self.root / "code"

    @property
    def validate(self) -> Path:
        return self.root / "validate"

    @property
    def task_card(self) -> Path:
        return self.root / TASK_CARD

    @property
    def validator_log(self) -> Path:
        return self.root / VALIDATOR_LOG

    @property
    def submission_file(self) -> Path:
        return self.submission / SUBMISSION_FILE

    def create(self) -> RunDirs:
        """Fresh folders: what an earlier, interrupted attempt of this run left is removed."""
        shutil.rmtree(self.root, ignore_errors=True)
        for folder in (self.submission, self.logs, self.code, self.validate):
            folder.mkdir(parents=True)
        return self


def task_card(competition: ResolvedCompetition, public: Path, seed: int) -> dict[str, object]:
    """What the competition's description says in prose, as data an agent can read."""
    prepare, grader, limits = competition.prepare, competition.grader, competition.limits
    description = public / "description.md"
    return {
        "competition_id": competition.id,
        "name": competition.name,
        "modality": competition.modality,
        "id_column": prepare.id_column,
        "key_columns": list(prepare.key_columns),
        # The submission's own column names, which for a few MLE-bench competitions differ
        # from the answers' (hubmap writes `predicted` for the answers' `encoding`).
        "targets": [prepare.submission_name(target) for target in prepare.targets],
        "metric": grader.id,
        "direction": grader.direction,
        "inputs": list(grader.inputs),
        "train": prepare.public_train,
        "test": prepare.public_test,
        "sample_submission": "sample_submission.csv",
        "description": f"{DATA}/description.md" if description.is_file() else None,
        "submission": f"{SUBMISSION}/{SUBMISSION_FILE}",
        "validate": f"python {VALIDATE}/validate.py {SUBMISSION}/{SUBMISSION_FILE}",
        "seed": seed,
        "limits": {
            "time_seconds": limits.time,
            "cpus": limits.cpus,
            "memory_bytes": limits.memory,
            "gpus": limits.gpus,
            "disk_bytes": limits.disk,
        },
    }


def write_task_card(dirs: RunDirs, competition: ResolvedCompetition, public: Path, seed: int) -> Path:
    card = task_card(competition, public, seed)
    dirs.task_card.write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return dirs.task_card


def agent_mounts(dirs: RunDirs, public: Path, agent_dir: Path) -> list[Mount]:
    """Each public file on its own (so the per-run task card can sit beside them), then the folders."""
    data = [Mount(entry, f"{DATA}/{entry.name}") for entry in sorted(public.iterdir()) if entry.name != TASK_CARD]
    return [
        *data,
        Mount(dirs.task_card, f"{DATA}/{TASK_CARD}"),
        Mount(agent_dir, AGENT),
        Mount(dirs.submission, SUBMISSION, read_only=False),
        Mount(dirs.logs, LOGS, read_only=False),
        Mount(dirs.code, CODE, read_only=False),
        Mount(dirs.validate, VALIDATE, read_only=False),
    ]


def agent_env(competition_id: str, run_id: str, seed: int, limits: SandboxLimits, local: bool) -> dict[str, str]:
    """The contract's variables, plus what a local sandbox must set that an image already has."""
    threads = str(limits.threads)
    env = {
        "COMPETITION_ID": competition_id,
        "PODIUM_RUN_ID": run_id,
        "PODIUM_SEED": str(seed),
        "DATA_DIR": DATA,
        "SUBMISSION_DIR": SUBMISSION,
        "LOGS_DIR": LOGS,
        "CODE_DIR": CODE,
        "AGENT_DIR": AGENT,
        "VALIDATE_DIR": VALIDATE,
        "PODIUM_TASK_CARD": f"{DATA}/{TASK_CARD}",
        "PYTHONUNBUFFERED": "1",
        "OMP_NUM_THREADS": threads,
        "OPENBLAS_NUM_THREADS": threads,
        "MKL_NUM_THREADS": threads,
    }
    if local:
        python_bin = str(Path(sys.executable).parent)
        env |= {
            "PATH": f"{python_bin}:/usr/local/bin:/usr/bin:/bin",
            "HOME": "/tmp",
            "TMPDIR": "/tmp",
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    return env
