"""Training data: tokenised examples, T5 span corruption, length-bucketed batches.

Reads the layout written by the data pipelines:

    DATA/functions/{split}-NNNNN.jsonl          {"code": ..., ...} one function a line
    DATA/examples/{split}/{task}-NNNNN.jsonl    {"task", "input", "target", "origin"}

Batches are a pure function of (seed, stage, pool index): a pool of examples is
drawn by task weight, sorted by length, cut into batches under a token budget
and shuffled. A `StreamPosition` (pool, offset) is all a resume needs.
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codeintel.errors import ConfigError
from codeintel.files import MAX_DATA_BYTES, open_regular
from codeintel.models import formats
from codeintel.models.tokenizer import CodeTokenizer

DENOISE = "denoise"
POOL_BATCHES = 32  # batches per pool: the window within which lengths are bucketed
Ids = tuple[int, ...]


@dataclass(frozen=True)
class Example:
    source: Ids  # model input, eos included
    target: Ids  # labels, eos included

    @property
    def tokens(self) -> int:
        return len(self.source) + len(self.target)


@dataclass(frozen=True)
class Noise:
    density: float = 0.15
    mean_span: float = 3.0


@dataclass(frozen=True)
class Limits:
    max_input_tokens: int
    max_target_tokens: int


@dataclass(frozen=True)
class StreamPosition:
    pool: int = 0
    offset: int = 0


def read_jsonl(paths: Sequence[Path]) -> Iterator[dict]:
    for path in paths:
        with open_regular(path, "training data", MAX_DATA_BYTES) as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    yield json.loads(line.decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                    raise ConfigError(f"{path}:{number}: not a JSON line: {exc}") from exc


def _cut(ids: list[int], limit: int, eos: int) -> Ids:
    return (*ids[: max(1, limit - 1)], eos)


def _encode_examples(
    path: Path, tokenizer: CodeTokenizer, limits: Limits, per_task: int | None = None
) -> dict[str, list[Example]]:
    by_task: dict[str, list[Example]] = {}
    task = path.name.rsplit("-", 1)[0]
    for record in read_jsonl([path]):
        examples = by_task.setdefault(str(record.get("task", task)), [])
        if per_task is not None and len(examples) >= per_task:
            break
        examples.append(encode_record(record, tokenizer, limits))
    return by_task


def encode_record(record: dict, tokenizer: CodeTokenizer, limits: Limits) -> Example:
    """One {"input", "target"} record as token ids, cut to the limits."""
    source = _cut(tokenizer.encode(record["input"]), limits.max_input_tokens, tokenizer.eos_id)
    target = _cut(tokenizer.encode(record["target"]), limits.max_target_tokens, tokenizer.eos_id)
    return Example(source, target)


def encode_records(
    records: Sequence[dict], tokenizer: CodeTokenizer, limits: Limits
) -> list[Example]:
    return [encode_record(r, tokenizer, limits) for r in records]


def _encode_functions(
    path: Path, tokenizer: CodeTokenizer, max_tokens: int, limit: int | None = None
) -> list[Ids]:
    out: list[Ids] = []
    for record in read_jsonl([path]):
        if limit is not None and len(out) >= limit:
            break
        ids = tokenizer.encode(record["code"])
        if len(ids) >= 4:
            out.append(tuple(ids[:max_tokens]))
    return out


def _in_worker(encode: Callable[..., Any], path: Path, tokenizer_dir: Path, arg: Any) -> Any:
    """`encode(path, tokenizer, arg)` in a worker process, which loads its own tokenizer."""
    return encode(path, CodeTokenizer(tokenizer_dir), arg)


def _encode_in_workers(
    encode: Callable[..., Any],
    paths: Sequence[Path],
    tokenizer: CodeTokenizer,
    arg: Any,
    workers: int,
) -> list[Any]:
    """`encode(path, tokenizer, arg)` for every path in `workers` spawned processes, in order."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    tokenizer_dirs = [tokenizer.path.parent] * len(paths)
    with ProcessPoolExecutor(min(workers, len(paths)), mp_context=context) as pool:
        return list(
            pool.map(_in_worker, [encode] * len(paths), paths, tokenizer_dirs, [arg] * len(paths))
        )


def _merge(by_task: dict[str, list[Example]], part: Mapping[str, list[Example]]) -> None:
    for task, examples in part.items():
        by_task.setdefault(task, []).extend(examples)


def load_examples(
    data_dir: Path,
    split: str,
    tokenizer: CodeTokenizer,
    limits: Limits,
    per_task: int | None = None,
    workers: int = 0,
) -> dict[str, list[Example]]:
    """Task -> tokenised examples of `split` (inputs and targets cut to the limits).

    `workers` > 0 tokenises the files in that many processes (same result, in file order).
    """
    paths = sorted((Path(data_dir) / "examples" / split).glob("*.jsonl"))
    by_task: dict[str, list[Example]] = {}
    if workers > 0 and per_task is None and len(paths) > 1:
        for part in _encode_in_workers(_encode_examples, paths, tokenizer, limits, workers):
            _merge(by_task, part)
        return by_task
    for path in paths:
        task = path.name.rsplit("-", 1)[0]
        left = None if per_task is None else per_task - len(by_task.get(task, ()))
        if left is None or left > 0:
            _merge(by_task, _encode_examples(path, tokenizer, limits, left))
    return by_task


