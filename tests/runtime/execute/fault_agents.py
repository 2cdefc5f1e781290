"""Agents that misbehave on purpose, for the runtime's tests. Copied into a test scaffold package as
its hook (`/home/agent/hooks/fault_agents.py`) and started by the scaffold's command:

    python /home/agent/hooks/fault_agents.py MODE [ARG...]

Standard library only: it runs in the sandbox like any agent. Observations go to $LOGS_DIR/<mode>.json.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

DATA = Path(os.environ.get("DATA_DIR", "/home/data"))
SUBMISSION = Path(os.environ.get("SUBMISSION_DIR", "/home/submission")) / "submission.csv"
LOGS = Path(os.environ.get("LOGS_DIR", "/home/logs"))
CODE = Path(os.environ.get("CODE_DIR", "/home/code"))
MARKER = "podium-fault-agent-child"  # in the command line of every process a fault agent starts


def note(mode: str, facts: dict) -> None:
    (LOGS / f"{mode}.json").write_text(json.dumps(facts))


def write_sample() -> None:
    shutil.copyfile(DATA / "sample_submission.csv", SUBMISSION)


def crash() -> None:
    raise RuntimeError("the fault agent crashed on purpose")


def sleeper(new_session: bool) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(600)", MARKER], start_new_session=new_session
    )


def hang() -> None:
    sleeper(False), sleeper(True)  # a child in the group and one that left it
    time.sleep(600)


def fill_disk() -> None:
    index = 0
    while True:  # 1 MiB files: each below the file-size limit, together above the disk limit
        (CODE / f"fill-{index}.bin").write_bytes(os.urandom(2**20))
        index += 1


def no_submission() -> None:
    print("finished without writing a submission", file=sys.stderr)


def huge_submission() -> None:
    rows = "0,0\n" * 2**18  # 1 MiB
    with SUBMISSION.open("w") as handle:
        handle.write("id,target\n")
        for _ in range(1024):  # 1 GiB, unless the file-size limit stops it
            handle.write(rows)


def fork_bomb() -> None:
    started, refused = 0, None
    for _ in range(1000):
        try:
            pid = os.fork()
        except OSError as error:
            refused = str(error)
            print(f"fork refused: {error}", file=sys.stderr)
            break
        if pid == 0:
            time.sleep(30)
            os._exit(0)
        started += 1
    note("fork_bomb", {"started": started, "refused": refused})


def network(host_port: str) -> None:
    attempts = {"host_listener": ("127.0.0.1", int(host_port)), "internet": ("1.1.1.1", 53)}
    reached = {}
    for name, address in attempts.items():
        try:
            socket.create_connection(address, timeout=3).close()
            reached[name] = True
        except OSError as error:
            print(f"{name}: {error}", file=sys.stderr)
            reached[name] = False
    try:
        socket.getaddrinfo("example.com", 443)
        reached["dns"] = True
    except OSError as error:
        print(f"dns: {error}", file=sys.stderr)
        reached["dns"] = False
    note("network", reached)
    write_sample()


def probe_answers(private_dir: str) -> None:
    """Every way to the answers must fail: the host path, beside the data, anywhere in the tree."""
    tries = {
        "host_private_path": Path(private_dir) / "test.csv",
        "beside_data": DATA / ".." / "private" / "test.csv",
        "prepared_private": DATA.parent / "prepared" / "private" / "test.csv",
    }
    readable = {}
    for name, path in tries.items():
        try:
            path.read_text()
            readable[name] = True
        except OSError as error:
            print(f"{name}: {error}", file=sys.stderr)
            readable[name] = False
    readable["answers_anywhere"] = find_answers()
    readable["data_listing"] = sorted(os.listdir(DATA))
    note("probe_answers", readable)
    write_sample()


def find_answers() -> list[str]:
    """Files named like the answers whose header has the target column, anywhere but the system."""
    skipped = ("/proc", "/sys", "/dev", "/usr", "/etc", sys.prefix, sys.base_prefix)  # the system, this Python
    found = []
    for root, folders, files in os.walk("/"):
        folders[:] = [f for f in folders if not os.path.join(root, f).startswith(skipped)]
        for name in files:
            if name == "test.csv":
                path = Path(root, name)
                try:
                    header = path.read_text().partition("\n")[0]
                except OSError:
                    continue
                if "target" in header.split(","):
                    found.append(str(path))
    return found


def validate() -> None:
    bad = CODE / "bad.csv"
    bad.write_text("id,prediction\n0,1\n")
    write_sample()
    client = [sys.executable, "/home/validate/validate.py"]
    answers = {}
    for name, path in (("bad", bad), ("sample", SUBMISSION)):
        result = subprocess.run([*client, str(path)], capture_output=True, text=True, timeout=60)
        answers[name] = {"code": result.returncode, "answer": result.stdout.strip(), "stderr": result.stderr}
    note("validate", answers)


def usage() -> None:
    (LOGS / "usage.json").write_text(
        json.dumps({"llm_calls": 3, "prompt_tokens": 120, "completion_tokens": 45, "cost_usd": 0.0125, "junk": 1})
    )
    write_sample()


def contract() -> None:
    variables = ("COMPETITION_ID", "DATA_DIR", "SUBMISSION_DIR", "LOGS_DIR", "CODE_DIR", "AGENT_DIR", "PODIUM_SEED")
    facts = {
        "env": {name: os.environ.get(name) for name in variables},
        "task": json.loads((DATA / "task.json").read_text()),
        "data": sorted(os.listdir(DATA)),
        "agent": sorted(os.listdir("/home/agent")),
        "uid": os.getuid(),
        "cwd": os.getcwd(),
    }
    try:
        (DATA / "written-by-agent").write_text("x")
        facts["data_writable"] = True
    except OSError as error:
        print(f"data: {error}", file=sys.stderr)
        facts["data_writable"] = False
    note("contract", facts)
    write_sample()


def sleepy(seconds: str) -> None:
    time.sleep(float(seconds))
    write_sample()


MODES = {
    "crash": crash, "hang": hang, "fill_disk": fill_disk, "no_submission": no_submission,
    "huge_submission": huge_submission, "fork_bomb": fork_bomb, "network": network,
    "probe_answers": probe_answers, "validate": validate, "usage": usage, "contract": contract, "sleepy": sleepy,
}  # fmt: skip


def main() -> None:
    MODES[sys.argv[1]](*sys.argv[2:])


if __name__ == "__main__":
    main()
