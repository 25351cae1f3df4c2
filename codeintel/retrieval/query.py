"""Search: exact inner product below a size threshold, HNSW above it; then MMR.

Rows are L2-normalised, so inner product is cosine similarity. Maximal Marginal
Relevance (Carbonell and Goldstein 1998) picks, one at a time, the candidate with
the best `lam * sim(query, c) - (1 - lam) * max(sim(c, s) for s already picked)`,
so the neighbours handed on are relevant and not copies of each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

import numpy as np

from codeintel.errors import InputError
from codeintel.retrieval.lexical import names_match
from codeintel.retrieval.records import Hit

if TYPE_CHECKING:
    from codeintel.retrieval.store import CodeIndex

HNSW_ABOVE = 20_000  # functions: exact search below, HNSW at or above
HNSW_LINKS, HNSW_BUILD_DEPTH, HNSW_SEARCH_DEPTH = 32, 80, 96


class SearchKind(str, Enum):
    EXACT = "exact"  # faiss.IndexFlatIP
    HNSW = "hnsw"  # faiss.IndexHNSWFlat, inner product


@dataclass(frozen=True)
class SearchConfig:
    k: int = 10
    mmr_lambda: float = 0.7  # 1.0: relevance only (no re-ranking)
    candidates: int = 50  # neighbours fetched for MMR to choose from
    lexical: bool = False  # fuse BM25's ranking with the embedder's (a user's search)
    kinds: tuple[str, ...] = ("function",)  # rows to return: "function", "class"

    def __post_init__(self) -> None:
        if self.k < 1:
            raise InputError(f"k must be at least 1, not {self.k}")
        if not 0.0 <= self.mmr_lambda <= 1.0:
            raise InputError(f"the MMR lambda must be in [0, 1], not {self.mmr_lambda}")


def kind_for(count: int, hnsw_above: int = HNSW_ABOVE) -> SearchKind:
    return SearchKind.HNSW if count >= hnsw_above else SearchKind.EXACT


def faiss_index(vectors: np.ndarray, kind: SearchKind) -> Any:
    import faiss

    dim = vectors.shape[1]
    if kind is SearchKind.EXACT:
        index = faiss.IndexFlatIP(dim)
    else:
        index = faiss.IndexHNSWFlat(dim, HNSW_LINKS, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_BUILD_DEPTH
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def nearest(index: Any, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(scores, row ids) of the `k` nearest rows per query; ids of -1 are padding."""
    if hasattr(index, "hnsw"):
        index.hnsw.efSearch = max(HNSW_SEARCH_DEPTH, k)
    return index.search(np.ascontiguousarray(queries, dtype=np.float32), k)


def mmr(relevance: Sequence[float], vectors: np.ndarray, k: int, lam: float) -> list[int]:
    """Positions (into `relevance` and `vectors`) of `k` picks by MMR, best first."""
    scores = np.asarray(relevance, dtype=np.float64)
    similar = vectors @ vectors.T  # (n, n) cosine
    picked: list[int] = []
    left = list(range(len(scores)))
    while left and len(picked) < k:
        redundancy = similar[np.ix_(left, picked)].max(axis=1) if picked else np.zeros(len(left))
        value = lam * scores[left] - (1.0 - lam) * redundancy
        best = left[int(np.argmax(value))]
        picked.append(best)
        left.remove(best)
    return picked


RRF_K = 60  # reciprocal rank fusion's constant (Cormack et al. 2009)
NAMED = 1.0  # added to a row whose name the query holds: it comes first


def search(index: CodeIndex, query: str, config: SearchConfig = SearchConfig()) -> list[Hit]:
    """The rows of `index` (functions, and classes when asked) nearest to `query`
    (natural language or code): by the embedder, or, with `config.lexical`, by the fusion
    of its ranking and BM25's, a row the query names first; then MMR."""
    if not query.strip():
        raise InputError("the query is empty")
    if not index.functions:
        return []
    vector = index.embedder.embed([query])
    limit = min(len(index.functions), max(config.candidates, config.k))
    fetch = min(len(index.functions), 2 * limit)  # room for the rows of other kinds
    scores, ids = nearest(index.searcher, vector, fetch)
    found = [(float(s), int(i)) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0]
    if config.lexical:
        found = fused(index, query, found, fetch)
    found = [(s, i) for s, i in found if index.functions[i].kind in config.kinds][:limit]
    if not found:
        return []
    rows = index.vectors[[i for _, i in found]]
    order = mmr([s for s, _ in found], rows, config.k, config.mmr_lambda)
    return [
        Hit(index.functions[found[p][1]], found[p][0], rank)
        for rank, p in enumerate(order, start=1)
    ]


def fused(
    index: CodeIndex, query: str, dense: list[tuple[float, int]], fetch: int
) -> list[tuple[float, int]]:
    """(score, row), best first: reciprocal rank fusion of the embedder's ranking and
    BM25's, plus NAMED for a row the query names (scores scaled to at most 1)."""
    lexical = sorted(index.lexical().scores(query).items(), key=lambda kv: -kv[1])[:fetch]
    fusion: dict[int, float] = {}
    for ranking in ([i for _, i in dense], [i for i, _ in lexical]):
        for rank, row in enumerate(ranking, start=1):
            fusion[row] = fusion.get(row, 0.0) + 1.0 / (RRF_K + rank)
    best = 2.0 / (RRF_K + 1)
    scored = [
        (value / best + NAMED * names_match(query, index.functions[row]), row)
        for row, value in fusion.items()
    ]
    top = max(s for s, _ in scored)
    return sorted(((s / top, row) for s, row in scored), key=lambda pair: -pair[0])
