"""Values close to a given one: the tests' own inputs, mutated (a pure module).

Used where inputs are derived from the ones a test suite already has: repair's patch
assessment (`tasks/repair/assess.py`) and the QuixBugs runner's check. Ints move by
1 to 3, floats by up to 3, strings gain, lose or change a character, lists are
shuffled, shortened, extended or have one element changed (a sorted list stays
sorted: that may be the function's precondition), dicts have one value changed.
`boundary_variants` moves one int at a time to a boundary (0, or its negation), where
off-by-one and sign bugs show.
"""

from __future__ import annotations

import itertools
import random
from typing import Any


def _is_sorted(values: list) -> bool:
    try:
        return len(values) > 1 and all(a <= b for a, b in itertools.pairwise(values))
    except TypeError:
        return False


def _perturb_list(values: list, rng: random.Random) -> list:
    """Shuffled, one element dropped, appended or perturbed; a sorted list stays sorted."""
    out, ordered = list(values), _is_sorted(values)  # sorted: maybe a precondition, kept
    ops = ("drop", "append", "element") if ordered else ("shuffle", "drop", "append", "element")
    op = rng.choice(ops if out else ("append",))
    if op == "shuffle":
        rng.shuffle(out)
    elif op == "drop":
        out.pop(rng.randrange(len(out)))
    elif op == "append":
        out.append(perturb(rng.choice(out), rng) if out else rng.randint(0, 9))
    else:
        index = rng.randrange(len(out))
        out[index] = perturb(out[index], rng)
    return sorted(out) if ordered else out


def _perturb_str(text: str, rng: random.Random) -> str:
    """One character replaced (by another), inserted or deleted."""
    at = rng.randrange(len(text) + 1)
    op = rng.choice(("replace", "insert", "delete") if text else ("insert",))
    if op == "delete" and at < len(text):
        return text[:at] + text[at + 1 :]
    current = text[at] if at < len(text) and op == "replace" else ""
    alphabet = sorted((set(text) | set("ab")) - {current})
    rest = text[at + 1 :] if current else text[at:]
    return text[:at] + rng.choice(alphabet) + rest


def perturb(value: Any, rng: random.Random) -> Any:
    """A value of the same type, close to `value` (JSON values: ints, floats, strs, lists...)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + rng.choice((-1, 1)) * rng.randint(1, 3)
    if isinstance(value, float):
        return value + rng.choice((-1, 1)) * rng.uniform(0.1, 3.0)
    if isinstance(value, str):
        return _perturb_str(value, rng)
    if isinstance(value, (list, tuple)):
        return type(value)(_perturb_list(list(value), rng))
    if isinstance(value, dict) and value:
        key = rng.choice(sorted(value, key=repr))
        return {**value, key: perturb(value[key], rng)}
    return value


def perturb_args(args: list, rng: random.Random) -> list:
    """The argument list with one argument (sometimes two) perturbed."""
    out = list(args)
    if not out:
        return out
    for index in rng.sample(range(len(out)), 1 if len(out) == 1 or rng.random() < 0.7 else 2):
        out[index] = perturb(out[index], rng)
    return out


def _int_spots(args: list) -> list[tuple[int, int | None, int]]:
    """(argument, element or None, value) of each int argument and int element of a list
    or tuple argument."""
    spots: list[tuple[int, int | None, int]] = []
    for at, arg in enumerate(args):
        inner = list(enumerate(arg)) if isinstance(arg, (list, tuple)) else []
        for where, value in [(None, arg), *inner]:
            if isinstance(value, int) and not isinstance(value, bool):
                spots.append((at, where, value))
    return spots


def boundary_variants(args: list, limit: int = 8) -> list[list]:
    """The argument list with one int (an argument, or an element of a list or tuple
    argument) moved to 0 or to its negation, at most `limit` of them."""
    out: list[list] = []
    for at, where, value in _int_spots(args):
        for new in dict.fromkeys((0, -value)):
            if new == value:
                continue
            changed = list(args)
            if where is None:
                changed[at] = new
            else:
                items = list(args[at])
                items[where] = new
                changed[at] = type(args[at])(items)
            out.append(changed)
    return out[:limit]
