from __future__ import annotations

import pytest

from parsers import ScopeKind, parse
from tests.parsers.helpers import check_scope_positions, span_text

C, M, K = ScopeKind.CLASS, ScopeKind.METHOD, ScopeKind.CONSTRUCTOR


@pytest.fixture
def sample(fixture_bytes):
    return parse(fixture_bytes("Sample.java"), "java")


def test_scope_tree(sample):
    got = [(s.kind, s.qualified_name, s.span.start_line, s.span.end_line) for s in sample.scopes()]
    assert got == [
        (C, "Registry", 16, 75),
        (K, "Registry.Registry", 23, 25),
        (M, "Registry.add", 29, 33),
        (M, "Registry.area", 35, 38),
        (C, "Registry.Drawable", 41, 45),
        (M, "Registry.Drawable.draw", 44, 44),
        (C, "Registry.Color", 47, 60),
        (K, "Registry.Color.Color", 53, 55),
        (M, "Registry.Color.code", 57, 59),
        (C, "Registry.Entry", 62, 68),
        (C, "Registry.Entry.Inner", 65, 67),
        (M, "Registry.Entry.Inner.touch", 66, 66),
        (C, "Registry.Pair", 70, 74),
        (K, "Registry.Pair.Pair", 71, 73),
        (C, "Shape", 77, 79),
        (M, "Shape.area", 78, 78),
    ]


def test_module(sample):
    module = sample.module
    assert module.kind is ScopeKind.MODULE
    assert module.name == ""
    assert module.imports == (
        "import java.util.List;",
        "import java.util.ArrayList;",
        "import static java.lang.Math.PI;",
    )
    assert [c.name for c in module.children] == ["Registry", "Shape"]
    assert sample.errors == ()


def test_signatures(sample):
    assert sample.find("Registry").signature == (
        "public class Registry<T extends Shape> extends Base implements Iterable<T>"
    )
    assert sample.find("add").signature == (
        "public Registry<T> add(T shape) throws IllegalStateException"
    )
    assert sample.find("Registry.area").signature == "public double area(\n            int scale)"
    assert sample.find("draw").signature == "void draw(Canvas canvas)"
    assert sample.find("Registry.Pair").signature == "record Pair(int left, int right)"
    assert sample.find("Registry.Registry").signature == "public Registry()"


def test_annotations_are_decorators_inside_the_span(sample):
    registry = sample.find("Registry")
    assert registry.decorators == ("@Deprecated", '@SuppressWarnings("unchecked")')
    assert span_text(sample, registry.span).startswith("@Deprecated\n@SuppressWarnings")
    add = sample.find("add")
    assert add.decorators == ("@Override",)
    assert span_text(sample, add.span).startswith("@Override\n    public")


def test_javadoc(sample):
    registry = sample.find("Registry")
    assert registry.docstring == "A shape registry.\n\n<p>Keeps shapes in insertion order."
    assert span_text(sample, registry.docstring_span).startswith("/**\n * A shape registry.")
    assert (registry.docstring_span.start_line, registry.docstring_span.end_line) == (11, 15)
    assert sample.find("Registry.Registry").docstring == "Creates an empty registry."
    assert sample.find("Drawable").docstring == "Something that can be drawn."


def test_line_comment_block_docstring(sample):
    add = sample.find("add")
    assert add.docstring == "Adds a shape.\nReturns this registry."
    assert (add.docstring_span.start_line, add.docstring_span.end_line) == (27, 28)


def test_no_docstring_after_trailing_comment_or_blank_line(sample):
    assert sample.find("Registry.area").docstring is None
    assert sample.find("Registry.Color").docstring is None
    assert sample.find("Shape").docstring is None


def test_plain_block_comment_is_not_a_docstring():
    parsed = parse("/* license */\nclass A {}\n", "java")
    assert parsed.find("A").docstring is None


def test_fields(sample):
    assert sample.find("Registry").fields == (
        "private final List<T> shapes = new ArrayList<>();",
        "protected static int count;",
    )
    assert sample.find("Drawable").fields == ("int LAYERS = 3;",)
    assert sample.find("Registry.Color").fields == (
        'RED("r")',
        'GREEN("g")',
        "private final String code;",
    )
    assert sample.find("Entry").fields == ("int id;",)


def test_bodies(sample):
    assert sample.find("touch").body == "{}"
    assert sample.find("draw").body == ""
    draw = sample.find("draw")
    assert draw.body_span.start_byte == draw.body_span.end_byte == draw.span.end_byte
    assert sample.find("Registry.Color.code").body == "{\n            return code;\n        }"


def test_positions_are_exact(sample):
    for scope in sample.scopes():
        header = scope.decorators[0] if scope.decorators else scope.signature
        check_scope_positions(sample, scope, header)
        assert sample.splice(scope.span, span_text(sample, scope.span)) == sample.source


def test_crlf_and_unicode():
    source = "// Grüße\r\nclass Ä {\r\n  /** Dokü */\r\n  int 数(int ß) { return ß; }\r\n}\r\n"
    parsed = parse(source, "java")
    method = parsed.find("数")
    assert method.qualified_name == "Ä.数"
    assert method.docstring == "Dokü"
    assert method.signature == "int 数(int ß)"
    assert span_text(parsed, method.span) == "int 数(int ß) { return ß; }"
    assert method.span.start_line == 4
    assert parsed.find("Ä").docstring == "Grüße"


def test_broken_java_keeps_recovered_scopes():
    parsed = parse("class A {\n  void f( {\n  }\n  void g() {}\n}\n", "java")
    assert parsed.has_errors
    assert "A.g" in [s.qualified_name for s in parsed.scopes()]
