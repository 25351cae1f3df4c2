"""`codeintel index PATH... [--out DIR] [--embedder E] [--rebuild] [--json]`.

Indexes every function and method under the paths for `codeintel search` and
completion. Run again, it re-embeds only the files that changed and drops deleted
ones. Exit codes: 0 indexed, 2 bad input (a missing path, no Python files, an --out
that is not an index).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from codeintel.commands.progress import ProgressBar
from codeintel.errors import InputError

DEFAULT_INDEX = Path(".codeintel") / "index"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, help="folders or files to index")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_INDEX, help=f"the index folder ({DEFAULT_INDEX})"
    )
    parser.add_argument(
        "--embedder",
        default="hashed",
        help="hashed (default, no model), hashed:DIM, or a Hugging Face checkpoint folder",
    )
    parser.add_argument("--rebuild", action="store_true", help="embed every file again")
    parser.add_argument(
        "--hnsw-above", type=int, default=None, help="use HNSW from this many functions"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def run(args: argparse.Namespace) -> int:
    from codeintel.retrieval import build_index
    from codeintel.retrieval.embedders import make_embedder
    from codeintel.retrieval.query import HNSW_ABOVE

    if args.hnsw_above is not None and args.hnsw_above < 1:
        raise InputError("--hnsw-above must be at least 1")
    embedder = make_embedder(args.embedder)
    with ProgressBar() as bar:
        report = build_index(
            args.paths,
            args.out,
            embedder,
            rebuild=args.rebuild,
            hnsw_above=args.hnsw_above or HNSW_ABOVE,
            progress=lambda done, total: bar(f"embedding {done}/{total} files", done / total),
        )
    if args.json:
        data = {**asdict(report), "folder": str(report.folder), "kind": report.kind.value}
        print(json.dumps(data, indent=2))
    else:
        print(report.summary())
    return 0
