"""The validation endpoint of a run: a thread that answers the agent's file-drop requests.

The agent (through `/home/validate/validate.py`, a copy of podium.runtime.validate_client) drops
`requests/<id>.csv`; this thread checks it with the same loader and checks as grading
(`check_submission` against the answers, which never enter the sandbox) and writes
`responses/<id>.txt`: `valid` or `invalid: <reason>`, never the score. Each call is counted
(Usage.validator_calls) and logged to `validator.log` in the run folder, outside the sandbox.

The request is opened without following symlinks and copied before it is read: the runtime may
run as root, and an agent must not get a host file checked (and quoted in an error) by planting
a link.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from podium.runtime.spec import ResolvedCompetition

CLIENT = Path(__file__).resolve().parents[1] / "validate_client.py"
CLIENT_NAME = "validate.py"
POLL_SECONDS = 0.1
COPY_CHUNK = 2**20


class ValidationService:
    """Serves `folder` (mounted at /home/validate) while the agent runs; a context manager."""

    def __init__(self, folder: Path, competition: ResolvedCompetition, answers: Path, log: Path, max_bytes: int):
        self.folder, self.competition, self.answers_path, self.log = folder, competition, answers, log
        self.max_bytes = max_bytes
        self.calls = 0
        self._answers: Any = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name=f"validator-{competition.id}", daemon=True)

    @property
    def requests(self) -> Path:
        return self.folder / "requests"

    @property
    def responses(self) -> Path:
        return self.folder / "responses"

    def __enter__(self) -> ValidationService:
        self.requests.mkdir(parents=True, exist_ok=True)
        self.responses.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CLIENT, self.folder / CLIENT_NAME)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _serve(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            self.sweep()

    def sweep(self) -> None:
        """Answer every request waiting now."""
        for request in sorted(self.requests.glob("*.csv")):
            answer = self.answer(request)
            self._respond(request.stem, answer)
            with contextlib.suppress(OSError):
                request.unlink()
            self.calls += 1
            self._log(request.stem, answer)

    def answer(self, request: Path) -> str:
        from podium.runtime.grading.submission import AnswersError, Invalid, check_submission

        with tempfile.TemporaryDirectory(prefix="podium-validate-") as scratch:
            copy = Path(scratch) / "submission.csv"
            refused = copy_request(request, copy, self.max_bytes)
            if refused:
                return f"invalid: {refused}"
            try:
                rules, answers = self._rules_and_answers()
            except AnswersError as error:
                return f"error: the runtime cannot check submissions: {error}"
            checked = check_submission(copy, answers, rules)
        return f"invalid: {checked.error}" if isinstance(checked, Invalid) else "valid"

    def _rules_and_answers(self) -> tuple[Any, Any]:
        from podium.runtime.grading.submission import SubmissionRules, read_answers

        rules = SubmissionRules.for_competition(self.competition)
        if self._answers is None:
            self._answers = read_answers(self.answers_path, rules)
        return rules, self._answers

    def _respond(self, request_id: str, answer: str) -> None:
        partial = self.responses / f".{request_id}.partial"
        partial.write_text(answer + "\n", encoding="utf-8")
        os.replace(partial, self.responses / f"{request_id}.txt")

    def _log(self, request_id: str, answer: str) -> None:
        stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self.log.open("a", encoding="utf-8") as handle:
            handle.write(f"{stamp} {request_id} {answer}\n")


def copy_request(source: Path, target: Path, max_bytes: int) -> str | None:
    """Copy a file the agent wrote, refusing links, non-files and files over `max_bytes`;
    returns why it was refused, or None."""
    try:
        descriptor = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return f"{source.name} is a symbolic link or cannot be opened; write a regular file"
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode):
            return f"{source.name} is not a regular file"
        if status.st_size > max_bytes:
            return f"the submission is {status.st_size:,} bytes, more than the {max_bytes:,} podium checks"
        with target.open("wb") as out:
            shutil.copyfileobj(handle, out, COPY_CHUNK)
    return None
