"""The records a context builder returns: what was kept, what was dropped, and the text."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from codeintel.records import JsonRecord


class PieceKind(str, enum.Enum):
    TARGET = "target"  # the target function (or, for eWASH at a cursor, the code before it)
    ENCLOSING = "enclosing"  # the header of a function that encloses the target
    CLASS_HEADER = "class_header"  # decorators + `class A(B):` / `public class A extends B {`
    FIELD = "field"  # a class-level assignment, `self.x = ...` in __init__, a Java field
    IMPORT = "import"  # a module-level import statement
    SIGNATURE = "signature"  # decorators + a function's header, its body elided
    DOCSTRING = "docstring"  # a docstring literal or a Javadoc comment
    BODY = "body"  # a whole function, body included


@dataclass(frozen=True)
class Piece(JsonRecord):
    """One unit of context: its kind, the qualified name of its scope, and its cost.

    `tokens` is the piece's own length (with its separating newline) under the
    builder's length function. `detail` tells apart pieces of one scope (the first
    line of an import or a field); it is empty otherwise.
    """

    kind: PieceKind
    scope: str
    tokens: int
    detail: str = ""


@dataclass(frozen=True)
class Context(JsonRecord):
    """A model input built under a token budget.

    `tokens` is `length(text)` and never exceeds `budget`. `kept` lists the pieces
    in the text in the order they were chosen (the target first); `dropped` lists
    the candidates that did not fit, in priority order. `truncated` is True when
    the target alone exceeded the budget and was cut to fit.
    """

    text: str
    tokens: int
    budget: int
    kept: tuple[Piece, ...]
    dropped: tuple[Piece, ...]
    truncated: bool