def load_functions(
    data_dir: Path,
    split: str,
    tokenizer: CodeTokenizer,
    max_tokens: int,
    limit: int | None = None,
    workers: int = 0,
) -> list[Ids]:
    """Token ids of the code of each function of `split` (at most `max_tokens` each)."""
    paths = sorted((Path(data_dir) / "functions").glob(f"{split}-*.jsonl"))
    if workers > 0 and limit is None and len(paths) > 1:
        parts = _encode_in_workers(_encode_functions, paths, tokenizer, max_tokens, workers)
        return [ids for part in parts for ids in part]
    out: list[Ids] = []
    for path in paths:
        if limit is not None and len(out) >= limit:
            break
        left = None if limit is None else limit - len(out)
        out.extend(_encode_functions(path, tokenizer, max_tokens, left))
    return out


def function_texts(data_dir: Path, split: str = "train") -> Iterator[str]:
    for record in read_jsonl(sorted((Path(data_dir) / "functions").glob(f"{split}-*.jsonl"))):
        yield record["code"]


def _partition(total: int, parts: int, rng: random.Random) -> list[int]:
    """`total` split into `parts` positive integers, uniformly at random."""
    cuts = sorted(rng.sample(range(1, total), parts - 1)) if parts > 1 else []
    bounds = [0, *cuts, total]
    return [b - a for a, b in itertools.pairwise(bounds)]


class Denoiser:
    """T5 span corruption: `denoise: ` + code with spans replaced by sentinels -> the spans."""

    def __init__(self, tokenizer: CodeTokenizer, limits: Limits, noise: Noise) -> None:
        self.eos = tokenizer.eos_id
        self.prefix = tuple(tokenizer.encode(formats.Prefix.DENOISE.value + " "))
        self.sentinels = [tokenizer.piece_id(s) for s in formats.SENTINELS]
        self.limits = limits
        self.noise = noise
        # Input length is about (1 - density + density / mean_span) of the crop.
        keep = 1 - noise.density + noise.density / noise.mean_span
        self.crop = max(4, int((limits.max_input_tokens - len(self.prefix) - 2) / keep))

    def __call__(self, code: Ids, rng: random.Random) -> Example:
        length = min(len(code), self.crop)
        start = rng.randrange(len(code) - length + 1)
        tokens = code[start : start + length]
        n_noise = min(length - 1, max(1, round(length * self.noise.density)))
        n_spans = max(1, min(round(n_noise / self.noise.mean_span), length - n_noise, 100))
        n_spans = min(n_spans, n_noise)
        noise_lengths = _partition(n_noise, n_spans, rng)
        keep_lengths = _partition(length - n_noise, n_spans, rng)
        source: list[int] = list(self.prefix)
        target: list[int] = []
        pos = 0
        for i, (keep, drop) in enumerate(zip(keep_lengths, noise_lengths, strict=True)):
            source.extend(tokens[pos : pos + keep])
            source.append(self.sentinels[i])
            target.append(self.sentinels[i])
            target.extend(tokens[pos + keep : pos + keep + drop])
            pos += keep + drop
        return Example(
            _cut(source, self.limits.max_input_tokens, self.eos),
            _cut(target, self.limits.max_target_tokens, self.eos),
        )


@dataclass(frozen=True)
class Mixture:
    """What one training stage draws from: examples per task, functions to denoise, weights."""

    examples: Mapping[str, Sequence[Example]]
    functions: Sequence[Ids]
    weights: Mapping[str, float]

    def tasks(self) -> list[tuple[str, float]]:
        available = {DENOISE: len(self.functions), **{t: len(e) for t, e in self.examples.items()}}
        return [(t, w) for t, w in sorted(self.weights.items()) if w > 0 and available.get(t)]


def _draw(mixture: Mixture, denoiser: Denoiser, rng: random.Random, budget: int) -> list[Example]:
    tasks = mixture.tasks()
    if not tasks:
        raise ConfigError(f"no training data for any task weighted in {dict(mixture.weights)}")
    names, weights = [t for t, _ in tasks], [w for _, w in tasks]
    drawn: list[Example] = []
    total = 0
    while total < budget:
        task = rng.choices(names, weights)[0]
        if task == DENOISE:
            example = denoiser(mixture.functions[rng.randrange(len(mixture.functions))], rng)
        else:
            pool = mixture.examples[task]
            example = pool[rng.randrange(len(pool))]
        drawn.append(example)
        total += example.tokens
    return drawn


def bucket(examples: Sequence[Example], batch_tokens: int) -> list[list[Example]]:
    """Sort by length and cut into batches whose padded size stays within `batch_tokens`."""
    ordered = sorted(examples, key=lambda e: (len(e.source), len(e.target)))
    batches: list[list[Example]] = []
    current: list[Example] = []
    width_in = width_out = 0
    for example in ordered:
        w_in, w_out = max(width_in, len(example.source)), max(width_out, len(example.target))
        if current and (len(current) + 1) * (w_in + w_out) > batch_tokens:
            batches.append(current)
            current, w_in, w_out = [], len(example.source), len(example.target)
        current.append(example)
        width_in, width_out = w_in, w_out
    if current:
        batches.append(current)
    return batches


def pool_batches(
    mixture: Mixture, denoiser: Denoiser, batch_tokens: int, seed: str
) -> list[list[Example]]:
    rng = random.Random(seed)
    batches = bucket(_draw(mixture, denoiser, rng, POOL_BATCHES * batch_tokens // 2), batch_tokens)
    rng.shuffle(batches)
    return batches


def stream(
    mixture: Mixture, denoiser: Denoiser, batch_tokens: int, seed: str, start: StreamPosition
) -> Iterator[tuple[StreamPosition, list[Example]]]:
    """Endless batches, each with the position that resumes right after it."""
    pool, offset = start.pool, start.offset
    while True:
        batches = pool_batches(mixture, denoiser, batch_tokens, f"{seed}:{pool}")
        for index in range(offset, len(batches)):
            after = StreamPosition(pool, index + 1)
            yield after, batches[index]
        pool, offset = pool + 1, 0
