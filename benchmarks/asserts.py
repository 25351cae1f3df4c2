"""Assert generation on the held-out `assert` pairs of a data build.

    python -m benchmarks asserts --data build/data --split test [--model SPEC]

For each pair (a test prefix and its focal method -> the assert that followed):
top-1 and top-5 exact match of the model's ranked candidates with the true statement
(whitespace-normalised token sequences), a baseline that always answers the most
frequent assert statement of the train split, and how many top-1 candidates pass when
run. To run one, the prefix goes into a TestCase with the top-level imports of the
test file it came from (the pair's origin, read from the source tree on this machine);
pairs whose own true assert does not pass that way (they need the test class's
fixtures) are left out of the run rate, and counted.

A seq2seq checkpoint reads the pair's input as it was trained on it (a beam of
`--beam`); a causal model or a server gets the task's own prompt (`asserts.causal_prompt`:
greedy, then samples, `--beam` in all).
"""

from __future__ import annotations

import argparse
import ast
import collections
import io
import json
import os
import sys
import tokenize
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.models import add_model_arguments, described, loaded
from codeintel import tasks
from codeintel.errors import CodeintelError, InputError
from codeintel.models import formats
from codeintel.models.backend import prompted
from codeintel.tasks.asserts import grade

STDLIB = Path(os.__file__).parent


def normalised(statement: str) -> tuple[str, ...]:
    """The statement's tokens, without whitespace and comments (formatting ignored)."""
    try:
        tokens = tokenize.generate_tokens(io.StringIO(statement.strip()).readline)
        skip = (
            tokenize.NEWLINE,
            tokenize.NL,
            tokenize.COMMENT,
            tokenize.ENDMARKER,
            tokenize.INDENT,
            tokenize.DEDENT,
        )
        return tuple(t.string for t in tokens if t.type not in skip)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return tuple(statement.split())


def read_pairs(data: Path, split: str) -> list[dict]:
    rows = []
    for path in sorted((data / "examples" / split).glob("assert-*.jsonl")):
        rows += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return rows


def header_of(origin: str) -> str | None:
    """The top-level imports of the pair's test file, if it is on this machine."""
    rel = origin.split(":")[0]
    if not rel.startswith("stdlib/"):
        return None
    path = STDLIB / rel[len("stdlib/") :]
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return None
    imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    return "\n".join(
        ast.unparse(n)
        for n in imports
        if not isinstance(n, ast.ImportFrom) or n.module != "__future__"
    )


def split_input(text: str) -> tuple[str, str]:
    body = text[len(formats.Prefix.ASSERT.value) :].lstrip()
    prefix, _, focal = body.partition(f"\n{formats.FOCAL}\n")
    return prefix, focal


def candidates(model: Any, pairs: Sequence[dict], beam: int) -> list[list[str]]:
    """Each pair's statements, best first: a seq2seq model's beam over the training
    input, or the task's prompt to a causal model or server."""
    from codeintel.models import DecodeMode, GenerationConfig
    from codeintel.tasks.asserts import causal_asserts

    if not prompted(model):  # trained on the task's format
        config = GenerationConfig(n=beam, mode=DecodeMode.BEAM, beam_width=beam)
        return [
            [g.text for g in found] for found in model.generate([r["input"] for r in pairs], config)
        ]
    out = []
    for pair in pairs:
        prefix, focal = split_input(pair["input"])
        try:
            request = tasks.make_request(
                "asserts", test_prefix=prefix, focal_source=focal, samples=beam
            )
        except InputError:  # the prefix was cut where it does not parse
            out.append([])
            continue
        out.append([statement for statement, _, _ in causal_asserts(request, model)])
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks asserts",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--data", type=Path, default=Path("build/data"))
    parser.add_argument("--split", default="test")
    add_model_arguments(parser)
    parser.add_argument("--beam", type=int, default=5)
    args = parser.parse_args(argv)
    pairs = read_pairs(args.data, args.split)
    train = read_pairs(args.data, "train")
    if not pairs or not train:
        print(f"benchmarks asserts: no assert pairs under {args.data}", file=sys.stderr)
        return 2
    try:
        outputs = candidates(loaded(args.model, args.model_name), pairs, args.beam)
    except CodeintelError as exc:
        print(f"benchmarks asserts: {exc}", file=sys.stderr)
        return 2
    common = collections.Counter(normalised(r["target"]) for r in train).most_common(1)[0][0]
    top1 = top5 = baseline = runnable = passed = 0
    for pair, generated in zip(pairs, outputs, strict=True):
        want = normalised(pair["target"])
        found = [normalised(g) for g in generated]
        top1 += bool(found) and found[0] == want
        top5 += want in found[:5]
        baseline += common == want
        header = header_of(pair["origin"])
        if header is None or not generated:
            continue
        prefix, focal = split_input(pair["input"])
        try:
            request = tasks.make_request(
                "asserts", test_prefix=prefix, focal_source=focal, samples=1, header=header
            )
            graded = [(pair["target"], 0.0, "truth"), (generated[0].strip(), 0.0, "model")]
            truth, first = grade(request, graded)
        except InputError:  # the prefix was cut where it does not parse
            continue
        runnable += truth.validated
        passed += truth.validated and first.validated
    n = len(pairs)
    report = {
        "pairs": n,
        "split": args.split,
        "model": described(args),
        "top1_exact": top1 / n,
        "top5_exact": top5 / n,
        "baseline_exact": baseline / n,
        "baseline_statement": " ".join(common),
        "runnable_pairs": runnable,
        "top1_passing": passed,
        "top1_pass_rate": passed / runnable if runnable else 0.0,
    }
    print(json.dumps(report, indent=2))
    return 0
