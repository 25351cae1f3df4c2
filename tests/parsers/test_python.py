from __future__ import annotations

import pytest

from parsers import ScopeKind, parse
from tests.parsers.helpers import check_python_file, span_text

F, M, C = ScopeKind.FUNCTION, ScopeKind.METHOD, ScopeKind.CLASS


@pytest.fixture
def sample(fixture_bytes):
    return parse(fixture_bytes("sample.py"))


def test_sample_scope_tree(sample):
    got = [(s.kind, s.qualified_name, s.span.start_line, s.span.end_line) for s in sample.scopes()]
    assert got == [
        (F, "helper", 17, 23),
        (F, "helper.inner", 20, 21),
        (C, "Point", 26, 53),
        (M, "Point.__init__", 34, 39),
        (M, "Point.norm", 41, 47),
        (C, "Point.Meta", 49, 53),
        (M, "Point.Meta.describe", 52, 53),
        (F, "fetch", 56, 60),
        (F, "multi_line", 63, 67),
    ]
    assert [c.name for c in sample.module.children] == ["helper", "Point", "fetch", "multi_line"]


def test_sample_module(sample):
    module = sample.module
    assert (
        module.docstring == "A sample module.\n\nIt has a class, decorators and nested functions."
    )
    assert span_text(sample, module.docstring_span).startswith('"""A sample module.')
    assert module.imports == (
        "import os",
        "from typing import Any",
        "import ntpath as pathmod",
        "import posixpath as pathmod",
    )
    assert module.fields == ("LIMIT = 10",)
    assert module.body == sample.source.decode("utf-8")
    assert module.span.end_line == 67
    assert sample.errors == ()


def test_signatures(sample):
    assert sample.find("helper").signature == "def helper(x: int, y: int = 2) -> int:"
    assert sample.find("Point").signature == "class Point(Base, metaclass=Meta):"
    assert sample.find("fetch").signature == "async def fetch(url, *, timeout=5):"
    assert sample.find("multi_line").signature == "def multi_line(\n    a,\n    b,\n):"


def test_docstrings(sample):
    assert sample.find("helper").docstring == "Add two numbers."
    assert sample.find("Point").docstring == "A point in the plane."
    assert sample.find("norm").docstring == "The Euclidean\nnorm."
    assert sample.find("fetch").docstring == "Fetch a URL."
    assert sample.find("inner").docstring is None
    assert sample.find("__init__").docstring_span is None
    norm = sample.find("norm")
    assert span_text(sample, norm.docstring_span) == 'r"""The Euclidean\n            norm."""'


def test_decorators_are_in_the_span(sample):
    point = sample.find("Point")
    assert point.decorators == ("@dataclass_like", '@register("point", kind=1)')
    assert span_text(sample, point.span).startswith("@dataclass_like\n@register")
    norm = sample.find("Point.norm")
    assert norm.decorators == ("@property",)
    assert span_text(sample, norm.span).startswith("@property\n    def norm")


def test_fields_include_init_self_assignments(sample):
    assert sample.find("Point").fields == (
        "dims: int = 2",
        "origin = None",
        "self.x = x",
        "self.y: float = y",
        "self.flag = True",
    )
    assert sample.find("Point.Meta").fields == ('ordering = ["x"]',)
    assert sample.find("helper").fields == ()


def test_imports_belong_to_their_scope(sample):
    assert sample.find("norm").imports == ("import math",)
    assert sample.find("Point").imports == ()


def test_body_is_the_block(sample):
    inner = sample.find("inner")
    assert inner.body == "return z * 2"
    assert inner.body_span.start_line == inner.body_span.end_line == 21
    assert sample.find("multi_line").body == "return a, b"


def test_positions_are_exact(sample):
    check_python_file(sample)


def test_tabs(fixture_bytes):
    parsed = parse(fixture_bytes("tabs.py"))
    assert [s.qualified_name for s in parsed.scopes()] == [
        "Tabbed",
        "Tabbed.method",
        "Tabbed.method.nested",
    ]
    assert parsed.find("nested").kind is F
    assert parsed.find("nested").body == "return 1"
    check_python_file(parsed)


