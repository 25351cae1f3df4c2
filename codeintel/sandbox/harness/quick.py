"""The fast path's in-process test runner, for plain tests only. Runs INSIDE the sandbox.

Pytest.main costs tens of milliseconds per session (configuration, plugins,
collection); for the repair hot loop this runner collects and runs plain tests
itself, and reports the same records as the pytest reporter (`reporter.py`):

- module-level functions named `test*` that take no arguments and carry no marks,
  or whose one mark is a `parametrize` of plain values naming every argument (the
  node ids are made by pytest's own IdMaker, so they match pytest's),
- methods `test*` of `Test*` classes without `__init__`, setup or teardown methods,
- `unittest.TestCase` subclasses (without setUpClass/tearDownClass/setUpModule).

Asserts are rewritten with pytest's own assertion rewriter, so failure messages
read like pytest's. Anything else (fixtures, parametrize, marks, module setup,
hooks, `pytest_plugins`, conftest-style code) makes `collect` return None and
the caller runs pytest instead, so outcomes always match pytest's.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import os
import sys
import time
import unittest

import pytest
from _pytest.assertion.rewrite import rewrite_asserts
from _pytest.mark.structures import ParameterSet
from _pytest.python import IdMaker
from integrity import Seal
from reporter import Channel, Session, TestDeadline, describe_failure

_SKIP = (pytest.skip.Exception, unittest.SkipTest)
_MODULE_HOOKS = (
    "setup_module",
    "teardown_module",
    "setup_function",
    "teardown_function",
    "setup",
    "teardown",
    "setUpModule",
    "tearDownModule",
    "pytestmark",
    "pytest_plugins",
)
_CLASS_HOOKS = (
    "setup_method",
    "teardown_method",
    "setup_class",
    "teardown_class",
    "setup",
    "teardown",
    "pytestmark",
)
_UNITTEST_HOOKS = ("setUpClass", "tearDownClass")


class Fallback(Exception):
    """These tests need pytest itself."""


def _load(path: str):
    """Import a test file the way pytest does (prepend mode), asserts rewritten."""
    folder, name = os.path.split(os.path.abspath(path))
    modname = name[:-3]
    if folder not in sys.path:
        sys.path.insert(0, folder)
    with open(path, "rb") as handle:
        source = handle.read()
    tree = ast.parse(source, filename=path)
    rewrite_asserts(tree, source, path)
    spec = importlib.util.spec_from_file_location(modname, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[modname] = module
    exec(compile(tree, path, "exec", dont_inherit=True), module.__dict__)
    return module


def _ordinary(fn) -> bool:
    """A Python function that is not a coroutine or a generator."""
    special = (inspect.iscoroutinefunction, inspect.isgeneratorfunction, inspect.isasyncgenfunction)
    return inspect.isfunction(fn) and not any(check(fn) for check in special)


def _plain(fn, arguments: int) -> bool:
    """A plain function taking exactly `arguments` (no fixtures), unmarked, not async."""
    if getattr(fn, "pytestmark", None) or not _ordinary(fn):
        return False
    return len(inspect.signature(fn).parameters) == arguments


def _parametrize_mark(fn) -> tuple | None:
    """(argnames, parameter sets, ids) of a function with exactly one `parametrize` mark,
    of literal argument values (no pytest.param marks, no indirect or scope, no callable
    ids) that name every parameter of the function; None for anything else."""
    marks = getattr(fn, "pytestmark", None) or []
    if len(marks) != 1 or marks[0].name != "parametrize" or not _ordinary(fn):
        return None
    mark = marks[0]
    ids = mark.kwargs.get("ids")
    if len(mark.args) != 2 or set(mark.kwargs) - {"ids"} or callable(ids):
        return None
    names, values = mark.args
    if not isinstance(values, (list, tuple)) or not values:
        return None
    argnames, force_tuple = ParameterSet._parse_parametrize_args(names, values)
    sets = [ParameterSet.extract_from(v, force_tuple=force_tuple) for v in values]
    if any(s.marks or len(s.values) != len(argnames) for s in sets):
        return None
    parameters = list(inspect.signature(fn).parameters)
    if sorted(parameters) != sorted(argnames):
        return None
    return argnames, sets, ids


def _parametrized(prefix: str, name: str, fn) -> list | None:
    """The items of a parametrized function, node ids made by pytest's own IdMaker."""
    found = _parametrize_mark(fn)
    if found is None:
        return None
    argnames, sets, ids = found
    node = f"{prefix}::{name}"
    made = IdMaker(argnames, sets, None, ids, None, node).make_unique_parameterset_ids()
    pairs = zip(made, sets, strict=True)
    return [(f"{node}[{i}]", _bound(fn, argnames, s.values)) for i, s in pairs]


def _bound(fn, argnames, values):
    arguments = dict(zip(argnames, values, strict=True))
    return lambda: fn(**arguments)


def _plain_function(fn) -> bool:
    return _plain(fn, 0)


def _plain_method(fn) -> bool:
    return _plain(fn, 1)


def _collected(obj) -> bool:
    """pytest skips objects that say `__test__ = False`."""
    try:
        return getattr(obj, "__test__", True) is not False
    except Exception:
        return True


