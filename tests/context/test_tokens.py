from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from codeintel.context import approx_tokens

code_text = st.text(alphabet=st.sampled_from(list("ab_Z9 \t\n():=.\"'é")), max_size=60)


def test_empty_text_costs_nothing():
    assert approx_tokens("") == 0


def test_documented_examples():
    assert approx_tokens("self") == 1
    assert approx_tokens("isinstance") == 2
    assert approx_tokens("get_paths") == 2  # get + paths; the underscore is free
    assert approx_tokens("getPaths") == 2  # camelCase splits too
    assert approx_tokens("):") == 1
    assert approx_tokens('"""') == 2
    assert approx_tokens("        x") == 3  # 8 columns of indentation + x
    assert approx_tokens("\tx") == 2
    assert approx_tokens("a\nb") == 3
    assert approx_tokens("é") == 1


def test_a_line_of_code():
    # `def f ( x , y ):` is 7, the newline 1, the indentation 1, `return x + y` 4
    text = "def f(x, y):\n    return x + y"
    assert approx_tokens(text) == 7 + 1 + 1 + 4


@given(code_text, code_text)
@settings(max_examples=200, deadline=None)
def test_texts_joined_by_a_newline_add_up(a, b):
    assert approx_tokens(a + "\n" + b) == approx_tokens(a) + 1 + approx_tokens(b)


@given(code_text, st.integers(min_value=0, max_value=60))
@settings(max_examples=200, deadline=None)
def test_cutting_the_end_never_adds_tokens(text, cut):
    assert approx_tokens(text[:cut]) <= approx_tokens(text)
