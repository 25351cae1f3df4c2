"""Which model: a bundled name, a local checkpoint folder (seq2seq or causal, told by
its config.json) or the base URL of an OpenAI-compatible server.

The choice, first found wins: `--model` (the caller's), `$CODEINTEL_MODEL`, `model = ...`
under `[tool.codeintel]` in the project's pyproject.toml, the bundled default. The
served model's name likewise: `--model-name`, `$CODEINTEL_MODEL_NAME`, `model-name`.

    spec = choose_model(args.model, args.model_name, project_root=Path("."))
"""

from __future__ import annotations

import enum
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomllib

from codeintel.errors import CodeintelError, ModelError
from codeintel.files import MAX_CONFIG_BYTES, read_text
from codeintel.models.seq2seq import DEFAULT_MODEL, MODEL_ENV, resolve_model_path

MODEL_NAME_ENV = "CODEINTEL_MODEL_NAME"


class ModelKind(str, enum.Enum):
    SEQ2SEQ = "seq2seq"  # T5, BART, CodeT5, CodeT5+: the bundled model's kind
    CAUSAL = "causal"  # GPT-2, Llama, Qwen2, StarCoder2, GPTBigCode, Mistral ...
    HTTP = "http"  # an OpenAI-compatible server


@dataclass(frozen=True)
class ModelSpec:
    kind: ModelKind
    location: str  # the checkpoint folder, or the server's base URL
    served_name: str | None = None  # the server's name of the model (HTTP)
    source: str = "default"  # where the choice came from, for messages


def project_settings(root: Path | None) -> dict:
    """`[tool.codeintel]` of the project's pyproject.toml ({} when there is none)."""
    if root is None or not (root / "pyproject.toml").is_file():
        return {}
    try:
        data = tomllib.loads(read_text(root / "pyproject.toml", "config", MAX_CONFIG_BYTES))
    except (CodeintelError, tomllib.TOMLDecodeError):
        return {}
    found = data.get("tool", {}).get("codeintel", {})
    return found if isinstance(found, dict) else {}


def choose_model(
    model: str | None = None,
    model_name: str | None = None,
    *,
    project_root: Path | None = None,
    env: Mapping[str, str] = os.environ,
) -> ModelSpec:
    """The model to use, by the precedence of the module's docstring."""
    settings = project_settings(project_root)
    choices = (
        (model, "--model"),
        (env.get(MODEL_ENV), MODEL_ENV),
        (settings.get("model"), "pyproject.toml [tool.codeintel]"),
    )
    text, source = next(((t, s) for t, s in choices if t), (DEFAULT_MODEL, "default"))
    name = model_name or env.get(MODEL_NAME_ENV) or settings.get("model-name")
    return resolve(str(text), str(name) if name else None, source)


def resolve(text: str, served_name: str | None = None, source: str = "--model") -> ModelSpec:
    """A spec from its text; ModelError for a folder that is not a model."""
    if text.startswith(("http://", "https://")):
        return ModelSpec(ModelKind.HTTP, text.rstrip("/"), served_name, source)
    path = resolve_model_path(text)
    return ModelSpec(folder_kind(path), str(path), served_name, source)


def folder_kind(path: Path) -> ModelKind:
    """Seq2seq or causal, from the folder's config.json (`is_encoder_decoder`, else the
    architecture's name); ModelError when it is not a model folder."""
    config = path / "config.json"
    if not config.is_file():
        raise ModelError(f"{path} is not a model checkpoint folder (it has no config.json)")
    try:
        data = json.loads(read_text(config, "model config", MAX_CONFIG_BYTES))
    except (CodeintelError, ValueError) as exc:
        raise ModelError(f"{config} is not a model configuration: {exc}") from exc
    if not isinstance(data, dict):
        raise ModelError(f"{config} is not a model configuration")
    if data.get("is_encoder_decoder"):
        return ModelKind.SEQ2SEQ
    names = " ".join(str(a) for a in data.get("architectures") or [])
    if "CausalLM" in names or "LMHeadModel" in names:
        return ModelKind.CAUSAL
    raise ModelError(
        f"{path} holds a {data.get('model_type', 'model')} that is neither a seq2seq nor a "
        "causal language model"
    )


def load_backend(model: str | Path | None = None, model_name: str | None = None) -> Any:
    """The model a spec names, loaded: a seq2seq checkpoint (`Seq2SeqModel`), a causal one
    (`CausalModel`) or an OpenAI-compatible server (`HttpModel`, checked by listing its
    models)."""
    spec = choose_model(None if model is None else str(model), model_name)
    if spec.kind is ModelKind.HTTP:
        from codeintel.models.http import HttpModel

        return HttpModel.connect(spec.location, spec.served_name)
    if spec.kind is ModelKind.CAUSAL:
        from codeintel.models.causal import CausalModel

        return CausalModel.load(spec.location)
    from codeintel.models.seq2seq import load_model

    return load_model(spec.location)


def start_backend(
    model: str | Path | None = None,
    model_name: str | None = None,
    project_root: Path | None = None,
) -> Any:
    """A ModelHandle loading the model a spec names (any kind; `[tool.codeintel]` of
    `project_root` when nothing else names one) in the background; a folder that is not
    there or not a model fails at once, as ModelError."""
    from codeintel.models.loading import ModelHandle

    text = None if model is None else str(model)
    spec = choose_model(text, model_name, project_root=project_root)
    return ModelHandle.in_background(lambda: load_backend(spec.location, spec.served_name))


def for_file(model: str | None, model_name: str | None, path: Path) -> tuple[str, str | None]:
    """(model, model name) for a command about the file at `path`: the given ones, else
    the environment's, else `[tool.codeintel]` of the file's project, else the bundled
    default (choose_model's precedence, the project found above the file)."""
    from codeintel.errors import InputError
    from codeintel.project import find_root

    try:
        root = find_root(path.resolve().parent)
    except (InputError, OSError):
        root = None
    spec = choose_model(model, model_name, project_root=root)
    return spec.location, spec.served_name
