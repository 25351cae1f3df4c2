"""`python -I -S supervise.py PROGRAM ARGS...`: the process tier's supervisor.

It runs the program as its child, adopts every orphan the program leaves
(a double-forked daemon stays below it), and when the program ends, or the
parent sends SIGTERM at the deadline, kills every descendant before it exits
the way the program did (same exit code, or the same signal; SIGKILL at the
deadline).
"""

from __future__ import annotations

import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # -I leaves it out

import toolkit


class Stop(Exception):
    """SIGTERM from the parent: the deadline passed."""


def _stop(signum: int, frame: object) -> None:
    raise Stop


def main(argv: list[str]) -> None:
    toolkit.become_subreaper()
    signal.signal(signal.SIGTERM, _stop)
    pid = os.fork()
    if pid == 0:
        for sig in (signal.SIGTERM, signal.SIGPIPE, signal.SIGXFSZ):  # as subprocess does
            signal.signal(sig, signal.SIG_DFL)
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    try:
        _, status = os.waitpid(pid, 0)
    except Stop:
        status = signal.SIGKILL  # a wait status meaning "killed by SIGKILL"
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    toolkit.sweep_descendants()
    toolkit.end_like(status)


if __name__ == "__main__":
    main(sys.argv[1:])
