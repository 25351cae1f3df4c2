"""Train a small T5 from scratch: span-corruption pretraining, then multi-task fine-tuning.

Stage 1 (`pretrain_steps`): T5 span corruption on the code of every training
function (`denoise:` inputs, sentinel targets). Stage 2 (`finetune_steps`): the
task examples mixed by `task_weights` (a little `denoise` kept). AdamW, linear
warmup then linear decay to 10%, gradient clipping, length-bucketed batches
under a token budget.

out_dir gets a Hugging Face checkpoint (`save_pretrained`, safetensors), our
tokenizer, `training_state.pt` (optimizer, scheduler, step, RNG, data
position: `resume = true` continues exactly), `log.jsonl` (one JSON object per
event: start, train, eval, save, end) and `MODEL_CARD.md`.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codeintel.errors import ConfigError, InputError, ModelError
from codeintel.models import data, refinement
from codeintel.models.data import DENOISE, Denoiser, Example, Limits, Mixture, Noise, StreamPosition
from codeintel.models.seq2seq import LIMITS_FILE
from codeintel.models.tokenizer import TOKENIZER_FILE, CodeTokenizer, train_tokenizer
from codeintel.models.train_config import TRAIN_TOKENIZER, TrainConfig, config_to_json
from codeintel.records import JsonRecord

if TYPE_CHECKING:
    import torch

STATE_FILE = "training_state.pt"
LOG_FILE = "log.jsonl"
CARD_FILE = "MODEL_CARD.md"
FINAL_LR_FRACTION = 0.1


@dataclass(frozen=True)
class TrainResult(JsonRecord):
    out_dir: Path
    step: int
    parameters: int
    first_loss: float | None
    last_loss: float | None
    tokens_per_second: float
    tokens_seen: int = 0  # input + target tokens (padding excluded) since step 0
    last_eval: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class TrainData:
    pretrain: Mixture
    finetune: Mixture
    valid: Mapping[str, Sequence[Example]]
    denoiser: Denoiser


def build_model(config: TrainConfig, vocab_size: int, pad_id: int, eos_id: int) -> Any:
    """A randomly initialised T5 (v1.1 style: gated-GELU, untied head) of the config's dims."""
    from transformers import T5Config, T5ForConditionalGeneration

    t5 = T5Config(
        vocab_size=vocab_size,
        d_model=config.d_model,
        d_ff=config.d_ff,
        d_kv=config.d_kv,
        num_layers=config.num_layers,
        num_decoder_layers=config.num_decoder_layers,
        num_heads=config.num_heads,
        dropout_rate=config.dropout,
        feed_forward_proj="gated-gelu",
        tie_word_embeddings=True,
        pad_token_id=pad_id,
        eos_token_id=eos_id,
        decoder_start_token_id=pad_id,
    )
    return T5ForConditionalGeneration(t5)


def load_initial_weights(model: Any, folder: Path) -> None:
    """Start `model` from the checkpoint in `folder` (config key `init_from`); ModelError if
    it cannot be read or its dims differ from the config's."""
    from transformers import T5ForConditionalGeneration

    try:
        start = T5ForConditionalGeneration.from_pretrained(str(folder), local_files_only=True)
    except (OSError, ValueError) as exc:
        raise ModelError(f"init_from {folder}: not a readable checkpoint ({exc})") from exc
    try:
        model.load_state_dict(start.state_dict())
    except RuntimeError as exc:
        first = str(exc).strip().splitlines()[-1].strip()
        raise ModelError(
            f"init_from {folder}: its dims differ from the config's ({first})"
        ) from exc


def count_parameters(model: Any) -> int:
    return int(sum(p.numel() for p in model.parameters()))


