"""Lexical search: BM25 (Robertson and Zaragoza 2009) over the sub-tokens of a function's
name, signature, docstring and code, with light stemming. Pure functions of the index's
rows; fused with the embedder's ranking by reciprocal rank in `query.search`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from codeintel.retrieval.features import sub_tokens
from codeintel.retrieval.records import IndexedFunction

K1, B = 1.2, 0.75  # BM25's usual constants
NAME_WEIGHT = 3  # a name's sub-tokens count as if written this many times
_SUFFIXES = ("ing", "ed", "es", "er")


def stem(word: str) -> str:
    """`parsing` -> `pars`, `parsed` -> `pars`, `parser` -> `pars` (sub_tokens already
    dropped a plural's `s`)."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def terms(text: str) -> list[str]:
    return [stem(t) for t in sub_tokens(text)]


def document(function: IndexedFunction) -> list[str]:
    name = terms(function.qualified_name)
    words = terms(f"{function.signature}\n{function.docstring}\n{function.code[:2000]}")
    return name * NAME_WEIGHT + words


@dataclass(frozen=True)
class Bm25:
    postings: dict[str, list[tuple[int, int]]]  # term -> [(row, count)]
    lengths: tuple[int, ...]
    average: float

    @classmethod
    def build(cls, functions: Sequence[IndexedFunction]) -> Bm25:
        postings: dict[str, list[tuple[int, int]]] = {}
        lengths = []
        for row, function in enumerate(functions):
            counts = Counter(document(function))
            lengths.append(sum(counts.values()))
            for term, count in counts.items():
                postings.setdefault(term, []).append((row, count))
        average = sum(lengths) / len(lengths) if lengths else 1.0
        return cls(postings, tuple(lengths), average or 1.0)

    def scores(self, query: str) -> dict[int, float]:
        """Row -> BM25 score, for the rows that share a term with the query."""
        n = len(self.lengths)
        found: dict[int, float] = {}
        for term in set(terms(query)):
            rows = self.postings.get(term, [])
            if not rows:
                continue
            idf = math.log(1 + (n - len(rows) + 0.5) / (len(rows) + 0.5))
            for row, count in rows:
                norm = K1 * (1 - B + B * self.lengths[row] / self.average)
                found[row] = found.get(row, 0.0) + idf * count * (K1 + 1) / (count + norm)
        return found


def names_match(query: str, function: IndexedFunction) -> bool:
    """The query names the function: it holds its exact name as a word (`top_sellers`,
    `LRU.get`), or its words are exactly the name's sub-tokens ("top sellers")."""
    words = {w.strip("`'\".,:;()") for w in query.split()}
    name = function.qualified_name
    simple = name.rpartition(".")[2]
    if name in words or (simple in words and not simple.startswith("__")):
        return True
    return bool(terms(query)) and terms(query) == terms(simple)
