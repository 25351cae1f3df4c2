"""Checking a plausible patch against the checkout's correct program, in the sandbox:
both run on the tests' own inputs and seeded perturbations of them (`scripts/compare.py`),
or, for programs whose tests build their inputs in code, the test file is replayed
with each version and every call compared (`scripts/replay.py`)."""

from __future__ import annotations

import json
import math
import random
import secrets
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.quixbugs.loader import CORRECT, PROGRAMS, Program, inputs_from_tests, literal
from codeintel.tasks.testgen.values import perturb_args

MAX_GENERATED = 60  # generated inputs per program, on top of the tests' inputs
CALL_TIMEOUT_S = 1.0  # per call of either program in the comparison
SCRIPTS = Path(__file__).resolve().parent / "scripts"


@dataclass(frozen=True)
class Check:
    """The patched program against the correct one."""

    test_inputs: int
    generated_inputs: int
    compared: int  # inputs on which the correct program finished in time
    differing: int
    example: str | None = None  # the first differing input and both results


# --- inputs: the tests', perturbed ----------------------------------------------------------


def generated_inputs(inputs: Sequence[list], count: int, seed: int) -> list[list]:
    """Up to `count` perturbed argument lists, new (not among `inputs`), the same for a seed."""
    rng, known = random.Random(seed), {literal(a) for a in inputs}
    found: list[list] = []
    for attempt in range(count * 3):
        if len(found) >= count or not inputs:
            break
        args = perturb_args(inputs[attempt % len(inputs)], rng)
        key = literal(args)
        if key is not None and key not in known:
            known.add(key)
            found.append(args)
    return found


# --- running the patched program next to the correct one ------------------------------------


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


def script(name: str) -> str:
    """The text of one of the scripts the checks run in the sandbox (scripts/NAME.py)."""
    return (SCRIPTS / f"{name}.py").read_text(encoding="utf-8")


def run_script(text: str, args: list[str], files: dict[str, str], limits: Any) -> Any:
    """Run the script `text` (as qb_script.py, with `args` and a fresh marker as its last
    argument) in the sandbox over `files`; the JSON it printed after the marker, or None."""
    from codeintel.sandbox import SandboxConfig, run

    marker = f"QB-RESULT-{secrets.token_hex(8)}:"
    command = ["python", "qb_script.py", *args, marker]
    execution = run(command, {**files, "qb_script.py": text}, SandboxConfig(limits=limits))
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
        "qb_inputs.txt": "\n".join(str(literal(a)) for a in inputs) + "\n",
    }
    files.update(
        {f"{CORRECT}/node.py": c for p, c in program.support.items() if p == f"{PROGRAMS}/node.py"}
    )
    limits = Limits(timeout_s=30 + 2 * CALL_TIMEOUT_S * len(inputs), cpu_s=600)
    results = run_script(script("compare"), [program.name, str(CALL_TIMEOUT_S)], files, limits)
    if not isinstance(results, list) or len(results) != len(inputs):
        return None
    return compare(inputs, results, len(given))


def _replayed_calls(program: Program, source: str) -> list | None:
    """The results (and arguments after the call) of every outer call the tests make to the
    program, with `source` as the program; None if the replay did not finish."""
    from codeintel.sandbox import Limits

    files = {**program.support, program.test_file: program.tests, program.module_file: source}
    calls = run_script(script("replay"), [program.name], files, Limits(timeout_s=60, cpu_s=120))
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
