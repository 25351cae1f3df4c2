"""The language-neutral scope hierarchy that `parsers.parse` returns.

Positions are exact: `span.start_byte:span.end_byte` indexes the original
source bytes, so an edit can be spliced back byte for byte. Lines are 1-based
and inclusive.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterator
from dataclasses import dataclass

from parsers.errors import AmbiguousScopeError, ScopeNotFoundError


class Language(str, enum.Enum):
    PYTHON = "python"
    JAVA = "java"


class ScopeKind(str, enum.Enum):
    MODULE = "module"
    CLASS = "class"  # Python classes; Java classes, interfaces, enums, records
    FUNCTION = "function"  # module-level or nested functions
    METHOD = "method"  # functions defined directly in a class
    CONSTRUCTOR = "constructor"  # Java constructors (Python's __init__ is a METHOD)


@dataclass(frozen=True)
class Span:
    start_byte: int
    end_byte: int
    start_line: int  # 1-based
    end_line: int  # 1-based, inclusive

    def contains_line(self, line: int) -> bool:
        return self.start_line <= line <= self.end_line


@dataclass(frozen=True)
class Scope:
    """One module, class, function or method.

    - `span` covers the whole definition, decorators/annotations included (not
      a Java leading comment, which has its own `docstring_span`).
    - `signature` is the header text: `def f(a, b=1) -> int:` /
      `class A(B):` / `public int f(int x) throws E`, whitespace kept as written.
    - `docstring` is the cleaned text (quotes, comment markers and common
      indentation removed); `docstring_span` is where the literal or comment is.
    - `body` is the source of the body block exactly as `body_span` covers it.
    - `imports` are the import statements directly inside this scope.
    - `fields` are class-level assignments / Java field declarations, and for
      Python also the `self.x = ...` assignments of `__init__`, as source text.
    """

    kind: ScopeKind
    name: str
    qualified_name: str
    span: Span
    signature: str
    docstring: str | None
    docstring_span: Span | None
    decorators: tuple[str, ...]
    body: str
    body_span: Span
    imports: tuple[str, ...]
    fields: tuple[str, ...]
    children: tuple[Scope, ...]

    @property
    def is_function(self) -> bool:
        return self.kind in (ScopeKind.FUNCTION, ScopeKind.METHOD, ScopeKind.CONSTRUCTOR)

    @property
    def is_constructor(self) -> bool:
        return self.kind is ScopeKind.CONSTRUCTOR or (
            self.kind is ScopeKind.METHOD and self.name == "__init__"
        )

    def walk(self) -> Iterator[Scope]:
        """This scope and all below it, in source order (pre-order)."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class SyntaxIssue:
    """A place where tree-sitter found an error or had to invent a missing token."""

    span: Span
    message: str


@dataclass(frozen=True)
class ParsedFile:
    language: Language
    source: bytes
    module: Scope
    errors: tuple[SyntaxIssue, ...]

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    def scopes(self) -> Iterator[Scope]:
        """Every class and function scope, in source order (the module excluded)."""
        it = self.module.walk()
        next(it)
        yield from it

    def functions(self) -> Iterator[Scope]:
        return (s for s in self.scopes() if s.is_function)

    def text(self, span: Span) -> str:
        return self.source[span.start_byte : span.end_byte].decode("utf-8")

    def find(self, name: str) -> Scope:
        """The scope with this qualified name, or else the one scope with this simple name.

        Raises ScopeNotFoundError (with close matches) or AmbiguousScopeError.
        """
        scopes = list(self.scopes())
        exact = [s for s in scopes if s.qualified_name == name]
        if exact:
            return exact[0]
        simple = [s for s in scopes if s.name == name]
        if len(simple) == 1:
            return simple[0]
        if simple:
            names = ", ".join(s.qualified_name for s in simple)
            raise AmbiguousScopeError(f"{name!r} is ambiguous: use one of {names}")
        known = sorted({s.qualified_name for s in scopes})
        close = difflib.get_close_matches(name, known, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        if self.errors:
            hint += f"; {self.syntax_summary()}, so its scopes may be cut short: fix that first"
        raise ScopeNotFoundError(f"no function or class named {name!r} in this file{hint}")

    def syntax_summary(self, name: str = "the file") -> str:
        """'NAME does not parse: syntax error at line N (and K more)', or '' if it does."""
        if not self.errors:
            return ""
        first = self.errors[0]
        more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        return f"{name} does not parse: {first.message} at line {first.span.start_line}{more}"

    def scope_at_line(self, line: int) -> Scope:
        """The innermost scope whose span contains `line` (the module if none)."""
        best = self.module
        for scope in self.scopes():
            if scope.span.contains_line(line):
                best = scope
        return best

    def splice(self, span: Span, replacement: str) -> bytes:
        """The source with `span` replaced by `replacement`, every other byte unchanged."""
        return (
            self.source[: span.start_byte]
            + replacement.encode("utf-8")
            + self.source[span.end_byte :]
        )
