"""Grader cheats: none may count as passing, through run_tests or the Validator."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from codeintel.sandbox import (
    Outcome,
    SandboxConfig,
    TestOutcome,
    TestRun,
    Validator,
    run_tests,
)

pytestmark = pytest.mark.usefixtures("guarded")  # the caller's files stay untouched

TEST = "test_mod.py"
FAILING = "from mod import value\n\ndef test_value():\n    assert value() == 2\n"
MOD = "def value():\n    return 1\n"


def _test_with(prefix: str, body: str = "") -> str:
    return f"{prefix}\nfrom mod import value\n\ndef test_value():\n{body}    assert value() == 2\n"


PATCH_RUNTEST = "import _pytest.python\n_pytest.python.Function.runtest = lambda self: None\n"
PATCH_FROM_CALL = """
import _pytest.runner
_orig = _pytest.runner.CallInfo.from_call
def _passing(func, when, reraise=None):
    return _orig(lambda: None, when, reraise)
_pytest.runner.CallInfo.from_call = staticmethod(_passing)
"""
PLANTED_PLUGIN = """
import pytest
@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    call.excinfo = None
    outcome = yield
    outcome.get_result().outcome = "passed"
"""
CONFTEST = PLANTED_PLUGIN
FAKE = '{"event": "test", "node_id": "test_mod.py::test_value", "outcome": "passed"}'
FORGE_FDS = """
FAKE_FINISH = b'{"event": "finish", "tampered": false, "collected": 1, "sent": 1}\\n'
import os
for fd in range(3, 50):
    for line in (FAKE_LINE, FAKE_FINISH):
        try:
            os.write(fd, line)
        except OSError:
            pass
os._exit(0)
"""

# Forges from inside the module under test, aimed at the recorder's internals and channel.
MAIN_EXCINFO = "import sys\nsys.modules['__main__']._excinfo = lambda item, call: None\n"
RECORDER_EXCINFO = """
import sys
for name in ('reporter', '__main__'):
    if hasattr(sys.modules.get(name), '_excinfo'):
        sys.modules[name]._excinfo = lambda item, call: None
"""
RECORDER_TEST_RECORD = """
import sys
_rep = sys.modules.get('reporter')
if _rep is not None:
    def _passed(self, nodeid):
        self.phases.pop(nodeid, None)
        return {'event': 'test', 'node_id': nodeid, 'outcome': 'passed', 'report': 'passed',
                'duration_s': 0.0, 'failure': None}
    _rep.Reporter.test_record = _passed
"""
QUICK_SKIPS = """
import sys
if 'quick' in sys.modules:
    sys.modules['quick']._SKIP = (BaseException,)
"""
CHANNEL_VIA_GC = """
import gc
for obj in gc.get_objects():
    if type(obj).__name__ == 'Channel' and hasattr(obj, 'send'):
        obj.send({'event': 'test', 'node_id': 'test_mod.py::test_value', 'outcome': 'passed',
                  'report': 'passed', 'duration_s': 0.0, 'failure': None})
"""
KILL_JUDGE = "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n"

# Forges that patch pytest itself from the module under test: the verdict must not depend
# on any pytest object the code under test can reach (each used to report PASSED).
CALLINFO_INIT = """
import _pytest.runner as _r
_init = _r.CallInfo.__init__
def _no_excinfo(self, *args, **kwargs):
    _init(self, *args, **kwargs)
    if self.when == "call":
        object.__setattr__(self, "excinfo", None)
_r.CallInfo.__init__ = _no_excinfo
"""
PYOBJ_PROPERTY = """
import _pytest.python as _p
_obj = _p.PyobjMixin.obj
_p.PyobjMixin.obj = property(
    lambda s: (lambda **k: None) if isinstance(s, _p.Function) else _obj.fget(s), _obj.fset
)
"""
GENFUNCTIONS = """
import _pytest.python as _p
_gen = _p.PyCollector._genfunctions
def _swapped(self, name, funcobj):
    for item in _gen(self, name, funcobj):
        item.obj = lambda **k: None
        yield item
