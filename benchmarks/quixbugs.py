"""Repair the Python programs of a QuixBugs checkout and check each plausible patch.

    python -m benchmarks quixbugs --root ~/QuixBugs --budget 60 --out fixed/ --json qb.jsonl

The checkout (never downloaded by codeintel) is used in its own layout:
python_programs/NAME.py (buggy), python_testcases/test_NAME.py,
python_testcases/load_testdata.py (which finds json_testcases/NAME.json through its
own `Path(__file__).parent / ".."`), python_programs/node.py (graph programs, whose
tests `from node import Node`; some revisions keep a copy in python_testcases/) and,
where present, correct_python_programs/NAME.py. Each program is repaired in the
sandbox with its tests and every file they import, at the same paths as in the
checkout. A plausible patch (the tests pass) is then run next to the correct program:

- on the JSON test inputs and seeded perturbations of them (ints +-1..3, lists
  shuffled / shortened / extended, strings changed by a character), or
- for programs whose tests build their inputs in code (graphs of Node objects), by
  replaying the test file with each version and comparing every call's result (and
  its arguments after the call) structurally.

Any difference makes it a false positive. Records are JSON lines (--json); a re-run
skips the programs already recorded there. Adaptations for the sandbox, which runs
pytest without conftest files: the flags the checkout's conftest.py sets on `pytest`
read as constants (`pytest.use_correct` False, `pytest.run_slow` as --runslow asks),
and where the tests import `node` but python_testcases/ holds no node.py, the work
dir gets python_programs/node.py there too.
"""

from __future__ import annotations

import argparse
import ast
import enum
import itertools
import json
import math
import random
import re
import secrets
import statistics
import sys
import time
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks.bugs import by_family
from benchmarks.executor import add_executor_arguments, read_records, run_jobs
from benchmarks.models import add_model_arguments, described

PROGRAMS, TESTS, CORRECT, JSON_TESTS = (
    "python_programs",
    "python_testcases",
    "correct_python_programs",
    "json_testcases",
)
DEFAULT_FLAGS = {"use_correct": False, "run_slow": False}
MAX_GENERATED = 60  # generated inputs per program, on top of the tests' inputs
CALL_TIMEOUT_S = 1.0  # per call of either program in the comparison


class Outcome(str, enum.Enum):
    FIXED_CORRECT = "fixed-correct"
    FIXED_FALSE_POSITIVE = "fixed-false-positive"
    FIXED_UNCHECKED = "fixed-unchecked"
    NOT_FIXED = "not-fixed"
    ERROR = "error"


FIXED = (Outcome.FIXED_CORRECT, Outcome.FIXED_FALSE_POSITIVE, Outcome.FIXED_UNCHECKED)


@dataclass(frozen=True)
class Program:
    name: str
    source: str
    tests: str  # adapted for the sandbox (see the module docstring)
    support: dict[str, str]  # other files the tests need, by path relative to the root
    correct: str | None

    @property
    def module_file(self) -> str:
        return f"{PROGRAMS}/{self.name}.py"

    @property
    def test_file(self) -> str:
        return f"{TESTS}/test_{self.name}.py"


@dataclass(frozen=True)
class Check:
    """The patched program against the correct one."""

    test_inputs: int
    generated_inputs: int
    compared: int  # inputs on which the correct program finished in time
    differing: int
    example: str | None = None  # the first differing input and both results


@dataclass(frozen=True)
class ProgramRecord:
    name: str
    outcome: Outcome
    seconds: float
    message: str
    repair_outcome: str | None = None
    generated: dict[str, int] | None = None  # candidates per source
    validated: dict[str, int] | None = None  # validations per source
    winner: str | None = None  # the winning candidate's description
    winner_source: str | None = None
    winner_family: str | None = None  # the winning rule or family, or "model"
    families: dict[str, int] | None = None  # candidates generated per family
    winner_rank: int | None = None
    check: Check | None = None
    out_file: str | None = None


