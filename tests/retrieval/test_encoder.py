"""The Hugging Face encoder embedder, on a tiny BERT built here (never a download)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from codeintel.errors import ModelNotFoundError
from codeintel.retrieval import build_index, load_index
from codeintel.retrieval.embedders import EncoderEmbedder

SHOP = Path(__file__).resolve().parents[1] / "fixtures" / "retrieval" / "shop"


def _tiny_bert(folder: Path) -> Path:
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "def", "price", "total", "slug", "title"]
    tokenizer = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, "[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, pad_token="[PAD]", unk_token="[UNK]", eos_token="[SEP]"
    )
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(words),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
    )
    BertModel(config).save_pretrained(folder)
    fast.save_pretrained(folder)
    return folder


def test_rows_are_mean_pooled_and_padding_does_not_change_them(tmp_path: Path) -> None:
    embedder = EncoderEmbedder(_tiny_bert(tmp_path / "bert"), batch=2)
    assert embedder.dim == 16 and embedder.name == "encoder:bert"
    alone = embedder.embed(["total price"])
    batched = embedder.embed(["total price", "def slug title price total price"])
    assert batched.shape == (2, 16) and batched.dtype == np.float32
    assert np.allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)
    assert np.allclose(alone[0], batched[0], atol=1e-5)  # the padding is masked out


def test_an_index_records_its_encoder(tmp_path: Path) -> None:
    embedder = EncoderEmbedder(_tiny_bert(tmp_path / "bert"))
    report = build_index([SHOP], tmp_path / "index", embedder)
    assert report.embedder == "encoder:bert" and report.functions == 12  # 11 and a class
    index = load_index(tmp_path / "index")
    assert index.vectors.shape == (12, 16) and index.embedder.name == "encoder:bert"


def test_the_bundled_models_encoder_embeds() -> None:
    from codeintel.models.seq2seq import DEFAULT_MODEL, WEIGHTS_DIR

    embedder = EncoderEmbedder(WEIGHTS_DIR / DEFAULT_MODEL)
    rows = embedder.embed(["def add(a, b):\n    return a + b", "sum of two numbers"])
    assert rows.shape == (2, embedder.dim) and np.allclose(np.linalg.norm(rows, axis=1), 1.0)


def test_a_folder_that_is_no_checkpoint(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError):
        EncoderEmbedder(tmp_path)
