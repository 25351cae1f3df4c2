"""Embedders: texts -> L2-normalised float32 rows, behind one small interface.

- `HashedEmbedder` needs no model: identifier sub-tokens (`features.py`), hashed
  with a sign into `dim` buckets, weighted by sublinear TF times the IDF of the
  index's own functions, L2-normalised. Its document frequencies are part of the
  index (`with_counts` adds and removes documents).
- `EncoderEmbedder` mean-pools a local Hugging Face encoder checkpoint's last
  hidden states (the encoder of a seq2seq one); never a download.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from codeintel.errors import IndexFormatError, InputError, ModelError, ModelNotFoundError
from codeintel.files import MAX_CONFIG_BYTES, read_text
from codeintel.retrieval.features import features

MAX_HASHED_DIM = 65536  # 256 KB a row; an index is rows x dim float32


class Embedder(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised float32 row per text (shape: len(texts) x dim)."""
        ...

    def spec(self) -> dict[str, Any]:
        """What the index records to make this embedder again."""
        ...


@functools.lru_cache(maxsize=1 << 18)  # a codebase repeats its sub-tokens: hash each once
def _bucket(feature: str, dim: int) -> tuple[int, float]:
    digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
    value = int.from_bytes(digest, "little")
    return value % dim, 1.0 if value >> 63 else -1.0


def _normalised(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return (rows / np.where(norms == 0, 1.0, norms)).astype(np.float32)


@dataclass(frozen=True)
class HashedEmbedder:
    dim: int = 1024
    documents: int = 0  # how many texts the frequencies count
    frequencies: tuple[int, ...] = field(default=(), repr=False)  # per bucket; () = none yet

    @property
    def name(self) -> str:
        return f"hashed-{self.dim}"

    def spec(self) -> dict[str, Any]:
        return {"kind": "hashed", "dim": self.dim}

    def with_counts(self, added: Sequence[str], removed: Sequence[str] = ()) -> HashedEmbedder:
        """The embedder whose IDF also counts `added` and no longer counts `removed`."""
        counts = np.array(self.frequencies or [0] * self.dim, dtype=np.int64)
        for texts, sign in ((added, 1), (removed, -1)):
            for text in texts:
                for bucket in {_bucket(f, self.dim)[0] for f in features(text)}:
                    counts[bucket] += sign
        documents = self.documents + len(added) - len(removed)
        return replace(self, documents=documents, frequencies=tuple(int(c) for c in counts))

    def _idf(self) -> np.ndarray:
        counts = np.array(self.frequencies or [0] * self.dim, dtype=np.float64)
        return np.log((1 + self.documents) / (1 + np.maximum(counts, 0))) + 1.0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        idf = self._idf()
        rows = np.zeros((len(texts), self.dim), dtype=np.float64)
        for i, text in enumerate(texts):
            for feature, count in Counter(features(text)).items():
                bucket, sign = _bucket(feature, self.dim)
                rows[i, bucket] += sign * (1.0 + math.log(count)) * idf[bucket]
        return _normalised(rows)


class EncoderEmbedder:
    """A local checkpoint's encoder, mean-pooled over the real tokens: any Hugging Face
    encoder or seq2seq folder, the bundled codeintel-small included (its own tokenizer,
    through `codeintel.models.tokenizer.load_tokenizer`)."""

    def __init__(self, path: str | Path, max_tokens: int = 256, batch: int = 32) -> None:
        self.path = Path(path)
        if not (self.path / "config.json").is_file():
            raise ModelNotFoundError(f"{self.path} is not a Hugging Face checkpoint folder")
        self._tokenizer, self._model = self._load()
        positions = getattr(self._model.config, "max_position_embeddings", None) or max_tokens
        self.max_tokens, self.batch = min(max_tokens, positions), batch

    def _model_class(self) -> Any:
        """AutoModel, or T5EncoderModel for an encoder saved alone (a trained search
        encoder), which AutoModel would give a new, random decoder."""
        from transformers import AutoModel, T5EncoderModel

        config = json.loads(read_text(self.path / "config.json", "config", MAX_CONFIG_BYTES))
        return T5EncoderModel if "T5EncoderModel" in config.get("architectures", []) else AutoModel

    def _load(self) -> tuple[Any, Any]:
        from codeintel.models.tokenizer import load_tokenizer

        tokenizer = load_tokenizer(self.path)
        try:
            model = self._model_class().from_pretrained(self.path, local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot load the encoder {self.path}: {exc}") from exc
        encoder = model.get_encoder() if model.config.is_encoder_decoder else model
        return tokenizer, encoder.eval()

    @property
    def name(self) -> str:
        return f"encoder:{self.path.name}"

    @property
    def dim(self) -> int:
        config = self._model.config
        return int(getattr(config, "hidden_size", None) or config.d_model)

    def spec(self) -> dict[str, Any]:
        return {"kind": "encoder", "path": str(self.path.resolve())}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        rows = []
        with torch.inference_mode():
            for start in range(0, len(texts), self.batch):
                batch = texts[start : start + self.batch]
                pooled = mean_pooled(self._model, self._tokenizer, batch, self.max_tokens)
                rows.append(pooled.float().numpy())
        return _normalised(np.concatenate(rows) if rows else np.zeros((0, self.dim)))


def mean_pooled(encoder: Any, tokenizer: Any, texts: Sequence[str], max_tokens: int) -> Any:
    """The encoder's last hidden states averaged over each text's real tokens (no
    specials; each text cut to `max_tokens`): a (texts, dim) tensor; zeros for an empty
    text. Gradients flow unless the caller is in inference mode (training uses it)."""
    import torch

    rows = [tokenizer.encode(t)[:max_tokens] for t in texts]
    width = max(1, *(len(r) for r in rows))
    ids = torch.tensor([r + [tokenizer.pad_id] * (width - len(r)) for r in rows])
    mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows])
    hidden = encoder(input_ids=ids, attention_mask=mask).last_hidden_state  # (texts, tokens, dim)
    weights = mask.unsqueeze(-1).to(hidden.dtype)  # (texts, tokens, 1)
    return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1)  # (texts, dim)


def embedder_from_spec(spec: dict[str, Any], counts: tuple[int, tuple[int, ...]] = (0, ())):
    """The embedder an index recorded (`counts`: the hashed one's documents, frequencies)."""
    if spec.get("kind") == "hashed":
        dim = spec.get("dim")
        if not isinstance(dim, int) or not 1 <= dim <= MAX_HASHED_DIM:
            raise IndexFormatError(f"an index with {dim!r} dimensions; at most {MAX_HASHED_DIM}")
        if len(counts[1]) not in (0, dim):
            raise IndexFormatError(f"its frequencies have {len(counts[1])} dimensions, not {dim}")
        return HashedEmbedder(dim, counts[0], counts[1])
    if spec.get("kind") == "encoder":
        return EncoderEmbedder(spec["path"])
    raise ModelError(f"unknown embedder {spec!r}")


def make_embedder(choice: str) -> Embedder:
    """`hashed` (the default, no model), `hashed:DIM`, or a Hugging Face checkpoint folder."""
    if choice == "hashed":
        return HashedEmbedder()
    if choice.startswith("hashed:") and choice[7:].isdigit():
        dim = int(choice[7:])
        if not 1 <= dim <= MAX_HASHED_DIM:
            raise InputError(f"--embedder {choice}: the dimension must be 1 to {MAX_HASHED_DIM}")
        return HashedEmbedder(dim)
    return EncoderEmbedder(choice)
