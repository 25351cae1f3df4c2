"""The task front door (`codeintel.tasks`): one table, requests built and checked only by
the tasks' `make_request`, one budget clock, one rule for sandbox limits, one name per
option in the API, the CLI and the editor's settings."""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

import pytest

from codeintel import tasks
from codeintel.budget import Budget
from codeintel.cli import COMMANDS, build_parser
from codeintel.errors import InputError, UnknownFunctionError
from codeintel.lsp.actions import ACTIONS, WITHOUT_MODEL
from codeintel.lsp.settings import KEYS
from codeintel.models.loading import ModelHandle
from codeintel.tasks.repair import RepairOutcome

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "repair"
MEAN = 'def mean(xs):\n    """The mean.\n\n    >>> mean([1, 3])\n    2.0\n    """\n'


def test_every_task_has_the_same_three_functions_and_its_command() -> None:
    for task in tasks.TASKS.values():
        module = tasks.module_of(task.name)
        assert all(callable(getattr(module, f)) for f in ("make_request", "needs_model", "run"))
        if task.command:
            assert COMMANDS[task.name] == (f"codeintel.commands.{task.name}", task.summary)
    assert {a.task for a in ACTIONS.values()} <= set(tasks.TASKS)
    optional = {c for c, a in ACTIONS.items() if tasks.get(a.task).model is tasks.ModelUse.OPTIONAL}
    assert WITHOUT_MODEL == optional == {"codeintel.fixFunction", "codeintel.generateTests"}


def test_an_unknown_task_or_option_is_refused() -> None:
    with pytest.raises(InputError, match="unknown task 'fix'; known tasks: asserts, body"):
        tasks.make_request("fix", file="x.py")
    with pytest.raises(TypeError, match="budget_seconds"):  # no second name for an option
        tasks.make_request("repair", file=EXAMPLE / "running_mean.py", budget_seconds=5)


@pytest.mark.parametrize(
    ("task", "options", "message"),
    [
        ("repair", {"tests": "t.py", "budget": 0}, "budget must be a positive"),
        ("repair", {"tests": "t.py", "candidates": "some"}, "candidates must be one of"),
        ("doc", {"samples": 0}, "samples must be a positive"),
        ("doc", {"style": "sphinx"}, "unknown docstring style"),
        ("body", {"samples": -1}, "samples must be a positive"),
        ("body", {"function": "median"}, "median"),
        ("complete", {"line": 99, "column": 0}, "line 99 is not in the file"),
        ("complete", {"line": 1, "column": 0, "mode": "word"}, "mode must be line or block"),
        ("tests", {"budget": -1}, "budget must be a positive"),
        ("tests", {"function": "median"}, "median"),
    ],
)
def test_bad_options_fail_when_the_request_is_made(task, options, message, tmp_path) -> None:
    path = tmp_path / "stats.py"
    path.write_text(MEAN)
    with pytest.raises((InputError, UnknownFunctionError), match=message):
        tasks.make_request(task, file=path, **options)


def test_one_clock_started_with_the_request_and_one_rule_for_limits(tmp_path) -> None:
    path = tmp_path / "stats.py"
    path.write_text(MEAN)
    repair = tasks.make_request(
        "repair",
        file=EXAMPLE / "running_mean.py",
        tests=EXAMPLE / "test_running_mean.py",
        budget=30,
        timeout=4,
        memory_mb=512,
    )
    generate = tasks.make_request("tests", file=path, budget=Budget(20), timeout=3, samples=0)
    body = tasks.make_request("body", file=path, timeout=2.5, memory_mb=300)
    asserts = tasks.make_request(
        "asserts", test_prefix="def test_m():\n    m = mean([1])\n", focal_source=MEAN, timeout=6
    )
    assert isinstance(repair.budget, Budget) and repair.budget.seconds == 30
    assert isinstance(generate.budget, Budget) and 0 < generate.budget.left() <= 20
    limits = [
        repair.config.sandbox.limits,
        generate.config.sandbox.limits,
        body.config.sandbox.limits,
        asserts.sandbox.limits,
    ]
    assert [(lim.timeout_s, lim.cpu_s) for lim in limits] == [(4, 5), (3, 4), (2.5, 3), (6, 7)]
    assert (repair.config.sandbox.limits.memory_mb, body.config.sandbox.limits.memory_mb) == (
        512,
        300,
    )


def test_a_request_that_uses_no_model_gets_none() -> None:
    request = tasks.make_request(
        "repair",
        file=EXAMPLE / "running_mean.py",
        tests=EXAMPLE / "test_running_mean.py",
        candidates="edits",
    )
    handle = tasks.start_model("repair", request, "no/such/model")  # not even looked for
    assert isinstance(handle, ModelHandle) and handle.get() is None
    result = tasks.run("repair", request, handle)
    assert result.outcome is RepairOutcome.FIXED and result.function == "running_mean"


def _options(command: str) -> set[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {s for a in sub.choices[command]._actions for s in a.option_strings}


def test_the_cli_spells_each_option_as_the_api_and_the_editor_do() -> None:
    for task in (t for t in tasks.TASKS.values() if t.command):
        flags = _options(task.name)
        assert {"--model", "--model-name"} <= flags, task.name
        signature = importlib.import_module(task.module).make_request.__kwdefaults__
        for option in ("budget", "samples", "timeout", "memory_mb", "disk_mb"):
            flag = "--" + option.replace("_", "-")
            if option in signature:
                assert flag in flags, (task.name, flag)
            if flag in flags:
                assert option in signature, (task.name, option)
    editor = {name for name, _ in KEYS.values()}
    assert {"budget", "samples", "timeout", "memory_mb", "model", "model_name"} <= editor


def test_samples_and_n_are_one_option(tmp_path) -> None:
    parser = build_parser()
    path = str(tmp_path / "m.py")
    for flag in ("--samples", "--n"):
        args = parser.parse_args(["body", path, "--function", "f", flag, "3"])
        assert args.samples == 3
