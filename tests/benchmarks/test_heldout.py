from dataclasses import replace

from benchmarks.heldout import (
    FixScore,
    apply_target,
    buggy_function,
    by_family,
    fix_hits,
    repair_fixes,
    repair_list,
    tally,
    template_docstring,
)
from codeintel.models import formats
from codeintel.tasks.repair import CandidateMode, RepairConfig
from codeintel.tasks.repair.candidates import family_of

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


def test_fix_hits_marks_exact_fixes_only():
    wrong = "def inc(x):\n    return x * 1"
    spaced = "def inc(x):\n\n    return x + 1  \n"  # blank lines, trailing spaces ignored
    assert fix_hits(record(), [wrong, None, FIXED, spaced]) == [False, False, True, True]


def test_tally_counts_top1_topk_and_found():
    insert = formats.Edit("    return x - 1", "    x += 2\n    return x - 1")
    multi = {"input": formats.fix_input(BUGGY, None, ""), "target": formats.encode_edit(insert)}
    far = ["def inc(x):\n    return x"] * 3 + [FIXED]
    score = tally([record(), record(), multi], [[FIXED], far, []], k=3)
    assert score == FixScore(
        count=3, one_line=2, top1=1, topk=1, top1_one_line=1, topk_one_line=1, found=2
    )


def test_rules_only_repair_list_holds_the_inverse_mutation():
    rules = replace(RepairConfig(), candidates=CandidateMode.EDITS)
    fixes = repair_fixes(None, record(), rules)
    assert FIXED in fixes and BUGGY not in fixes
    assert fixes == repair_fixes(None, record(), rules)  # a fixed order, no model


def test_repair_list_ranks_rules_and_model_candidates_by_the_model():
    from codeintel.models import load_model

    model = load_model(None)
    config = RepairConfig(beam=2, beam_width=2, samples=0)
    rules = repair_fixes(None, record(), replace(config, candidates=CandidateMode.EDITS))
    fixes = repair_fixes(model, record(), config)
    assert set(rules) <= set(fixes) and FIXED in fixes
    assert fixes != rules  # reordered by log-likelihood


def test_by_family_counts_made_and_the_family_of_the_first_exact_fix():
    rules = replace(RepairConfig(), candidates=CandidateMode.EDITS)
    candidates = repair_list(None, record(), rules)
    table = by_family([record()], [candidates])
    assert sum(row["made"] for row in table.values()) == len(candidates)
    first = next(c for c in candidates if c.text == FIXED)
    assert table[family_of(first)]["won"] == 1
    assert sum(row["won"] for row in table.values()) == 1


def test_template_docstring_from_name():
    assert (
        template_docstring("doc: <sig> def get_user_name(self):\n<body> pass") == "Get user name."
    )
    assert template_docstring("doc: <sig> class HTTPServer:") == "Httpserver."


def test_fewer_beams_than_n_is_a_usage_error(tmp_path, capsys):
    from benchmarks.heldout import main

    assert main(["--data", str(tmp_path), "--n", "10", "--beam", "5", "--model", "x"]) == 2
    assert "--beam 5 is smaller than --n 10" in capsys.readouterr().err


def test_unconstrained_repair_list_is_a_usage_error(tmp_path, capsys):
    from benchmarks.heldout import main

    assert main(["--data", str(tmp_path), "--candidates", "repair", "--unconstrained"]) == 2
    assert "--unconstrained applies to --candidates model only" in capsys.readouterr().err
