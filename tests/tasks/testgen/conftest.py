"""Repair tests reuse the tiny model built in tests/models (nothing is downloaded)."""

from tests.models.conftest import tiny_model_dir, tokenizer_dir  # noqa: F401
