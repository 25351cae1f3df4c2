"""The effect guard (harness/effects.py) and `run_tests(guard_effects=True)`: a test may
write only in its tmp_path; deleting or writing the caller's files, starting processes,
changing the environment or adding audit hooks is blocked and fails the test, in both
tiers, even when the test catches the error."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from codeintel.sandbox import TestOutcome, run_tests

HARNESS = Path(__file__).resolve().parents[2] / "codeintel" / "sandbox" / "harness"


def _guarded_script(body: str, allowed: Path) -> subprocess.CompletedProcess:
    """Run `body` in a fresh interpreter with the guard armed on `allowed` (its cwd)."""
    script = textwrap.dedent(
        f"""
        import os, shutil, subprocess, sys
        sys.path.insert(0, {str(HARNESS)!r})
        from effects import EffectGuard
        guard = EffectGuard().install()
        guard.arm(os.getcwd())
        def attempt(name, fn):
            try:
                fn()
                print(name, "allowed")
            except Exception as exc:
                print(name, type(exc).__name__)
        """
    ) + textwrap.dedent(body)
    return subprocess.run(
        [sys.executable, "-c", script], cwd=allowed, capture_output=True, text=True, timeout=60
    )


def test_the_guard_blocks_outside_and_allows_inside(tmp_path, guarded):
    inside = tmp_path / "inside"
    inside.mkdir()
    body = f"""
        outside = {str(guarded)!r}
        attempt("write-inside", lambda: open("w", "w").write("x"))
        attempt("tree-inside", lambda: (os.makedirs("a/b"), shutil.rmtree("a")))
        attempt("rmtree-outside", lambda: shutil.rmtree(outside))
        attempt("remove-outside", lambda: os.remove(os.path.join(outside, "data.txt")))
        attempt("remove-up", lambda: os.remove("../caller/data.txt"))
        attempt("write-outside", lambda: open(os.path.join(outside, "data.txt"), "a"))
        attempt("read-outside", lambda: open(os.path.join(outside, "data.txt")).read())
        attempt("process", lambda: subprocess.run(["true"]))
        attempt("environment", lambda: os.environ.__setitem__("X", "1"))
        attempt("stdout-fd", lambda: open(1, "w").close())
        attempt("link-out", lambda: os.symlink(os.path.join(outside, "data.txt"), "link"))
        attempt("write-through-link", lambda: open("link", "w"))
        sys.addaudithook(lambda *args: None)
        blocked, touched = guard.disarm()
        print("blocked", len(blocked), "touched", touched)
    """
    done = _guarded_script(body, inside)
    seen = dict(line.split(" ", 1) for line in done.stdout.splitlines())
    assert seen["write-inside"] == "allowed" and seen["tree-inside"] == "allowed"
    assert seen["read-outside"] == "allowed" and seen["link-out"] == "allowed"
    for name in (
        "rmtree-outside",
        "remove-outside",
        "remove-up",
        "write-outside",
        "process",
        "environment",
        "stdout-fd",
        "write-through-link",
    ):
        assert seen[name] == "PermissionError", (name, done.stdout, done.stderr)
    assert seen["blocked"] == "9 touched True"  # the 8 above and the audit hook


def _delete_test(target: Path) -> str:
    return textwrap.dedent(
        f"""
        import os
        import pytest


        def test_deletes_outside():
            try:
                os.remove({str(target)!r})
            except OSError:
                pass  # the guard's error, caught: the test still must not pass


        def test_writes_in_tmp_path(tmp_path, monkeypatch):
            monkeypatch.chdir(tmp_path)
            with open("made.txt", "w") as handle:
                handle.write("ok")
            assert os.path.exists(tmp_path / "made.txt")


        def test_writes_in_the_work_dir():
            with open("made.txt", "w") as handle:
                handle.write("no")
        """
    )


def test_guarded_runs_fail_tests_that_act_outside_tmp_path(config, guarded):
    files = {"test_effects.py": _delete_test(guarded / "data.txt")}
    run = run_tests(files, ["test_effects.py"], config, guard_effects=True)
    outcome = {t.node_id.rpartition("::")[2]: t for t in run.tests}
    assert outcome["test_writes_in_tmp_path"].outcome is TestOutcome.PASSED
    caught, raised = outcome["test_deletes_outside"], outcome["test_writes_in_the_work_dir"]
    assert caught.outcome is TestOutcome.FAILED and raised.outcome is TestOutcome.FAILED
    assert caught.failure.exc_type == "EffectBlocked"  # caught by the test, failed after it
    assert "remove" in caught.failure.message
    assert raised.failure.exc_type == "PermissionError"  # the guard's own error, not caught
    assert "codeintel blocked this: write" in raised.failure.message


def test_unguarded_runs_keep_their_behaviour(config, tmp_path):
    files = {"test_effects.py": _delete_test(tmp_path / "absent.txt")}
    run = run_tests(files, ["test_effects.py"], config)
    assert {t.outcome for t in run.tests} == {TestOutcome.PASSED}


CONFTEST = """\
import os

import pytest


@pytest.fixture(autouse=True)
def _project_env(monkeypatch):
    monkeypatch.setenv("PROJECT_UNIT", "box")  # the project's own fixture: not guarded
"""
OWN_FIXTURE = """\
import os

import pytest


@pytest.fixture
def sneaky():
    try:
        os.environ["X"] = "1"  # a fixture of the judged file itself: guarded
    except PermissionError:
        pass
    yield


def test_env_from_the_project(tmp_path):
    assert os.environ["PROJECT_UNIT"] == "box"


def test_sneaky(sneaky):
    pass
"""


def test_the_projects_conftest_fixtures_run_unguarded_the_judged_files_do_not():
    from codeintel.sandbox import Layout

    files = {"tests/conftest.py": CONFTEST, "tests/test_own.py": OWN_FIXTURE}
    run = run_tests(files, ["tests/test_own.py"], guard_effects=True, layout=Layout(conftest=True))
    outcomes = {t.node_id.rpartition("::")[2]: t for t in run.tests}
    assert outcomes["test_env_from_the_project"].outcome is TestOutcome.PASSED
    sneaky = outcomes["test_sneaky"]
    assert sneaky.outcome is TestOutcome.FAILED, sneaky  # caught in setup, still reported
    assert "EffectBlocked" in sneaky.failure.exc_type
