"""`python -m benchmarks retrieval [--sizes 10000 100000] [--encoder PATH]`.

Two measurements.

Scale: for each size, files of the installed site-packages (shuffled with the seed)
until about that many functions, indexed by `build_index` with the hashed embedder:
build time, size on disk, the search kind it chose (exact below
`search.HNSW_ABOVE` functions, HNSW above), query latency p50/p95 of `search`
(k=10, MMR over 50) for queries that are the first docstring lines of indexed
functions, and HNSW's recall@10 against exact search (`IndexFlatIP` over the same
rows) for the same queries.

Code search: MRR of docstring -> function over the documented functions of the
test split (stdlib and site-packages, split by package as `data_pipelines` does;
test files left out): the docstring's first line is the query, its function with
the docstring cut out is the only right answer, among all of them. Per embedder:
hashed (and hashed at 4096 buckets), and with --encoder each checkpoint given
(mean-pooled encoder; `codeintel/weights/codeintel-small` is the bundled model's).

Product search: the same pairs, and the hand-written natural-language queries of
`benchmarks/data/search_queries.json` (about one package of the test split), through
`codeintel search`'s own ranking (`product_search_pairs`, `product_search_queries`):
MRR@10 and how many answers rank first, in the top 3 and in the top 10.
`--sizes` with no value skips the scale measurement.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.executor import print_report
from benchmarks.metrics import latency_ms
from codeintel.retrieval import SearchConfig, build_index, load_index, search
from codeintel.retrieval.embedders import Embedder, HashedEmbedder, make_embedder
from codeintel.retrieval.query import SearchKind, faiss_index, nearest

QUERIES = 200


def _site_files(seed: int) -> list[Path]:
    import sysconfig

    root = Path(sysconfig.get_paths()["purelib"])
    files = sorted(p for p in root.rglob("*.py") if "/tests/" not in p.as_posix())
    random.Random(seed).shuffle(files)
    return files


def files_for(count: int, seed: int) -> list[Path]:
    """Files whose `def`s add up to about `count` functions."""
    chosen, total = [], 0
    for path in _site_files(seed):
        try:
            defs = path.read_text(encoding="utf-8").count("def ")
        except (OSError, UnicodeDecodeError):
            continue
        chosen.append(path)
        total += defs
        if total >= count:
            break
    return chosen


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.iterdir()) / 2**20


def scale(count: int, seed: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="codeintel-retrieval-")) / "index"
    files = files_for(count, seed)
    report = build_index(files, folder)
    index = load_index(folder)
    documented = [f for f in index.functions if len(f.docstring.split()) >= 3]
    picked = random.Random(seed).sample(documented, min(QUERIES, len(documented)))
    queries = [f.docstring.split("\n")[0] for f in picked]
    latency = []
    for query in queries:
        start = time.perf_counter()
        search(index, query, SearchConfig(k=10))
        latency.append(time.perf_counter() - start)
    row = {
        "functions": report.functions,
        "files": report.files,
        "build_s": round(report.seconds, 1),
        "size_mb": round(_size_mb(folder), 1),
        "search": report.kind.value,
        "query_ms": latency_ms(latency, digits=2),
        "hnsw_recall_at_10": round(_hnsw_recall(index.vectors, index.embedder, queries), 3),
    }
    shutil.rmtree(folder.parent, ignore_errors=True)
    return row


def _hnsw_recall(vectors: np.ndarray, embedder: Embedder, queries: list[str]) -> float:
    rows = embedder.embed(queries)
    _, exact = nearest(faiss_index(vectors, SearchKind.EXACT), rows, 10)
    _, approx = nearest(faiss_index(vectors, SearchKind.HNSW), rows, 10)
    return float(np.mean([len(set(a) & set(e)) / 10 for a, e in zip(approx, exact, strict=True)]))


def held_out_pairs() -> list[tuple[str, str]]:
    from data_pipelines.config import Split
    from data_pipelines.search_pairs import search_pairs

    return search_pairs(Split.TEST)


def mrr(embedder: Embedder, pairs: list[tuple[str, str]]) -> float:
    functions = [f for _, f in pairs]
    if isinstance(embedder, HashedEmbedder):
        embedder = embedder.with_counts(functions)
    docs = embedder.embed(functions)
    queries = embedder.embed([q for q, _ in pairs])
    ranks = []
    for start in range(0, len(pairs), 512):
        scores = queries[start : start + 512] @ docs.T  # (queries, functions)
        truth = scores[np.arange(len(scores)), np.arange(start, start + len(scores))]
        ranks += list((scores > truth[:, None]).sum(axis=1) + 1)
    return float(np.mean([1.0 / r for r in ranks]))


QUERY_SET = Path(__file__).parent / "data" / "search_queries.json"
CUTOFF = 10  # reciprocal rank 0 below this rank (MRR@10)


def reciprocal_rank(hits: Sequence, right: Callable[[Any], bool]) -> float:
    return next((1.0 / rank for rank, hit in enumerate(hits, 1) if right(hit.function)), 0.0)


SEARCH = SearchConfig(k=CUTOFF, mmr_lambda=1.0, lexical=True, kinds=("function", "class"))
EMBEDDER_ONLY = SearchConfig(k=CUTOFF, mmr_lambda=1.0)  # the ranking before the fusion


def product_search_pairs(
    pairs: list[tuple[str, str]], folder: Path, config: SearchConfig = SEARCH
) -> dict:
    """MRR@10 of `codeintel search`'s ranking (hashed embedder fused with BM25, the name
    boost; functions and classes; no MMR) over the test-split pairs: each function (its
    docstring cut out) in a file of its own, the docstring's first line the query."""
    if not (folder / ".index").is_dir():
        for number, (_, code) in enumerate(pairs):
            (folder / f"f{number}.py").write_text(code + "\n", encoding="utf-8")
        build_index([folder], folder / ".index")
    index = load_index(folder / ".index")
    ranks = [
        reciprocal_rank(search(index, query, config), lambda f, n=n: f.file == f"f{n}.py")
        for n, (query, _) in enumerate(pairs)
    ]
    return _summary(ranks)


