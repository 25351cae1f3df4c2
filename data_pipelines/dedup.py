"""Stage 2: exact and near-duplicate functions.

- exact: the hash of the normalised code (comments dropped, whitespace collapsed,
  so re-indented copies collide);
- near: MinHash over the set of token 3-shingles, banded LSH for candidate pairs,
  a pair counts as near-twins when the estimated Jaccard reaches the threshold.

Signatures are computed per function (in the per-file workers, with numpy);
the index over all signatures is built once. ~200k functions take well under a
minute for the index; candidate checks grow with the size of the LSH buckets.
"""

from __future__ import annotations

import functools
import hashlib
import re
import zlib
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from data_pipelines.config import BuildConfig

_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+|[^\sA-Za-z0-9_]")
_COMMENT = re.compile(r"#[^\n]*")
_PRIME = (1 << 61) - 1
_MASK = (1 << 32) - 1
SHINGLE = 3


def tokens(code: str) -> list[str]:
    return _TOKEN.findall(_COMMENT.sub("", code))


def exact_key(code: str) -> str:
    return hashlib.sha1(" ".join(tokens(code)).encode()).hexdigest()


def shingles(code: str, k: int = SHINGLE) -> set[str]:
    toks = tokens(code)
    if len(toks) < k:
        return {" ".join(toks)}
    return {" ".join(toks[i : i + k]) for i in range(len(toks) - k + 1)}


@functools.lru_cache(maxsize=4)
def _permutations(n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.integers(1, _MASK, size=n, dtype=np.uint64)
    b = rng.integers(0, _MASK, size=n, dtype=np.uint64)
    return a, b


def minhash(code: str, perms: int) -> list[int]:
    """The MinHash signature of the code's shingle set (32-bit hashes, `perms` of them)."""
    hashes = np.array([zlib.crc32(s.encode()) for s in shingles(code)], dtype=np.uint64)
    a, b = _permutations(perms)
    # (a*h + b) mod 2^32 over uint64, which wraps safely: a, h < 2^32.
    values = (a[:, None] * hashes[None, :] + b[:, None]) & np.uint64(_MASK)
    return [int(v) for v in values.min(axis=1)]


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity: the share of equal signature positions."""
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / len(a)


class NearIndex:
    """Banded LSH over MinHash signatures; `twins(sig)` are the indexed near-twins."""

    def __init__(self, config: BuildConfig) -> None:
        self.bands = config.lsh_bands
        self.rows = config.minhash_perms // config.lsh_bands
        self.threshold = config.near_dup_threshold
        self.buckets: list[dict[tuple[int, ...], list[int]]] = [{} for _ in range(self.bands)]
        self.signatures: list[Sequence[int]] = []
        self.names: list[str] = []

    def _keys(self, sig: Sequence[int]) -> Iterable[tuple[int, tuple[int, ...]]]:
        for band in range(self.bands):
            yield band, tuple(sig[band * self.rows : (band + 1) * self.rows])

    def add(self, name: str, sig: Sequence[int]) -> None:
        index = len(self.signatures)
        self.signatures.append(sig)
        self.names.append(name)
        for band, key in self._keys(sig):
            self.buckets[band].setdefault(key, []).append(index)

    def twins(self, sig: Sequence[int]) -> list[str]:
        seen: set[int] = set()
        for band, key in self._keys(sig):
            seen.update(self.buckets[band].get(key, ()))
        return [
            self.names[i]
            for i in sorted(seen)
            if similarity(sig, self.signatures[i]) >= self.threshold
        ]


def dedup(
    items: Sequence[tuple[str, str, Sequence[int]]],
    config: BuildConfig,
    order: Callable[[str], object] = str,
) -> tuple[set[str], dict[str, str]]:
    """Which items to keep, and for each dropped one the kept item it duplicates.

    `items` are (id, exact key, signature). Items are visited in `order` of their
    ids; an item is dropped when its exact key was kept already, or (with
    `config.near_dedup`) when it is a near-twin of a kept item. The first copy wins,
    so an order that puts training splits first keeps the training copy.
    """
    kept: set[str] = set()
    dropped: dict[str, str] = {}
    by_key: dict[str, str] = {}
    index = NearIndex(config)
    for ident, key, sig in sorted(items, key=lambda item: order(item[0])):
        twin = by_key.get(key)
        if twin is None and config.near_dedup:
            near = index.twins(sig)
            twin = near[0] if near else None
        if twin is not None:
            dropped[ident] = twin
            continue
        kept.add(ident)
        by_key[key] = ident
        index.add(ident, sig)
    return kept, dropped