@dataclass(frozen=True)
class Settings:
    budget: float
    candidates: str  # all, model, edits
    timeout: float  # per sandbox run
    model: Any
    out: Path | None
    run_slow: bool = False  # what `pytest.run_slow` reads as (the checkout's --runslow)


# --- reading the checkout ------------------------------------------------------------------


def program_names(root: Path, only: Sequence[str] = ()) -> list[str]:
    """Programs with a buggy version and a test file, sorted; `only` restricts them."""
    names = sorted(
        p.stem
        for p in (root / PROGRAMS).glob("*.py")
        if (root / TESTS / f"test_{p.stem}.py").is_file()
    )
    return [n for n in names if n in only] if only else names


def pytest_flags(root: Path, run_slow: bool = False) -> dict[str, bool]:
    """The attributes the checkout's conftest files set on `pytest`, and the value each
    reads as here: `run_slow` as asked, every other one (use_correct, ...) False."""
    found = dict(DEFAULT_FLAGS)
    for conftest in (root / "conftest.py", root / TESTS / "conftest.py"):
        if conftest.is_file():
            names = re.findall(r"\bpytest\.(\w+)\s*=", conftest.read_text("utf-8"))
            found.update({name: False for name in names if name not in found})
    return {**found, "run_slow": run_slow}


def adapt_tests(text: str, flags: dict[str, bool]) -> str:
    """The test file with every `pytest.FLAG` read as its constant (no conftest runs)."""
    for name, value in sorted(flags.items()):
        text = re.sub(rf"\bpytest\.{re.escape(name)}\b", str(value), text)
    return text


def _module_paths(node: ast.AST, package: str) -> Iterable[str]:
    """Files (relative, maybe missing) that an import statement may load."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name.replace(".", "/") + ".py"
    elif isinstance(node, ast.ImportFrom):
        base = (f"{package}/" if node.level else "") + (node.module or "").replace(".", "/")
        base = base.strip("/")
        yield f"{base}.py"
        yield from (f"{base}/{alias.name}.py" for alias in node.names)
        if not node.level and node.module:  # `from node import Node` next to the tests
            yield f"{package}/{base}.py"


def imported_files(root: Path, source: str, package: str) -> set[str]:
    """Existing files of the checkout that `source` (in folder `package`) imports."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    paths = {p for node in ast.walk(tree) for p in _module_paths(node, package)}
    return {p for p in paths if not p.startswith(f"{CORRECT}/") and (root / p).is_file()}


def support_files(root: Path, name: str, tests: str, source: str) -> dict[str, str]:
    """Every file of the checkout the tests and the program import, at its own path."""
    found = imported_files(root, tests, TESTS) | imported_files(root, source, PROGRAMS)
    found |= {f"{JSON_TESTS}/{name}.json", f"{PROGRAMS}/__init__.py"}
    found = {p for p in found if (root / p).is_file()} - {f"{PROGRAMS}/{name}.py"}
    files = {p: (root / p).read_text("utf-8") for p in sorted(found)}
    node = f"{TESTS}/node.py"
    if node not in files and _imports_node(tests) and (root / PROGRAMS / "node.py").is_file():
        files[node] = (root / PROGRAMS / "node.py").read_text("utf-8")  # `from node import`
    return files


def _imports_node(tests: str) -> bool:
    try:
        tree = ast.parse(tests)
    except SyntaxError:
        return False
    return any(
        (isinstance(n, ast.ImportFrom) and n.module == "node" and not n.level)
        or (isinstance(n, ast.Import) and any(a.name == "node" for a in n.names))
        for n in ast.walk(tree)
    )


