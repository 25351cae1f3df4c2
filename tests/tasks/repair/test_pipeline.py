"""Repair end to end, in the real sandbox, with deterministic candidates or a tiny model."""

import hashlib
import shutil
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from codeintel import tasks
from codeintel.cli import main
from codeintel.errors import InputError, RepairInputError, UnknownFunctionError
from codeintel.sandbox import Limits, SandboxConfig
from codeintel.tasks import repair as repair_task
from codeintel.tasks.repair import (
    CandidateMode,
    CandidateSource,
    ModelHandle,
    RepairConfig,
    RepairOutcome,
    repair,
)
from tests.conftest_paths import FIXTURES, REPO

EDITS = RepairConfig(candidates=CandidateMode.EDITS)
EXAMPLE = REPO / "examples" / "repair"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("stats.py", "test_stats.py", "test_hangs.py", "test_no_module.py"):
        shutil.copy(FIXTURES / "tasks" / name, tmp_path / name)
    return tmp_path


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def test_repair_is_registered_in_the_task_table():
    assert tasks.module_of("repair") is repair_task
    with pytest.raises(InputError, match="unknown task 'mend'; known tasks: asserts, body"):
        tasks.get("mend")


def test_fixes_the_bundled_example_without_touching_it():
    before = digest(EXAMPLE)
    result = repair(EXAMPLE / "running_mean.py", EXAMPLE / "test_running_mean.py", config=EDITS)
    assert result.outcome is RepairOutcome.FIXED
    assert result.function == "running_mean"
    assert "+    for count, value in enumerate(values, start=1):" in result.diff
    assert result.winner.source is CandidateSource.EDIT
    assert result.generated["edit"] >= result.validated["edit"] >= 1
    assert digest(EXAMPLE) == before


def test_a_rule_edit_fix_does_not_wait_for_the_model():
    """The model loads alongside: a bug a rule edit fixes is fixed before the load ends."""
    release = threading.Event()
    handle = ModelHandle.in_background(lambda: release.wait(120) and None)
    try:
        result = repair(EXAMPLE / "running_mean.py", EXAMPLE / "test_running_mean.py", model=handle)
        assert result.outcome is RepairOutcome.FIXED
        assert result.winner.source is CandidateSource.EDIT and "model" not in result.validated
        assert not handle.ready()  # it never waited for the model
    finally:
        release.set()


def test_fix_makes_every_test_pass_and_keeps_passing_ones(project: Path):
    result = repair(project / "stats.py", project / "test_stats.py", config=EDITS)
    assert result.outcome is RepairOutcome.FIXED
    assert result.failing_tests == ("test_stats.py::test_largest",)
    changed = [line for line in result.diff.splitlines() if line[:1] in "+-"]
    assert changed[2:] == ["-        return ordered[: k - 1]", changed[3]]
    assert changed[3].startswith("+        return ordered[")
    fixed = project / "fixed.py"
    fixed.write_text(result.patched_source)
    again = repair(
        result.patched_source, project / "test_stats.py", config=EDITS, module_file="stats.py"
    )
    assert again.outcome is RepairOutcome.TESTS_ALREADY_PASS


def test_no_fix_when_the_function_is_forced_elsewhere(project: Path):
    result = repair(project / "stats.py", project / "test_stats.py", function="clamp", config=EDITS)
    assert result.outcome is RepairOutcome.NO_FIX_FOUND
    assert result.patched_source is None and result.validated["edit"] > 0


def test_tests_that_cannot_import_are_reported(project: Path):
    result = repair(project / "stats.py", project / "test_no_module.py", config=EDITS)
    assert result.outcome is RepairOutcome.TESTS_ERROR
    assert "statistics_that_do_not_exist" in result.message


def test_hanging_tests_are_bad_input(project: Path):
    config = RepairConfig(
        candidates=CandidateMode.EDITS, sandbox=SandboxConfig(limits=Limits(timeout_s=2))
    )
    with pytest.raises(RepairInputError, match="hangs before reaching the code: timed out"):
        repair(project / "stats.py", project / "test_hangs.py", config=config)


def test_unknown_function_is_a_typed_error(project: Path):
    with pytest.raises(UnknownFunctionError, match="nope"):
        repair(project / "stats.py", project / "test_stats.py", function="nope", config=EDITS)


@pytest.mark.parametrize("content", [b"def broken(:\n    pass\n", b"x = '\xff\xfe'\n"])
def test_unparsable_or_non_utf8_files_are_input_errors(project: Path, content: bytes):
    (project / "stats.py").write_bytes(content)
    with pytest.raises(InputError):
        repair(project / "stats.py", project / "test_stats.py", config=EDITS)


def test_model_candidates_are_generated_scored_and_ranked(project: Path, tiny_model_dir: Path):
    config = RepairConfig(candidates=CandidateMode.ALL, beam=2, samples=1)
    result = repair(
        project / "stats.py",
        project / "test_stats.py",
        model=str(tiny_model_dir),
        function="Stats.largest",
        config=config,
        budget=120,
    )
    # a random tiny model rarely decodes to a valid candidate, but edit candidates are ranked by
    # its scores, so every validated candidate carries a score
    assert result.outcome is RepairOutcome.FIXED
    assert result.winner.score is not None


# --- the CLI -----------------------------------------------------------------------------


def cli(*args: str) -> int:
    return main(["repair", *args, "--candidates", "edits"])


