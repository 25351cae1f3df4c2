"""The trusted test reporter. It runs INSIDE the sandbox, before any code under test.

Imports only the standard library and pytest. It writes one JSON line per test
to an inherited pipe (the channel) and a final `finish` line; the parent counts
a test as passed only from these records, never from the exit code or stdout.

Outcomes come from the exception each test phase raised (`call.excinfo`), seen
by a hook wrapper, not from pytest's report objects, which other hooks may
rewrite. Before collection the reporter snapshots the pytest and unittest
functions that run a test and the registered plugins; if a test module patches
one (or registers a plugin through `pytest_plugins`), the finish record says
`tampered` and the parent reports every test as an error. Code running in the
same process can in principle tamper with anything in it; this defeats the
cheats we know of: exiting early, printing "passed", patching pytest, planting
conftest.py / sitecustomize.py / os.py / pytest.ini.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
import unittest

import _pytest.python
import _pytest.runner
import _pytest.unittest
import pytest

_dumps, _write, _perf = json.dumps, os.write, time.perf_counter
_SKIP = (pytest.skip.Exception, unittest.SkipTest)
_GUARDED = (
    (_pytest.runner, "call_and_report"),
    (_pytest.runner, "call_runtest_hook"),
    (_pytest.runner, "pytest_runtest_makereport"),
    (_pytest.runner.CallInfo, "from_call"),
    (_pytest.python.Function, "runtest"),
    (_pytest.python, "pytest_pyfunc_call"),
    (_pytest.unittest.TestCaseFunction, "runtest"),
    (unittest.TestCase, "run"),
    (unittest.TestCase, "__call__"),
)
_SNAPSHOT = tuple(vars(owner).get(name) for owner, name in _GUARDED)


class Channel:
    """Line-delimited JSON records to the parent, over a pipe fd.

    Every record carries the run's nonce, which the parent hands over on stdin and
    the code under test never sees on any fd: a record forged by writing to the
    inherited channel fd lacks it, and the parent treats the run as tampered.
    """

    def __init__(self, fd: int, nonce: str = "") -> None:
        self.fd, self.nonce = fd, nonce

    def send(self, record: dict) -> None:
        data = (_dumps({**record, "nonce": self.nonce}) + "\n").encode("utf-8")
        while data:
            data = data[_write(self.fd, data) :]


def _relative(filename: str, workdir: str) -> str | None:
    path = os.path.realpath(filename)
    return os.path.relpath(path, workdir) if path.startswith(workdir + os.sep) else None


def describe_failure(exc: BaseException, tb, workdir: str, code: frozenset[str]) -> dict:
    """Exception type, message, and the trace reduced to the frames of the code under test."""
    local = []
    for frame in traceback.extract_tb(tb):
        rel = _relative(frame.filename, workdir)
        if rel is not None:
            local.append((rel, frame))
    kept = [(rel, f) for rel, f in local if rel in code] or local[-1:]
    frames = [
        {"path": rel, "line": f.lineno or 0, "function": f.name, "text": (f.line or "").strip()}
        for rel, f in kept
    ]
    message = str(exc)[:2000]
    lines = ["Traceback (most recent call last):"]
    for fr in frames:
        lines += [
            f'  File "{fr["path"]}", line {fr["line"]}, in {fr["function"]}',
            f"    {fr['text']}",
        ]
    lines.append(f"{type(exc).__name__}: {message}" if message else type(exc).__name__)
    return {
        "exc_type": type(exc).__name__,
        "message": message,
        "frames": frames,
        "trace": "\n".join(lines),
    }


def intact(plugins_before: frozenset[int], config) -> bool:
    same = all(vars(o).get(n) is s for (o, n), s in zip(_GUARDED, _SNAPSHOT, strict=True))
    plugins_now = frozenset(id(p) for p in config.pluginmanager.get_plugins())
    return same and plugins_now <= plugins_before


def _excinfo(item, call):
    """The phase's exception. A unittest.TestCase reports failures, errors and skips to
    pytest's result object (`item._excinfo`), not by raising out of the call."""
    if call.excinfo is None and isinstance(item, _pytest.unittest.TestCaseFunction):
        pending = vars(item).get("_excinfo") or []
        return pending[0] if pending else None
    return call.excinfo


def _xfail(item) -> bool:
    return item.get_closest_marker("xfail") is not None