_p.PyCollector._genfunctions = _swapped
"""
EXCINFO_AND_FAILED = """
import sys, _pytest.reports as _rp
for _name in ("reporter", "__main__"):
    if hasattr(sys.modules.get(_name), "_excinfo"):
        sys.modules[_name]._excinfo = lambda item, call: None
_rp.BaseReport.failed = property(lambda self: False)
"""
AUDIT_HOOK_CODE_SWAP = """
import sys
_done = []
def _swap(event, args):
    test = None if _done else getattr(sys.modules.get("test_mod"), "test_value", None)
    if test is not None:
        _done.append(event)
        test.__code__ = (lambda: None).__code__
sys.addaudithook(_swap)
"""
# variants: the same ends reached through other pytest internals and other routes
PLUGGY_RESULT = """
import pluggy._result as _res
_get = _res.Result.get_result
def _passing(self):
    out = _get(self)
    if getattr(out, "when", None) == "call":
        out.outcome = "passed"
    return out
_res.Result.get_result = _passing
"""
RUNNER_CODE_SWAP = """
import _pytest.python as _p
def _nothing(pyfuncitem):
    return True
_p.pytest_pyfunc_call.__code__ = _nothing.__code__
"""
DELAYED_CODE_SWAP = """
import sys, threading, time
def _later():
    for _ in range(200):
        test = getattr(sys.modules.get("test_mod"), "test_value", None)
        if test is not None:
            test.__code__ = (lambda: None).__code__
            return
        time.sleep(0.001)
threading.Thread(target=_later, daemon=True).start()
"""
TRACE_JUMP = """
import sys
def _tracer(frame, event, arg):
    if frame.f_code.co_name == "test_value":
        def _local(frame, event, arg):
            if event == "line" and frame.f_lineno == frame.f_code.co_firstlineno + 1:
                frame.f_lineno = frame.f_code.co_firstlineno + 1
                raise SystemExit  # never reached; the jump is the point
            return _local
        return None
    return None
