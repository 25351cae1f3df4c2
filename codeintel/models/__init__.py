"""Loading, generation, scoring and training of seq2seq checkpoints.

torch and transformers are imported lazily, inside the functions that need them,
so `import codeintel.models` stays fast.
"""

from codeintel.models.seq2seq import (
    DEFAULT_MODEL,
    MODEL_ENV,
    WEIGHTS_DIR,
    DecodeMode,
    Encoded,
    Generation,
    GenerationConfig,
    ModelConfig,
    Seq2SeqModel,
    load_model,
    resolve_model_path,
)
from codeintel.models.tokenizer import CodeTokenizer, HFTokenizer, Tokenizer, load_tokenizer

__all__ = [
    "DEFAULT_MODEL",
    "MODEL_ENV",
    "WEIGHTS_DIR",
    "CodeTokenizer",
    "DecodeMode",
    "Encoded",
    "Generation",
    "GenerationConfig",
    "HFTokenizer",
    "ModelConfig",
    "Seq2SeqModel",
    "Tokenizer",
    "load_model",
    "load_tokenizer",
    "resolve_model_path",
]
