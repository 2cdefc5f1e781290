"""Ask the runtime whether a submission is valid, from inside a sandbox with no network.

    python /home/validate/validate.py [SUBMISSION]      (default /home/submission/submission.csv)
    python -m podium.runtime.validate_client [SUBMISSION]

The sandbox has no network, so the request is a file: the submission is copied into
`$VALIDATE_DIR/requests/<id>.csv` (written beside, then renamed, so the runtime never reads half
a file), the runtime checks it with the same loader and checks as grading, and writes
`responses/<id>.txt`: `valid` or `invalid: <reason>` — never the score. Prints that answer.

Exit codes: 0 valid, 1 invalid, 2 no answer (no runtime listening, or it timed out).
Standard library only: it runs in any agent image, with or without podium installed.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
import uuid
from pathlib import Path

VALIDATE_DIR_ENV = "VALIDATE_DIR"
DEFAULT_VALIDATE_DIR = "/home/validate"
DEFAULT_SUBMISSION = "/home/submission/submission.csv"
WAIT_SECONDS = 300.0
EXIT_VALID, EXIT_INVALID, EXIT_NO_ANSWER = 0, 1, 2


def validate(submission: Path, folder: Path, wait: float = WAIT_SECONDS) -> str:
    """The runtime's answer for `submission`: 'valid' or 'invalid: <reason>'. Raises TimeoutError."""
    request_id = uuid.uuid4().hex
    requests, responses = folder / "requests", folder / "responses"
    partial = requests / f".{request_id}.partial"
    shutil.copyfile(submission, partial)
    os.replace(partial, requests / f"{request_id}.csv")
    answer = responses / f"{request_id}.txt"
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if answer.is_file():
            text = answer.read_text(encoding="utf-8").strip()
            answer.unlink(missing_ok=True)
            return text
        time.sleep(0.05)
    raise TimeoutError(f"no answer from the runtime in {wait:.0f}s (is a podium run serving {folder}?)")


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments and arguments[0] in ("-h", "--help"):
        print(__doc__)
        return EXIT_VALID
    submission = Path(arguments[0] if arguments else DEFAULT_SUBMISSION)
    folder = Path(os.environ.get(VALIDATE_DIR_ENV) or DEFAULT_VALIDATE_DIR)
    if not submission.is_file():
        print(f"invalid: no submission at {submission}; write the predictions there first")
        return EXIT_INVALID
    if not (folder / "requests").is_dir():
        print(f"error: no validation endpoint at {folder}; this sandbox has no podium validator", file=sys.stderr)
        return EXIT_NO_ANSWER
    try:
        answer = validate(submission, folder)
    except (OSError, TimeoutError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_NO_ANSWER
    print(answer)
    return EXIT_VALID if answer == "valid" else EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())
