"""MMR re-ranking, and the choice between exact and HNSW search."""

from __future__ import annotations

import numpy as np
import pytest

from codeintel.errors import InputError
from codeintel.retrieval.query import SearchConfig, SearchKind, faiss_index, kind_for, mmr, nearest


def _unit(rows) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_mmr_skips_a_copy_of_what_it_picked() -> None:
    vectors = _unit([[1, 0, 0], [1, 0.01, 0], [0, 1, 0]])  # 0 and 1 are near copies
    relevance = [0.9, 0.89, 0.5]
    assert mmr(relevance, vectors, 2, lam=1.0) == [0, 1]  # relevance only
    assert mmr(relevance, vectors, 2, lam=0.5) == [0, 2]  # the copy is passed over
    assert mmr(relevance, vectors, 5, lam=0.5) == [0, 2, 1]  # never more than there are


def test_the_search_kind_follows_the_size() -> None:
    assert kind_for(10, hnsw_above=100) is SearchKind.EXACT
    assert kind_for(100, hnsw_above=100) is SearchKind.HNSW


def test_hnsw_finds_what_exact_search_finds() -> None:
    rng = np.random.default_rng(0)
    vectors = _unit(rng.normal(size=(2000, 32)))
    queries = _unit(rng.normal(size=(20, 32)))
    _, exact = nearest(faiss_index(vectors, SearchKind.EXACT), queries, 10)
    _, approx = nearest(faiss_index(vectors, SearchKind.HNSW), queries, 10)
    recall = np.mean([len(set(a) & set(e)) / 10 for a, e in zip(approx, exact, strict=True)])
    assert recall >= 0.9


@pytest.mark.parametrize(("k", "lam"), [(0, 0.5), (3, 1.5)])
def test_a_bad_search_config_is_an_input_error(k: int, lam: float) -> None:
    with pytest.raises(InputError):
        SearchConfig(k=k, mmr_lambda=lam)
