"""Backtranslation bugs: a trained model's `break:` task proposes bugs for correct functions.

    python -m data_pipelines neural-bugs --data DATA --out OUT [--model M] [--limit N]

Reads a seeded sample of `DATA/functions/{split}-*.jsonl`, asks the model for
`--samples` sampled edits per function (`data_pipelines.bugs.neural_bugs`),
keeps those that apply, parse and really change the code (`filter_proposals`),
and writes them as fix/break examples to `OUT/examples/{split}/neural-NNNNN.jsonl`
with a manifest (model, counts, acceptance rate, hashes). The examples have no
context and no trace. OUT is a separate folder: mixing neural bugs into a
training run is a decision for that run's data, not a side effect of this one.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codeintel.errors import ConfigError
from codeintel.models.data import read_jsonl
from data_pipelines.bugs import Bug, bug_to_examples, neural_bugs
from data_pipelines.shards import write_example_set
from parsers.text import dedent

BATCH = 32  # functions per generate call


@dataclass(frozen=True)
class NeuralRun:
    functions: int  # correct functions shown to the model
    proposals: int  # sampled edits
    bugs: int  # proposals kept by the filter
    seconds: float

    @property
    def accepted(self) -> float:
        return self.bugs / self.proposals if self.proposals else 0.0


def sample_functions(data_dir: Path, split: str, limit: int, seed: int) -> dict[str, str]:
    """A seeded sample of `limit` functions of the split: id -> dedented source."""
    paths = sorted((Path(data_dir) / "functions").glob(f"{split}-*.jsonl"))
    if not paths:
        raise ConfigError(f"{data_dir}/functions has no {split} shards")
    records = [(r["id"], dedent(r["code"])) for r in read_jsonl(paths)]
    chosen = random.Random(seed).sample(records, min(limit, len(records)))
    return dict(chosen)


def propose(model: Any, functions: Mapping[str, str], samples: int) -> Iterator[Bug]:
    ids = list(functions)
    for start in range(0, len(ids), BATCH):
        batch = {i: functions[i] for i in ids[start : start + BATCH]}
        yield from neural_bugs(model, batch, samples)


def write_neural_bugs(
    model: Any,
    data_dir: Path,
    out: Path,
    *,
    split: str = "train",
    limit: int = 1000,
    samples: int = 4,
    seed: int = 0,
) -> NeuralRun:
    started = time.perf_counter()
    functions = sample_functions(data_dir, split, limit, seed)
    bugs = list(propose(model, functions, samples))
    records = [r for bug in bugs for r in bug_to_examples(bug, context="")]
    run = NeuralRun(
        len(functions), len(functions) * samples, len(bugs), round(time.perf_counter() - started, 1)
    )
    write_example_set(
        out,
        split,
        "neural",
        records,
        lambda: {
            "model": str(model.path),
            "data": str(data_dir),
            "split": split,
            "seed": seed,
            "samples_per_function": samples,
            "functions": run.functions,
            "proposals": run.proposals,
            "bugs": run.bugs,
            "accepted": round(run.accepted, 4),
            "seconds": run.seconds,
        },
    )
    return run
