"""CodeXGLUE code-to-text: docstrings generated for functions, scored as its evaluator does.

    python -m benchmarks code-to-text --data test.jsonl --limit 1000
    python -m benchmarks code-to-text --data test.jsonl --train train.jsonl   # + neighbour baseline
    python -m benchmarks code-to-text --corpus build/data       # our own held-out test split

`--data` reads CodeXGLUE code-to-text JSON lines: the function from `code` (or, if it
does not parse or is missing, `code_tokens` joined by spaces) and the reference from
`docstring_tokens` joined by spaces (or `docstring`). Without `--data` the doc examples
of the test split of a `python -m data_pipelines build` folder are used; that split
is split by package, so no function in it was used to train.

The model sees what `codeintel doc` gives it (`codeintel.tasks.docstring`: `doc:` +
signature + body without its docstring), decodes one beam of 5, and the summary is
cleaned as `summarize` cleans it. `quality_floor` reports, per floor (`--floors`), how
many functions `summarize` would leave with "no confident docstring" and the scores of
the rest (`DocConfidence`; the beam's confident candidates first, as `summarize` ranks
them). The "model with retrieval" row ranks any neighbour by fit, as `summarize` did
before it offered near-clones only. Scores: smoothed BLEU-4 exactly as CodeXGLUE's
evaluator computes it (`benchmarks.metrics.codexglue_bleu`) and ROUGE-L F1, for the
model and two baselines: the name-based template ("Get user name." for get_user_name)
and the nearest training function's docstring. The nearest function is found by the
retrieval package's hashed embedder (identifier sub-tokens, TF-IDF over the pool) among
the train split's documented functions: the doc examples of the build's train split, or
with `--data` the records of `--train` (CodeXGLUE's train.jsonl); without `--train`,
`--data` has no neighbour baseline.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from benchmarks.executor import print_report
from benchmarks.heldout import read_examples, template_docstring
from benchmarks.metrics import codexglue_bleu, rouge_l
from benchmarks.models import add_model_arguments, described, loaded
from codeintel.errors import CodeintelError, InputError
from codeintel.models import formats
from codeintel.models.backend import prompted
from codeintel.tasks.docstring import (
    DocConfidence,
    DocDecoding,
    DocRetrieval,
    DocStyle,
    Neighbour,
    assessor,
    candidates,
    causal_summaries,
    retrieved,
    summary_line,
)


@dataclass(frozen=True)
class Pair:
    model_input: str
    reference: str
    name: str  # the function's name, for the template baseline
    code: str = ""  # the function's source, where the record has it (a causal model's input)


def codexglue_pair(record: dict) -> Pair:
    """A CodeXGLUE record as (model input, reference, name)."""
    from codeintel.tasks.docstring import model_input
    from parsers import parse

    tokens = record.get("docstring_tokens")
    reference = " ".join(tokens) if tokens else str(record.get("docstring", "")).strip()
    code = record.get("code")
    parsed = parse(code, "python") if isinstance(code, str) else None
    functions = list(parsed.functions()) if parsed is not None and not parsed.has_errors else []
    if functions:
        function = functions[0]
        return Pair(model_input(parsed, function), reference, function.name, str(code))
    body = " ".join(record.get("code_tokens") or [])
    name = str(record.get("func_name", "")).rsplit(".", 1)[-1]
    return Pair(formats.pymt5_input(formats.Prefix.DOC, "", None, body), reference, name)


def read_codexglue(path: Path, limit: int | None) -> list[Pair]:
    """The pairs of a code-to-text JSONL file; InputError naming a bad line."""
    pairs = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise InputError(f"{path}:{number} is not a JSON record: {exc}") from exc
        if not isinstance(record, dict) or not ({"code", "code_tokens"} & set(record)):
            raise InputError(f"{path}:{number} has neither `code` nor `code_tokens`")
        pairs.append(codexglue_pair(record))
        if limit is not None and len(pairs) >= limit:
            break
    return pairs


def corpus_pairs(data: Path, split: str, limit: int | None) -> list[Pair]:
    records = read_examples(data, split, "doc", limit or 10**9)
    if not records:
        raise InputError(f"no doc examples in {data}/examples/{split} (build it first)")
    return [Pair(r["input"], r["target"], "") for r in records]


def read_pool(args: argparse.Namespace) -> list[Pair]:
    """The training functions the neighbour baseline may answer with ([] = no baseline)."""
    if args.data is None:
        return corpus_pairs(args.corpus, "train", None)
    return read_codexglue(args.train, None) if args.train else []


def nearest(pool: Sequence[Pair], pairs: Sequence[Pair], k: int, chunk: int = 256) -> list[list]:
    """For each pair, the k pool entries nearest to it as (pool index, cosine), nearest
    first (hashed sub-token TF-IDF vectors of the model inputs; ties: the earlier entry)."""
    import numpy as np

    from codeintel.retrieval.embedders import HashedEmbedder

    texts = [p.model_input for p in pool]
    embedder = HashedEmbedder().with_counts(texts)
    rows = embedder.embed(texts)
    found: list[list] = []
    for start in range(0, len(pairs), chunk):
        queries = embedder.embed([p.model_input for p in pairs[start : start + chunk]])
        for similarities in queries @ rows.T:
            order = np.argsort(-similarities, kind="stable")[:k]
            found.append([(int(i), float(similarities[i])) for i in order])
    return found


def neighbours(pool: Sequence[Pair], near: Sequence[tuple[int, float]]) -> list[Neighbour]:
    """The pool entries as `summarize` sees an index's documented functions."""
    return [
        Neighbour(summary_line(pool[i].reference), similarity, f"train:{i}")
        for i, similarity in near
    ]


