import random
from pathlib import Path

import pytest

from codeintel.errors import ConfigError
from codeintel.models import data
from codeintel.models.data import (
    Denoiser,
    Example,
    Limits,
    Mixture,
    Noise,
    StreamPosition,
    load_examples,
    load_functions,
)
from codeintel.models.tokenizer import CodeTokenizer
from codeintel.models.training import train

from .conftest import tiny_train_config


def _restore(example: Example, denoiser: Denoiser) -> list[int]:
    """Put the target's spans back in place of the input's sentinels."""
    spans: dict[int, list[int]] = {}
    current = None
    for token in example.target[:-1]:
        if token in denoiser.sentinels:
            current = token
            spans[current] = []
        else:
            spans[current].append(token)
    out: list[int] = []
    for token in example.source[len(denoiser.prefix) : -1]:
        out.extend(spans.get(token, [token]))
    return out


def test_span_corruption_hides_about_15_percent_and_reconstructs(tokenizer_dir: Path) -> None:
    tok = CodeTokenizer(tokenizer_dir)
    denoiser = Denoiser(tok, Limits(512, 256), Noise(0.15, 3.0))
    code = tuple(tok.encode("def f(x):\n    return [y * 2 for y in range(x) if y % 3]\n" * 6))
    rng = random.Random(1)
    for _ in range(20):
        example = denoiser(code, rng)
        assert example.source[-1] == example.target[-1] == tok.eos_id
        assert list(example.source[: len(denoiser.prefix)]) == list(denoiser.prefix)
        restored = _restore(example, denoiser)
        assert _is_window(restored, code)
        hidden = sum(t not in denoiser.sentinels for t in example.target[:-1])
        assert 0.1 <= hidden / len(restored) <= 0.2


def _is_window(part: list[int], code: tuple[int, ...]) -> bool:
    n = len(part)
    return any(list(code[i : i + n]) == part for i in range(len(code) - n + 1))


def test_buckets_respect_the_token_budget() -> None:
    rng = random.Random(0)
    examples = [
        Example(tuple(range(rng.randint(2, 60))), tuple(range(rng.randint(2, 20))))
        for _ in range(300)
    ]
    batches = data.bucket(examples, 256)
    assert sum(len(b) for b in batches) == 300
    for batch in batches:
        width = max(len(e.source) for e in batch) + max(len(e.target) for e in batch)
        assert len(batch) == 1 or len(batch) * width <= 256


def test_stream_resumes_at_a_position(tokenizer_dir: Path) -> None:
    tok = CodeTokenizer(tokenizer_dir)
    denoiser = Denoiser(tok, Limits(64, 32), Noise())
    functions = [tuple(tok.encode(f"def f{i}(a):\n    return a + {i}\n" * 3)) for i in range(50)]
    mixture = Mixture({}, functions, {"denoise": 1.0})
    first = data.stream(mixture, denoiser, 512, "s", StreamPosition())
    items = [next(first) for _ in range(40)]
    position = items[24][0]
    again = data.stream(mixture, denoiser, 512, "s", position)
    assert [b for _, b in (next(again) for _ in range(15))] == [b for _, b in items[25:40]]


def test_no_data_for_weighted_tasks_is_a_config_error(tokenizer_dir: Path) -> None:
    tok = CodeTokenizer(tokenizer_dir)
    denoiser = Denoiser(tok, Limits(64, 32), Noise())
    with pytest.raises(ConfigError, match="no training data"):
        data.pool_batches(Mixture({}, [], {"fix": 1.0}), denoiser, 512, "s")


def test_train_without_functions_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="functions"):
        train(tiny_train_config(tmp_path / "empty", tmp_path / "out"))


def test_loading_in_worker_processes_gives_the_same_examples(
    tiny_data: Path, tokenizer_dir: Path
) -> None:
    shard = tiny_data / "functions" / "train-00000.jsonl"
    lines = shard.read_text().splitlines(keepends=True)
    shard.write_text("".join(lines[: len(lines) // 2]))  # two shards: the workers share them
    (tiny_data / "functions" / "train-00001.jsonl").write_text("".join(lines[len(lines) // 2 :]))
    tokenizer = CodeTokenizer(tokenizer_dir)
    limits = Limits(64, 32)
    serial = load_examples(tiny_data, "train", tokenizer, limits)
    parallel = load_examples(tiny_data, "train", tokenizer, limits, workers=2)
    assert serial and parallel == serial
    functions = load_functions(tiny_data, "train", tokenizer, 100)
    assert load_functions(tiny_data, "train", tokenizer, 100, workers=2) == functions
    assert load_functions(tiny_data, "train", tokenizer, 100, limit=3) == functions[:3]
