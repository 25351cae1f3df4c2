"""Retrieval over a codebase: an index of its functions, embedded, searched with FAISS.

    records.py    IndexedFunction (one function of the index), Hit (a search result)
    features.py   identifier sub-tokens: the pure text features of the hashed embedder
    embedders.py  Embedder (embed(texts) -> float32 rows, dim, name): HashedEmbedder
                  (no model), EncoderEmbedder (a local Hugging Face checkpoint)
    collect.py    the functions of a codebase's files (through `parsers`)
    store.py      the index folder: build, update by content hash, load
    query.py      exact (IndexFlatIP) or HNSW search, and MMR re-ranking

faiss, torch and transformers are imported only where they are used.
"""

from __future__ import annotations

from codeintel.lazy import lazy_getattr

# public name -> module (imported on first use: numpy and faiss load only then)
_EXPORTS = {
    "CodeIndex": "codeintel.retrieval.store",
    "IndexReport": "codeintel.retrieval.store",
    "build_index": "codeintel.retrieval.store",
    "load_index": "codeintel.retrieval.store",
    "Hit": "codeintel.retrieval.records",
    "IndexedFunction": "codeintel.retrieval.records",
    "SearchConfig": "codeintel.retrieval.query",
    "mmr": "codeintel.retrieval.query",
    "search": "codeintel.retrieval.query",
}
__all__ = sorted(_EXPORTS)


__getattr__ = lazy_getattr("codeintel.retrieval", _EXPORTS, globals())
