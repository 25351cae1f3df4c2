"""Held-out scores of a checkpoint on the data pipeline's test split, for its model card.

    python -m benchmarks heldout --model codeintel-small --data data/default --limit 200

- fix: top-1 / top-k exact fix rate (the candidate, applied to the buggy function,
  equals the fixed function) on held-out synthetic bugs: all of them (each is one
  rule mutation, so a single edit fixes it) and those whose fix stays within one
  line, against the baseline of returning the input unchanged
  (which never fixes anything, so its rate is 0 by construction). Beam search is
  constrained to edits that apply to the buggy function, as in repair
  (`codeintel.models.constrained`); `--unconstrained` turns that off.
  `--candidates repair` takes the top-k instead from the list repair validates
  (`codeintel.tasks.repair`): the rule edits (inverse mutation operators), the
  beam and the samples; rule edits first, then the model's own candidates, each
  ranked by the model's log-likelihood, then the families built from the function's
  own code, then the synthesized candidates (second-order candidates, built on what
  validation found, are not listed: nothing runs here). It also reports the rules
  alone in their fixed order (no model) as a baseline, `found`, how often the fix is
  anywhere in the list, and per family (`fix_by_family`) how many candidates it made
  and for how many bugs the first exact fix in the list is its own.
- doc: smoothed BLEU-4 of the generated docstring against a name-based template
  ("Get user name." for `get_user_name`).
The test split is split by package, so no function in it was used to train.
"""

from __future__ import annotations

import argparse
import enum
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from benchmarks.executor import print_report
from benchmarks.metrics import corpus_smoothed_bleu4, normalize_code
from benchmarks.models import add_model_arguments, seq2seq_path
from codeintel.errors import CodeintelError
from codeintel.models import formats
from codeintel.tasks.repair import Candidate, CandidateMode, RepairConfig, Target
from codeintel.tasks.repair.candidates import (
    family_candidates,
    family_of,
    model_candidates,
    rule_candidates,
    synthesized_candidates,
)
from codeintel.tasks.repair.localize import function_block
from codeintel.tasks.repair.rank import rank


class Candidates(str, enum.Enum):
    """Which candidate list the fix top-k is taken from."""

    MODEL = "model"  # the model's constrained beam search alone
    REPAIR = "repair"  # repair's candidate set (rule edits, beam, samples), ranked by the model


@dataclass(frozen=True)
class FixScore:
    count: int
    one_line: int
    top1: int
    topk: int
    top1_one_line: int
    topk_one_line: int
    found: int  # the fix is somewhere in the candidate list (for MODEL, the same as topk)


def read_examples(data: Path, split: str, task: str, limit: int) -> list[dict]:
    records: list[dict] = []
    for shard in sorted((data / "examples" / split).glob(f"{task}-*.jsonl")):
        with shard.open(encoding="utf-8") as handle:
            for line in handle:
                records.append(json.loads(line))
                if len(records) >= limit:
                    return records
    return records


def buggy_function(fix_input: str) -> str:
    """The buggy function inside a `fix:` input (between the prefix and the trace marker)."""
    body = fix_input[len(formats.Prefix.FIX.value) + 1 :]
    return body.split(f"\n{formats.TRACE}\n", 1)[0]


def apply_target(buggy: str, target: str) -> str | None:
    """The fixed function a generated target stands for, or None if it cannot be applied."""
    edit = formats.decode_edit(target)
    return formats.apply_edit(buggy, edit) if edit is not None else None


def fix_hits(record: dict, fixes: Sequence[str | None]) -> list[bool]:
    """For each candidate fixed function (None: not applicable), whether it is the exact fix."""
    reference = apply_target(buggy_function(record["input"]), record["target"])
    want = normalize_code(reference) if reference is not None else None
    return [fixed is not None and normalize_code(fixed) == want for fixed in fixes]


def model_fixes(
    model, records: list[dict], n: int, constrained: bool, beam: int | None
) -> Iterator[list[str | None]]:
    """The fixed functions of the model's n best beams, record by record (batched)."""
    from codeintel.models import DecodeMode, GenerationConfig

    config = GenerationConfig(n=n, mode=DecodeMode.BEAM, max_new_tokens=128, beam_width=beam)
    for start in range(0, len(records), config.batch_size):
        batch = records[start : start + config.batch_size]
        buggy = [buggy_function(r["input"]) for r in batch]
        outputs = model.generate(
            [r["input"] for r in batch], config, edit_sources=buggy if constrained else None
        )
        for function, candidates in zip(buggy, outputs, strict=True):
            yield [apply_target(function, c.text) for c in candidates]


def repair_list(model, record: dict, config: RepairConfig) -> list[Candidate]:
    """The candidates repair would validate, in its order (see codeintel.tasks.repair):
    rule edits, the beam and samples, ranked by the model (without a model, rules in
    order), then the families, then the synthesized candidates (the model's samples at
    rising temperature and the second-order candidates are left out)."""
    target = Target(function_block(buggy_function(record["input"])), record["input"])
    found = rule_candidates(target.block, ())
    if model is not None and config.candidates is not CandidateMode.EDITS:
        found += model_candidates(target, model, config)
    ranked = rank(target, found, model, config.max_candidates)
    return ranked + family_candidates(target.block, ()) + synthesized_candidates(target.block, ())


def repair_fixes(model, record: dict, config: RepairConfig) -> list[str]:
    """The fixed functions of `repair_list`, in its order."""
    return [c.text for c in repair_list(model, record, config)]