class Reporter:
    """A pytest plugin object: records phases per test and sends one record per test."""

    def __init__(self, channel: Channel, workdir: str, code: frozenset[str]) -> None:
        self.channel, self.workdir, self.code = channel, workdir, code
        self.phases: dict[str, list] = {}
        self.plugins: frozenset[int] = frozenset()
        self.config = None
        self.tampered = False
        self.sent = 0

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_collection(self, session):
        """Snapshot the plugins once pytest is configured, before any test module loads."""
        self.config = session.config
        self.plugins = frozenset(id(p) for p in session.config.pluginmanager.get_plugins())
        yield

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_runtest_makereport(self, item, call):
        self.phases.setdefault(item.nodeid, []).append(
            (call.when, _excinfo(item, call), call.duration, _xfail(item))
        )
        yield

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_runtest_protocol(self, item, nextitem):
        yield
        self.tampered |= not intact(self.plugins, self.config)
        self.sent += 1
        self.channel.send(self.test_record(item.nodeid))

    def test_record(self, nodeid: str) -> dict:
        outcome, failure, duration = "passed", None, 0.0
        for when, excinfo, took, xfail in self.phases.pop(nodeid, []):
            duration += took
            if excinfo is None or outcome != "passed":
                continue
            if excinfo.errisinstance(_SKIP) or xfail:
                outcome = "skipped"
                continue
            outcome = "failed" if when == "call" else "error"
            failure = describe_failure(excinfo.value, excinfo.tb, self.workdir, self.code)
        return {
            "event": "test",
            "node_id": nodeid,
            "outcome": outcome,
            "duration_s": duration,
            "failure": failure,
        }

    def pytest_collectreport(self, report) -> None:
        if report.failed:
            self.channel.send(
                {
                    "event": "collect_error",
                    "node_id": report.nodeid,
                    "message": str(report.longrepr)[-4000:],
                }
            )

    def pytest_sessionfinish(self, session, exitstatus) -> None:
        self.tampered |= not intact(self.plugins, self.config)
        self.channel.send(
            {
                "event": "finish",
                "tampered": self.tampered,
                "collected": session.testscollected,
                "sent": self.sent,
            }
        )


def pytest_args(tests: list[str], harness_dir: str, workdir: str) -> list[str]:
    """Arguments that make pytest ignore every config file and conftest in the work dir."""
    return [
        "-q",
        "-p",
        "no:cacheprovider",
        "--noconftest",
        "-c",
        os.path.join(harness_dir, "pytest.ini"),
        "--rootdir",
        workdir,
        "-o",
        "addopts=",
        "-W",
        "ignore::DeprecationWarning",
        *tests,
    ]


def run_session(channel: Channel, spec: dict, harness_dir: str) -> int:
    """Run pytest on spec["tests"] in the current directory, reporting over `channel`."""
    workdir = os.path.realpath(os.getcwd())
    if workdir not in sys.path:  # as the fast path does: tests import from the work dir's root
        sys.path.insert(0, workdir)
    reporter = Reporter(channel, workdir, frozenset(spec.get("code", ())))
    cov = _start_coverage(spec.get("coverage"), workdir)
    try:
        status = pytest.main(pytest_args(spec["tests"], harness_dir, workdir), plugins=[reporter])
    finally:
        if cov is not None:
            channel.send(_stop_coverage(cov, spec["coverage"], workdir))
    return int(status)


def _module_path(module: str, workdir: str) -> str:
    base = os.path.join(workdir, *module.split("."))
    package = os.path.join(base, "__init__.py")
    return package if os.path.exists(package) else base + ".py"


def _start_coverage(module: str | None, workdir: str):
    if not module:
        return None
    import coverage

    cov = coverage.Coverage(branch=True, data_file=None, include=[_module_path(module, workdir)])
    cov.start()
    return cov


def _stop_coverage(cov, module: str, workdir: str) -> dict:
    cov.stop()
    path = _module_path(module, workdir)
    try:
        analysis = cov._analyze(path)
    except Exception as exc:  # the module was never imported, or is not Python
        return {"event": "coverage", "module": module, "error": str(exc)}
    numbers = analysis.numbers
    missed = set(analysis.missing)
    return {
        "event": "coverage",
        "module": module,
        "lines_covered": sorted(set(analysis.statements) - missed),
        "lines_missed": sorted(missed),
        "branches_total": numbers.n_branches,
        "branches_covered": numbers.n_branches - numbers.n_missing_branches,
    }


def read_nonce() -> str:
    """The run's nonce: all of stdin, which is then replaced by /dev/null."""
    data = b""
    while chunk := os.read(0, 4096):
        data += chunk
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    return data.decode("ascii", "replace").strip()


def private_fd(fd: int) -> int:
    """Move the channel off the fd number named on the command line."""
    moved = os.dup(fd)
    os.close(fd)
    return moved


def main(argv: list[str]) -> int:
    """`python -I reporter.py FD SPEC_JSON < NONCE`: run the tests and report over fd FD."""
    harness_dir = os.path.dirname(os.path.abspath(__file__))
    channel = Channel(private_fd(int(argv[1])), read_nonce())
    return run_session(channel, json.loads(argv[2]), harness_dir)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
