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


def search(index: CodeIndex, query: str, config: SearchConfig = SearchConfig()) -> list[Hit]:
    """The functions of `index` nearest to `query` (natural language or code)."""
    if not query.strip():
        raise InputError("the query is empty")
    if not index.functions:
        return []
    vector = index.embedder.embed([query])
    fetch = min(len(index.functions), max(config.candidates, config.k))
    scores, ids = nearest(index.searcher, vector, fetch)
    found = [(float(s), int(i)) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0]
    rows = index.vectors[[i for _, i in found]]
    order = mmr([s for s, _ in found], rows, config.k, config.mmr_lambda)
    return [
        Hit(index.functions[found[p][1]], found[p][0], rank)
        for rank, p in enumerate(order, start=1)
    ]
