"""Docstring -> function pairs for code search: one split of the corpus.

The query is the first line of a function's docstring (at least three words), the
document the function with its docstring cut out (so the answer is not in it),
its qualified name first. A query text is kept once. Pairs of the train split that
share a query text with the test split are dropped (`exclude`).
"""

from __future__ import annotations

from collections.abc import Iterator

from data_pipelines.config import Split
from data_pipelines.sources import SourceFile
from data_pipelines.split import corpus_files
from parsers import parse


def _pairs_of(file: SourceFile) -> Iterator[tuple[str, str]]:
    try:
        source = file.absolute.read_bytes()
        parsed = parse(source.decode("utf-8"), "python")
    except (OSError, UnicodeDecodeError):
        return
    for scope in parsed.functions():
        query = (scope.docstring or "").split("\n")[0].strip()
        doc = scope.docstring_span
        if len(query.split()) < 3 or doc is None:
            continue
        code = (
            source[scope.span.start_byte : doc.start_byte]
            + source[doc.end_byte : scope.span.end_byte]
        )
        yield query, f"{scope.qualified_name}\n{code.decode('utf-8', 'replace')}"


def search_pairs(split: Split, exclude: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """(query, document) pairs of the corpus's non-test files in `split`."""
    pairs, seen = [], set(exclude)
    for file in corpus_files(split):
        for query, document in _pairs_of(file):
            if query not in seen:
                seen.add(query)
                pairs.append((query, document))
    return pairs