def prepare_tokenizer(config: TrainConfig) -> CodeTokenizer:
    """Our tokenizer in out_dir: trained on the training functions, or copied from a path."""
    config.out_dir.mkdir(parents=True, exist_ok=True)
    target = config.out_dir / TOKENIZER_FILE
    if config.tokenizer == TRAIN_TOKENIZER:
        if not (config.resume and target.is_file()):
            texts = data.function_texts(config.data_dir, "train")
            try:
                train_tokenizer(texts, config.out_dir, config.vocab_size)
            except RuntimeError as exc:
                raise ConfigError(
                    f"cannot train a tokenizer on {config.data_dir}/functions: {exc}"
                ) from exc
    else:
        source = Path(config.tokenizer).expanduser() / TOKENIZER_FILE
        if not source.is_file():
            raise ConfigError(f"tokenizer {config.tokenizer}: no {TOKENIZER_FILE} there")
        if source.resolve() != target.resolve():
            shutil.copyfile(source, target)
    return CodeTokenizer(config.out_dir)


def load_data(config: TrainConfig, tokenizer: CodeTokenizer) -> TrainData:
    if not (config.data_dir / "functions").is_dir():
        raise ConfigError(f"data_dir {config.data_dir} has no functions/ folder")
    limits = Limits(config.max_input_tokens, config.max_target_tokens)
    denoiser = Denoiser(tokenizer, limits, Noise(config.noise_density, config.mean_span))
    workers = config.data_workers
    functions = data.load_functions(
        config.data_dir, "train", tokenizer, 4 * denoiser.crop, workers=workers
    )
    examples = data.load_examples(config.data_dir, "train", tokenizer, limits, workers=workers)
    for extra in config.extra_data:
        if not (extra / "examples" / "train").is_dir():
            raise ConfigError(f"extra_data {extra} has no examples/train/ folder")
        more = data.load_examples(extra, "train", tokenizer, limits, workers=workers)
        examples = {t: [*examples.get(t, []), *more.get(t, [])] for t in {*examples, *more}}
    for folder in config.refinement_data:
        fixes = data.encode_records(refinement_records(folder), tokenizer, limits)
        examples = {**examples, "fix": [*examples.get("fix", []), *fixes]}
    valid = data.load_examples(config.data_dir, "valid", tokenizer, limits, config.eval_examples)
    valid_functions = data.load_functions(
        config.data_dir, "valid", tokenizer, denoiser.crop, config.eval_examples
    )
    rng = random.Random(config.seed)
    if valid_functions:
        valid = {**valid, DENOISE: [denoiser(code, rng) for code in valid_functions]}
    return TrainData(
        pretrain=Mixture({}, functions, {DENOISE: 1.0}),
        finetune=Mixture(examples, functions, dict(config.task_weights)),
        valid=valid,
        denoiser=denoiser,
    )


def resolve_device(name: str) -> str:
    """The torch device of config.device: "auto" is cuda when torch sees a GPU, else cpu."""
    import torch

    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"device {name!r}: torch sees no CUDA GPU here (use cpu or auto)")
    return name


def autocast(device: str, bf16: bool) -> Any:
    """bfloat16 autocast on CUDA when asked; otherwise a context that changes nothing."""
    import contextlib

    import torch

    if bf16 and device.startswith("cuda"):
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def collate(batch: Sequence[Example], pad_id: int, device: str = "cpu") -> dict[str, torch.Tensor]:
    """Padded input ids, attention mask and labels (-100 past each target) of a batch."""
    import numpy as np
    import torch

    width_in = max(len(e.source) for e in batch)
    width_out = max(len(e.target) for e in batch)
    ids = np.full((len(batch), width_in), pad_id, dtype=np.int64)
    labels = np.full((len(batch), width_out), -100, dtype=np.int64)
    for row, example in enumerate(batch):
        ids[row, : len(example.source)] = example.source
        labels[row, : len(example.target)] = example.target
    lengths = torch.tensor([len(e.source) for e in batch])
    mask = (torch.arange(width_in)[None, :] < lengths[:, None]).long()
    tensors = {
        "input_ids": torch.from_numpy(ids),
        "attention_mask": mask,
        "labels": torch.from_numpy(labels),
    }
    if device == "cpu":
        return tensors
    return {k: v.pin_memory().to(device, non_blocking=True) for k, v in tensors.items()}


def lr_lambda(config: TrainConfig) -> Callable[[int], float]:
    total, warmup = config.total_steps, max(0, config.warmup)

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        remaining = max(0, total - step) / max(1, total - warmup)
        return FINAL_LR_FRACTION + (1 - FINAL_LR_FRACTION) * remaining

    return factor


