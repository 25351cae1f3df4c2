"""The tasks' tests reuse the tiny model built in tests/models (nothing is downloaded)."""

from codeintel.models.backend import Capabilities
from tests.models.conftest import tiny_model_dir, tokenizer_dir  # noqa: F401

# what a stand-in for a model trained on codeintel's task formats says it can do
TASK_FORMATS = Capabilities(
    scores=True, fim=None, chat=False, context_length=256, task_formats=True
)