def product_search_queries(path: Path = QUERY_SET, config: SearchConfig = SEARCH) -> dict:
    """MRR@10 of `codeintel search` for the hand-written queries of `path` over the
    installed package they are about (indexed whole)."""
    import importlib.metadata
    import importlib.util
    import json

    spec = json.loads(path.read_text(encoding="utf-8"))
    found = importlib.util.find_spec(spec["package"])
    if found is None or not found.submodule_search_locations:
        return {"error": f"{spec['package']} is not installed"}
    package = Path(next(iter(found.submodule_search_locations)))
    with tempfile.TemporaryDirectory() as out:
        build_index([package], Path(out) / "index")
        index = load_index(Path(out) / "index")
        ranks = []
        for item in spec["queries"]:
            hits = search(index, item["query"], config)
            answer = item["answer"]
            ranks.append(reciprocal_rank(hits, lambda f, a=answer: f.qualified_name == a))
    version = importlib.metadata.version(spec["package"])
    return {"package": f"{spec['package']} {version}", **_summary(ranks)}


def _summary(ranks: list[float]) -> dict:
    return {
        "queries": len(ranks),
        "mrr_at_10": round(float(np.mean(ranks)), 4) if ranks else 0.0,
        "top1": sum(r == 1.0 for r in ranks),
        "top3": sum(r >= 1 / 3 for r in ranks),
        "top10": sum(r > 0 for r in ranks),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks retrieval")
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--encoder", type=Path, nargs="*", default=[], help="checkpoints")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args(argv)
    report: dict = {"scale": [scale(n, args.seed) for n in args.sizes]}
    pairs = held_out_pairs()
    embedders = ["hashed", "hashed:4096", *map(str, args.encoder)]
    report["code_search"] = {"pairs": len(pairs), "mrr": {}}
    for choice in embedders:
        start = time.perf_counter()
        value = mrr(make_embedder(choice), pairs)
        report["code_search"]["mrr"][choice] = {
            "mrr": round(value, 4),
            "seconds": round(time.perf_counter() - start, 1),
        }
        print(f"{choice}: MRR {value:.4f}", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory() as folder:
        report["product_search"] = {
            name: {
                "pairs": product_search_pairs(pairs, Path(folder), config),
                "natural_language": product_search_queries(config=config),
            }
            for name, config in (("fused", SEARCH), ("embedder_only", EMBEDDER_ONLY))
        }
    print_report(report, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
