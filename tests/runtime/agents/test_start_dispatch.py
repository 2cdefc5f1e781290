"""The scaffold package's start.py: dummy, podium's agents, and external commands under the contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from podium.generator import compile as compiler
from podium.generator.catalog import load_catalog
from podium.runtime.agents.contract import AgentPaths

COMMAND_SPEC = """spec_version: 1
id: echo-env
name: Echo the contract
agent: command
command: [{python}, -c, "{code}"]
"""
ECHO_ENV = (
    "import json, os, sys; "
    "names = ['COMPETITION_ID', 'DATA_DIR', 'SUBMISSION_DIR', 'LOGS_DIR', 'CODE_DIR', 'AGENT_DIR', 'PODIUM_SCAFFOLD']; "
    "json.dump({name: os.environ.get(name) for name in names}, open(os.environ['LOGS_DIR'] + '/env.json', 'w')); "
    "sys.exit(7)"
)
IMAGE_ONLY_SPEC = """spec_version: 1
id: image-only
name: An MLE-bench agent image
agent: command
image: {base: "mlebench-env:latest"}
"""


@pytest.fixture
def packages(specs_tree: Path, tmp_path: Path) -> Path:
    scaffolds = specs_tree / "scaffolds"
    (scaffolds / "echo-env.yaml").write_text(COMMAND_SPEC.format(python=json.dumps(sys.executable), code=ECHO_ENV))
    (scaffolds / "image-only.yaml").write_text(IMAGE_ONLY_SPEC)
    catalog = load_catalog(specs_tree)
    assert not catalog.errors, catalog.errors
    out = tmp_path / "generated"
    compiler.build(catalog, out, ["dummy", "baseline", "aide", "echo-env", "image-only"])
    return out / "scaffolds"


def start(
    packages: Path, scaffold: str, paths: AgentPaths, *python_flags: str, **env: str
) -> subprocess.CompletedProcess[str]:
    contract = {
        "DATA_DIR": str(paths.data),
        "SUBMISSION_DIR": str(paths.submission),
        "LOGS_DIR": str(paths.logs),
        "CODE_DIR": str(paths.code),
        "AGENT_DIR": str(paths.agent),
        "PODIUM_LLM_SOCKET": str(paths.agent / "no-proxy.sock"),
    }
    environment = {
        k: v for k, v in os.environ.items() if k not in ("OPENAI_BASE_URL", "PODIUM_LLM_URL", "COMPETITION_ID")
    }
    command = [sys.executable, *python_flags, str(packages / scaffold / "agent" / "start.py")]
    return subprocess.run(
        command, env={**environment, **contract, **env}, capture_output=True, text=True, timeout=300, check=False
    )


def test_baseline_runs_podiums_agent_with_the_scaffold_params(packages: Path, contract: AgentPaths) -> None:
    result = start(packages, "baseline", contract, PODIUM_SEED="3")
    assert result.returncode == 0, result.stderr
    submission = pd.read_csv(contract.submission_file, dtype={"Id": str})
    assert submission["Id"].tolist() == pd.read_csv(contract.sample_submission, dtype={"Id": str})["Id"].tolist()
    summary = json.loads((contract.logs / "baseline.json").read_text())
    assert summary["folds"] == 5 and summary["seed"] == 3  # folds from specs/scaffolds/baseline.yaml


def test_aide_without_a_model_fails_with_a_sentence(packages: Path, contract: AgentPaths) -> None:
    result = start(packages, "aide", contract)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "OPENAI_BASE_URL" in result.stderr  # the spec leaves the endpoint to the environment
    assert not contract.submission_file.exists()


def test_dummy_still_copies_the_sample(packages: Path, contract: AgentPaths) -> None:
    assert start(packages, "dummy", contract).returncode == 0
    assert contract.submission_file.read_bytes() == contract.sample_submission.read_bytes()


def test_podium_agents_say_when_the_runtime_is_missing(packages: Path, contract: AgentPaths) -> None:
    result = start(packages, "baseline", contract, "-S")  # no site-packages: podium cannot be imported
    assert result.returncode == 4
    assert "install podium with its 'agents' extra" in result.stderr


def test_a_command_runs_with_the_contract_env_and_its_exit_code(packages: Path, contract: AgentPaths) -> None:
    result = start(packages, "echo-env", contract)
    assert result.returncode == 7  # start.py became the command: its exit code is the run's
    env = json.loads((contract.logs / "env.json").read_text())
    assert env["COMPETITION_ID"] == "synthetic"  # from the task card when the runner set none
    assert env["DATA_DIR"] == str(contract.data) and env["SUBMISSION_DIR"] == str(contract.submission)
    assert env["PODIUM_SCAFFOLD"].endswith("echo-env/agent/scaffold.json")


def test_an_image_only_command_starts_the_images_start_script(packages: Path, contract: AgentPaths) -> None:
    result = start(packages, "image-only", contract)
    assert "running bash /home/agent/start.sh" in result.stderr  # MLE-bench's entry, absent on this host
    assert result.returncode == 127
