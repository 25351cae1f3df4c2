"""Test generation on real modules, side by side with Pynguin, both measured alike.

    python -m benchmarks testgen --modules fnmatch imghdr ... --budget 60 \\
        --pynguin build/pynguin/bin/python --json testgen.jsonl --plot testgen_coverage.png

Each module (a single-file module found by import name, dotted names included, whose
imports are absolute) is copied into a fresh project as `<name>_sut.py`, dots as
underscores (so that the copy, not the installed module, is imported, by both tools);
its split is its top-level package's. Ours: the `tests` task with the budget. Pynguin
(`--pynguin`, the Python of a virtualenv holding pynguin 0.48,
`scripts/pynguin-venv.sh`) runs inside our sandbox with PYNGUIN_DANGER_AWARE set and
`--maximum-search-time` = the budget.
Each tool's test file is then measured the same way, in the sandbox: the tests that
pass, the module's line and branch coverage of those tests (`run_tests`, coverage.py
in branch mode), the share of mutants of the module's focal functions they kill
(`codeintel.tasks.testgen.mutation`), and the share of focal functions whose body
they run. Records are JSON lines, one per module and tool, so a stopped run resumes.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from benchmarks.executor import add_executor_arguments, print_report, read_records, run_jobs
from benchmarks.models import add_model_arguments, described
from codeintel import tasks
from codeintel.errors import InputError
from codeintel.sandbox import Limits, SandboxConfig, TestOutcome, run, run_tests
from codeintel.tasks.testgen.mutation import mutants, mutation_score
from codeintel.tasks.testgen.plan import focal_functions
from data_pipelines.config import Split
from data_pipelines.split import split_of

SPLIT = (0.9, 0.05, 0.05)  # the data builds' ratios (data_pipelines/config.py)
TEST_FILE = "test_generated.py"
NOTHING = {"tests": 0, "passing": 0, "lines_covered": 0, "lines_total": 0, "branches_covered": 0,
           "branches_total": 0, "covered_lines": (), "mutants": 0, "killed": 0}  # fmt: skip


@dataclass(frozen=True)
class ToolRecord:
    module: str
    tool: str  # "codeintel" or "pynguin"
    split: str  # the module's split in the data builds (never "train" here)
    seconds: float
    tests: int  # tests in the file
    passing: int  # of those, passing against the module
    lines_covered: int
    lines_total: int
    branches_covered: int
    branches_total: int
    focal_functions: int
    focal_covered: int  # focal functions whose body the passing tests run
    mutants: int
    killed: int
    model_samples: int = 0
    model_passed: int = 0
    error: str = ""


def sut_name(name: str) -> str:
    """The copy's module name: `pip._vendor.x` -> `pip__vendor_x_sut`."""
    return name.replace(".", "_") + "_sut"


def module_source(name: str) -> str:
    """The source of a pure-Python single-file module; InputError otherwise."""
    spec = importlib.util.find_spec(name)
    origin = spec.origin if spec is not None else None
    if origin is None or not origin.endswith(".py") or origin.endswith("__init__.py"):
        raise InputError(f"{name} is not a single-file pure-Python module")
    return Path(origin).read_text(encoding="utf-8")


def measure(source: str, sut: str, tests: str, config: SandboxConfig) -> dict:
    """The same measures for any tool's test file."""
    files = {f"{sut}.py": source, TEST_FILE: tests}
    limits = replace(config.limits, timeout_s=300, cpu_s=300, test_timeout_s=10)
    first = run_tests(files, [TEST_FILE], replace(config, limits=limits), coverage_of=sut)
    passing = [t.node_id for t in first.tests if t.outcome is TestOutcome.PASSED]
    out = {"tests": len(first.tests), "passing": len(passing)}
    if not passing:
        return {**NOTHING, **out}
    kept = run_tests(files, passing, replace(config, limits=limits), coverage_of=sut)
    cov = kept.coverage
    focals = focal_functions(ast.parse(source))
    variants = mutants(source, focals, per_function=8)
    score = mutation_score(files, f"{sut}.py", passing, variants, config, seconds=600)
    return {
        **out,
        "lines_covered": len(cov.lines_covered) if cov else 0,
        "lines_total": len(cov.lines_covered) + len(cov.lines_missed) if cov else 0,
        "branches_covered": cov.branches_covered if cov else 0,
        "branches_total": cov.branches_total if cov else 0,
        "covered_lines": cov.lines_covered if cov else (),
        "mutants": score.mutants,
        "killed": score.killed,
    }


