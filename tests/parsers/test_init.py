from __future__ import annotations

import pytest

import parsers
from parsers import (
    Language,
    ParseError,
    ScopeKind,
    SourceDecodeError,
    UnsupportedLanguageError,
    parse,
)


def test_str_and_bytes_give_the_same_result():
    source = "def f(x):\n    return x\n"
    assert parse(source) == parse(source.encode("utf-8"))


@pytest.mark.parametrize("name", ["python", "Python", " PYTHON ", Language.PYTHON])
def test_language_names_are_case_insensitive(name):
    assert parse("x = 1\n", name).language is Language.PYTHON


def test_java_by_name():
    parsed = parse("class A {}", "java")
    assert parsed.language is Language.JAVA
    assert [s.name for s in parsed.scopes()] == ["A"]


def test_unknown_language_is_a_typed_error():
    with pytest.raises(UnsupportedLanguageError, match=r"cobol.*python, java"):
        parse("x", "cobol")


def test_invalid_utf8_names_the_byte_offset():
    with pytest.raises(SourceDecodeError, match="byte offset 6"):
        parse(b"x = 1\n\xff\xfe = 2\n")


def test_lone_surrogate_in_str_is_a_decode_error():
    with pytest.raises(SourceDecodeError, match="character 5"):
        parse("x = '\ud800'")


def test_errors_derive_from_parse_error():
    assert issubclass(SourceDecodeError, ParseError)
    assert issubclass(UnsupportedLanguageError, ValueError)


@pytest.mark.parametrize("language", ["python", "java"])
def test_empty_file_gives_an_empty_module(language):
    parsed = parse(b"", language)
    module = parsed.module
    assert module.kind is ScopeKind.MODULE
    assert module.name == module.qualified_name == ""
    assert module.children == ()
    assert module.span.start_byte == module.span.end_byte == 0
    assert (module.span.start_line, module.span.end_line) == (1, 1)
    assert parsed.errors == ()
    assert list(parsed.scopes()) == []


def test_public_names():
    assert set(parsers.__all__) >= {"parse", "ParsedFile", "Scope", "Span", "SyntaxIssue"}