def load_program(root: Path, name: str, flags: dict[str, bool]) -> Program:
    source = (root / PROGRAMS / f"{name}.py").read_text("utf-8")
    tests = (root / TESTS / f"test_{name}.py").read_text("utf-8")
    correct = root / CORRECT / f"{name}.py"
    return Program(
        name,
        source,
        adapt_tests(tests, flags),
        support_files(root, name, tests, source),
        correct.read_text("utf-8") if correct.is_file() else None,
    )


# --- inputs: from the tests, and perturbed ---------------------------------------------------


def json_inputs(text: str) -> list[list]:
    """The argument lists of a QuixBugs json testcase file (one `[args, expected]` a line)."""
    inputs = []
    for line in text.splitlines():
        if line.strip():
            args = json.loads(line)[0]
            inputs.append(args if isinstance(args, list) else [args])
    return inputs


def _literal_args(call: ast.Call) -> list | None:
    if call.keywords or any(isinstance(a, ast.Starred) for a in call.args):
        return None
    try:
        return [ast.literal_eval(a) for a in call.args]
    except (ValueError, SyntaxError, TypeError):
        return None


def literal_inputs(tests: str, name: str) -> list[list]:
    """Argument lists of the calls `name(...)` in the tests whose arguments are all literals."""
    calls = sorted(
        (n for n in ast.walk(ast.parse(tests)) if isinstance(n, ast.Call)),
        key=lambda n: (n.lineno, n.col_offset),
    )  # in source order
    inputs = []
    for call in calls:
        called = getattr(call.func, "id", None) or getattr(call.func, "attr", None)
        if called == name and (args := _literal_args(call)) is not None:
            inputs.append(args)
    return inputs


def inputs_from_tests(program: Program) -> list[list]:
    data = program.support.get(f"{JSON_TESTS}/{program.name}.json")
    found = json_inputs(data) if data else []
    return _unique(found + literal_inputs(program.tests, program.name))


def _unique(inputs: Iterable[list]) -> list[list]:
    seen, kept = set(), []
    for args in inputs:
        key = json.dumps(args, sort_keys=True)
        if key not in seen:
            seen.add(key)
            kept.append(args)
    return kept


def _is_sorted(values: list) -> bool:
    try:
        return len(values) > 1 and all(a <= b for a, b in itertools.pairwise(values))
    except TypeError:
        return False


def _perturb_list(values: list, rng: random.Random) -> list:
    """Shuffled, one element dropped, appended or perturbed; a sorted list stays sorted."""
    out, ordered = list(values), _is_sorted(values)  # sorted: maybe a precondition, kept
    ops = ("drop", "append", "element") if ordered else ("shuffle", "drop", "append", "element")
    op = rng.choice(ops if out else ("append",))
    if op == "shuffle":
        rng.shuffle(out)
    elif op == "drop":
        out.pop(rng.randrange(len(out)))
    elif op == "append":
        out.append(perturb(rng.choice(out), rng) if out else rng.randint(0, 9))
    else:
        index = rng.randrange(len(out))
        out[index] = perturb(out[index], rng)
    return sorted(out) if ordered else out


def _perturb_str(text: str, rng: random.Random) -> str:
    """One character replaced (by another), inserted or deleted."""
    at = rng.randrange(len(text) + 1)
    op = rng.choice(("replace", "insert", "delete") if text else ("insert",))
    if op == "delete" and at < len(text):
        return text[:at] + text[at + 1 :]
    current = text[at] if at < len(text) and op == "replace" else ""
    alphabet = sorted((set(text) | set("ab")) - {current})
    rest = text[at + 1 :] if current else text[at:]
    return text[:at] + rng.choice(alphabet) + rest