class Logger:
    """Appends JSON events to out_dir/log.jsonl."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self, event: str, **values: Any) -> None:
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"event": event, "time": round(time.time(), 3), **values}) + "\n")


class _Window:
    """Tokens since the last log line, and the rate they came at."""

    def __init__(self) -> None:
        self.tokens, self.start, self.rate = 0, time.perf_counter(), 0.0

    def close(self) -> None:
        now = time.perf_counter()
        self.rate = self.tokens / max(now - self.start, 1e-9)
        self.tokens, self.start = 0, now


def _stage(config: TrainConfig, step: int) -> int:
    return 1 if step < config.pretrain_steps else 2


class Trainer:
    """The state of one run: model, optimizer, schedule, step, data positions."""

    def __init__(
        self, config: TrainConfig, tokenizer: CodeTokenizer, train_data: TrainData
    ) -> None:
        import torch

        self.config = config
        self.tokenizer = tokenizer
        self.data = train_data
        self.log = Logger(config.out_dir / LOG_FILE)
        self.step = 0
        self.positions = {1: StreamPosition(), 2: StreamPosition()}
        self.device = resolve_device(config.device)
        torch.manual_seed(config.seed)
        self.model = build_model(config, tokenizer.vocab_size, tokenizer.pad_id, tokenizer.eos_id)
        if config.init_from is not None:
            load_initial_weights(self.model, config.init_from)
        self.model.to(self.device)
        self.optimizer = torch.optim.AdamW(
            self.model.parameters(), lr=config.lr, weight_decay=config.weight_decay
        )
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(self.optimizer, lr_lambda(config))
        self.losses: list[float] = []
        self.pending: list[torch.Tensor] = []  # losses not yet read from the device
        self.last_eval: dict[str, float] = {}
        self.tokens_seen = 0

    # -- checkpoints -------------------------------------------------------------------

    def save(self) -> None:
        import torch

        out = self.config.out_dir
        self.model.save_pretrained(str(out), safe_serialization=True)
        limits = {
            "max_input_tokens": self.config.max_input_tokens,
            "max_target_tokens": self.config.max_target_tokens,
        }
        (out / LIMITS_FILE).write_text(json.dumps(limits, indent=1) + "\n", encoding="utf-8")
        state = {
            "step": self.step,
            "tokens_seen": self.tokens_seen,
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "torch_rng": torch.get_rng_state(),
            "positions": {k: (p.pool, p.offset) for k, p in self.positions.items()},
            "config": config_to_json(self.config),
        }
        torch.save(state, out / (STATE_FILE + ".tmp"))
        (out / (STATE_FILE + ".tmp")).replace(out / STATE_FILE)
        self.log("save", step=self.step)

    def restore(self) -> None:
        import torch
        from transformers import T5ForConditionalGeneration

        out = self.config.out_dir
        try:
            state = torch.load(out / STATE_FILE, weights_only=False, map_location="cpu")
            model = T5ForConditionalGeneration.from_pretrained(str(out), local_files_only=True)
            self.model.load_state_dict(model.state_dict())
            self.optimizer.load_state_dict(state["optimizer"])
        except (OSError, RuntimeError, KeyError, ValueError) as exc:
            raise ModelError(
                f"cannot resume from {out} (was it trained with other dims?): {exc}"
            ) from exc
        self.scheduler.load_state_dict(state["scheduler"])
        torch.set_rng_state(state["torch_rng"])
        self.step = int(state["step"])
        # states saved before tokens_seen existed count from this resume on
        self.tokens_seen = int(state.get("tokens_seen", 0))
        self.positions = {int(k): StreamPosition(*v) for k, v in state["positions"].items()}
        self.log("resume", step=self.step)

    # -- training ----------------------------------------------------------------------

    def _stream(self, stage: int) -> Iterator[tuple[StreamPosition, list[Example]]]:
        mixture = self.data.pretrain if stage == 1 else self.data.finetune
        seed = f"{self.config.seed}:{stage}"
        return data.stream(
            mixture, self.data.denoiser, self.config.batch_tokens, seed, self.positions[stage]
        )

    def train_step(self, batch: Sequence[Example]) -> torch.Tensor:
        """One optimizer step; returns the loss as a tensor (reading it would wait for the GPU)."""
        import torch

        self.model.train()
        with autocast(self.device, self.config.bf16):
            loss = self.model(**collate(batch, self.tokenizer.pad_id, self.device)).loss
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.config.clip)
        self.optimizer.step()
        self.scheduler.step()
        self.step += 1
        return loss.detach()

    def run(
        self,
        progress: Callable[[int, float, float], None] | None = None,
        stop_at: int | None = None,
    ) -> TrainResult:
        """Train to the end of the schedule, or up to step `stop_at` (then save).

        Losses stay on the device until a log line reads them, so the next batch is
        prepared while the GPU still works on this one; the progress bar shows the
        loss of the last step read.
        """
        end = min(
            self.config.total_steps, stop_at if stop_at is not None else self.config.total_steps
        )
        streams: dict[int, Iterator[tuple[StreamPosition, list[Example]]]] = {}
        window = _Window()
        total_tokens, total_time = 0, 0.0
        while self.step < end:
            tick = time.perf_counter()
            stage = _stage(self.config, self.step)
            if stage not in streams:
                streams[stage] = self._stream(stage)
            position, batch = next(streams[stage])
            self.pending.append(self.train_step(batch))
            self.positions[stage] = position
            tokens = sum(e.tokens for e in batch)
            window.tokens += tokens
            total_tokens += tokens
            self.tokens_seen += tokens
            if self.step % self.config.log_every == 0 or self.step == self.config.total_steps:
                self._log_train(stage, window)
            if progress:
                if not self.losses:  # before the first log line, read this step's loss
                    self._read_losses()
                progress(self.step, self.losses[-1], window.rate)
            total_time += time.perf_counter() - tick
            self._periodic(self.step == end)
        self._read_losses()
        return self._result(total_tokens / max(total_time, 1e-9))

    def _read_losses(self) -> None:
        self.losses.extend(float(loss) for loss in self.pending)
        self.pending.clear()

    def _log_train(self, stage: int, window: _Window) -> None:
        self._read_losses()
        window.close()
        recent = self.losses[-self.config.log_every :]
        if not all(math.isfinite(loss) for loss in recent):
            self.log("diverged", step=self.step)
            raise ModelError(
                f"training diverged: the loss is not finite by step {self.step} (nothing saved "
                "since the last checkpoint); lower lr or turn bf16 off, then --resume"
            )
        self.log(
            "train",
            step=self.step,
            stage=stage,
            loss=sum(recent) / len(recent),
            lr=self.scheduler.get_last_lr()[0],
            tokens_per_s=round(window.rate, 1),
            tokens_seen=self.tokens_seen,
        )

    def _periodic(self, done: bool) -> None:
        if self.step % self.config.eval_every == 0 or done:
            self.last_eval = evaluate(self.model, self.data.valid, self.tokenizer, self.config)
            self.log("eval", step=self.step, **self.last_eval)
        if self.step % self.config.save_every == 0 or done:
            self.save()

    def _result(self, tokens_per_second: float) -> TrainResult:
        return TrainResult(
            out_dir=self.config.out_dir,
            step=self.step,
            parameters=count_parameters(self.model),
            first_loss=self.losses[0] if self.losses else None,
            last_loss=self.losses[-1] if self.losses else None,
            tokens_per_second=round(tokens_per_second, 1),
            tokens_seen=self.tokens_seen,
            last_eval=dict(self.last_eval),
        )


def _task_loss(model: Any, examples: Sequence[Example], pad_id: int) -> float:
    """Mean token cross-entropy over `examples`."""
    import torch

    device = str(next(model.parameters()).device)
    total, count = 0.0, 0
    for start in range(0, len(examples), 16):
        batch = collate(examples[start : start + 16], pad_id, device)
        logits = model(**batch).logits
        labels = batch["labels"]
        loss = torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]),
            labels.reshape(-1),
            ignore_index=-100,
            reduction="sum",
        )
        total += float(loss)
        count += int((labels != -100).sum())
    return total / max(count, 1)


def _exact_match(
    model: Any, examples: Sequence[Example], tokenizer: CodeTokenizer, max_new: int
) -> float:
    """Share of examples whose greedy output equals the target text."""
    if not examples:
        return 0.0
    import torch

    device = next(model.parameters()).device
    hits = 0
    for example in examples:
        ids = torch.tensor([example.source], device=device)
        out = model.generate(input_ids=ids, max_new_tokens=max_new, num_beams=1, do_sample=False)
        hits += (
            tokenizer.decode(out[0].tolist()).strip() == tokenizer.decode(example.target).strip()
        )
    return hits / len(examples)


def evaluate(
    model: Any,
    valid: Mapping[str, Sequence[Example]],
    tokenizer: CodeTokenizer,
    config: TrainConfig,
) -> dict[str, float]:
    """Held-out loss per task, and greedy exact match on a few `fix` examples."""
    import torch

    model.eval()
    results: dict[str, float] = {}
    with torch.inference_mode():
        for task, examples in sorted(valid.items()):
            results[f"loss_{task}"] = round(_task_loss(model, examples, tokenizer.pad_id), 4)
        fixes = list(valid.get("fix", ()))[: config.eval_generate]
        if fixes:
            em = _exact_match(model, fixes, tokenizer, config.max_target_tokens)
            results["exact_match_fix"] = round(em, 4)
    model.train()
    return results


def refinement_records(folder: Path) -> list[dict[str, str]]:
    """The train pairs of a CodeXGLUE refinement folder as fix records."""
    try:
        pairs = refinement.read_pairs(folder, "train")
    except InputError as exc:
        raise ConfigError(f"refinement_data: {exc}") from exc
    return [r for r in (refinement.fix_record(b, f) for b, f in pairs) if r is not None]


def write_model_card(config: TrainConfig, result: TrainResult) -> None:
    lines = [
        f"# {config.out_dir.name}",
        "",
        "A T5 encoder-decoder trained from scratch by `codeintel train`: span-corruption "
        "pretraining, then multi-task fine-tuning on the codeintel task prefixes.",
        "",
        f"- parameters: {result.parameters:,}",
        f"- dims: d_model {config.d_model}, d_ff {config.d_ff}, layers {config.num_layers}+"
        f"{config.num_decoder_layers}, heads {config.num_heads}, vocab {config.vocab_size}",
        f"- steps: {config.pretrain_steps} pretraining + {config.finetune_steps} fine-tuning "
        f"({result.step} done), batch {config.batch_tokens} tokens, lr {config.lr}",
        f"- data: {config.data_dir}"
        + "".join(f" + {extra} (train examples)" for extra in config.extra_data)
        + "".join(f" + {folder} (refinement train pairs)" for folder in config.refinement_data),
        f"- task weights: {json.dumps(dict(config.task_weights))}",
        f"- training throughput: {result.tokens_per_second} tokens/s",
        f"- tokens seen: {result.tokens_seen:,} (input + target, padding excluded)",
        f"- last held-out eval: {json.dumps(dict(result.last_eval))}",
        "",
        "Held-out task scores: `python -m benchmarks heldout --model <this folder>`.",
    ]
    (config.out_dir / CARD_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")


def train(
    config: TrainConfig,
    progress: Callable[[int, float, float], None] | None = None,
    stop_at: int | None = None,
) -> TrainResult:
    """Run (or resume) the training described by `config`; returns the final result.

    `stop_at` ends the run early at that step (saved, resumable), as if interrupted.
    """
    import torch
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    if config.threads:
        torch.set_num_threads(config.threads)
    torch.backends.cuda.matmul.allow_tf32 = True  # float32 matrix products on TF32 units (GPU)
    tokenizer = prepare_tokenizer(config)
    train_data = load_data(config, tokenizer)
    trainer = Trainer(config, tokenizer, train_data)
    if config.resume and (config.out_dir / STATE_FILE).is_file():
        trainer.restore()
    trainer.log(
        "start",
        step=trainer.step,
        parameters=count_parameters(trainer.model),
        config=config_to_json(config),
    )
    result = trainer.run(progress, stop_at)
    write_model_card(config, result)
    trainer.log("end", **result.to_json())
    return result
