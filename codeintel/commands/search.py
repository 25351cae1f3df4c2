"""`codeintel search "QUERY" [--index DIR] [--k N] [--mmr L] [--json]`.

The functions and classes of an index (`codeintel index`) that best match a
plain-language or code query: BM25 over their names, docstrings and code fused with the
embedder's ranking, a function or class the query names first. Each line: `file:line`,
score (1 for the best), qualified name and signature. Exit codes: 0 found, 1
nothing found, 2 bad input (no index, an index of another version, an empty query).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from codeintel.commands.index import DEFAULT_INDEX
from codeintel.commands.options import MAX_RESULTS, count


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", help="what to look for: words or code")
    parser.add_argument(
        "--index", type=Path, default=DEFAULT_INDEX, help=f"the index folder ({DEFAULT_INDEX})"
    )
    parser.add_argument("--k", type=count(1, MAX_RESULTS), default=10, help="results (default 10)")
    parser.add_argument(
        "--mmr", type=float, default=1.0, help="MMR lambda: 1 relevance only (default 1)"
    )
    parser.add_argument("--json", action="store_true", help="print the hits as JSON lines")


def run(args: argparse.Namespace) -> int:
    from codeintel.retrieval import SearchConfig, load_index, search

    config = SearchConfig(k=args.k, mmr_lambda=args.mmr, lexical=True, kinds=("function", "class"))
    index = load_index(args.index)
    hits = search(index, args.query, config)
    for hit in hits:
        if args.json:
            print(json.dumps(hit.to_json()))
        else:
            print(f"{hit.function.where}  {hit.score:.3f}  {hit.function.shown}")
    if not hits:
        print(f"codeintel: nothing in {args.index} matches", file=sys.stderr)
    return 0 if hits else 1