def perturb(value: Any, rng: random.Random) -> Any:
    """A value of the same type, close to `value` (JSON values: ints, floats, strs, lists...)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + rng.choice((-1, 1)) * rng.randint(1, 3)
    if isinstance(value, float):
        return value + rng.choice((-1, 1)) * rng.uniform(0.1, 3.0)
    if isinstance(value, str):
        return _perturb_str(value, rng)
    if isinstance(value, (list, tuple)):
        return type(value)(_perturb_list(list(value), rng))
    if isinstance(value, dict) and value:
        key = rng.choice(sorted(value, key=repr))
        return {**value, key: perturb(value[key], rng)}
    return value


def perturb_args(args: list, rng: random.Random) -> list:
    """The argument list with one argument (sometimes two) perturbed."""
    out = list(args)
    if not out:
        return out
    for index in rng.sample(range(len(out)), 1 if len(out) == 1 or rng.random() < 0.7 else 2):
        out[index] = perturb(out[index], rng)
    return out


def generated_inputs(inputs: Sequence[list], count: int, seed: int) -> list[list]:
    """Up to `count` perturbed argument lists, new (not among `inputs`), the same for a seed."""
    rng, known = random.Random(seed), {json.dumps(a, sort_keys=True) for a in inputs}
    found: list[list] = []
    for attempt in range(count * 3):
        if len(found) >= count or not inputs:
            break
        args = perturb_args(inputs[attempt % len(inputs)], rng)
        key = json.dumps(args, sort_keys=True)
        if key not in known:
            known.add(key)
            found.append(args)
    return found


# --- running the patched program next to the correct one ------------------------------------

COMPARE_SCRIPT = r"""
import importlib.util, inspect, itertools, json, math, signal, sys

class CallTimeout(BaseException):
    pass

def on_alarm(signum, frame):
    raise CallTimeout()

def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

def canon(v):
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else repr(v)
    if isinstance(v, (list, tuple)):
        return [canon(x) for x in v]
    if isinstance(v, (set, frozenset)):
        return sorted((canon(x) for x in v), key=repr)
    if isinstance(v, dict):
        return sorted(([canon(k), canon(x)] for k, x in v.items()), key=repr)
    if inspect.isgenerator(v) or hasattr(v, "__next__"):
        return ["<iterator>", [canon(x) for x in itertools.islice(v, 1000)]]
    return repr(v)

def call(function, args, limit):
    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        return {"value": canon(function(*args))}
    except CallTimeout:
        return {"timeout": True}
    except RecursionError:
        return {"raised": "RecursionError"}
    except Exception as exc:
        return {"raised": type(exc).__name__}
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)

name, limit, marker = sys.argv[1], float(sys.argv[2]), sys.argv[3]
sys.path.insert(0, ".")
sys.setrecursionlimit(3000)
correct = getattr(load("correct_python_programs/%s.py" % name, "qb_correct"), name)
patched = getattr(load("python_programs/%s.py" % name, "qb_patched"), name)
inputs = json.load(open("qb_inputs.json"))
results = [[call(correct, json.loads(json.dumps(a)), limit),
            call(patched, json.loads(json.dumps(a)), limit)] for a in inputs]
sys.stdout.write("\n" + marker + json.dumps(results) + "\n")
"""


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def same(a: Any, b: Any) -> bool:
    """Equal results (JSON values); a float equals a number within a relative 1e-9."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if _number(a) and _number(b) and float in (type(a), type(b)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return type(a) is type(b) and a == b


def compare(inputs: Sequence[list], results: Sequence[list[dict]], tests: int) -> Check:
    """Differences between the correct (first) and patched (second) result of each input;
    inputs on which the correct program timed out are not compared."""
    compared = differing = 0
    example = None
    for args, (correct, patched) in zip(inputs, results, strict=True):
        if "timeout" in correct:
            continue
        compared += 1
        if not same(correct, patched):
            differing += 1
            example = example or f"args={args!r}: correct {correct}, patched {patched}"
    return Check(tests, len(inputs) - tests, compared, differing, example)


