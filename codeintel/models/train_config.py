"""`TrainConfig`: the training run, parsed from a TOML or JSON file.

Relative paths in the file are taken relative to the current directory.
Unknown keys and values of the wrong type raise ConfigError naming them.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomllib

from codeintel.errors import ConfigError, InputError
from codeintel.files import MAX_CONFIG_BYTES, read_text

DEFAULT_TASK_WEIGHTS = {
    "fix": 4.0,
    "break": 1.0,
    "test": 1.0,
    "assert": 1.0,
    "doc": 1.0,
    "body": 1.0,
    "sig": 0.5,
    "complete": 1.0,
    "denoise": 0.5,
}
TRAIN_TOKENIZER = "train"


@dataclass(frozen=True)
class TrainConfig:
    data_dir: Path
    out_dir: Path
    # example sets made apart from the build (`data_pipelines neural-bugs` / `traced-bugs`
    # OUT folders): their train examples join the fine-tuning mixture
    extra_data: tuple[Path, ...] = ()
    # CodeXGLUE code-refinement folders (`codeintel.models.refinement`): their train
    # pairs join the fine-tuning mixture as fix examples
    refinement_data: tuple[Path, ...] = ()
    tokenizer: str = TRAIN_TOKENIZER  # a directory with codeintel_tokenizer.model, or "train"
    # a checkpoint folder whose weights start the run (fine-tuning; its dims must match
    # the config's and its tokenizer should be `tokenizer`); None = random initialisation
    init_from: Path | None = None
    vocab_size: int = 8000
    d_model: int = 256
    d_ff: int = 1024
    num_layers: int = 4
    num_decoder_layers: int = 4
    num_heads: int = 4
    d_kv: int = 64
    dropout: float = 0.0
    pretrain_steps: int = 1000  # stage 1: span-corruption denoising
    finetune_steps: int = 3000  # stage 2: multi-task mixture
    batch_tokens: int = 8192  # padded input + target tokens per batch
    lr: float = 1e-3
    warmup: int = 200
    weight_decay: float = 0.01
    clip: float = 1.0
    max_input_tokens: int = 512
    max_target_tokens: int = 256
    noise_density: float = 0.15
    mean_span: float = 3.0
    task_weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_TASK_WEIGHTS))
    eval_every: int = 500
    eval_examples: int = 64  # per task, from the valid split
    eval_generate: int = 8  # fix examples decoded greedily for exact match
    log_every: int = 25
    save_every: int = 500
    seed: int = 0
    threads: int | None = None
    device: str = "cpu"  # "cpu", "cuda", "cuda:N", or "auto" (cuda when torch sees one)
    bf16: bool = False  # bfloat16 autocast on CUDA (weights and optimizer stay float32)
    data_workers: int = 0  # processes that tokenise the data at load time; 0 = this one
    resume: bool = False
    progress: bool = True

    @property
    def total_steps(self) -> int:
        return self.pretrain_steps + self.finetune_steps


_PATHS = {"data_dir", "out_dir"}


def _coerce(name: str, kind: Any, value: Any) -> Any:
    """Check one value against the field's declared type (a string annotation)."""
    checks: dict[str, tuple[type, ...]] = {
        "Path": (str,),
        "Path | None": (str, type(None)),
        "str": (str,),
        "int": (int,),
        "int | None": (int, type(None)),
        "float": (int, float),
        "bool": (bool,),
        "Mapping[str, float]": (dict,),
        "tuple[Path, ...]": (list, tuple),
    }
    allowed = checks[kind]
    if isinstance(value, bool) and bool not in allowed:
        allowed = ()
    if not isinstance(value, allowed):
        raise ConfigError(f"config key {name!r} must be {kind}, not {value!r}")
    if kind in ("Path", "Path | None") and value is not None:
        return Path(value).expanduser()
    if kind == "tuple[Path, ...]":
        if not all(isinstance(v, str) for v in value):
            raise ConfigError(f"config key {name!r} must be a list of paths, not {value!r}")
        return tuple(Path(v).expanduser() for v in value)
    if kind == "float":
        return float(value)
    if kind == "Mapping[str, float]":
        bad = [k for k, v in value.items() if not isinstance(v, (int, float)) or v < 0]
        if bad:
            raise ConfigError(f"task_weights must be numbers >= 0; bad: {', '.join(bad)}")
        return {str(k): float(v) for k, v in value.items()}
    return value


def _validate(config: TrainConfig) -> TrainConfig:
    positive = [
        "vocab_size",
        "d_model",
        "d_ff",
        "num_layers",
        "num_decoder_layers",
        "num_heads",
        "d_kv",
        "batch_tokens",
        "max_input_tokens",
        "max_target_tokens",
        "eval_every",
        "save_every",
        "log_every",
    ]
    bad = [name for name in positive if getattr(config, name) <= 0]
    if bad:
        raise ConfigError(f"config keys must be > 0: {', '.join(bad)}")
    if config.pretrain_steps < 0 or config.finetune_steps < 0 or config.total_steps == 0:
        raise ConfigError("pretrain_steps and finetune_steps must be >= 0, not both 0")
    if config.device not in ("cpu", "cuda", "auto") and not config.device.startswith("cuda:"):
        raise ConfigError(f"device must be cpu, cuda, cuda:N or auto, not {config.device!r}")
    if config.data_workers < 0:
        raise ConfigError("data_workers must be >= 0")
    if not 0 < config.noise_density < 1 or config.mean_span < 1:
        raise ConfigError("noise_density must be in (0, 1) and mean_span >= 1")
    return config


def config_from_mapping(raw: Mapping[str, Any], source: str = "config") -> TrainConfig:
    fields = {f.name: f for f in dataclasses.fields(TrainConfig)}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise ConfigError(f"{source}: unknown keys: {', '.join(unknown)}")
    missing = sorted(n for n in _PATHS if n not in raw)
    if missing:
        raise ConfigError(f"{source}: missing keys: {', '.join(missing)}")
    values = {name: _coerce(name, str(fields[name].type), v) for name, v in raw.items()}
    return _validate(TrainConfig(**values))


def load_train_config(path: Path, overrides: Mapping[str, Any] | None = None) -> TrainConfig:
    """Parse a TOML (`.toml`) or JSON file into a TrainConfig; ConfigError if it is bad.

    `overrides` (key -> value) replace the file's values before validation.
    """
    path = Path(path)
    try:
        text = read_text(path, "config", MAX_CONFIG_BYTES)
    except InputError as exc:
        raise ConfigError(str(exc)) from exc
    try:
        raw = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"config {path} is not valid {path.suffix[1:] or 'JSON'}: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"config {path} must be a table of keys")
    return config_from_mapping({**raw, **(overrides or {})}, str(path))


def config_to_json(config: TrainConfig) -> dict[str, Any]:
    out = dataclasses.asdict(config)
    out["extra_data"] = [str(p) for p in config.extra_data]
    out["refinement_data"] = [str(p) for p in config.refinement_data]
    out["init_from"] = None if config.init_from is None else str(config.init_from)
    return {k: str(v) if isinstance(v, Path) else v for k, v in out.items()}