def focal_covered(source: str, covered: Sequence[int]) -> tuple[int, int]:
    """(focal functions, those with a body line among `covered`)."""
    focals = [f for f in focal_functions(ast.parse(source)) if f.end_line > f.line]
    lines = set(covered)
    hit = sum(any(line in lines for line in range(f.line + 1, f.end_line + 1)) for f in focals)
    return len(focals), hit


def ours(name: str, source: str, budget: float, item: dict) -> tuple[str, float, dict]:
    """Our tests for the module, as `codeintel tests` makes them: the model (the item's
    spec) loads within the budget, alongside the search."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{sut_name(name)}.py"
        path.write_text(source, encoding="utf-8")
        started = time.monotonic()
        request = tasks.make_request("tests", file=path, budget=budget, samples=item["samples"])
        model = tasks.start_model("tests", request, item["model"], item["model_name"])
        result = tasks.run("tests", request, model)
        seconds = time.monotonic() - started
    extra = {"model_samples": result.model_samples, "model_passed": result.model_passed}
    return result.test_file, seconds, extra


PYNGUIN_RUNNER = """
import os, sys, runpy, glob
os.environ["PYNGUIN_DANGER_AWARE"] = "1"
sys.argv = ["pynguin", "--project-path", ".", "--module-name", {module!r},
            "--output-path", "pynguin-out", "--maximum-search-time", {seconds!r}]
try:
    runpy.run_module("pynguin", run_name="__main__")
except SystemExit:
    pass
for path in glob.glob("pynguin-out/*.py"):
    print({token!r})
    print(open(path).read())
