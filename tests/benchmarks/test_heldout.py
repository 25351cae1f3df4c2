from benchmarks.heldout import apply_target, buggy_function, fix_ranks, template_docstring
from codeintel.models import formats

BUGGY = "def inc(x):\n    return x - 1"
FIXED = "def inc(x):\n    return x + 1"


def record() -> dict:
    edit = formats.diff_to_edit(BUGGY, FIXED)
    return {
        "input": formats.fix_input(BUGGY, None, "import os"),
        "target": formats.encode_edit(edit),
    }


def test_buggy_function_is_recovered_from_the_input():
    assert buggy_function(record()["input"]) == BUGGY


def test_apply_target_applies_edits_only():
    assert apply_target(BUGGY, record()["target"]) == FIXED
    assert apply_target(BUGGY, formats.encode_edit(formats.Edit("x", "y"))) is None  # not unique
    assert apply_target(BUGGY, "nonsense") is None


def test_fix_ranks_marks_exact_fixes_only():
    wrong = formats.encode_edit(formats.Edit(old="-", new="*"))
    right = formats.encode_edit(formats.Edit(old="x - 1", new="x + 1"))
    assert list(fix_ranks(record(), [wrong, right, "junk"])) == [False, True, False]


def test_template_docstring_from_name():
    assert (
        template_docstring("doc: <sig> def get_user_name(self):\n<body> pass") == "Get user name."
    )
    assert template_docstring("doc: <sig> class HTTPServer:") == "Httpserver."


def test_fewer_beams_than_n_is_a_usage_error(tmp_path, capsys):
    from benchmarks.heldout import main

    assert main(["--data", str(tmp_path), "--n", "10", "--beam", "5", "--model", "x"]) == 2
    assert "--beam 5 is smaller than --n 10" in capsys.readouterr().err
