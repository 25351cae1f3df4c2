"""Typed errors of the parsers package (it sits below `codeintel` and cannot import it)."""

from __future__ import annotations


class ParseError(ValueError):
    """Base of every error `parsers` raises on purpose."""


class UnsupportedLanguageError(ParseError):
    """A language name that has no grammar here."""


class SourceDecodeError(ParseError):
    """Source bytes that are not valid UTF-8."""


class ScopeNotFoundError(ParseError, LookupError):
    """A scope name that the file does not define."""


class AmbiguousScopeError(ParseError, LookupError):
    """A simple name that matches several scopes; use the qualified name."""
