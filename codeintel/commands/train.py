"""`codeintel train CONFIG`: train (or resume) a seq2seq checkpoint from a TOML/JSON config."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", type=Path, help="a TOML or JSON training config")
    parser.add_argument(
        "--resume", action="store_true", help="continue from out_dir/training_state.pt"
    )
    parser.add_argument(
        "--finetune-steps",
        type=int,
        default=None,
        metavar="N",
        help="override the config's finetune_steps (e.g. to extend a finished run with --resume;"
        " the learning-rate schedule is stretched to the new total)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _progress_bar(total: int, start: int) -> tuple[Callable[[int, float, float], None], object]:
    from tqdm import tqdm

    bar = tqdm(total=total, initial=start, unit="step", dynamic_ncols=True)

    def update(step: int, loss: float, tokens_per_s: float) -> None:
        bar.update(step - bar.n)
        bar.set_postfix(loss=f"{loss:.3f}", tok_s=f"{tokens_per_s:,.0f}", refresh=False)

    return update, bar


def run(args: argparse.Namespace) -> int:
    from codeintel.models.train_config import load_train_config
    from codeintel.models.training import train

    overrides: dict[str, object] = {"resume": True} if args.resume else {}
    if args.finetune_steps is not None:
        overrides["finetune_steps"] = args.finetune_steps
    config = load_train_config(args.config, overrides)
    show = config.progress and not args.no_progress
    update, bar = _progress_bar(config.total_steps, 0) if show else (None, None)
    try:
        result = train(config, update)
    finally:
        if bar is not None:
            bar.close()
    print(json.dumps(result.to_json(), indent=2))
    return 0
