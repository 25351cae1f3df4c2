"""A code-search encoder: the bundled model's encoder fine-tuned contrastively.

Each step takes a batch of (docstring line, function) pairs; both sides are
embedded by the encoder (mean-pooled, L2-normalised) and every other pair's
function in the batch is a negative: the loss is the cross-entropy of each query's
similarities to the batch's functions, divided by a temperature, with the true
function as the class, averaged with the same from the functions' side (InfoNCE,
in-batch negatives). What is saved is the encoder alone (`T5EncoderModel`) and the
tokenizer, a checkpoint `EncoderEmbedder` reads.
"""

from __future__ import annotations

import json
import random
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from codeintel.errors import InputError


@dataclass(frozen=True)
class SearchTrainConfig:
    steps: int = 1000
    batch: int = 32
    learning_rate: float = 1e-4
    max_tokens: int = 128
    temperature: float = 0.05
    seed: int = 0

    def __post_init__(self) -> None:
        if self.steps < 1 or self.batch < 2 or self.max_tokens < 8 or self.temperature <= 0:
            raise InputError(f"invalid search training config {self}")


def _encoder(start: Path) -> tuple[Any, Any]:
    from transformers import T5EncoderModel

    from codeintel.models.tokenizer import load_tokenizer

    return load_tokenizer(start), T5EncoderModel.from_pretrained(start, local_files_only=True)


def _pooled(encoder: Any, tokenizer: Any, texts: Sequence[str], max_tokens: int) -> Any:
    """The texts' embeddings, L2-normalised, as the embedder makes them (with gradients)."""
    import torch

    from codeintel.retrieval.embedders import mean_pooled  # numpy: not at `--help`

    pooled = mean_pooled(encoder, tokenizer, texts, max_tokens)
    return torch.nn.functional.normalize(pooled, dim=-1)


def contrastive_loss(queries: Any, documents: Any, temperature: float) -> Any:
    """Symmetric InfoNCE over a batch: row i of each side belongs with row i."""
    import torch

    logits = queries @ documents.T / temperature  # (batch, batch)
    labels = torch.arange(len(logits))
    cross = torch.nn.functional.cross_entropy
    return (cross(logits, labels) + cross(logits.T, labels)) / 2


def train_search_encoder(
    pairs: Sequence[tuple[str, str]],
    start: Path,
    out: Path,
    config: SearchTrainConfig = SearchTrainConfig(),
    log: Callable[[str], None] = print,
) -> dict:
    """Fine-tune `start`'s encoder on `pairs`; the encoder and tokenizer go to `out`."""
    import torch

    if len(pairs) < config.batch:
        raise InputError(f"{len(pairs)} pairs: fewer than one batch of {config.batch}")
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    tokenizer, encoder = _encoder(start)
    encoder.train()
    optimizer = torch.optim.AdamW(encoder.parameters(), lr=config.learning_rate)
    began, losses = time.monotonic(), []
    for step in range(1, config.steps + 1):
        batch = rng.sample(list(pairs), config.batch)
        queries = _pooled(encoder, tokenizer, [q for q, _ in batch], config.max_tokens)
        documents = _pooled(encoder, tokenizer, [d for _, d in batch], config.max_tokens)
        loss = contrastive_loss(queries, documents, config.temperature)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss.detach()))
        if step % 50 == 0 or step == config.steps:
            log(f"step {step}/{config.steps}: loss {sum(losses[-50:]) / len(losses[-50:]):.3f}")
    report = {
        "config": asdict(config),
        "pairs": len(pairs),
        "seconds": round(time.monotonic() - began, 1),
    }
    _save(encoder, start, out, report)
    return report


def _save(encoder: Any, start: Path, out: Path, report: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    encoder.eval()
    encoder.save_pretrained(out)
    for name in ("codeintel_tokenizer.model", "tokenizer.json", "tokenizer_config.json"):
        if (start / name).is_file():
            shutil.copy(start / name, out / name)
    (out / "training.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
