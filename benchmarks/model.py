"""`python -m benchmarks model [--model PATH] [--config configs/default.toml]`.

Measures, on this machine:

- generation latency: ms per candidate for beam search (n=10), sampling (n=10) and
  beam search constrained to edits that apply (`beam_edit`, as repair decodes) on
  `fix:` inputs of about 300 tokens built from standard-library functions;
- training throughput: tokens/s (input + target tokens, padding excluded) of
  the training step for the config's architecture and batch size, on span-corruption
  batches of standard-library code.

Without `--model` it uses the bundled default checkpoint if there is one, else a
randomly initialised model of the config's architecture (said so in the output;
its candidates run to `--max-new-tokens`, so latency is per full-length candidate).
`--append` adds the markdown section to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import os
import platform
import random
import shutil
import sys
import sysconfig
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.models import add_model_arguments, seq2seq_path
from codeintel.errors import CodeintelError, ModelNotFoundError

STDLIB = Path(sysconfig.get_paths()["stdlib"])
DEFAULT_CONFIG = Path("configs/default.toml")
HEADING = "## Model (`python -m benchmarks model`)"


def stdlib_functions(limit: int = 4000, seed: int = 0) -> list[str]:
    """Top-level and method definitions cut from standard-library files (blank-line split)."""
    out: list[str] = []
    for path in sorted(STDLIB.glob("*.py")):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for chunk in text.split("\n    def ")[1:]:
            out.append("    def " + chunk.split("\n\n")[0])
    random.Random(seed).shuffle(out)
    return out[:limit]


def _tokenizer_dir(work: Path, vocab_size: int) -> Path:
    from codeintel.models.tokenizer import train_tokenizer

    out = work / "tokenizer"
    train_tokenizer(stdlib_functions(3000), out, vocab_size)
    return out


def _random_checkpoint(config, work: Path) -> Path:
    """A randomly initialised model of the config's architecture, saved with a tokenizer."""
    import torch

    from codeintel.models.tokenizer import TOKENIZER_FILE, CodeTokenizer
    from codeintel.models.training import build_model

    tok_dir = _tokenizer_dir(work, config.vocab_size)
    tok = CodeTokenizer(tok_dir)
    torch.manual_seed(0)
    model = build_model(config, tok.vocab_size, tok.pad_id, tok.eos_id)
    out = work / "random-model"
    model.save_pretrained(str(out))
    shutil.copyfile(tok_dir / TOKENIZER_FILE, out / TOKENIZER_FILE)
    return out


def _fix_inputs(model, count: int, tokens: int) -> list[str]:
    inputs = []
    for code in stdlib_functions():
        if model.count_tokens(code) >= tokens:
            ids = model.tokenizer.encode(code)[: tokens - 3]
            inputs.append("fix: " + model.tokenizer.decode(ids))
        if len(inputs) == count:
            break
    return inputs


def latency(model, args: argparse.Namespace) -> dict[str, float]:
    from codeintel.models import DecodeMode, GenerationConfig

    inputs = _fix_inputs(model, args.inputs, 300)
    results = {"input_tokens": sum(model.count_tokens(t) for t in inputs) / len(inputs)}
    sources = [text[len("fix: ") :] for text in inputs]
    runs = [(mode.value, mode, None) for mode in DecodeMode]
    runs.append(("beam_edit", DecodeMode.BEAM, sources))
    for name, mode, edit_sources in runs:
        config = GenerationConfig(
            n=10, mode=mode, max_new_tokens=args.max_new_tokens, batch_size=args.batch_size
        )
        model.generate(inputs[:1], dataclasses.replace(config, max_new_tokens=4))  # warm up
        start = time.perf_counter()
        out = model.generate(inputs, config, edit_sources)
        elapsed = time.perf_counter() - start
        produced = sum(len(c) for c in out)
        results[f"{name}_ms_per_candidate"] = 1000 * elapsed / (len(inputs) * config.n)
        results[f"{name}_unique_candidates"] = produced / len(inputs)
    return results


def _write_data(work: Path) -> Path:
    import json

    data = work / "data"
    (data / "functions").mkdir(parents=True)
    with (data / "functions" / "train-00000.jsonl").open("w", encoding="utf-8") as out:
        for i, code in enumerate(stdlib_functions(3000)):
            out.write(json.dumps({"id": str(i), "code": code, "split": "train"}) + "\n")
    return data


