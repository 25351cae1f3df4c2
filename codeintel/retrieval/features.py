"""Text features of code and queries: identifier sub-tokens. Pure functions.

`getUserName`, `get_user_name` and "get the user name" share the sub-tokens
get/user/name; digits stay with their word; a plural's `s` goes, so `prices`
matches `price`. Words of one letter are dropped.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*|[0-9]+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z0-9]+|[A-Z]+")
STOP = frozenset({"the", "a", "an", "of", "to", "and", "or", "in", "is", "for", "self", "return"})


def _singular(word: str) -> str:
    """A plural's last `s` off (`prices` -> `price`; `address`, `is` kept)."""
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def sub_tokens(text: str) -> list[str]:
    """Lower-case sub-tokens of every identifier and word in `text`, in order."""
    found = []
    for word in _WORD.findall(text):
        for part in _CAMEL.findall(word) or [word]:
            lower = _singular(part.lower())
            if len(lower) > 1 and lower not in STOP:
                found.append(lower)
    return found


def features(text: str) -> list[str]:
    """The hashed embedder's features: the sub-tokens. (Adjacent pairs were tried and
    lowered docstring -> function MRR on rich's 511 documented functions: 0.50 -> 0.48
    at 512 buckets.)"""
    return sub_tokens(text)
