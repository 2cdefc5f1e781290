"""Runs a command inside the sandbox and reports its CPU time and peak memory on a file descriptor.

bwrap's outer process exits without reaping the sandbox's init, so the runtime's own wait4 sees
only bwrap. This runs just above the agent (standard library only, started with `python -I -S`):
it forks, execs the command, waits with wait4 and writes `{"cpu_seconds", "max_rss_bytes"}` as
JSON to the descriptor given first; the agent never inherits that descriptor. The exit status is
passed on: the same code, or death by the same signal.

    python -I -S usage_reporter.py FD COMMAND [ARG...]
"""

import json
import os
import signal
import sys


def main(argv: list[str]) -> int:
    descriptor, command = int(argv[0]), argv[1:]
    os.set_inheritable(descriptor, False)
    child = os.fork()
    if child == 0:
        for signum in (signal.SIGPIPE, signal.SIGXFSZ):
            signal.signal(signum, signal.SIG_DFL)  # Python ignores them; the agent gets the defaults
        try:
            os.execvp(command[0], command)
        except OSError as error:
            print(f"cannot start {command[0]}: {error}", file=sys.stderr)
            os._exit(127)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)  # the runtime stops runs with SIGKILL to the group
    _, status, usage = os.wait4(child, 0)
    report = {"cpu_seconds": usage.ru_utime + usage.ru_stime, "max_rss_bytes": usage.ru_maxrss * 1024}
    with os.fdopen(descriptor, "w") as out:
        json.dump(report, out)
    if os.WIFSIGNALED(status):
        signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
        os.kill(os.getpid(), os.WTERMSIG(status))
    return os.waitstatus_to_exitcode(status) if not os.WIFSIGNALED(status) else 128 + os.WTERMSIG(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
