"""The test recorder: a pytest plugin that runs INSIDE the judge's child, with the code
under test. Imports only the standard library and pytest.

It writes one JSON line per test to the child's pipe to the judge, and a final
`finish` line with pytest's exit status. Each test record carries two witnesses
that are computed apart: `outcome`, from the exception each test phase raised
(`call.excinfo`, seen by a hook wrapper), and `report`, from pytest's own report
objects. The host counts a test as passed only if both say so and the child's exit
status agrees (`codeintel.sandbox.verdict`). Before collection the recorder
snapshots the pytest and unittest functions that run a test and the registered
plugins; if a test module patches one (or registers a plugin through
`pytest_plugins`), the finish record says `tampered`.

Nothing here is trusted to decide: code in this process can rewrite any of it. What
it cannot reach is the judge (another process, not dumpable) and the host.
"""

from __future__ import annotations

import json
import os
import signal
import time
import traceback
import unittest
from dataclasses import dataclass

import _pytest.unittest
import integrity
import pytest
from effects import EffectGuard

_dumps, _write, _perf = json.dumps, os.write, time.perf_counter
_SKIP = (pytest.skip.Exception, unittest.SkipTest)


class Channel:
    """Line-delimited JSON records over a pipe fd, each carrying `nonce`.

    The judge makes a secret for each child: a record written blind to an inherited
    fd (without it) is garbage to the judge.
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


class TestTimeout(BaseException):
    """A test ran past its per-test limit (Limits.test_timeout_s). A BaseException, so
    that the `except Exception` of the code under test does not swallow it."""

    __test__ = False


class TestDeadline:
    """A per-test wall-clock limit. When it passes, SIGALRM raises TestTimeout in the
    frame that is running, naming its line ("timed out after 1 s in line 7 of f"), so
    the trace shows where the code loops. It fires only while code of the work dir is on
    the stack (never inside pytest's own bookkeeping), and again every 0.2 s until the
    test ends, in case the code under test swallows it."""

    def __init__(self, seconds: float | None, workdir: str, code: frozenset[str]) -> None:
        self.seconds, self.workdir, self.code = seconds, workdir, code

    def __enter__(self) -> TestDeadline:
        if self.seconds:
            signal.signal(signal.SIGALRM, self._fire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds, 0.2)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.seconds:
            signal.setitimer(signal.ITIMER_REAL, 0)

    def _fire(self, signum: int, frame) -> None:
        local = []
        while frame is not None:
            rel = _relative(frame.f_code.co_filename, self.workdir)
            if rel is not None:
                local.append((rel, frame))
            frame = frame.f_back
        if not local:
            return  # pytest's own code: the test has ended; the next tick or exit disarms
        rel, stuck = next(((r, f) for r, f in local if r in self.code), local[0])
        where = f"line {stuck.f_lineno} of {stuck.f_code.co_name} ({rel})"
        raise TestTimeout(f"timed out after {self.seconds:g} s in {where}")


def tampering(
    seal: integrity.Seal | None, plugins_before: frozenset[int], config, conftest: bool
) -> list[str]:
    """What changed of pytest, pluggy, unittest, the harness and the builtins since they
    were sealed before any test module loaded (integrity.Seal), and whether a plugin was
    registered since (but the project's own conftest.py files, when they load); [] when
    nothing did."""
    found = seal.changes() if seal is not None else ["the harness was not sealed"]
    added = [p for p in config.pluginmanager.get_plugins() if id(p) not in plugins_before]
    if any(not (conftest and _is_conftest(p)) for p in added):
        found.append("a pytest plugin was registered by the tests")
    return found


def _is_conftest(plugin) -> bool:
    """A conftest.py of the work dir (the project's, given to the run as its own)."""
    path = os.path.realpath(getattr(plugin, "__file__", None) or "")
    return os.path.basename(path) == "conftest.py" and path.startswith(os.getcwd() + os.sep)


def _excinfo(item, call):
    """The phase's exception. A unittest.TestCase reports failures, errors and skips to
    pytest's result object (`item._excinfo`), not by raising out of the call."""
    if call.excinfo is None and isinstance(item, _pytest.unittest.TestCaseFunction):
        pending = vars(item).get("_excinfo") or []
        return pending[0] if pending else None
    return call.excinfo


def _xfail(item) -> bool:
    return item.get_closest_marker("xfail") is not None


class EffectBlocked(Exception):
    """A test tried to act outside its temporary folder (effects.EffectGuard blocked it)."""


class Reporter:
    """A pytest plugin object: records phases per test and sends one record per test.

    With a `guard` (an EffectGuard, and the folder tests may write in), each test runs
    with it armed; a test that tried anything it blocked fails with EffectBlocked, even
    if the test caught the PermissionError the guard raised."""

    def __init__(
        self,
        channel: Channel,
        workdir: str,
        code: frozenset[str],
        test_timeout: float | None,
        guard: tuple[EffectGuard, str] | None = None,
        conftest: bool = False,
    ) -> None:
        self.channel, self.workdir, self.code = channel, workdir, code
        self.conftest = conftest
        self.guard = guard
        self.deadline = TestDeadline(test_timeout, workdir, code)
        self.phases: dict[str, list] = {}
        self.reports: dict[str, str] = {}  # node id -> what pytest's own reports say
        self.plugins: frozenset[int] = frozenset()
        self.seal: integrity.Seal | None = None
        self.config = None
        self.tampered: list[str] = []
        self.sent = 0
        self.coverage = None  # a coverage.Coverage measuring: one context per test

    def _check(self) -> None:
        """Note what changed of the sealed code (checked after every test)."""
        for change in tampering(self.seal, self.plugins, self.config, self.conftest):
            if change not in self.tampered:
                self.tampered.append(change)

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_collection(self, session):
        """Seal pytest's, pluggy's, unittest's and the harness's code and note the plugins
        once pytest is configured, before any test module (or code under test) loads."""
        self.config = session.config
        self.plugins = frozenset(id(p) for p in session.config.pluginmanager.get_plugins())
        self.seal = integrity.Seal(integrity.watched_modules())
        yield

    def _arm(self) -> bool:
        """Arm the guard unless it is armed already (or there is none); whether it did."""
        if self.guard is None or self.guard[0].allowed is not None:
            return False
        kept = self.guard[0].blocked  # what the test's earlier phases tried, kept
        self.guard[0].arm(self.guard[1])
        self.guard[0].blocked = kept
        return True

    def _of_tests(self, fixturedef) -> bool:
        """Whether a fixture is defined in a test file (the tests under judgement), not
        in a conftest.py, a plugin or pytest: the project's own fixtures run unguarded."""
        code = getattr(getattr(fixturedef, "func", None), "__code__", None)
        name = os.path.realpath(code.co_filename) if code is not None else ""
        base = os.path.basename(name)
        return name.startswith(self.workdir + os.sep) and base != "conftest.py"

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_fixture_setup(self, fixturedef, request):
        armed = self._of_tests(fixturedef) and self._arm()
        yield
        if armed:
            self.guard[0].disarm()

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_runtest_teardown(self, item, nextitem):
        info = getattr(item, "_fixtureinfo", None)
        defs = [d for ds in getattr(info, "name2fixturedefs", {}).values() for d in ds]
        armed = any(self._of_tests(d) for d in defs) and self._arm()
        yield
        if armed:
            self.guard[0].disarm()

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_call(self, item):
        """The test body runs under the per-test deadline and the effect guard (armed for
        the body and for the fixtures the test files define, not the project's own)."""
        armed = self._arm()
        try:
            with self.deadline:
                result = yield
        finally:
            if armed:
                self.guard[0].disarm()
        blocked = self.guard[0].blocked if self.guard is not None else []
        if blocked:
            raise EffectBlocked(f"tried to {blocked[0]} outside its temporary folder")
        return result

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_runtest_makereport(self, item, call):
        self.phases.setdefault(item.nodeid, []).append(
            (call.when, _excinfo(item, call), call.duration, _xfail(item))
        )
        yield

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_runtest_protocol(self, item, nextitem):
        if self.coverage is not None:
            self.coverage.switch_context(item.nodeid)  # the lines each test reaches
        if self.guard is not None:
            self.guard[0].blocked = []  # one test's record
        yield
        self._check()
        self.sent += 1
        self.channel.send(self.test_record(item.nodeid))

    def pytest_runtest_logreport(self, report) -> None:
        """pytest's own verdict per phase, the second witness."""
        if report.failed:
            seen = "failed" if report.when == "call" else "error"
        else:
            seen = "skipped" if report.skipped else "passed"
        before = self.reports.get(report.nodeid, "passed")
        self.reports[report.nodeid] = seen if before == "passed" else before

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
            "report": self.reports.pop(nodeid, "missing"),
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
        self._check()
        self.channel.send(
            {
                "event": "finish",
                "tampered": self.tampered,
                "collected": session.testscollected,
                "sent": self.sent,
                "status": int(exitstatus),
                "runner": "pytest",
            }
        )


@dataclass(frozen=True)
class Session:
    """What one child runs: node ids, the code under test, and how."""

    tests: list[str]
    code: frozenset[str]
    coverage_of: str | None = None
    test_timeout: float | None = None  # per test (TestDeadline)
    first_failure: bool = False  # stop at the first failing test
    guard_effects: bool = False  # block what tests do outside their tmp_path (EffectGuard)
    conftest: bool = False  # load the work dir's conftest.py files (a project's own)


BASETEMP = ".codeintel-tmp"  # pytest's base temporary folder, in the work dir, when guarded


def pytest_args(session: Session, harness_dir: str, workdir: str) -> list[str]:
    """Arguments that make pytest ignore every config file and conftest in the work dir."""
    basetemp = ["--basetemp", os.path.join(workdir, BASETEMP)] if session.guard_effects else []
    return [
        *basetemp,
        "-q",
        "-p",
        "no:cacheprovider",
        *([] if session.conftest else ["--noconftest"]),
        "-c",
        os.path.join(harness_dir, "pytest.ini"),
        "--rootdir",
        workdir,
        "-o",
        "addopts=",
        "-W",
        "ignore::DeprecationWarning",
        *(["-x"] if session.first_failure else []),
        *session.tests,
    ]


def run_session(channel: Channel, session: Session) -> int:
    """Run pytest on the session's tests in the current directory, recording over `channel`."""
    workdir = os.path.realpath(os.getcwd())
    harness_dir = os.path.dirname(os.path.abspath(__file__))
    guard = None
    if session.guard_effects:
        integrity.permit_hook()  # the one audit hook the harness adds after its own
        guard = (EffectGuard().install(), os.path.join(workdir, BASETEMP))
    reporter = Reporter(
        channel, workdir, session.code, session.test_timeout, guard, session.conftest
    )
    cov = _start_coverage(session.coverage_of, workdir)
    reporter.coverage = cov
    try:
        status = pytest.main(pytest_args(session, harness_dir, workdir), plugins=[reporter])
    finally:
        if cov is not None:
            channel.send(_stop_coverage(cov, session.coverage_of, workdir))
    return int(status)


def _module_path(module: str, workdir: str) -> str:
    """A dotted module name's file under the work dir, or a `.py` path as it is."""
    if module.endswith(".py"):
        return os.path.join(workdir, module)
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
    """Lines and branch arcs, exact enough to merge the records of several test files."""
    cov.stop()
    path = _module_path(module, workdir)
    try:
        analysis = cov._analyze(path)
    except Exception as exc:  # the module was never imported, or is not Python
        return {"event": "coverage", "module": module, "error": str(exc)}
    missing_arcs = sorted(
        [line, dest] for line, dests in analysis.missing_branch_arcs().items() for dest in dests
    )
    hit = analysis.executed_branch_arcs()
    by_test: dict[str, list[int]] = {}
    for line, contexts in cov.get_data().contexts_by_lineno(path).items():
        for context in contexts:
            if context:  # "": the lines run while collecting (the module's import)
                by_test.setdefault(context, []).append(line)
    return {
        "event": "coverage",
        "module": module,
        "statements": sorted(analysis.statements),
        "lines_missed": sorted(analysis.missing),
        "branches_total": analysis.numbers.n_branches,
        "branch_arcs_missed": missing_arcs,
        "branch_arcs_hit": sorted([line, dest] for line, dests in hit.items() for dest in dests),
        "lines_by_test": {test: sorted(lines) for test, lines in by_test.items()},
    }