def run_script(script: str, args: list[str], files: dict[str, str], limits: Any) -> Any:
    """Run `script` (as qb_script.py, with `args` and a fresh marker as its last argument)
    in the sandbox over `files`; the JSON it printed after the marker, or None."""
    from codeintel.sandbox import SandboxConfig, run

    marker = f"QB-RESULT-{secrets.token_hex(8)}:"
    command = ["python", "qb_script.py", *args, marker]
    execution = run(command, {**files, "qb_script.py": script}, SandboxConfig(limits=limits))
    lines = [ln for ln in execution.stdout.splitlines() if ln.startswith(marker)]
    return json.loads(lines[-1][len(marker) :]) if lines else None


def check_patch(program: Program, patched: str, seed: int = 0) -> Check | None:
    """Run the patched and the correct program on the test and generated inputs; None when
    there is nothing to compare (no correct program, no replayable input) or the run failed."""
    from codeintel.sandbox import Limits

    given = inputs_from_tests(program)
    if program.correct is None or not given:
        return None
    seed += zlib.crc32(program.name.encode())
    inputs = given + generated_inputs(given, MAX_GENERATED, seed)
    files = {
        **{p: c for p, c in program.support.items() if p.endswith("node.py")},
        f"{CORRECT}/{program.name}.py": program.correct,
        program.module_file: patched,
        "qb_inputs.json": json.dumps(inputs),
    }
    files.update(
        {f"{CORRECT}/node.py": c for p, c in program.support.items() if p == f"{PROGRAMS}/node.py"}
    )
    limits = Limits(timeout_s=30 + 2 * CALL_TIMEOUT_S * len(inputs), cpu_s=600)
    results = run_script(COMPARE_SCRIPT, [program.name, str(CALL_TIMEOUT_S)], files, limits)
    if not isinstance(results, list) or len(results) != len(inputs):
        return None
    return compare(inputs, results, len(given))


# --- one program -----------------------------------------------------------------------------


REPLAY_SCRIPT = r'''
import importlib, json, sys
sys.path[:0] = [".", "python_testcases"]
sys.setrecursionlimit(3000)
import pytest

def canon(v, seen):
    """A structural, address-free rendering; objects by type and attributes, cycles by
    the order in which objects were first seen."""
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if id(v) in seen:
        return {"<ref>": seen[id(v)]}
    seen[id(v)] = len(seen)
    if isinstance(v, (list, tuple)):
        return [canon(x, seen) for x in v]
    if isinstance(v, (set, frozenset)):
        return sorted((canon(x, seen) for x in v), key=repr)
    if isinstance(v, dict):
        return sorted(([canon(k, seen), canon(x, seen)] for k, x in v.items()), key=repr)
    if hasattr(v, "__dict__"):
        attrs = {k: canon(x, seen) for k, x in sorted(vars(v).items())}
        return {"<object>": type(v).__name__, "attrs": attrs}
    if hasattr(v, "__next__"):
        return ["<iterator>", [canon(x, seen) for x, _ in zip(v, range(1000))]]
    return repr(v)

name, marker = sys.argv[1], sys.argv[2]
module = importlib.import_module("python_programs." + name)
real, calls, depth = getattr(module, name), [], [0]

def recording(*args):
    depth[0] += 1
    try:
        result = real(*args)
        outcome = ["value", result]
    except Exception as exc:
        result, outcome = None, ["raised", type(exc).__name__]
        raise
    finally:
        depth[0] -= 1
        if depth[0] == 0:
            calls.append(canon([outcome, list(args)], {}))
    return result

setattr(module, name, recording)
pytest.main(["-q", "-p", "no:cacheprovider", "--noconftest", "python_testcases/test_%s.py" % name])
sys.stdout.write("\n" + marker + json.dumps(calls) + "\n")
'''


def _replayed_calls(program: Program, source: str) -> list | None:
    """The results (and arguments after the call) of every outer call the tests make to the
    program, with `source` as the program; None if the replay did not finish."""
    from codeintel.sandbox import Limits

    files = {**program.support, program.test_file: program.tests, program.module_file: source}
    calls = run_script(REPLAY_SCRIPT, [program.name], files, Limits(timeout_s=60, cpu_s=120))
    return calls if isinstance(calls, list) else None


