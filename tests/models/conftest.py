"""Tiny tokenizers, models and data directories built in the tests (nothing is downloaded)."""

from __future__ import annotations

import json
import os
import random
import sysconfig
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

STDLIB = Path(sysconfig.get_paths()["stdlib"])
CORPUS_FILES = ("textwrap.py", "bisect.py", "heapq.py", "fnmatch.py", "shlex.py", "colorsys.py")
TINY_VOCAB = 700


def corpus() -> list[str]:
    return [(STDLIB / name).read_text(encoding="utf-8") for name in CORPUS_FILES]


@pytest.fixture(scope="session")
def tokenizer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from data_pipelines.tokenizer import train_tokenizer

    out = tmp_path_factory.mktemp("tokenizer")
    train_tokenizer(corpus(), out, vocab_size=TINY_VOCAB)
    return out


def tiny_train_config(data_dir: Path, out_dir: Path, **overrides):
    from codeintel.models.train_config import TrainConfig

    values = dict(
        data_dir=data_dir,
        out_dir=out_dir,
        tokenizer="train",
        vocab_size=TINY_VOCAB,
        d_model=32,
        d_ff=64,
        num_layers=2,
        num_decoder_layers=2,
        num_heads=2,
        d_kv=16,
        pretrain_steps=10,
        finetune_steps=20,
        batch_tokens=1024,
        lr=3e-3,
        warmup=5,
        max_input_tokens=64,
        max_target_tokens=32,
        eval_every=15,
        eval_examples=4,
        eval_generate=2,
        log_every=5,
        save_every=15,
        seed=0,
        threads=1,
        progress=False,
    )
    values.update(overrides)
    return TrainConfig(**values)


@pytest.fixture(scope="session")
def tiny_model_dir(tokenizer_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised tiny T5 with our tokenizer, saved as a checkpoint."""
    import shutil

    import torch

    from codeintel.models.tokenizer import TOKENIZER_FILE, CodeTokenizer
    from codeintel.models.training import build_model

    out = tmp_path_factory.mktemp("tiny-model")
    tok = CodeTokenizer(tokenizer_dir)
    config = tiny_train_config(out, out)
    torch.manual_seed(0)
    model = build_model(config, tok.vocab_size, tok.pad_id, tok.eos_id)
    model.save_pretrained(str(out))
    shutil.copyfile(tokenizer_dir / TOKENIZER_FILE, out / TOKENIZER_FILE)
    return out


def _functions(text: str) -> list[str]:
    chunks = text.split("\ndef ")
    return ["def " + c.split("\n\n")[0] for c in chunks[1:] if c.strip()]


def write_tiny_data(root: Path) -> Path:
    """A data dir in the pipeline's layout: functions and a few task examples per split."""
    rng = random.Random(0)
    funcs = [f for text in corpus() for f in _functions(text)]
    rng.shuffle(funcs)
    splits = {"train": funcs[:-8], "valid": funcs[-8:-4], "test": funcs[-4:]}
    (root / "functions").mkdir(parents=True)
    (root / "manifest.json").write_text(
        json.dumps({"splits": {k: len(v) for k, v in splits.items()}})
    )
    for split, items in splits.items():
        records = [
            {
                "id": f"{split}{i}",
                "path": "x.py",
                "qualified_name": f"f{i}",
                "signature": "",
                "docstring": "",
                "body": code,
                "code": code,
                "split": split,
            }
            for i, code in enumerate(items)
        ]
        _write(root / "functions" / f"{split}-00000.jsonl", records)
        for task, make in (("fix", _fix), ("doc", _doc)):
            examples = [make(r) for r in records]
            _write(root / "examples" / split / f"{task}-00000.jsonl", examples)
    return root


def _fix(record: dict) -> dict:
    code = record["code"]
    return {
        "task": "fix",
        "input": "fix: " + code.replace("return", "retrun", 1),
        "target": code.split("\n")[0],
        "origin": record["id"],
    }


def _doc(record: dict) -> dict:
    return {
        "task": "doc",
        "input": "doc: " + record["code"],
        "target": record["code"].split("\n")[0],
        "origin": record["id"],
    }


def _write(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


@pytest.fixture()
def tiny_data(tmp_path: Path) -> Path:
    return write_tiny_data(tmp_path / "data")


# tiny causal checkpoints of real families: benchmarks/tiny_models.py
from benchmarks.tiny_models import FAMILIES, tiny_causal  # noqa: E402, F401


def spy(monkeypatch, model, method: str, extra=None) -> list:
    """Record the calls of `model.<method>` (generate, chat or fill_in_middle): the list
    of their first arguments. With `extra` (a Generation), each answer gets it added
    after the model's own: a right answer among the tiny model's noise."""
    seen: list = []
    real = getattr(model, method)

    def wrapped(first, *args, **kwargs):
        seen.append(first)
        found = real(first, *args, **kwargs)
        if extra is None:
            return found
        if method == "generate":
            return [(*each, extra) for each in found]
        return (*found, extra)

    monkeypatch.setattr(model, method, wrapped)
    return seen


def record(monkeypatch, model) -> list[tuple]:
    """Record each `fill_in_middle` call of `model` as (prefix, suffix, config)."""
    calls: list[tuple] = []
    real = model.fill_in_middle

    def wrapped(prefix, suffix, config):
        calls.append((prefix, suffix, config))
        return real(prefix, suffix, config)

    monkeypatch.setattr(model, "fill_in_middle", wrapped)
    return calls
