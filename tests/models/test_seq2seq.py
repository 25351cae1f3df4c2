import math
from pathlib import Path

import pytest

from codeintel.errors import ModelError, ModelNotFoundError
from codeintel.models import (
    DEFAULT_MODEL,
    DecodeMode,
    GenerationConfig,
    ModelConfig,
    load_model,
    resolve_model_path,
)

INPUTS = ["fix: def f(x):\n    retrun x + 1\n", "doc: def g(a, b):\n    return a * b\n"]


def test_resolve_missing_path_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(ModelNotFoundError, match="nope"):
        resolve_model_path(str(missing), env={})


def test_resolve_uses_env_then_default(tmp_path: Path) -> None:
    assert resolve_model_path(None, env={"CODEINTEL_MODEL": str(tmp_path)}) == tmp_path
    assert resolve_model_path(str(tmp_path), env={"CODEINTEL_MODEL": "/elsewhere"}) == tmp_path
    try:
        path = resolve_model_path(None, env={})
    except ModelNotFoundError as exc:
        assert DEFAULT_MODEL in str(exc)
    else:
        assert path.name == DEFAULT_MODEL


def test_load_missing_model_raises_not_found(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match=str(tmp_path / "absent")):
        load_model(str(tmp_path / "absent"))


def test_load_garbage_dir_raises_model_error(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{not json")
    (tmp_path / "codeintel_tokenizer.model").write_bytes(b"garbage")
    with pytest.raises(ModelError, match=str(tmp_path)):
        load_model(str(tmp_path))


def test_load_dir_without_model_raises_model_error(tmp_path: Path, tokenizer_dir: Path) -> None:
    import shutil

    shutil.copytree(tokenizer_dir, tmp_path / "ckpt")
    with pytest.raises(ModelError, match="ckpt"):
        load_model(str(tmp_path / "ckpt"))


@pytest.fixture(scope="module")
def model(tiny_model_dir: Path):
    return load_model(str(tiny_model_dir), ModelConfig(max_input_tokens=64, threads=1))


def test_beam_returns_n_sorted_unique_candidates(model) -> None:
    config = GenerationConfig(n=4, mode=DecodeMode.BEAM, max_new_tokens=8, batch_size=2)
    results = model.generate(INPUTS, config)
    assert len(results) == len(INPUTS)
    for candidates in results:
        assert 1 <= len(candidates) <= 4
        scores = [c.logprob for c in candidates]
        assert scores == sorted(scores, reverse=True)
        assert len({c.text for c in candidates}) == len(candidates)
        assert all(math.isfinite(s) and s < 0 for s in scores)


def test_sampling_is_deterministic_with_a_seed(model) -> None:
    config = GenerationConfig(
        n=5, mode=DecodeMode.SAMPLE, temperature=1.0, max_new_tokens=8, seed=3
    )
    first = model.generate(INPUTS, config)
    assert model.generate(INPUTS, config) == first
    assert all(1 <= len(c) <= 5 for c in first)


def test_score_matches_generated_logprob(model) -> None:
    for mode in DecodeMode:
        config = GenerationConfig(n=3, mode=mode, max_new_tokens=6)
        candidates = model.generate(INPUTS[:1], config)[0]
        scores = model.score(INPUTS[0], [c.text for c in candidates])
        for candidate, score in zip(candidates, scores, strict=True):
            assert score == pytest.approx(candidate.logprob, abs=1e-3)


def test_batched_generation_matches_single(model) -> None:
    config = GenerationConfig(n=3, max_new_tokens=6, batch_size=2)
    batched = model.generate(INPUTS, config)
    single = [model.generate([text], config)[0] for text in INPUTS]
    for a, b in zip(batched, single, strict=True):
        assert [c.text for c in a] == [c.text for c in b]
        assert [c.logprob for c in a] == pytest.approx([c.logprob for c in b], abs=1e-3)


def test_truncation_is_reported(model) -> None:
    long_input = "fix: " + "x = 1\n" * 200
    encoded = model.encode(long_input)
    assert encoded.truncated and len(encoded.ids) == model.max_input_tokens
    assert not model.encode("fix: x").truncated
    model.score(long_input, ["x"])
    assert model.last_truncated == 1
    model.generate(["fix: x", long_input], GenerationConfig(n=1, max_new_tokens=2))
    assert model.last_truncated == 1


def test_count_tokens_and_candidate_json(model) -> None:
    assert model.count_tokens("def f(): pass") > 0
    candidate = model.generate(["fix: x"], GenerationConfig(n=1, max_new_tokens=3))[0][0]
    assert set(candidate.to_json()) == {"text", "logprob"}


def test_invalid_generation_config(model) -> None:
    with pytest.raises(ModelError):
        model.generate(["x"], GenerationConfig(n=0))
    with pytest.raises(ModelError):  # fewer beams than candidates asked for
        model.generate(["x"], GenerationConfig(n=4, beam_width=2))


def test_a_decoder_prefix_starts_every_candidate(model) -> None:
    config = GenerationConfig(n=3, max_new_tokens=6)
    (found,) = model.generate(INPUTS[:1], config, prefixes=["def f("])
    assert found and all(c.text.startswith("def f(") for c in found)
    with pytest.raises(ModelError):
        model.generate(INPUTS[:2], config, prefixes=["x"])


def test_beam_scores_without_rescoring_rank_the_same_texts(model) -> None:
    rescored = model.generate(INPUTS[:1], GenerationConfig(n=3, max_new_tokens=6))[0]
    fast = model.generate(INPUTS[:1], GenerationConfig(n=3, max_new_tokens=6, rescore=False))[0]
    assert {c.text for c in fast} == {c.text for c in rescored}
    assert [c.logprob for c in fast] == sorted((c.logprob for c in fast), reverse=True)
    greedy = GenerationConfig(n=1, max_new_tokens=6, rescore=False)  # no beam scores: rescored
    assert model.generate(INPUTS[:1], greedy)[0][0].text == rescored[0].text


def test_the_newline_stop_looks_past_the_forced_start(model) -> None:
    import torch

    (stop,) = model._newline_stop(start=2)
    pieces = model.tokenizer.piece_texts()
    newline = next(i for i, p in enumerate(pieces) if p and "\n" in p)
    plain = next(i for i, p in enumerate(pieces) if p and p.strip() and "\n" not in p)
    rows = torch.tensor([[0, newline, plain, plain], [0, plain, plain, newline]])
    assert stop(rows, None).tolist() == [False, True]  # row 0's newline is in the start
    config = GenerationConfig(n=2, max_new_tokens=12, stop_at_newline=True)
    assert model.generate(INPUTS[:1], config)[0]  # generation runs with it
