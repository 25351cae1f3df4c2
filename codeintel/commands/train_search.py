"""`codeintel train-search --pairs PAIRS.jsonl --out DIR [--steps N] [--batch B]`.

Fine-tunes the bundled model's encoder (or --start's) for code search on
docstring -> function pairs (`python -m data_pipelines search-pairs`), contrastively
with in-batch negatives; the encoder is saved to DIR, for `codeintel index
--embedder DIR`. Exit codes: 0 trained, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from codeintel.errors import InputError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from codeintel.retrieval.train import SearchTrainConfig

    defaults = SearchTrainConfig()
    parser.add_argument("--pairs", type=Path, required=True, help="JSON lines: query, code")
    parser.add_argument("--out", type=Path, required=True, help="the encoder's folder")
    parser.add_argument("--start", type=Path, help="a checkpoint (default: the bundled one)")
    parser.add_argument("--steps", type=int, default=defaults.steps)
    parser.add_argument("--batch", type=int, default=defaults.batch)
    parser.add_argument("--lr", type=float, default=defaults.learning_rate)
    parser.add_argument("--max-tokens", type=int, default=defaults.max_tokens)
    parser.add_argument("--seed", type=int, default=defaults.seed)


def read_pairs(path: Path) -> list[tuple[str, str]]:
    try:
        text = path.read_text(encoding="utf-8")  # large: not through files.read_text's cap
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the pairs file {path}: {exc}") from exc
    pairs = []
    for number, line in enumerate(text.splitlines(), 1):
        try:
            record = json.loads(line)
            pairs.append((str(record["query"]), str(record["code"])))
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{path}:{number}: not a {{query, code}} record ({exc})") from exc
    return pairs


def run(args: argparse.Namespace) -> int:
    from codeintel.models.seq2seq import DEFAULT_MODEL, WEIGHTS_DIR
    from codeintel.retrieval.train import SearchTrainConfig, train_search_encoder

    config = SearchTrainConfig(args.steps, args.batch, args.lr, args.max_tokens, seed=args.seed)
    start = args.start or WEIGHTS_DIR / DEFAULT_MODEL
    if not (start / "config.json").is_file():
        raise InputError(f"{start} is not a checkpoint folder")
    report = train_search_encoder(read_pairs(args.pairs), start, args.out, config)
    print(json.dumps(report, indent=1))
    return 0
