"""Model input and target text for every task: the one place where the training
data (data_pipelines) and inference (codeintel.tasks) agree on a format.

One checkpoint serves all tasks; a prefix names the task, as in PyMT5.
Markers such as `<trace>` are special tokens of the bundled tokenizer.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class Prefix(str, enum.Enum):
    FIX = "fix:"  # buggy function (+ trace, skeleton) -> the edit that fixes it
    BREAK = "break:"  # correct function -> an edit that breaks it (backtranslation)
    TEST = "test:"  # focal method + focal context -> unit test
    ASSERT = "assert:"  # test prefix + focal method -> assert statement
    DOC = "doc:"  # signature + body -> docstring
    BODY = "body:"  # signature + docstring -> body
    SIG = "sig:"  # docstring + body -> signature
    COMPLETE = "complete:"  # eWASH context + code before the cursor -> the rest
    DENOISE = "denoise:"  # span-corrupted code -> the missing spans (pretraining)


# Markers between the parts of an input or a target.
TRACE, CONTEXT, EDIT, TO = "<trace>", "<context>", "<edit>", "<to>"
SIG, DOC, BODY, FOCAL, TEST, CURSOR = "<sig>", "<doc>", "<body>", "<focal>", "<test>", "<cursor>"
MARKERS = (TRACE, CONTEXT, EDIT, TO, SIG, DOC, BODY, FOCAL, TEST, CURSOR)
N_SENTINELS = 100  # <extra_id_0> ... <extra_id_99>, T5's span-corruption sentinels
SENTINELS = tuple(f"<extra_id_{i}>" for i in range(N_SENTINELS))
SPECIAL_TOKENS = MARKERS + tuple(p.value for p in Prefix) + SENTINELS


def fix_input(function: str, trace: str | None, context: str) -> str:
    """Repair input: the buggy function first, then the reduced trace, then the skeleton."""
    return f"{Prefix.FIX.value} {function}\n{TRACE}\n{trace or ''}\n{CONTEXT}\n{context}"


def break_input(function: str) -> str:
    return f"{Prefix.BREAK.value} {function}"


@dataclass(frozen=True)
class Edit:
    """Replace the one occurrence of the text `old` in a function by `new`.

    A span edit, as short as it can be: the changed lexemes plus the fewest
    neighbours that make `old` occur exactly once (`diff_to_edit`). Whitespace
    is part of the text, so an edit can insert or delete whole lines.
    """

    old: str
    new: str


def encode_edit(edit: Edit) -> str:
    return f"{EDIT}{edit.old}{TO}{edit.new}"


def decode_edit(text: str) -> Edit | None:
    """Parse a generated edit; None if the text is not an edit."""
    text = text.lstrip()
    if not text.startswith(EDIT) or TO not in text:
        return None
    old, _, new = text[len(EDIT) :].partition(TO)
    return Edit(old=old, new=new) if old.strip() else None


def occurrences(text: str, part: str) -> int:
    """How many times `part` occurs in `text`, overlaps included."""
    count, at = 0, text.find(part)
    while at != -1:
        count, at = count + 1, text.find(part, at + 1)
    return count


def apply_edit(function: str, edit: Edit) -> str | None:
    """`function` with the edit applied; None unless `edit.old` occurs exactly once."""
    if not _applies(function, edit.old):
        return None
    return function.replace(edit.old, edit.new, 1)


class EditPrefix(enum.Enum):
    """How far a partly generated edit target has got (see `edit_prefix`)."""

    INVALID = "invalid"  # no continuation makes it an edit that applies to the source
    OLD = "old"  # still writing the old text; it occurs in the source so far
    NEW = "new"  # the old text occurs exactly once; writing the new text, may end here


def edit_prefix(source: str, text: str) -> EditPrefix:
    """Whether `text` can still grow into an edit that `apply_edit(source, ...)` accepts.

    Used to constrain decoding: the old text must stay a substring of the source
    (allowing a partly written `<to>` marker at its end), and `<to>` may close it
    only where it occurs exactly once.
    """
    if len(text) <= len(EDIT):
        return EditPrefix.OLD if EDIT.startswith(text) else EditPrefix.INVALID
    if not text.startswith(EDIT):
        return EditPrefix.INVALID
    old, closed, _ = text[len(EDIT) :].partition(TO)
    if closed:
        return EditPrefix.NEW if _applies(source, old) else EditPrefix.INVALID
    partial = (old[:-k] for k in range(1, len(TO)) if old.endswith(TO[:k]))
    if old in source or any(_applies(source, o) for o in partial):
        return EditPrefix.OLD
    return EditPrefix.INVALID


def _applies(source: str, old: str) -> bool:
    return bool(old.strip()) and occurrences(source, old) == 1


# Words, whitespace runs, Python's multi-character operators, single symbols.
_LEXEME = re.compile(r"\w+|\s+|\*\*=?|//=?|<<=?|>>=?|[<>=!:]=|->|[-+*/%&|^@]=|[^\w\s]")


def _common_ends(a: list[str], b: list[str]) -> tuple[int, int]:
    """Lengths of the longest common prefix and (non-overlapping) suffix of a and b."""
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    return start, end


def diff_to_edit(before: str, after: str) -> Edit | None:
    """The shortest span edit that turns `before` into `after`; None if they are equal.

    The changed lexemes (words, whitespace runs, operators, single symbols) are widened
    by common neighbours, left then right in turn, until the old text occurs
    exactly once in `before`.
    """
    a, b = _LEXEME.findall(before), _LEXEME.findall(after)
    if before == after or "".join(a) != before or "".join(b) != after:
        return None
    start, end = _common_ends(a, b)
    lo, hi_a, hi_b = start, len(a) - end, len(b) - end
    grow_left = True
    while True:
        old = "".join(a[lo:hi_a])
        if old.strip() and occurrences(before, old) == 1:
            return Edit(old=old, new="".join(b[lo:hi_b]))
        if (grow_left and lo > 0) or hi_a == len(a):
            lo -= 1
        else:
            hi_a, hi_b = hi_a + 1, hi_b + 1
        grow_left = not grow_left


def pymt5_input(target: Prefix, signature: str, docstring: str | None, body: str) -> str:
    """PyMT5: every part but the one named by `target` (DOC, BODY or SIG)."""
    parts = {
        Prefix.SIG: (SIG, signature),
        Prefix.DOC: (DOC, docstring or ""),
        Prefix.BODY: (BODY, body),
    }
    if target not in parts:
        raise ValueError(f"PyMT5 target must be one of SIG, DOC, BODY, not {target}")
    shown = "\n".join(f"{marker} {text}" for p, (marker, text) in parts.items() if p is not target)
    return f"{target.value} {shown}"


def testgen_input(focal_method: str, focal_context: str) -> str:
    return f"{Prefix.TEST.value} {focal_method}\n{FOCAL}\n{focal_context}"


def assert_input(test_prefix: str, focal_method: str) -> str:
    return f"{Prefix.ASSERT.value} {test_prefix}\n{FOCAL}\n{focal_method}"


def complete_input(context: str, before_cursor: str) -> str:
    return f"{Prefix.COMPLETE.value} {context}\n{CURSOR}\n{before_cursor}"