def generations(model, pairs: Sequence[Pair], decoding: DocDecoding) -> Iterator[tuple]:
    """The model's beam for each pair, best first, in batches; a causal model's or a
    server's greedy docstring, written in place in the function (the task's prompt)."""
    if prompted(model):
        yield from (tuple(causal_summaries(*_function(p), model, 1)) for p in pairs)
        return
    config = decoding.generation(1)
    for start in range(0, len(pairs), config.batch_size):
        batch = pairs[start : start + config.batch_size]
        yield from model.generate([p.model_input for p in batch], config)


def _function(pair: Pair) -> tuple[Any, Any]:
    """(parsed code, its first function) of a pair that has its code; InputError else."""
    from parsers import parse

    if not pair.code:
        raise InputError(
            "a causal model or a server writes a docstring in the function's code: give "
            "CodeXGLUE records with `code` (--data); the corpus build holds seq2seq inputs"
        )
    parsed = parse(pair.code, "python")
    return parsed, next(iter(parsed.functions()))


def with_retrieval(model, pair: Pair, generated: Sequence, found: Sequence[Neighbour]) -> str:
    """The first candidate `summarize` gives with an index: a retrieved summary that fits,
    else the model's."""
    ranked = retrieved(model, pair.model_input, found, DocRetrieval())
    best = candidates("", generated, DocStyle.ONELINE, ranked)
    return best[0].docstring if best else ""


def confident_first(model, pair: Pair, generated: Sequence, floor: float) -> str:
    """The docstring `summarize` would write without an index at this floor ("" when none
    of the beam is confident: "no confident docstring")."""
    assess = assessor(pair.model_input, model, DocConfidence(floor))
    best = candidates("", generated, DocStyle.ONELINE, (), assess)
    return best[0].docstring if best and best[0].confident else ""


