"""The search-encoder tests reuse the tiny T5 built in tests/models (nothing is downloaded)."""

from tests.models.conftest import tiny_model_dir, tokenizer_dir  # noqa: F401