"""


def pynguin(name: str, source: str, budget: float, python: str) -> tuple[str, float, dict]:
    token = "@@" + secrets.token_hex(8) + "@@"
    runner = PYNGUIN_RUNNER.format(module=sut_name(name), seconds=str(int(budget)), token=token)
    limits = Limits(
        timeout_s=budget * 3 + 60,
        cpu_s=int(budget * 3 + 60),
        memory_mb=4096,
        processes=256,
        disk_mb=512,
    )
    config = SandboxConfig(limits=limits, python=python)
    started = time.monotonic()
    execution = run(["python", "-c", runner], {f"{sut_name(name)}.py": source}, config)
    seconds = time.monotonic() - started
    _, found, text = execution.stdout.partition(token + "\n")
    if not found:
        tail = (execution.stderr or execution.stdout).strip().splitlines()[-3:]
        return "", seconds, {"error": f"pynguin wrote no tests ({execution.outcome.value}): {tail}"}
    return text, seconds, {}


def job(item: dict) -> dict:
    name, tool = item["module"], item["tool"]
    source = module_source(name)
    if tool == "codeintel":
        tests, seconds, extra = ours(name, source, item["budget"], item)
    else:
        python = str(Path(item["pynguin"]).absolute())
        tests, seconds, extra = pynguin(name, source, item["budget"], python)
    measured = measure(source, sut_name(name), tests, SandboxConfig()) if tests else NOTHING
    measured = dict(measured)
    focals, hit = focal_covered(source, measured.pop("covered_lines"))
    record = ToolRecord(
        module=name,
        tool=tool,
        split=split_of(name.split(".")[0], SPLIT).value,
        seconds=round(seconds, 1),
        focal_functions=focals,
        focal_covered=hit,
        **measured,
        **extra,
    )
    return asdict(record)


def describe(record: dict) -> str:
    lines = f"{record['lines_covered']}/{record['lines_total']}"
    return (
        f"{record['module']:10s} {record['tool']:9s} lines {lines:8s} branches "
        f"{record['branches_covered']}/{record['branches_total']} passing "
        f"{record['passing']}/{record['tests']} killed {record['killed']}/{record['mutants']}"
        f" {record['seconds']} s {record['error']}"
    )


def rate(covered: int, total: int) -> float:
    return covered / total if total else 0.0


def report(records: Sequence[dict]) -> dict:
    out: dict = {}
    for tool in sorted({r["tool"] for r in records}):
        mine = [r for r in records if r["tool"] == tool]
        out[tool] = {
            "modules": len(mine),
            "median_line_coverage": statistics.median(
                rate(r["lines_covered"], r["lines_total"]) for r in mine
            ),
            "median_branch_coverage": statistics.median(
                rate(r["branches_covered"], r["branches_total"]) for r in mine
            ),
            "focal_covered": sum(r["focal_covered"] for r in mine),
            "focal_functions": sum(r["focal_functions"] for r in mine),
            "killed": sum(r["killed"] for r in mine),
            "mutants": sum(r["mutants"] for r in mine),
        }
    return out


def plot(records: Sequence[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    modules = list(dict.fromkeys(r["module"] for r in records))
    tools = sorted({r["tool"] for r in records})
    width = 0.8 / len(tools)
    fig, ax = plt.subplots(figsize=(9, 4))
    for i, tool in enumerate(tools):
        by = {r["module"]: r for r in records if r["tool"] == tool}
        values = [
            100 * rate(by[m]["lines_covered"], by[m]["lines_total"]) if m in by else 0
            for m in modules
        ]
        ax.bar([x + i * width for x in range(len(modules))], values, width, label=tool)
    ax.set_xticks([x + width * (len(tools) - 1) / 2 for x in range(len(modules))], modules)
    ax.set_ylabel("line coverage of passing tests (%)")
    ax.set_ylim(0, 100)
    ax.legend()
    ax.set_title("Test generation: line coverage per module, same budget")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks testgen",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--modules", nargs="+", required=True, help="import names")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per module and tool")
    parser.add_argument("--pynguin", help="the Python of a virtualenv with pynguin 0.48")
    parser.add_argument("--samples", type=int, default=4, help="our model's samples per function")
    add_model_arguments(parser)
    parser.add_argument("--json", type=Path, help="records (JSON lines), to resume from")
    parser.add_argument("--plot", type=Path, help="write the coverage plot (PNG) here")
    add_executor_arguments(parser)
    args = parser.parse_args(argv)
    try:
        for name in args.modules:
            module_source(name)
            if split_of(name.split(".")[0], SPLIT) is Split.TRAIN:
                raise InputError(f"{name} is in the training split; pick a held-out module")
        if args.plot is not None and importlib.util.find_spec("matplotlib") is None:
            raise InputError("--plot needs matplotlib: pip install -e '.[bench]'")
    except InputError as exc:
        print(f"benchmarks testgen: {exc}", file=sys.stderr)
        return 2
    done = read_records(args.json)
    seen = {(r["module"], r["tool"]) for r in done}
    tools = ["codeintel", *(["pynguin"] if args.pynguin else [])]
    items = [
        {
            "module": m,
            "tool": t,
            "budget": args.budget,
            "samples": args.samples,
            "model": args.model,
            "model_name": args.model_name,
            "pynguin": args.pynguin,
        }
        for m in args.modules
        for t in tools
        if (m, t) not in seen
    ]
    records = done + run_jobs(job, items, args, args.json, describe)
    model = described(args) if args.samples > 0 else "none (the search alone)"
    summary = {"budget_s": args.budget, "model": model, "per_tool": report(records)}
    print_report({**summary, "records": records}, None)
    if args.plot is not None:
        plot(records, args.plot)
    return 0