def training_throughput(config, work: Path, steps: int, checkpoint: Path) -> dict[str, float]:
    """Tokens/s of the train step on span-corruption batches (first 2 steps not timed).

    Uses the checkpoint's tokenizer if it has ours, else trains one on the batches' code.
    """
    import torch

    from codeintel.models import training
    from codeintel.models.tokenizer import TOKENIZER_FILE

    data_dir = _write_data(work)
    out = work / "train"
    out.mkdir()
    tokenizer = "train"
    if (checkpoint / TOKENIZER_FILE).is_file():
        shutil.copyfile(checkpoint / TOKENIZER_FILE, out / TOKENIZER_FILE)
        tokenizer = str(out)
    config = dataclasses.replace(
        config, data_dir=data_dir, out_dir=out, tokenizer=tokenizer, resume=False
    )
    if config.threads:
        torch.set_num_threads(config.threads)
    tok = training.prepare_tokenizer(config)
    trainer = training.Trainer(config, tok, training.load_data(config, tok))
    stream = trainer._stream(1)
    tokens, elapsed, cpu = 0, 0.0, 0.0
    for i in range(steps + 2):
        _, batch = next(stream)
        start, start_cpu = time.perf_counter(), time.process_time()
        float(trainer.train_step(batch))  # reading the loss waits for the step (on a GPU too)
        if i >= 2:
            elapsed += time.perf_counter() - start
            cpu += time.process_time() - start_cpu
            tokens += sum(e.tokens for e in batch)
    threads = torch.get_num_threads()
    return {
        "parameters": training.count_parameters(trainer.model),
        "train_tokens_per_s": tokens / elapsed,
        # What an idle machine would give: CPU time spread over the threads used.
        "train_tokens_per_s_idle_estimate": tokens / (cpu / threads),
        "threads": threads,
        "train_steps_timed": steps,
        "train_s_per_step": elapsed / steps,
    }


def _load(args: argparse.Namespace, config, work: Path) -> tuple[object, str]:
    from codeintel.models import ModelConfig, load_model

    model_config = ModelConfig(max_input_tokens=config.max_input_tokens, threads=config.threads)
    try:
        path = seq2seq_path(args, "model", "generation latency and training speed")
        return load_model(path, model_config), "checkpoint"
    except ModelNotFoundError:
        if args.model:
            raise
    path = _random_checkpoint(config, work)
    return load_model(str(path), model_config), "randomly initialised (no bundled checkpoint)"


def _markdown(args: argparse.Namespace, model, kind: str, lat: dict, train: dict) -> str:
    size = sum(f.stat().st_size for f in model.path.glob("*.safetensors")) / 1e6
    return "\n".join(
        [
            "",
            HEADING,
            "",
            f"Command: `{' '.join(['python -m benchmarks model', *args.argv])}`",
            f"Date: {datetime.date.today().isoformat()}. "
            f"Machine: {os.cpu_count()} CPU cores ({platform.machine()}), "
            f"Python {platform.python_version()}, torch threads {args.threads or 'default'}.",
            f"Model: {kind}; {model.num_parameters:,} parameters; weights {size:.1f} MB.",
            "",
            "| measure | value |",
            "|---|---|",
            f"| input tokens (mean) | {lat['input_tokens']:.0f} |",
            f"| max new tokens | {args.max_new_tokens} |",
            f"| beam n=10: ms per candidate | {lat['beam_ms_per_candidate']:.1f} |",
            f"| sample n=10: ms per candidate | {lat['sample_ms_per_candidate']:.1f} |",
            f"| beam n=10 constrained to edits: ms per candidate "
            f"| {lat['beam_edit_ms_per_candidate']:.1f} |",
            f"| training tokens/s ({train['train_steps_timed']} steps) "
            f"| {train['train_tokens_per_s']:,.0f} |",
            f"| training s/step | {train['train_s_per_step']:.2f} |",
            f"| training tokens/s, idle-machine estimate (tokens / (CPU s / {train['threads']}"
            f" threads)) | {train['train_tokens_per_s_idle_estimate']:,.0f} |",
            "",
            "Wall-clock numbers include any other load on the machine; the idle-machine"
            " estimate divides by the CPU time this process got instead.",
            "",
        ]
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks model", description=__doc__)
    add_model_arguments(parser)
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="training config")
    parser.add_argument("--inputs", type=int, default=4, help="inputs of ~300 tokens")
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--train-steps", type=int, default=8)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--append", action="store_true", help="append the section to BENCHMARKS.md")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from codeintel.models.train_config import TrainConfig, load_train_config

    argv = list(sys.argv[2:] if argv is None else argv)
    args = _parser().parse_args(argv)
    args.argv = argv
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        config = load_train_config(args.config) if args.config.is_file() else None
        config = config or TrainConfig(data_dir=Path("."), out_dir=Path("."))
        config = dataclasses.replace(config, threads=args.threads or config.threads)
        with tempfile.TemporaryDirectory() as tmp:
            model, kind = _load(args, config, Path(tmp))
            lat = latency(model, args)
            train = training_throughput(config, Path(tmp), args.train_steps, model.path)
            text = _markdown(args, model, kind, lat, train)
    except CodeintelError as exc:
        print(f"benchmarks model: error: {exc}")
        return 2
    print(text)
    if args.append:
        with Path("BENCHMARKS.md").open("a", encoding="utf-8") as out:
            out.write(text)
    return 0
