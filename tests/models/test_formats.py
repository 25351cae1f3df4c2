import pytest

from codeintel.models import formats
from codeintel.models.formats import LineEdit, Prefix

BUGGY = "    def mean(self, xs):\n        total = 0\n        for x in xs:\n            total += x\n        return total / (len(xs) - 1)"  # noqa: E501
FIXED = BUGGY.replace("(len(xs) - 1)", "len(xs)")


def test_edit_round_trips_through_text():
    edit = LineEdit(old="return total / (len(xs) - 1)", new="return total / len(xs)")
    assert formats.decode_edit(formats.encode_edit(edit)) == edit


def test_diff_to_edit_then_apply_reproduces_the_fix():
    edit = formats.diff_to_edit(BUGGY, FIXED)
    assert edit == LineEdit(old="return total / (len(xs) - 1)", new="return total / len(xs)")
    assert formats.apply_edit(BUGGY, edit) == FIXED


def test_deletion_and_insertion_edits():
    dropped = BUGGY.replace("            total += x\n", "")
    delete = formats.diff_to_edit(BUGGY, dropped)
    assert delete is not None and delete.new == ""
    assert formats.apply_edit(BUGGY, delete) == dropped
    insert = formats.diff_to_edit(dropped, BUGGY)
    # the dropped line was the loop body: re-inserting it needs a deeper indent, which a
    # line edit cannot express, so it is not a single-line edit
    assert insert is None


def test_multi_line_change_is_not_a_line_edit():
    two = BUGGY.replace("total = 0", "total = 1").replace("total += x", "total -= x")
    assert formats.diff_to_edit(BUGGY, two) is None


def test_apply_edit_missing_line_is_none():
    assert formats.apply_edit(BUGGY, LineEdit(old="nothing here", new="x")) is None


@pytest.mark.parametrize("text", ["", "<function>\ndef f(): pass", "<edit>  <to> x", "<edit> a b"])
def test_decode_edit_rejects_non_edits(text):
    assert formats.decode_edit(text) is None


def test_function_target_round_trips():
    assert formats.decode_function(formats.function_target(FIXED)) == FIXED
    assert formats.decode_function("return 1") is None


def test_fix_input_puts_function_first_and_names_parts():
    text = formats.fix_input(BUGGY, "ZeroDivisionError", "class Stats:")
    assert text.startswith("fix: " + BUGGY)
    assert text.index(formats.TRACE) < text.index("ZeroDivisionError") < text.index(formats.CONTEXT)


def test_pymt5_input_hides_the_target_part():
    text = formats.pymt5_input(Prefix.DOC, "def f(x):", "Return x.", "return x")
    assert text.startswith("doc: ") and "Return x." not in text and "return x" in text
    with pytest.raises(ValueError):
        formats.pymt5_input(Prefix.FIX, "def f(x):", None, "return x")


def test_special_tokens_are_unique_and_include_prefixes():
    assert len(set(formats.SPECIAL_TOKENS)) == len(formats.SPECIAL_TOKENS)
    assert "fix:" in formats.SPECIAL_TOKENS and "<extra_id_99>" in formats.SPECIAL_TOKENS