def replay_check(program: Program, patched: str) -> Check | None:
    """The test file replayed with the correct and with the patched program: every call's
    outcome must match. None when there is no correct program or a replay failed."""
    if program.correct is None:
        return None
    correct, mine = _replayed_calls(program, program.correct), _replayed_calls(program, patched)
    if correct is None or mine is None or not correct:
        return None
    differing = sum(a != b for a, b in zip(correct, mine, strict=False))
    differing += abs(len(correct) - len(mine))
    example = next(
        (
            f"call {i}: correct {a}, patched {b}"
            for i, (a, b) in enumerate(zip(correct, mine, strict=False))
            if a != b
        ),
        None,
    )
    return Check(len(correct), 0, len(correct), differing, example)


def check_program(program: Program, patched: str) -> Check | None:
    """Inputs from the JSON cases or literal calls when the tests have them; else replay."""
    if inputs_from_tests(program):
        return check_patch(program, patched)
    return replay_check(program, patched)


def _outcome(check: Check | None) -> Outcome:
    if check is None or check.compared == 0:
        return Outcome.FIXED_UNCHECKED
    return Outcome.FIXED_FALSE_POSITIVE if check.differing else Outcome.FIXED_CORRECT


def _repair_record(
    program: Program, result: Any, started: float, out: Path | None
) -> ProgramRecord:
    from codeintel.tasks.repair import RepairOutcome

    fixed = result.outcome is RepairOutcome.FIXED
    check = check_program(program, result.patched_source) if fixed else None
    outcome = (
        _outcome(check)
        if fixed
        else (Outcome.NOT_FIXED if result.outcome is RepairOutcome.NO_FIX_FOUND else Outcome.ERROR)
    )
    out_file = None
    if fixed and out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{program.name}.py").write_text(result.patched_source, encoding="utf-8")
        out_file = str(out / f"{program.name}.py")
    winner = result.winner
    return ProgramRecord(
        name=program.name,
        outcome=outcome,
        seconds=round(time.perf_counter() - started, 3),
        message=result.message,
        repair_outcome=result.outcome.value,
        generated=result.generated,
        validated=result.validated,
        winner=winner.description if winner else None,
        winner_source=winner.source.value if winner else None,
        winner_family=result.winner_family,
        families=result.families,
        winner_rank=result.winner_rank,
        check=check,
        out_file=out_file,
    )


def repair_program(root: Path, name: str, settings: Settings) -> ProgramRecord:
    """Repair one program (within the budget), check a plausible patch, write it to --out."""
    from codeintel import tasks

    started = time.perf_counter()
    try:
        program = load_program(root, name, pytest_flags(root, settings.run_slow))
        request = tasks.make_request(
            "repair",
            file=root / program.module_file,
            tests={program.test_file: program.tests},
            support=program.support,
            module_file=program.module_file,
            budget=settings.budget,
            candidates=settings.candidates,
            timeout=settings.timeout,
        )
        result = tasks.run("repair", request, settings.model)
        return _repair_record(program, result, started, settings.out)
    except Exception as exc:  # one broken program must not end the run
        return ProgramRecord(
            name,
            Outcome.ERROR,
            round(time.perf_counter() - started, 3),
            f"{type(exc).__name__}: {exc}",
        )


# --- the run ---------------------------------------------------------------------------------


def to_json(record: ProgramRecord) -> dict:
    return json.loads(json.dumps(asdict(record)))  # enums are str subclasses


def job_item(root: Path, name: str, args: argparse.Namespace) -> dict:
    """One program's work as a plain JSON record (it crosses processes and machines)."""
    return {
        "root": str(root.resolve()),
        "name": name,
        "budget": args.budget,
        "candidates": args.candidates,
        "model": args.model,
        "model_name": args.model_name,
        "timeout": args.timeout,
        "run_slow": args.runslow,
        "out": str(args.out.resolve()) if args.out else None,
    }