def _class_items(prefix: str, cls) -> list:
    if issubclass(cls, unittest.TestCase):
        if any(n in vars(cls) for n in _UNITTEST_HOOKS):
            raise Fallback
        names = unittest.TestLoader().getTestCaseNames(cls)
        return [(f"{prefix}::{cls.__name__}::{n}", _unittest_call(cls, n)) for n in names]
    if not cls.__name__.startswith("Test") or not _collected(cls):
        return []
    if cls.__init__ is not object.__init__ or cls.__new__ is not object.__new__:
        return []  # pytest warns and does not collect such a class
    if any(hasattr(cls, n) for n in _CLASS_HOOKS):
        raise Fallback
    items = []
    for name in _class_test_names(cls):
        if not _plain_method(getattr(cls, name)):
            raise Fallback
        items.append((f"{prefix}::{cls.__name__}::{name}", _method_call(cls, name)))
    return items


def _class_test_names(cls) -> list[str]:
    """pytest's order: base classes first, each class's own names in definition order."""
    seen: set[str] = set()
    per_class = []
    for klass in cls.__mro__:
        own = [n for n in vars(klass) if n.startswith("test") and n not in seen]
        seen.update(vars(klass))
        per_class.append(own)
    return [name for own in reversed(per_class) for name in own]


def _method_call(cls, name: str):
    return lambda: getattr(cls(), name)()


def _unittest_call(cls, name: str):
    def call() -> None:
        result = _Result()
        cls(name).run(result)
        if result.raised is not None:
            raise result.raised[1].with_traceback(result.raised[2])

    return call


class _Result(unittest.TestResult):
    """Keeps the first exception a unittest test raised (skips raise SkipTest again)."""

    raised = None

    def _keep(self, err) -> None:
        if self.raised is None:
            self.raised = err

    def addFailure(self, test, err) -> None:
        self._keep(err)

    def addError(self, test, err) -> None:
        self._keep(err)

    def addSkip(self, test, reason) -> None:
        try:
            raise unittest.SkipTest(reason)
        except unittest.SkipTest:
            self._keep(sys.exc_info())

    def addExpectedFailure(self, test, err) -> None:
        self.addSkip(test, "expected failure")

    def addUnexpectedSuccess(self, test) -> None:
        try:
            raise AssertionError("unexpected success")
        except AssertionError:
            self._keep(sys.exc_info())


def _module_items(rel: str, module) -> list:
    if any(n in vars(module) for n in _MODULE_HOOKS) or any(
        n.startswith("pytest_") for n in vars(module)
    ):
        raise Fallback
    items = []
    for name, obj in list(vars(module).items()):
        if not _collected(obj):
            continue
        if inspect.isclass(obj):
            items += _class_items(rel, obj)
        elif name.startswith("test") and callable(obj):
            items += _function_items(rel, name, obj)
    return items


def _function_items(rel: str, name: str, fn) -> list:
    if _plain_function(fn):
        return [(f"{rel}::{name}", fn)]
    parametrized = _parametrized(rel, name, fn)
    if parametrized is None:
        raise Fallback
    return parametrized


def _select(items: list, wanted: str) -> list:
    if "::" not in wanted:
        return items
    inside = (wanted + "::", wanted + "[")
    return [(nid, fn) for nid, fn in items if nid == wanted or nid.startswith(inside)]


def collect(tests: list[str], conftest: bool = False) -> list | None:
    """[(node id, callable)] for plain tests, or None: pytest must run these (and when
    `conftest` files load, tests below one)."""
    items: list = []
    modules: dict[str, list] = {}
    try:
        for wanted in tests:
            rel, _, rest = wanted.partition("::")
            rel = os.path.normpath(rel)
            if not rel.endswith(".py") or not os.path.isfile(rel) or rel.startswith(".."):
                return None
            if conftest and _conftest_above(rel):
                return None  # its fixtures and hooks are pytest's to run
            if rel not in modules:
                modules[rel] = _module_items(rel, _load(rel))
            chosen = _select(modules[rel], f"{rel}::{rest}" if rest else rel)
            if not chosen:
                return None
            items += chosen
    except Exception:
        for name in [n for n, m in sys.modules.items() if _from_workdir(m)]:
            del sys.modules[name]
        return None
    return items


def _conftest_above(rel: str) -> bool:
    """A conftest.py in the test file's folder or one above it, up to the work dir."""
    folder = os.path.dirname(rel)
    while True:
        if os.path.isfile(os.path.join(folder, "conftest.py")):
            return True
        if not folder:
            return False
        folder = os.path.dirname(folder)


def _from_workdir(module) -> bool:
    path = getattr(module, "__file__", None) or ""
    return os.path.realpath(path).startswith(os.getcwd() + os.sep)


def run_items(
    channel: Channel, items: list, workdir: str, session: Session, seal: Seal | None = None
) -> int:
    """Run the collected items, one record each; the finish record says `tampered` if
    the harness or the builtins changed (`seal`, made before the test file loaded)."""
    failed, sent = 0, 0
    tampered = ["the harness was not sealed"] if seal is None else []
    deadline = TestDeadline(session.test_timeout, workdir, session.code)
    code = session.code
    for node_id, call in items:
        outcome, failure, started = "passed", None, time.perf_counter()
        try:
            with deadline:
                call()
        except _SKIP:
            outcome = "skipped"
        except BaseException as exc:
            outcome, failed = "failed", failed + 1
            failure = describe_failure(exc, exc.__traceback__, workdir, code)
        tampered = tampered or seal.changes()
        sent += 1
        channel.send(
            {
                "event": "test",
                "node_id": node_id,
                "outcome": outcome,
                "duration_s": time.perf_counter() - started,
                "failure": failure,
            }
        )
        if failed and session.first_failure:
            break
    status = 1 if failed else 0
    channel.send(
        {
            "event": "finish",
            "tampered": tampered,
            "collected": len(items),
            "sent": sent,
            "status": status,
            "runner": "quick",
        }
    )
    return status
