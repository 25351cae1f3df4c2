"""Minimisation: the smallest set of tests that reaches the coverage of all of them,
greedy by coverage gain (the classic set-cover approximation). Pure."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

T = TypeVar("T")


def greedy_cover(
    items: Sequence[T],
    covers: Callable[[T], frozenset[Hashable]],
    cost: Callable[[T], float] = lambda item: 0.0,
) -> list[T]:
    """Items in the order picked: each time the one adding the most not-yet-covered
    elements (ties: the lower cost, then the earlier item); items adding nothing are
    left out."""
    covered: set[Hashable] = set()
    left = list(range(len(items)))
    picked: list[T] = []
    sets = [covers(item) for item in items]
    while left:
        best = max(left, key=lambda i: (len(sets[i] - covered), -cost(items[i]), -i))
        if not sets[best] - covered:
            break
        picked.append(items[best])
        covered |= sets[best]
        left.remove(best)
    return picked