def _settings(item: dict) -> Settings:
    """Settings for a job, the model loaded once per process (none for edits alone)."""
    from benchmarks.models import loaded

    model = None if item["candidates"] == "edits" else loaded(item["model"], item["model_name"])
    out = Path(item["out"]) if item["out"] else None
    return Settings(
        item["budget"], item["candidates"], item["timeout"], model, out, item["run_slow"]
    )


def program_job(item: dict) -> dict:
    """Repair one program: a JSON record in, a JSON record out (for any executor)."""
    return to_json(repair_program(Path(item["root"]), item["name"], _settings(item)))


def describe(record: dict) -> str:
    tried = sum((record["validated"] or {}).values())
    return (
        f"{record['name']}: {record['outcome']} in {record['seconds']:.1f} s, "
        f"{tried} candidates tried ({record['winner'] or '-'})"
    )


def summarize(records: Sequence[dict]) -> dict:
    outcomes = Counter(r["outcome"] for r in records)
    fixed = [r for r in records if r["outcome"] in {o.value for o in FIXED}]
    times = [r["seconds"] for r in fixed]
    return {
        "programs": len(records),
        "fixed": len(fixed),
        "fixed_correct": outcomes[Outcome.FIXED_CORRECT.value],
        "false_positives": outcomes[Outcome.FIXED_FALSE_POSITIVE.value],
        "fixed_unchecked": outcomes[Outcome.FIXED_UNCHECKED.value],
        "not_fixed": outcomes[Outcome.NOT_FIXED.value],
        "errors": outcomes[Outcome.ERROR.value],
        "time_to_fix_median_s": round(statistics.median(times), 2) if times else None,
        "candidates_tried": sum(sum((r.get("validated") or {}).values()) for r in records),
        "fixed_by_source": dict(Counter(r["winner_source"] for r in fixed)),
        "by_family": by_family(records),
    }


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks quixbugs",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--root", type=Path, required=True, help="a QuixBugs checkout")
    parser.add_argument("--budget", type=float, default=60.0, help="repair seconds per program")
    parser.add_argument("--only", nargs="+", default=[], metavar="NAME", help="only these")
    parser.add_argument("--out", type=Path, default=None, help="folder for patched programs")
    parser.add_argument("--json", type=Path, default=None, help="JSON lines of records (resumes)")
    parser.add_argument("--candidates", choices=["all", "model", "edits"], default="all")
    add_model_arguments(parser)
    parser.add_argument(
        "--runslow",
        action="store_true",
        help="run the tests the checkout marks slow (its conftest's --runslow)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        help="sandbox seconds per test run (a hanging candidate costs this)",
    )
    add_executor_arguments(parser)
    return parser.parse_args(argv)


def main(argv: Sequence[str]) -> int:
    from codeintel.errors import CodeintelError

    args = parse_args(argv)
    if not (args.root / PROGRAMS).is_dir() or not (args.root / TESTS).is_dir():
        print(
            f"quixbugs: {args.root} is not a QuixBugs checkout (no {PROGRAMS}/ and {TESTS}/)",
            file=sys.stderr,
        )
        return 2
    names = program_names(args.root, args.only)
    done = {r["name"] for r in read_records(args.json)}
    items = [job_item(args.root, name, args) for name in names if name not in done]
    try:
        new = run_jobs(program_job, items, args, args.json, describe)
    except CodeintelError as exc:
        print(f"quixbugs: {exc}", file=sys.stderr)
        return 2
    previous = [r for r in read_records(args.json) if r["name"] in set(names)]
    records = previous if args.json is not None else new
    summary = summarize(records)
    model = described(args) if args.candidates != "edits" else "none (edits alone)"
    summary.update(
        root=str(args.root), candidates=args.candidates, budget_s=args.budget, model=model
    )
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
