"""Runs one improver in its own sandboxed process: `improve(solution, utility, lm)` over a socket.

This file is executed as a script and imports nothing from podium on purpose: the improver's
process holds no budget counter, no model client, no key and no answers. `utility` and `lm`
are proxies; every call crosses the socket to the runtime, which charges the budgets, runs
the utility in another sandbox and stops this process when a budget is spent.

Protocol: newline-delimited JSON. The runtime sends the job first; then each proxy call is a
request `{"op": ...}` answered by `{"value": ...}` or `{"error": {"type", "message"}}`; the
process ends with `{"op": "result", "solution": ...}` or `{"op": "failed", ...}`.
"""

import json
import os
import socket
import sys
import traceback

SOCKET_ENV = "STOP_IMPROVER_SOCKET"


class UtilityError(Exception):
    """The runtime refused a utility call (e.g. a solution that is not a string)."""


class LanguageModelError(Exception):
    """The runtime refused a language-model call (e.g. a prompt that is not a string)."""


class _Channel:
    def __init__(self, path):
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._socket.connect(path)
        self._reader = self._socket.makefile("r", encoding="utf-8")
        self._writer = self._socket.makefile("w", encoding="utf-8")

    def send(self, message):
        self._writer.write(json.dumps(message) + "\n")
        self._writer.flush()

    def receive(self):
        line = self._reader.readline()
        if not line:
            os._exit(3)  # the runtime hung up: it has stopped this improver
        return json.loads(line)

    def call(self, op, error_type, **arguments):
        self.send({"op": op, **arguments})
        reply = self.receive()
        if "error" in reply:
            raise error_type(reply["error"]["message"])
        return reply["value"]


class Utility:
    """`utility(solution) -> float`; `description` says what it measures, `budget` the calls left."""

    def __init__(self, channel, job):
        self._channel = channel
        self.description = job["description"]
        self.keep_input = job["keep_input"]

    @property
    def budget(self):
        return self._channel.call("utility.budget", UtilityError)

    def __call__(self, solution):
        return self._channel.call("utility", UtilityError, program=solution)

    def __repr__(self):
        return f"<utility: {self.description[:60]!r}...>"


class LanguageModel:
    """`lm.sample(prompt, n, temperature)` -> n answers from one batched call; `budget` = samples left."""

    def __init__(self, channel, job):
        self._channel = channel
        self.samples_per_call = job["samples_per_call"]
        self.temperature = job["temperature"]

    @property
    def budget(self):
        return self._channel.call("lm.budget", LanguageModelError)

    def sample(self, prompt, n=1, temperature=None, system=None):
        arguments = {"prompt": prompt, "n": n, "temperature": temperature, "system": system}
        return self._channel.call("lm.sample", LanguageModelError, **arguments)


def main():
    channel = _Channel(os.environ[SOCKET_ENV])
    job = channel.receive()
    namespace: dict = {"__name__": "improver"}
    try:
        exec(compile(job["improver"], "improver.py", "exec"), namespace)
        solution = namespace["improve"](job["solution"], Utility(channel, job), LanguageModel(channel, job))
    except BaseException as error:  # an improver's failure is a result, reported whole
        channel.send({"op": "failed", "type": type(error).__name__, "message": str(error)[:2000],
                      "traceback": traceback.format_exc()[-4000:]})  # fmt: skip
        return
    channel.send({"op": "result", "solution": solution if isinstance(solution, str) else None,
                  "returned_type": type(solution).__name__})  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