def test_cli_prints_the_diff_and_exits_0(project: Path, capsys):
    before = digest(project)
    assert cli(str(project / "stats.py"), "--tests", str(project / "test_stats.py")) == 0
    out = capsys.readouterr()
    assert out.out.startswith("--- a/stats.py") and "fixed Stats.largest" in out.err
    assert digest(project) == before


def test_cli_write_replaces_the_file_and_keeps_a_backup(project: Path):
    original = (project / "stats.py").read_text()
    assert cli(str(project / "stats.py"), "--tests", str(project / "test_stats.py"), "--write") == 0
    assert (project / "stats.py.orig").read_text() == original
    assert (project / "stats.py").read_text() != original
    assert cli(str(project / "stats.py"), "--tests", str(project / "test_stats.py")) == 1


def test_cli_json_output(project: Path, capsys):
    import json

    cli(str(project / "stats.py"), "--tests", str(project / "test_stats.py"), "--json")
    record = json.loads(capsys.readouterr().out)
    assert record["outcome"] == "fixed" and record["winner"]["source"] == "edit"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.py", "--tests", "test_stats.py"], "cannot read file"),
        (["stats.py", "--tests", "test_no_module.py"], "error before reaching the code"),
        (["stats.py", "--tests", "test_stats.py", "--function", "nope"], "nope"),
        (["stats.py", "--tests", "test_stats.py", "--budget", "0"], "budget"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(project: Path, capsys, args, message):
    before = digest(project)
    args = [str(project / a) if a.endswith(".py") else a for a in args]
    assert cli(*args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("codeintel: error:") and message in err[-1]
    assert digest(project) == before


def test_cli_missing_model_is_exit_2(project: Path, capsys):
    code = main(
        [
            "repair",
            str(project / "stats.py"),
            "--tests",
            str(project / "test_stats.py"),
            "--model",
            str(project / "no-such-model"),
        ]
    )
    assert code == 2
    assert "no-such-model" in capsys.readouterr().err


def test_cli_memory_limit_at_import_names_the_limit(project: Path, capsys):
    hungry = "DATA = bytearray(1536 * 1024 ** 2)\n\ndef f():\n    return 1\n"
    (project / "hungry.py").write_text(hungry)
    test = "from hungry import f\n\ndef test_f():\n    assert f() == 2\n"
    (project / "test_hungry.py").write_text(test)
    assert cli(str(project / "hungry.py"), "--tests", str(project / "test_hungry.py")) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert "memory limit of 1024 MB" in err and "--memory-mb" in err, err
    args = ["--tests", str(project / "test_hungry.py"), "--memory-mb", "4000"]
    assert cli(str(project / "hungry.py"), *args) in (0, 1)  # raised: the tests now run


@pytest.mark.parametrize("flag", ["--timeout", "--memory-mb", "--disk-mb"])
def test_cli_limit_flags_must_be_positive(project: Path, capsys, flag):
    assert cli(str(project / "stats.py"), "--tests", str(project / "test_stats.py"), flag, "0") == 2
    err = capsys.readouterr().err
    assert f"argument {flag}: 0 is not" in err and len(err.strip().splitlines()) == 1


def test_the_result_names_what_the_tier_does_not_protect(project: Path):
    from codeintel.sandbox import Tier
    from codeintel.sandbox.isolation import isolation_warning, pick_uid

    sandbox = SandboxConfig(limits=Limits(timeout_s=10), tier=Tier.PROCESS)
    config = RepairConfig(candidates=CandidateMode.EDITS, sandbox=sandbox)
    result = repair(project / "stats.py", tests=project / "test_stats.py", config=config)
    expected = isolation_warning(Tier.PROCESS, pick_uid(sandbox.python, Tier.PROCESS))
    assert result.warning == expected
    assert result.to_json()["warning"] == expected


def test_a_bug_that_loops_forever_is_repaired_from_its_timeout_trace(tmp_path: Path):
    """count_down(3) never ends (`n += 1`); the per-test limit makes it a failing test
    whose trace names the loop, and the fix is validated like any other."""
    for name in ("countdown.py", "test_countdown.py"):
        shutil.copy(FIXTURES / "tasks" / name, tmp_path / name)
    result = repair(tmp_path / "countdown.py", tmp_path / "test_countdown.py", config=EDITS)
    assert result.outcome is RepairOutcome.FIXED, result.message
    assert "n -= 1" in result.patched_source
    assert result.failing_tests == ("test_countdown.py::test_three",)


def test_the_result_separates_model_start_up_from_the_whole(project: Path):
    result = repair(project / "stats.py", tests=project / "test_stats.py", config=EDITS)
    assert result.startup_seconds >= 0.0 and result.seconds >= result.startup_seconds
    assert "startup_seconds" in result.to_json()


def test_a_missing_update_statement_is_inserted(tmp_path: Path):
    """`i += 1` is missing, so the loop never ends: no one-token rule can fix it, the
    insert_statement family (the function's own counter, updated) does."""
    for name in ("total.py", "test_total.py"):
        shutil.copy(FIXTURES / "tasks" / name, tmp_path / name)
    quick = replace(EDITS, test_timeout_floor_s=0.1, test_timeout_cap_s=0.5)  # hangs cost less
    result = repair(tmp_path / "total.py", tmp_path / "test_total.py", config=quick)
    assert result.outcome is RepairOutcome.FIXED, result.message
    assert result.winner_family == "insert_statement"
    assert result.families["insert_statement"] > 0
    assert "        i += 1\n" in result.patched_source
