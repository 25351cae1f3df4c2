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

from codeintel.commands.options import count
from codeintel.errors import InputError
from codeintel.files import MAX_DATA_BYTES, open_regular


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from codeintel.retrieval.train import SearchTrainConfig

    defaults = SearchTrainConfig()
    parser.add_argument("--pairs", type=Path, required=True, help="JSON lines: query, code")
    parser.add_argument("--out", type=Path, required=True, help="the encoder's folder")
    parser.add_argument("--start", type=Path, help="a checkpoint (default: the bundled one)")
    parser.add_argument("--steps", type=count(1, 10**8), default=defaults.steps)
    parser.add_argument("--batch", type=count(1, 4096), default=defaults.batch)
    parser.add_argument("--lr", type=float, default=defaults.learning_rate)
    parser.add_argument("--max-tokens", type=count(1, 65536), default=defaults.max_tokens)
    parser.add_argument("--seed", type=int, default=defaults.seed)


def read_pairs(path: Path) -> list[tuple[str, str]]:
    """The (query, code) records of a JSON-lines file (a regular file of at most
    files.MAX_DATA_BYTES, read line by line); InputError naming the first bad line."""
    pairs = []
    with open_regular(path, "pairs file", MAX_DATA_BYTES) as lines:
        for number, line in enumerate(lines, 1):
            try:
                record = json.loads(line.decode("utf-8"))
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
