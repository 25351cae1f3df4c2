"""Model input and target text for every task: the one place where the training
data (data_pipelines) and inference (codeintel.tasks) agree on a format.

One checkpoint serves all tasks; a prefix names the task, as in PyMT5.
Markers such as `<trace>` are special tokens of the bundled tokenizer.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Prefix(str, enum.Enum):
    FIX = "fix:"  # buggy function (+ trace, skeleton) -> edit or fixed function
    BREAK = "break:"  # correct function -> a buggy variant (backtranslation bug creator)
    TEST = "test:"  # focal method + focal context -> unit test
    ASSERT = "assert:"  # test prefix + focal method -> assert statement
    DOC = "doc:"  # signature + body -> docstring
    BODY = "body:"  # signature + docstring -> body
    SIG = "sig:"  # docstring + body -> signature
    COMPLETE = "complete:"  # eWASH context + code before the cursor -> the rest
    DENOISE = "denoise:"  # span-corrupted code -> the missing spans (pretraining)


# Markers between the parts of an input or a target.
TRACE, CONTEXT, EDIT, TO, FUNCTION = "<trace>", "<context>", "<edit>", "<to>", "<function>"
SIG, DOC, BODY, FOCAL, TEST, CURSOR = "<sig>", "<doc>", "<body>", "<focal>", "<test>", "<cursor>"
MARKERS = (TRACE, CONTEXT, EDIT, TO, FUNCTION, SIG, DOC, BODY, FOCAL, TEST, CURSOR)
N_SENTINELS = 100  # <extra_id_0> ... <extra_id_99>, T5's span-corruption sentinels
SENTINELS = tuple(f"<extra_id_{i}>" for i in range(N_SENTINELS))
SPECIAL_TOKENS = MARKERS + tuple(p.value for p in Prefix) + SENTINELS


def fix_input(function: str, trace: str | None, context: str) -> str:
    """Repair input: the buggy function first, then the reduced trace, then the skeleton."""
    return f"{Prefix.FIX.value} {function}\n{TRACE}\n{trace or ''}\n{CONTEXT}\n{context}"


def break_input(function: str) -> str:
    return f"{Prefix.BREAK.value} {function}"


@dataclass(frozen=True)
class LineEdit:
    """Replace the first line whose stripped text is `old` by `new` (0..n lines).

    `new` is written without the old line's indentation; it is re-indented
    when applied. An empty `new` deletes the line; `old + "\\n" + stmt` inserts.
    """

    old: str
    new: str


def encode_edit(edit: LineEdit) -> str:
    return f"{EDIT} {edit.old} {TO} {edit.new}"


def decode_edit(text: str) -> LineEdit | None:
    """Parse a generated edit; None if the text is not an edit."""
    text = text.strip()
    if not text.startswith(EDIT) or TO not in text:
        return None
    old, _, new = text[len(EDIT) :].partition(TO)
    old = old.strip()
    return LineEdit(old=old, new=new.strip()) if old else None


def apply_edit(function: str, edit: LineEdit) -> str | None:
    """Apply `edit` to `function`'s source; None if the old line is not there."""
    lines = function.split("\n")
    for i, line in enumerate(lines):
        if line.strip() == edit.old:
            indent = line[: len(line) - len(line.lstrip())]
            new = [indent + part.strip() for part in edit.new.split("\n")] if edit.new else []
            if new[1:] and edit.new.split("\n")[0].strip() == edit.old:
                new = [line, *new[1:]]  # an insertion keeps the old line as it was
            return "\n".join(lines[:i] + new + lines[i + 1 :])
    return None


def diff_to_edit(before: str, after: str) -> LineEdit | None:
    """The single-line edit that turns `before` into `after`, if there is one."""
    a, b = before.split("\n"), after.split("\n")
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a, end_b = end_a - 1, end_b - 1
    if end_a - start != 1:
        return None  # not a change of exactly one original line
    old = a[start].strip()
    if not old or sum(1 for line in a if line.strip() == old) != 1:
        return None  # the old line must identify one place
    edit = LineEdit(old=old, new="\n".join(line.strip() for line in b[start:end_b]))
    return edit if apply_edit(before, edit) == after else None


def function_target(function: str) -> str:
    return f"{FUNCTION}\n{function}"


def decode_function(text: str) -> str | None:
    text = text.strip("\n")
    return text[len(FUNCTION) :].strip("\n") if text.startswith(FUNCTION) else None


def pymt5_input(target: Prefix, signature: str, docstring: str | None, body: str) -> str:
    """PyMT5: every part but the one named by `target` (DOC, BODY or SIG)."""
    parts = {Prefix.SIG: (SIG, signature), Prefix.DOC: (DOC, docstring or ""),
             Prefix.BODY: (BODY, body)}
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
