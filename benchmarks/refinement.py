"""CodeXGLUE code refinement: Java bug fixes generated, scored as its evaluator does.

    python -m benchmarks refinement --data DIR [--split test] [--model PATH] [--limit N]

DIR holds `SPLIT.buggy-fixed.buggy` and `SPLIT.buggy-fixed.fixed` (one abstracted
method per line; `codeintel.models.refinement`). For each buggy method the model
generates its fix edit (beam 5, constrained to edits that apply, as repair does);
the edit applied is the prediction, the buggy method itself when no edit applies.
Reported: exact match (the prediction's whitespace tokens equal the reference's)
and corpus BLEU-4 over whitespace tokens with add-one smoothing of every order
(`benchmarks.metrics.corpus_bleu`, the evaluator's `_bleu`), next to the baseline
that copies the buggy method. Train a Java fixer on the same folder with the
`refinement_data` key of `codeintel train`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from benchmarks.executor import print_report
from benchmarks.metrics import corpus_bleu
from benchmarks.models import add_model_arguments, seq2seq_path
from codeintel.errors import CodeintelError
from codeintel.models import formats


def predictions(model, buggy: Sequence[str]) -> Iterator[str]:
    """The model's fixed method for each buggy one (the buggy one if no edit applies)."""
    from codeintel.models import DecodeMode, GenerationConfig
    from codeintel.models.refinement import model_input

    config = GenerationConfig(n=1, mode=DecodeMode.BEAM, max_new_tokens=64, beam_width=5)
    for start in range(0, len(buggy), config.batch_size):
        batch = list(buggy[start : start + config.batch_size])
        outputs = model.generate([model_input(b) for b in batch], config, edit_sources=batch)
        for method, generated in zip(batch, outputs, strict=True):
            edit = formats.decode_edit(generated[0].text) if generated else None
            fixed = formats.apply_edit(method, edit) if edit is not None else None
            yield fixed if fixed is not None else method


def exact_match(references: Sequence[str], predicted: Sequence[str]) -> float:
    """Percent of predictions whose whitespace tokens equal the reference's."""
    pairs = list(zip(references, predicted, strict=True))
    return 100 * sum(r.split() == p.split() for r, p in pairs) / max(len(pairs), 1)


def scores(references: Sequence[str], predicted: Sequence[str]) -> dict[str, float]:
    return {
        "exact_match": round(exact_match(references, predicted), 2),
        "bleu4": round(corpus_bleu(references, predicted), 2),
    }


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks refinement",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--data", type=Path, required=True, help="a code refinement folder")
    parser.add_argument("--split", default="test", choices=["train", "valid", "test"])
    add_model_arguments(parser)
    parser.add_argument("--limit", type=int, default=None, help="only the first N methods")
    parser.add_argument("--json", type=Path, default=None, help="also write the scores here")
    return parser.parse_args(argv)


def main(argv: Sequence[str]) -> int:
    from codeintel.models import load_model
    from codeintel.models.refinement import read_pairs

    args = parse_args(argv)
    started = time.perf_counter()
    try:
        pairs = read_pairs(args.data, args.split)[: args.limit]
        model = load_model(seq2seq_path(args, "refinement", "Java fixes (its fine-tuning)"))
    except CodeintelError as exc:
        print(f"refinement: {exc}", file=sys.stderr)
        return 2
    buggy, references = [b for b, _ in pairs], [f for _, f in pairs]
    report = {
        "data": str(args.data),
        "split": args.split,
        "methods": len(pairs),
        "model": str(model.path),
        "model_scores": scores(references, list(predictions(model, buggy))),
        "copy_baseline_scores": scores(references, buggy),
        "seconds": round(time.perf_counter() - started, 1),
    }
    print_report(report, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