def by_family(records: list[dict], lists: Iterable[Sequence[Candidate]]) -> dict[str, dict]:
    """Per family: candidates made over all records, and records whose first exact fix in
    the list is of that family ("won": the fix validation would reach first)."""
    table: dict[str, Counter] = {}
    for record, candidates in zip(records, lists, strict=True):
        hits = fix_hits(record, [c.text for c in candidates])
        for candidate in candidates:
            table.setdefault(family_of(candidate), Counter())["made"] += 1
        first = next((c for c, hit in zip(candidates, hits, strict=True) if hit), None)
        if first is not None:
            table[family_of(first)]["won"] += 1
    return {name: {"made": c["made"], "won": c["won"]} for name, c in sorted(table.items())}


def tally(records: list[dict], fixes: Iterable[Sequence[str | None]], k: int) -> FixScore:
    counts = Counter[str]()
    for record, candidates in zip(records, fixes, strict=True):
        hits = fix_hits(record, candidates)
        edit = formats.decode_edit(record["target"])
        one_line = edit is not None and "\n" not in edit.old + edit.new
        top1, topk = any(hits[:1]), any(hits[:k])
        counts.update(
            count=1,
            one_line=one_line,
            top1=top1,
            topk=topk,
            found=any(hits),
            top1_one_line=one_line and top1,
            topk_one_line=one_line and topk,
        )
    return FixScore(**{f.name: counts[f.name] for f in fields(FixScore)})


def score_fix(model, records: list[dict], args: argparse.Namespace) -> dict[str, Any]:
    """The fix scores of the chosen candidate list, and for REPAIR its rules-only baseline."""
    if args.candidates is Candidates.MODEL:
        fixes = model_fixes(model, records, args.n, not args.unconstrained, args.beam)
        return {"fix": tally(records, fixes, args.n)}
    config = RepairConfig(beam_width=args.beam or RepairConfig.beam_width)
    rules = replace(config, candidates=CandidateMode.EDITS)
    lists = [repair_list(model, r, config) for r in records]
    texts = ([c.text for c in candidates] for candidates in lists)
    return {
        "fix": tally(records, texts, args.n),
        "fix_rules_baseline": tally(
            records, (repair_fixes(None, r, rules) for r in records), args.n
        ),
        "fix_by_family": by_family(records, lists),
    }


_NAME = re.compile(r"def\s+(\w+)|class\s+(\w+)")


def template_docstring(doc_input: str) -> str:
    """The name-based baseline: `get_user_name` -> "Get user name."."""
    match = _NAME.search(doc_input)
    name = next((g for g in match.groups() if g), "") if match else ""
    words = re.sub(r"([a-z])([A-Z])", r"\1 \2", name).replace("_", " ").split()
    return (" ".join(words).capitalize() + ".") if words else ""


def score_doc(model, records: list[dict]) -> tuple[float, float]:
    from codeintel.models import DecodeMode, GenerationConfig

    config = GenerationConfig(n=1, mode=DecodeMode.BEAM, max_new_tokens=64)
    hypotheses: list[str] = []
    for start in range(0, len(records), config.batch_size):
        batch = records[start : start + config.batch_size]
        outputs = model.generate([r["input"] for r in batch], config)
        hypotheses.extend(c[0].text if c else "" for c in outputs)
    references = [r["target"] for r in records]
    templates = [template_docstring(r["input"]) for r in records]
    model_bleu = corpus_smoothed_bleu4(references, hypotheses)
    return model_bleu, corpus_smoothed_bleu4(references, templates)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks heldout",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_model_arguments(parser)
    parser.add_argument(
        "--data", type=Path, required=True, help="data dir of `python -m data_pipelines build`"
    )
    parser.add_argument("--split", default="test", choices=["valid", "test"])
    parser.add_argument("--limit", type=int, default=200, help="examples per task")
    parser.add_argument("--n", type=int, default=10, help="k of the fix top-k (the n best beams)")
    parser.add_argument(
        "--beam",
        type=int,
        default=None,
        help="beams searched for fix (>= n; default n, or repair's 20 with --candidates repair)",
    )
    parser.add_argument(
        "--unconstrained", action="store_true", help="plain beam search for fix (model only)"
    )
    parser.add_argument(
        "--candidates",
        type=Candidates,
        choices=[c.value for c in Candidates],
        default=Candidates.MODEL,
        help="fix top-k from the model's beam alone, or from repair's ranked candidate list",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the scores here")
    return parser.parse_args(argv)


def main(argv: Sequence[str]) -> int:
    from codeintel.models import load_model

    args = parse_args(argv)
    if args.beam is not None and args.beam < args.n:
        print(f"error: --beam {args.beam} is smaller than --n {args.n}", file=sys.stderr)
        return 2
    if args.unconstrained and args.candidates is Candidates.REPAIR:
        print("error: --unconstrained applies to --candidates model only", file=sys.stderr)
        return 2
    try:
        model = load_model(seq2seq_path(args, "heldout", "the training tasks' scores"))
    except CodeintelError as exc:
        print(f"heldout: {exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    fix_records = read_examples(args.data, args.split, "fix", args.limit)
    fix = score_fix(model, fix_records, args)
    repair = args.candidates is Candidates.REPAIR
    bleu, template_bleu = score_doc(model, read_examples(args.data, args.split, "doc", args.limit))
    report = {
        "model": str(model.path),
        "data": str(args.data),
        "split": args.split,
        "n": args.n,
        "beam": args.beam or (RepairConfig.beam_width if repair else args.n),
        "fix_decoding": "unconstrained" if args.unconstrained else "constrained to edits",
        "fix_candidates": args.candidates.value,
        **{name: getattr(score, "__dict__", score) for name, score in fix.items()},
        "fix_identity_baseline_exact": 0,
        "doc_smoothed_bleu4": round(bleu, 2),
        "doc_template_bleu4": round(template_bleu, 2),
        "seconds": round(time.perf_counter() - started, 1),
    }
    print_report(report, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
