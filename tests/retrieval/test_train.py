"""The contrastive search encoder: its loss, and a short run saved as a checkpoint."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from codeintel.cli import main
from codeintel.errors import InputError
from codeintel.retrieval.embedders import EncoderEmbedder
from codeintel.retrieval.train import SearchTrainConfig, contrastive_loss, train_search_encoder

PAIRS = [
    (f"return the {word} of the values", f"def {word}(values):\n    return {word}(values)")
    for word in ("sum", "max", "min", "len", "sorted", "any", "all", "set")
]


def test_the_loss_is_lowest_when_rows_belong_together() -> None:
    import torch

    rows = torch.nn.functional.normalize(torch.eye(4) + 0.1, dim=-1)
    matched = contrastive_loss(rows, rows, 0.05)
    shuffled = contrastive_loss(rows, rows[[1, 2, 3, 0]], 0.05)
    assert float(matched) < 0.01 < float(shuffled)


def test_a_short_run_saves_an_encoder_the_embedder_reads(tiny_model_dir: Path, tmp_path) -> None:
    config = SearchTrainConfig(steps=3, batch=4, max_tokens=32)
    report = train_search_encoder(
        PAIRS, tiny_model_dir, tmp_path / "enc", config, log=lambda _: None
    )
    assert report["pairs"] == 8
    saved = json.loads((tmp_path / "enc" / "config.json").read_text())
    assert saved["architectures"] == ["T5EncoderModel"]
    rows = EncoderEmbedder(tmp_path / "enc").embed(["return the sum", "def f(): pass"])
    assert rows.shape[0] == 2 and np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)
    with pytest.raises(InputError):
        train_search_encoder(PAIRS[:2], tiny_model_dir, tmp_path / "x", config)


def test_the_cli_reads_pairs_and_refuses_bad_ones(tiny_model_dir: Path, tmp_path, capsys) -> None:
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text("".join(json.dumps({"query": q, "code": c}) + "\n" for q, c in PAIRS))
    out = tmp_path / "enc"
    arguments = ["--pairs", str(pairs), "--out", str(out), "--start", str(tiny_model_dir)]
    assert main(["train-search", *arguments, "--steps", "2", "--batch", "4"]) == 0
    assert (out / "model.safetensors").is_file()
    pairs.write_text('{"query": "x"}\n')
    assert main(["train-search", *arguments, "--steps", "2", "--batch", "4"]) == 2
    assert "not a {query, code} record" in capsys.readouterr().err
