from __future__ import annotations

from parsers import Language, Span, SyntaxIssue, parse
from parsers.syntax import get_parser, make_span, syntax_issues, whole_span


def test_parser_is_cached_per_language():
    assert get_parser(Language.PYTHON) is get_parser(Language.PYTHON)
    assert get_parser(Language.PYTHON) is not get_parser(Language.JAVA)


def test_whole_span_counts_lines():
    assert whole_span(b"") == Span(0, 0, 1, 1)
    assert whole_span(b"a\nb\n") == Span(0, 4, 1, 2)
    assert whole_span(b"a\nb") == Span(0, 3, 1, 2)


def test_make_span_is_exact_on_a_node():
    source = b"x = 1\n\ndef f():\n    pass\n"
    root = get_parser(Language.PYTHON).parse(source).root_node
    function = root.children[1]
    span = make_span(function)
    assert source[span.start_byte : span.end_byte] == b"def f():\n    pass"
    assert (span.start_line, span.end_line) == (3, 4)


def test_clean_file_has_no_issues():
    root = get_parser(Language.PYTHON).parse(b"def f():\n    return 1\n").root_node
    assert syntax_issues(root) == ()


def test_missing_token_is_reported_by_name():
    parsed = parse("def f(:\n    pass\n")
    assert parsed.has_errors
    assert SyntaxIssue(Span(6, 6, 1, 1), "missing ')'") in parsed.errors


def test_error_node_is_reported_with_its_span():
    parsed = parse("x = 1\ny = )\n")
    assert [e.message for e in parsed.errors] == ["syntax error"]
    error = parsed.errors[0]
    assert error.span.start_line == 2
    assert ")" in parsed.text(error.span)


def test_java_missing_token():
    parsed = parse("class A { void f( { } }", "java")
    assert [e.message for e in parsed.errors] == ["missing ')'"]
