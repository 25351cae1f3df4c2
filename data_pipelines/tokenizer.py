"""Train the project's lossless code tokenizer (SentencePiece BPE).

`train_tokenizer` lives in `codeintel.models.tokenizer` so that `codeintel train`
can use it without importing `data_pipelines` at run time; this module is the
pipeline's entry point:

    python -m data_pipelines.tokenizer DATA_DIR OUT_DIR [--vocab-size 8000]

trains on the `code` of every record in DATA_DIR/functions/train-*.jsonl.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from codeintel.models.tokenizer import TOKENIZER_FILE, train_tokenizer

__all__ = ["TOKENIZER_FILE", "function_texts", "main", "train_tokenizer"]


def function_texts(data_dir: Path, split: str = "train") -> Iterator[str]:
    """The source code of every function record of `split` in a data directory."""
    for path in sorted((Path(data_dir) / "functions").glob(f"{split}-*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    yield json.loads(line)["code"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--vocab-size", type=int, default=8000)
    args = parser.parse_args(argv)
    path = train_tokenizer(function_texts(args.data_dir), args.out_dir, args.vocab_size)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
