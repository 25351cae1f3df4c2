"""Stage 3: train/valid/test by package, and no near-twins across splits.

A package's split is a pure function of its name (a hash into the ratio
intervals), so it never changes between builds or with the corpus around it.
All functions of a package share a split: a model is tested on packages it
never saw. After dedup, a valid/test function with a near-twin in train (or a
test function with one in valid) is dropped, so no evaluation example has a
near-copy in training.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from data_pipelines.config import BuildConfig, Split
from data_pipelines.dedup import NearIndex
from data_pipelines.sources import SourceFile, default_roots, discover

SPLIT_ORDER = (Split.TRAIN, Split.VALID, Split.TEST)


def split_of(package: str, ratios: Sequence[float]) -> Split:
    """The split of `package`: a hash of its name placed in the `ratios` intervals."""
    digest = hashlib.sha256(package.encode("utf-8")).digest()
    point = int.from_bytes(digest[:8], "big") / 2**64
    edge = 0.0
    for split, ratio in zip(SPLIT_ORDER, ratios, strict=True):
        edge += ratio
        if point < edge:
            return split
    return SPLIT_ORDER[-1]


def corpus_files(split: Split) -> list[SourceFile]:
    """The default corpus's non-test files (stdlib and site-packages) whose package is in
    `split`, as the build splits them (its default ratios)."""
    ratios = BuildConfig().split_ratios
    return [
        f
        for f in discover(default_roots(), ())
        if not f.is_test and split_of(f.package, ratios) is split
    ]


def rank(split: Split) -> int:
    return SPLIT_ORDER.index(split)


def cross_split_twins(
    signatures: Mapping[str, Sequence[int]], splits: Mapping[str, Split], config: BuildConfig
) -> set[str]:
    """Ids of functions with a near-twin in an earlier split (train < valid < test).

    Earlier splits are indexed first; each later function is checked against the
    index of all earlier ones, then added to it.
    """
    index = NearIndex(config)
    drop: set[str] = set()
    for split in SPLIT_ORDER:
        members = sorted(i for i in signatures if splits[i] is split)
        drop.update(i for i in members if index.twins(signatures[i]))
        for i in members:
            if i not in drop:
                index.add(i, signatures[i])
    return drop
