"""Retrieval over a codebase: an index of its functions, embedded, searched with FAISS.

    records.py    IndexedFunction (one function of the index), Hit (a search result)
    features.py   identifier sub-tokens: the pure text features of the hashed embedder
    embedders.py  Embedder (embed(texts) -> float32 rows, dim, name): HashedEmbedder
                  (no model), EncoderEmbedder (a local Hugging Face checkpoint)
    collect.py    the functions of a codebase's files (through `parsers`)
    store.py      the index folder: build, update by content hash, load
    search.py     exact (IndexFlatIP) or HNSW search, and MMR re-ranking

faiss, torch and transformers are imported only where they are used.
"""

from __future__ import annotations

from codeintel.retrieval.records import Hit, IndexedFunction
from codeintel.retrieval.search import SearchConfig, mmr, search
from codeintel.retrieval.store import CodeIndex, IndexReport, build_index, load_index

__all__ = [
    "CodeIndex",
    "Hit",
    "IndexReport",
    "IndexedFunction",
    "SearchConfig",
    "build_index",
    "load_index",
    "mmr",
    "search",
]