def test_crlf(fixture_bytes):
    source = fixture_bytes("crlf.py")
    assert b"\r\n" in source  # the fixture must keep its CRLF line endings
    parsed = parse(source)
    crlf = parsed.find("Crlf")
    assert crlf.docstring == "Line one.\n\nLine three."
    assert (crlf.span.start_line, crlf.span.end_line) == (4, 11)
    assert parsed.find("after").span.start_line == 14
    assert parsed.module.imports == ("import sys",)
    check_python_file(parsed)


def test_crlf_matches_lf_positions_by_line(fixture_bytes):
    crlf = parse(fixture_bytes("crlf.py"))
    lf = parse(fixture_bytes("crlf.py").replace(b"\r\n", b"\n"))
    lines = [(s.qualified_name, s.span.start_line, s.span.end_line) for s in crlf.scopes()]
    assert lines == [(s.qualified_name, s.span.start_line, s.span.end_line) for s in lf.scopes()]


def test_unicode_identifiers(fixture_bytes):
    parsed = parse(fixture_bytes("unicode_names.py"))
    assert [s.qualified_name for s in parsed.scopes()] == ["Ünïcode", "Ünïcode.grüße", "計算"]
    greet = parsed.find("grüße")
    assert greet.signature == "def grüße(self, 名前: str) -> str:"
    assert greet.docstring == "Grüßt 名前 freundlich 😀."
    text = parsed.source.decode("utf-8")
    assert greet.span.start_byte > text.index("def grüße")  # bytes, not characters
    assert span_text(parsed, greet.span).startswith("def grüße(self, 名前")
    assert parsed.module.fields == ('ÉTAT = "état"',)
    check_python_file(parsed)


def test_splice_replaces_one_function(sample):
    inner = sample.find("helper.inner")
    new = sample.splice(inner.body_span, "return z * 3").decode("utf-8")
    assert "return z * 3" in new
    assert new.replace("return z * 3", "return z * 2") == sample.source.decode("utf-8")
    reparsed = parse(new)
    assert reparsed.find("helper.inner").body == "return z * 3"


def test_broken_file_keeps_recovered_scopes(fixture_bytes):
    parsed = parse(fixture_bytes("broken.py"))
    assert parsed.has_errors
    assert [s.qualified_name for s in parsed.scopes()] == [
        "good",
        "broken",
        "StillHere",
        "StillHere.method",
    ]
    assert all(e.span.start_line == 9 for e in parsed.errors)
    assert parsed.module.imports == ("import os",)


def test_definitions_under_compound_statements_are_children():
    parsed = parse(
        "try:\n    def a():\n        pass\nexcept ImportError:\n    def a():\n        return 1\n"
        "class K:\n    if X:\n        def m(self):\n            pass\n"
    )
    assert [(s.kind, s.qualified_name) for s in parsed.scopes()] == [
        (F, "a"),
        (F, "a"),
        (C, "K"),
        (M, "K.m"),
    ]


def test_lambdas_and_comprehensions_are_not_scopes():
    parsed = parse("f = lambda x: x\nys = [y for y in range(3)]\n")
    assert list(parsed.scopes()) == []
    assert parsed.module.fields == ("f = lambda x: x", "ys = [y for y in range(3)]")


def test_non_string_first_statement_is_not_a_docstring():
    assert parse("def f():\n    x = 'no'\n").find("f").docstring is None
    assert parse("def f():\n    f'{x}'\n").find("f").docstring is None
    assert parse("def f():\n    b'bytes'\n").find("f").docstring is None


def test_concatenated_docstring():
    parsed = parse("def f():\n    'one' \\\n    'two'\n")
    assert parsed.find("f").docstring == "onetwo"


def test_scope_at_line(sample):
    assert sample.scope_at_line(21).qualified_name == "helper.inner"
    assert sample.scope_at_line(36).qualified_name == "Point.__init__"
    assert sample.scope_at_line(1).kind is ScopeKind.MODULE


def test_one_line_definitions():
    parsed = parse("def f(): return 1\nclass A: pass\n")
    assert parsed.find("f").body == "return 1"
    assert parsed.find("f").signature == "def f():"
    assert parsed.find("A").body == "pass"
