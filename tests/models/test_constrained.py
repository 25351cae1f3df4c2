"""Constrained edit decoding: the processor on a toy vocabulary, then a real (random) model."""

import math

import pytest

from codeintel.models import DecodeMode, GenerationConfig, ModelConfig, formats, load_model

torch = pytest.importorskip("torch")

PIECES = ["", "", "<edit>", "<to>", "a", "b", " = ", "x", "<t", "o>", "q", "\n", None]
PAD, EOS, EDIT, TO, A, B, EQ, X, T_OPEN, O_CLOSE, Q, NL, BYTE = range(len(PIECES))
SOURCE = "x = a\nb = a\n"  # "a" occurs twice, "x" once


def allowed_after(tokens: list[int]) -> set[int]:
    from codeintel.models.constrained import EditConstraint

    constraint = EditConstraint([SOURCE], 1, PIECES, EOS)
    scores = torch.zeros(1, len(PIECES))
    out = constraint(torch.tensor([[PAD, *tokens]]), scores)
    return {i for i in range(len(PIECES)) if math.isfinite(float(out[0, i]))}


def test_must_start_with_the_edit_marker():
    assert allowed_after([]) == {EDIT}


def test_old_text_stays_inside_the_source_and_closes_only_when_unique():
    assert allowed_after([EDIT]) == {A, B, EQ, X, NL}
    assert allowed_after([EDIT, X]) == {EQ, TO, T_OPEN}  # "x" is unique: may close
    assert allowed_after([EDIT, X, T_OPEN]) == {O_CLOSE}  # "<t" "o>" spells the marker
    assert allowed_after([EDIT, A]) == {NL}  # "a" occurs twice: it must grow
    assert allowed_after([EDIT, A, NL]) == {B}  # so does "a\n"; "a\nb" is unique


def test_new_text_is_free_but_cannot_end_as_a_no_op():
    new_part = allowed_after([EDIT, X, TO])
    assert {A, B, Q, BYTE} <= new_part and EOS in new_part
    assert EOS not in allowed_after([EDIT, X, TO, X])


def test_a_dead_end_may_only_end():
    assert allowed_after([EDIT, Q]) == {EOS}


@pytest.fixture(scope="module")
def model(tiny_model_dir):
    return load_model(str(tiny_model_dir), ModelConfig(max_input_tokens=64, threads=1))


@pytest.mark.parametrize("mode", list(DecodeMode))
def test_every_constrained_candidate_applies_to_its_source(model, mode):
    sources = ["def f(x):\n    return x + 1\n", "def g(a, b):\n    return a * b\n"]
    inputs = [formats.fix_input(s, None, "") for s in sources]
    config = GenerationConfig(n=4, mode=mode, max_new_tokens=24, temperature=1.0)
    results = model.generate(inputs, config, edit_sources=sources)
    for source, candidates in zip(sources, results, strict=True):
        assert candidates
        for candidate in candidates:
            edit = formats.decode_edit(candidate.text)
            if edit is None:  # cut off at max_new_tokens while writing the old text
                continue
            fixed = formats.apply_edit(source, edit)
            assert fixed is not None and fixed != source
    assert any(formats.decode_edit(c.text) for row in results for c in row)


def test_edit_sources_must_match_inputs(model):
    from codeintel.errors import ModelError

    with pytest.raises(ModelError):
        model.generate(["fix: x"], GenerationConfig(n=1), edit_sources=[])


def test_a_wider_beam_returns_the_n_best_edits_that_apply(model):
    sources = ["def f(x):\n    return x + 1\n", "def g(a, b):\n    return a * b\n"]
    inputs = [formats.fix_input(s, None, "") for s in sources]
    asked = []
    hf_generate = model.model.generate
    model.model.generate = lambda **kw: asked.append(kw["num_beams"]) or hf_generate(**kw)
    try:
        config = GenerationConfig(n=3, beam_width=8, max_new_tokens=24)
        results = model.generate(inputs, config, edit_sources=sources)
    finally:
        model.model.generate = hf_generate
    assert asked == [8]
    for source, candidates in zip(sources, results, strict=True):
        assert 1 <= len(candidates) <= 3
        for candidate in candidates:
            edit = formats.decode_edit(candidate.text)
            assert edit is None or formats.apply_edit(source, edit) not in (None, source)
