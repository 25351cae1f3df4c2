"""A function's text (`parsers.text`): the rules training data and repair share."""

from __future__ import annotations

from parsers.text import code_shape, dedent, indent_at, parses, reindent, splice, whole_lines

METHOD = '''class A:
    @staticmethod
    def f(x):
        doc = """
at column 0
"""
        return x
'''


def test_whole_lines_reach_from_the_first_line_start_to_the_last_line_end():
    data = METHOD.encode()
    start = data.index(b"@staticmethod")
    end = data.index(b"return x") + 3  # mid-line
    text = whole_lines(data, start, end)
    assert text.startswith("    @staticmethod") and text.endswith("        return x")


def test_dedent_and_reindent_keep_a_string_literal_at_column_0():
    block = whole_lines(METHOD.encode(), METHOD.index("    @"), len(METHOD) - 1)
    flat = dedent(block)
    assert flat.startswith("@staticmethod\ndef f(x):\n")
    assert "\nat column 0\n" in flat  # not moved: it is less indented than the block
    assert reindent(dedent("    a\n\n    b"), "  ") == "  a\n\n  b"


def test_indent_at_and_splice_work_on_bytes():
    data = METHOD.encode()
    at = data.index(b"return")
    assert indent_at(data, at) == "        "
    patched = splice(data, at, at + len(b"return x"), "return -x")
    assert patched == METHOD.replace("return x", "return -x").encode()


def test_parses_takes_indented_blocks_and_rejects_errors():
    assert parses("    def f(self):\n        return 1\n")
    assert parses("# comment\ndef f():\n    pass\n")
    assert not parses("def f(:\n    pass\n")
    assert not parses("def f():\nreturn 1\n")


def test_near_clones_are_the_same_body_up_to_renamed_local_names():
    base = code_shape('def f(values, k=3):\n    """Doc."""\n    return [v * k for v in values]\n')
    same = "def g(xs, factor=3):\n    return [x * factor for x in xs]  # c\n"
    assert base == code_shape(same)
    typed = (
        "    def g(xs: list, factor: int = 3) -> list:\n        return [x * factor for x in xs]\n"
    )
    assert base == code_shape(typed)
    assert base != code_shape(same.replace("=3", "=4"))
    assert base != code_shape(same.replace("x * factor", "x + factor"))
    assert base != code_shape(same.replace("in xs", "in other"))
    assert code_shape("class A:\n    pass\n") is None
    assert code_shape("def cut(a):\n    return (") is None
