import pytest

from codeintel.models import formats
from codeintel.models.formats import Edit, Prefix

BUGGY = "    def mean(self, xs):\n        total = 0\n        for x in xs:\n            total += x\n        return total / (len(xs) - 1)"  # noqa: E501
FIXED = BUGGY.replace("(len(xs) - 1)", "len(xs)")


def test_edit_round_trips_through_text_with_its_whitespace():
    edit = Edit(old="\n        total += x", new="")
    assert formats.decode_edit(formats.encode_edit(edit)) == edit


def test_diff_to_edit_is_the_shortest_unique_span():
    edit = formats.diff_to_edit(BUGGY, FIXED)
    assert edit == Edit(old="(len(xs) - 1", new="len(xs")  # the common ")" is left out
    assert formats.apply_edit(BUGGY, edit) == FIXED
    # operators are whole lexemes; "<" alone is unique, so no neighbour is needed
    assert formats.diff_to_edit("if a <= b:", "if a < b:") == Edit(old="<=", new="<")


def test_diff_to_edit_widens_until_the_old_text_is_unique():
    before = "x = a + 1\ny = a + 2"
    edit = formats.diff_to_edit(before, "x = a + 1\ny = a - 2")
    assert edit is not None and formats.occurrences(before, edit.old) == 1
    assert formats.apply_edit(before, edit) == "x = a + 1\ny = a - 2"
    assert "+" in edit.old and "-" in edit.new


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s.replace("            total += x\n", ""),  # deleted line
        lambda s: s.replace("total = 0", "total = 1").replace("total += x", "total -= x"),  # two
        lambda s: s.replace("        return", "        xs = list(xs)\n        return"),  # inserted
        lambda s: s.replace("total", "acc"),  # everywhere
    ],
)
def test_diff_then_apply_reproduces_any_change(change):
    after = change(BUGGY)
    edit = formats.diff_to_edit(BUGGY, after)
    assert edit is not None and formats.apply_edit(BUGGY, edit) == after
    assert formats.diff_to_edit(after, BUGGY) is not None


def test_no_edit_between_equal_texts():
    assert formats.diff_to_edit(BUGGY, BUGGY) is None


def test_apply_edit_needs_exactly_one_occurrence():
    assert formats.apply_edit(BUGGY, Edit(old="nothing here", new="x")) is None
    assert formats.apply_edit(BUGGY, Edit(old="total", new="acc")) is None  # three times
    assert formats.apply_edit(BUGGY, Edit(old="  ", new="x")) is None  # blank anchor


@pytest.mark.parametrize("text", ["", "def f(): pass", "<edit>  <to> x", "<edit> a b"])
def test_decode_edit_rejects_non_edits(text):
    assert formats.decode_edit(text) is None


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


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("", formats.EditPrefix.OLD),
        ("<ed", formats.EditPrefix.OLD),
        ("<edx", formats.EditPrefix.INVALID),
        ("x", formats.EditPrefix.INVALID),
        ("<edit>", formats.EditPrefix.OLD),
        ("<edit>(len(xs", formats.EditPrefix.OLD),  # occurs, may grow
        ("<edit>len(ys", formats.EditPrefix.INVALID),  # occurs nowhere
        ("<edit>(len(xs) - 1)<t", formats.EditPrefix.OLD),  # a partly written <to>
        ("<edit>(len(xs) - 1)<to>", formats.EditPrefix.NEW),
        ("<edit>(len(xs) - 1)<to>len(xs)", formats.EditPrefix.NEW),
        ("<edit>total<to>x", formats.EditPrefix.INVALID),  # occurs three times
        ("<edit> <to>x", formats.EditPrefix.INVALID),  # blank old text
    ],
)
def test_edit_prefix_tracks_whether_an_edit_can_still_apply(text, state):
    assert formats.edit_prefix(BUGGY, text) is state


def test_every_prefix_of_an_applicable_edit_is_valid():
    target = formats.encode_edit(formats.diff_to_edit(BUGGY, FIXED))
    states = [formats.edit_prefix(BUGGY, target[:i]) for i in range(len(target) + 1)]
    assert formats.EditPrefix.INVALID not in states
    assert states[-1] is formats.EditPrefix.NEW