def floor_effect(model, pairs: Sequence[Pair], beams: Sequence, floors: Sequence[float]) -> list:
    """Per floor: how many functions get no docstring, and BLEU-4 / ROUGE-L of the rest
    (with the model's first candidate and the template on the same functions, to compare)."""
    rows = []
    for floor in floors:
        chosen = [confident_first(model, p, b, floor) for p, b in zip(pairs, beams, strict=True)]
        kept = [i for i, text in enumerate(chosen) if text]
        references = [pairs[i].reference for i in kept]
        rows.append(
            {
                "floor": floor,
                "no_confident_docstring": len(pairs) - len(kept),
                "kept": len(kept),
                "kept_scores": scores(references, [chosen[i] for i in kept]),
                "model_first_on_kept": scores(
                    references, [summary_line(beams[i][0].text) for i in kept]
                ),
                "template_on_kept": scores(references, [template(pairs[i]) for i in kept]),
            }
        )
    return rows


def template(pair: Pair) -> str:
    if pair.name:
        return template_docstring(f"def {pair.name}(")
    return template_docstring(pair.model_input)


def scores(references: Sequence[str], predicted: Sequence[str]) -> dict[str, float]:
    rouge = [rouge_l(r, h) for r, h in zip(references, predicted, strict=True)]
    return {
        "bleu4": round(codexglue_bleu(references, predicted), 2),
        "rouge_l": round(100 * sum(rouge) / max(len(rouge), 1), 2),
    }


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks code-to-text",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--data", type=Path, help="CodeXGLUE code-to-text JSONL file")
    parser.add_argument(
        "--corpus", type=Path, default=Path("build/data"), help="our build (without --data)"
    )
    parser.add_argument("--split", default="test", choices=["valid", "test"], help="of --corpus")
    parser.add_argument(
        "--train", type=Path, help="CodeXGLUE train JSONL: the neighbour baseline's functions"
    )
    add_model_arguments(parser)
    default = DocDecoding()
    parser.add_argument("--no-repeat-ngram", type=int, default=default.no_repeat_ngram_size)
    parser.add_argument("--length-penalty", type=float, default=default.length_penalty)
    parser.add_argument(
        "--floors",
        type=float,
        nargs="*",
        default=[DocConfidence().min_mean_logprob],
        help="quality floors (mean token log-prob) to report the effect of",
    )
    parser.add_argument("--limit", type=int, default=None, help="only the first N functions")
    parser.add_argument("--json", type=Path, default=None, help="also write the scores here")
    return parser.parse_args(argv)


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    decoding = replace(
        DocDecoding(), no_repeat_ngram_size=args.no_repeat_ngram, length_penalty=args.length_penalty
    )
    started = time.perf_counter()
    try:
        pairs = (
            read_codexglue(args.data, args.limit)
            if args.data
            else corpus_pairs(args.corpus, args.split, args.limit)
        )
        pool = read_pool(args)
        model = loaded(args.model, args.model_name)
        beams = list(generations(model, pairs, decoding))
    except CodeintelError as exc:
        print(f"code-to-text: {exc}", file=sys.stderr)
        return 2
    references = [p.reference for p in pairs]
    near = nearest(pool, pairs, DocRetrieval().k) if pool else []
    report = {
        "data": str(args.data or f"{args.corpus} ({args.split} split)"),
        "decoding": asdict(decoding),
        "retrieval": asdict(DocRetrieval()),
        "functions": len(pairs),
        "model": described(args),
        "model_scores": scores(references, [summary_line(b[0].text) if b else "" for b in beams]),
        "template_scores": scores(references, [template(p) for p in pairs]),
        "neighbour_pool": len(pool),
        "neighbour_scores": scores(references, [pool[n[0][0]].reference for n in near])
        if pool
        else None,
        "model_with_retrieval_scores": scores(
            references,
            [
                with_retrieval(model, p, b, neighbours(pool, n))
                for p, b, n in zip(pairs, beams, near, strict=True)
            ],
        )
        if pool
        else None,
        "quality_floor": floor_effect(model, pairs, beams, args.floors),
        "seconds": round(time.perf_counter() - started, 1),
    }
    print_report(report, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
