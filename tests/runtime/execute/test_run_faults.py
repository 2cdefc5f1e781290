"""Agents that crash, hang, fill the disk, write nothing, write 1 GB, fork a thousand processes, try
the network or reach for the answers: each is recorded with the right status, and the runtime
that ran them all in one suite still runs a healthy agent afterwards."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from runtime_world import (
    FAULTS,
    TEST_MAX_FILE_BYTES,
    TEST_MAX_PROCESSES,
    World,
    needs_bwrap,
    processes_with,
    run_scaffolds,
)

from podium.runtime.store import RunRecord, RunStore

SCAFFOLDS = ["dummy", *(fault.replace("_", "-") for fault in FAULTS), "network"]


@pytest.fixture(scope="module")
def records(world: World, tmp_path_factory: pytest.TempPathFactory) -> dict[str, RunRecord]:
    needs_bwrap()
    store = RunStore(tmp_path_factory.mktemp("store") / "runs.sqlite")
    return run_scaffolds(world, store, SCAFFOLDS, workers=2, suite="faults")


def observed(record: RunRecord, mode: str) -> dict:
    return json.loads((Path(record.run_dir or "") / "logs" / f"{mode}.json").read_text())


def test_every_run_finishes_with_a_status_and_the_runtime_still_works(records: dict[str, RunRecord]) -> None:
    assert all(record.finished for record in records.values())
    assert records["dummy"].status == "succeeded"
    assert records["dummy"].report and records["dummy"].report["valid_submission"] is True
    assert records["dummy"].sandbox == "bwrap"


def test_a_crash_is_failed_with_the_agents_last_words(records: dict[str, RunRecord]) -> None:
    crash = records["crash"]
    assert crash.status == "failed" and crash.exit_code == 1
    assert "exited with code 1" in (crash.error or "")
    assert "crashed on purpose" in (crash.error or "")


def test_a_hang_is_timed_out_and_its_whole_process_tree_killed(records: dict[str, RunRecord]) -> None:
    hang = records["hang"]
    assert hang.status == "timed-out"
    assert "wall-clock limit of 6s" in (hang.error or "")
    assert 6 <= (hang.resources.wall_seconds or 0) < 15
    assert processes_with("podium-fault-agent-child") == []  # the child that left its group too


def test_filling_the_disk_is_stopped_at_the_disk_limit(records: dict[str, RunRecord]) -> None:
    fill = records["fill-disk"]
    assert fill.status == "failed"
    assert "disk limit of 20MB" in (fill.error or "")
    written = sum(p.stat().st_size for p in (Path(fill.run_dir or "") / "code").iterdir())
    assert written < 200 * 2**20  # stopped within a few checks of the limit, not at the machine's disk


def test_no_submission_is_invalid(records: dict[str, RunRecord]) -> None:
    record = records["no-submission"]
    assert record.status == "invalid" and record.exit_code == 0
    assert record.report and record.report["submission_exists"] is False
    assert "no submission" in (record.error or "")


def test_a_1gb_submission_is_stopped_by_the_file_size_limit(records: dict[str, RunRecord]) -> None:
    record = records["huge-submission"]
    assert record.status == "failed"
    assert "File too large" in (record.error or "")
    submission = Path(record.run_dir or "") / "submission" / "submission.csv"
    assert submission.stat().st_size <= TEST_MAX_FILE_BYTES
    assert record.report and record.report["valid_submission"] is False  # what it left is still graded


def test_a_fork_bomb_is_contained_by_the_process_limit(records: dict[str, RunRecord]) -> None:
    record = records["fork-bomb"]
    forks = observed(record, "fork_bomb")
    assert forks["started"] < TEST_MAX_PROCESSES
    assert "Resource temporarily unavailable" in forks["refused"]
    assert record.status == "invalid"  # it wrote no submission; the runtime carried on
    assert record.resources.denied_actions >= 1


def test_the_network_is_unreachable_and_tries_are_counted(
    records: dict[str, RunRecord], host_listener: socket.socket
) -> None:
    record = records["network"]
    assert observed(record, "network") == {"host_listener": False, "internet": False, "dns": False}
    with pytest.raises(TimeoutError):
        host_listener.accept()  # nothing from the sandbox reached the host's loopback
    assert record.resources.denied_actions >= 1
    assert record.status == "succeeded"


def test_the_answers_are_out_of_reach(records: dict[str, RunRecord], world: World) -> None:
    probe = observed(records["probe-answers"], "probe_answers")
    assert (world.private / "test.csv").is_file()  # they exist on the host
    assert probe["host_private_path"] is False
    assert probe["beside_data"] is False and probe["prepared_private"] is False
    assert probe["answers_anywhere"] == []
    assert "test.csv" in probe["data_listing"] and "task.json" in probe["data_listing"]


def test_the_agent_sees_the_contract(records: dict[str, RunRecord]) -> None:
    facts = observed(records["contract"], "contract")
    assert facts["env"] == {
        "COMPETITION_ID": "tiny-iris", "DATA_DIR": "/home/data", "SUBMISSION_DIR": "/home/submission",
        "LOGS_DIR": "/home/logs", "CODE_DIR": "/home/code", "AGENT_DIR": "/home/agent", "PODIUM_SEED": "0",
    }  # fmt: skip
    task = facts["task"]
    assert (task["id_column"], task["targets"], task["metric"], task["direction"]) == (
        "id",
        ["target"],
        "accuracy",
        "maximize",
    )
    assert task["limits"]["time_seconds"] == 6.0 and task["description"] == "/home/data/description.md"
    assert {"start.py", "scaffold.json", "hooks"} <= set(facts["agent"])
    assert facts["data_writable"] is False
    assert facts["uid"] != 0


def test_the_validator_answers_valid_or_invalid_never_a_score(records: dict[str, RunRecord]) -> None:
    record = records["validate"]
    answers = observed(record, "validate")
    assert answers["sample"] == {"code": 0, "answer": "valid", "stderr": ""}
    assert answers["bad"]["code"] == 1
    assert answers["bad"]["answer"].startswith("invalid: ") and "target" in answers["bad"]["answer"]
    assert record.usage.validator_calls == 2
    log = (Path(record.run_dir or "") / "validator.log").read_text().splitlines()
    assert len(log) == 2 and log[1].endswith(" valid")


def test_agent_reported_usage_is_recorded(records: dict[str, RunRecord]) -> None:
    usage = records["usage"].usage
    assert (usage.llm_calls, usage.prompt_tokens, usage.completion_tokens, usage.cost_usd) == (3, 120, 45, 0.0125)
    assert records["dummy"].usage.llm_calls == 0


def test_resources_are_measured(records: dict[str, RunRecord]) -> None:
    resources = records["probe-answers"].resources
    assert resources.cpu_seconds and resources.cpu_seconds > 0
    assert resources.max_rss_bytes and resources.max_rss_bytes > 2**20
    assert resources.wall_seconds and resources.wall_seconds > 0
