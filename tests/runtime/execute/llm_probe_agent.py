"""An agent that asks the runtime's LLM proxy three questions, for the model-service tests. Copied
into a test scaffold package as its hook and started by the scaffold's command:

    python /home/agent/hooks/llm_probe_agent.py

It also forges its usage.json and plants a symlink where the runtime copies the call log, to
show that the record trusts the gateway and that the copy never writes through a link.
Observations go to $LOGS_DIR/probe.json.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from podium.runtime.llm import BudgetExceeded, connect

DATA = Path(os.environ.get("DATA_DIR", "/home/data"))
LOGS = Path(os.environ.get("LOGS_DIR", "/home/logs"))
SUBMISSION = Path(os.environ.get("SUBMISSION_DIR", "/home/submission")) / "submission.csv"
QUESTIONS = 3
VICTIM = "victim.txt"  # in the code folder; the planted link points at it


def main() -> None:
    llm = connect()
    answers, refusals = [], []
    for index in range(QUESTIONS):
        try:
            answers.append(llm.complete([{"role": "user", "content": f"question {index}"}]).text)
        except BudgetExceeded as error:
            refusals.append(error.limit)
    forged = {"llm_calls": 999, "prompt_tokens": 999_999, "completion_tokens": 999_999, "cost_usd": 99.0}
    (LOGS / "usage.json").write_text(json.dumps(forged))
    code = Path(os.environ.get("CODE_DIR", "/home/code"))
    (code / VICTIM).write_text("untouched\n")
    os.symlink(f"../code/{VICTIM}", LOGS / "llm_calls.jsonl")
    facts = {"socket": os.environ.get("PODIUM_LLM_SOCKET"), "answers": answers, "refusals": refusals}
    (LOGS / "probe.json").write_text(json.dumps(facts))
    shutil.copyfile(DATA / "sample_submission.csv", SUBMISSION)


if __name__ == "__main__":
    main()
