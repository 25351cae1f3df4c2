"""The model a benchmark suite runs, chosen as on the CLI: `--model SPEC` (a bundled name,
a checkpoint folder, seq2seq or causal, or a server URL) and `--model-name`, else
$CODEINTEL_MODEL / $CODEINTEL_MODEL_NAME, else the bundled default. Job records carry
the two texts; each worker process loads the model once (`loaded`)."""

from __future__ import annotations

import argparse
import functools
from typing import Any

from codeintel.commands.options import add_model_arguments
from codeintel.errors import InputError

__all__ = ["add_model_arguments", "described", "loaded", "seq2seq_path"]


@functools.lru_cache(maxsize=2)
def loaded(model: str | None, model_name: str | None = None) -> Any:
    """The backend a spec names, loaded once per process (any kind)."""
    from codeintel.models.spec import load_backend

    return load_backend(model, model_name)


def described(args: argparse.Namespace) -> str:
    """What a report names the model by: its kind and where it is (and the served name)."""
    from codeintel.models.spec import choose_model

    spec = choose_model(args.model, args.model_name)
    served = f" ({spec.served_name})" if spec.served_name else ""
    return f"{spec.kind.value}: {spec.location}{served}"


def seq2seq_path(args: argparse.Namespace, suite: str, measures: str) -> str:
    """The checkpoint folder of a suite that measures what only a seq2seq checkpoint has
    (`measures`); InputError naming the suites for other models otherwise."""
    from codeintel.models.spec import ModelKind, choose_model

    spec = choose_model(args.model, args.model_name)
    if spec.kind is not ModelKind.SEQ2SEQ:
        raise InputError(
            f"the {suite} suite measures {measures} of a seq2seq checkpoint; {spec.location} "
            "is a "
            f"{spec.kind.value} model (its suites: humaneval, completion, code-to-text, "
            "asserts, quixbugs, bugs, testgen, backends)"
        )
    return spec.location