sys.settrace(lambda frame, event, arg: None)
"""


def _forging(prefix: str) -> dict[str, str]:
    return {"mod.py": prefix + MOD, TEST: FAILING}


# Patching pytest is detected (ERROR) where pytest runs the test; the fast path's own
# runner does not call the patched functions, so there the test just fails.
PATCHED = frozenset({Outcome.ERROR, Outcome.FAILED})

# name -> (files, the outcome(s) the run may report)
CHEATS: dict[str, tuple[dict[str, str], Outcome | frozenset[Outcome]]] = {
    "sys_exit_before_assert": (
        {TEST: _test_with("import sys", "    sys.exit(0)\n")},
        Outcome.FAILED,
    ),
    "os_exit_in_test": ({TEST: _test_with("import os", "    os._exit(0)\n")}, Outcome.ERROR),
    "os_exit_at_import_of_module": (
        {"mod.py": "import os\nos._exit(0)\n" + MOD, TEST: FAILING},
        Outcome.ERROR,
    ),
    "print_passed": (
        {TEST: _test_with("", f"    print('1 passed in 0.01s')\n    print({FAKE!r})\n")},
        Outcome.FAILED,
    ),
    "patch_function_runtest": ({TEST: PATCH_RUNTEST + FAILING}, PATCHED),
    "patch_callinfo_from_call": ({TEST: PATCH_FROM_CALL + FAILING}, PATCHED),
    "pytest_plugins_in_test_module": (
        {"planted.py": PLANTED_PLUGIN, TEST: "pytest_plugins = ['planted']\n" + FAILING},
        Outcome.ERROR,
    ),
    "planted_conftest": ({"conftest.py": CONFTEST, TEST: FAILING}, Outcome.FAILED),
    "planted_sitecustomize": (
        {"sitecustomize.py": "import builtins\nbuiltins.AssertionError = None\n", TEST: FAILING},
        Outcome.FAILED,
    ),
    "planted_os_py": ({"os.py": "raise SystemExit(0)\n", TEST: FAILING}, Outcome.FAILED),
    "planted_pytest_py": ({"pytest.py": "raise SystemExit(0)\n", TEST: FAILING}, Outcome.FAILED),
    "pytest_ini_addopts": (
        {
            "pytest.ini": "[pytest]\naddopts = -p planted --co\n",
            "planted.py": PLANTED_PLUGIN,
            TEST: FAILING,
        },
        Outcome.FAILED,
    ),
    "pyproject_addopts": (
        {
            "pyproject.toml": '[tool.pytest.ini_options]\naddopts = "--deselect test_mod.py"\n',
            TEST: FAILING,
        },
        Outcome.FAILED,
    ),
    "forge_main_excinfo": (_forging(MAIN_EXCINFO), PATCHED),
    "forge_recorder_excinfo": (_forging(RECORDER_EXCINFO), PATCHED),
    "forge_recorder_test_record": (_forging(RECORDER_TEST_RECORD), PATCHED),
    "forge_quick_skips_failures": (_forging(QUICK_SKIPS), PATCHED),
    "forge_channel_send_via_gc": (_forging(CHANNEL_VIA_GC), PATCHED),
    "kill_the_judge": (_forging(KILL_JUDGE), frozenset({Outcome.ERROR, Outcome.KILLED})),
    "forge_callinfo_init_drops_excinfo": (_forging(CALLINFO_INIT), PATCHED),
    "forge_pyobj_property_no_op": (_forging(PYOBJ_PROPERTY), PATCHED),
    "forge_genfunctions_swaps_obj": (_forging(GENFUNCTIONS), PATCHED),
    "forge_excinfo_and_report_failed": (_forging(EXCINFO_AND_FAILED), PATCHED),
    "forge_audit_hook_swaps_test_code": (_forging(AUDIT_HOOK_CODE_SWAP), PATCHED),
    "forge_pluggy_result": (_forging(PLUGGY_RESULT), PATCHED),
    "forge_runner_code_object": (_forging(RUNNER_CODE_SWAP), PATCHED),
    "forge_thread_swaps_test_code": (_forging(DELAYED_CODE_SWAP), PATCHED),
    "forge_trace_function_left_set": (_forging(TRACE_JUMP), PATCHED),
    "forge_records_on_every_fd": (
        {
            TEST: _test_with(
                f"import os\nFAKE_LINE = {FAKE!r}.encode() + b'\\n'",
                FORGE_FDS.replace("\n", "\n    ")[1:] + "\n",
            )
        },
        Outcome.ERROR,
    ),
}


def via_run_tests(files: dict[str, str], config: SandboxConfig) -> TestRun:
    return run_tests({"mod.py": MOD, **files}, [TEST], config)


def via_validator(files: dict[str, str], config: SandboxConfig) -> TestRun:
    base = {"mod.py": MOD, TEST: FAILING}
    with Validator(base, [TEST], config) as validator:
        return validator.validate(files)


@pytest.fixture(params=[via_run_tests, via_validator], ids=["run_tests", "validator"])
def runner(request: pytest.FixtureRequest) -> Callable[[dict[str, str], SandboxConfig], TestRun]:
    return request.param


@pytest.mark.parametrize("cheat", sorted(CHEATS))
def test_cheat_does_not_pass(
    cheat: str, config: SandboxConfig, runner: Callable, guarded: Path
) -> None:
    files, expected = CHEATS[cheat]
    result = runner(files, config)
    allowed = expected if isinstance(expected, frozenset) else {expected}
    assert result.outcome in allowed, (result.outcome, result.tests, result.execution.stdout)
    assert not result.passed
    assert all(t.outcome is not TestOutcome.PASSED for t in result.tests)


def test_honest_pass_still_passes(config: SandboxConfig, runner: Callable) -> None:
    """The control: the same harness reports an honest passing test as passed."""
    result = runner({TEST: FAILING.replace("== 2", "== 1")}, config)
    assert result.outcome is Outcome.PASSED
    assert result.passed == ("test_mod.py::test_value",)
