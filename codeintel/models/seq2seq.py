"""Load a seq2seq checkpoint, generate candidates, score targets.

A checkpoint is a local Hugging Face directory (T5, CodeT5, BART: anything
`AutoModelForSeq2SeqLM` loads) and its tokenizer: ours when the directory has
`codeintel_tokenizer.model`, else the Hugging Face tokenizer saved with it.
Nothing is fetched from a hub.

Scores: every `Generation.logprob` is the sequence log-likelihood
log p(target | input) = the sum of the log-probabilities of the target's tokens
and the final eos, under teacher forcing, for the canonical tokenisation of the
candidate's text. `score(input, [text])` returns the same number for the same text.

Truncation: an input longer than `max_input_tokens` keeps its head (task prefix
and the code under work come first in every input format). `encode` reports
it in `Encoded.truncated`, and after each `generate`/`score` call
`Seq2SeqModel.last_truncated` holds how many of its inputs were truncated.
Generation stops at the target length the checkpoint was trained with, if it
records one (`codeintel.json`), whatever `max_new_tokens` asks.
"""

from __future__ import annotations

import enum
import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codeintel.errors import InputError, ModelError, ModelNotFoundError
from codeintel.files import MAX_CONFIG_BYTES, read_text
from codeintel.models.backend import Capabilities
from codeintel.models.tokenizer import Tokenizer, load_tokenizer
from codeintel.records import JsonRecord

if TYPE_CHECKING:
    import torch

DEFAULT_MODEL = "codeintel-small"
WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"
MODEL_ENV = "CODEINTEL_MODEL"
LIMITS_FILE = "codeintel.json"  # {"max_input_tokens": ..., "max_target_tokens": ...} of training
DEFAULT_MAX_INPUT_TOKENS = 512


class DecodeMode(str, enum.Enum):
    BEAM = "beam"
    SAMPLE = "sample"


@dataclass(frozen=True)
class GenerationConfig:
    """How to generate: `n` candidates per input by beam search or by sampling."""

    n: int = 10
    mode: DecodeMode = DecodeMode.BEAM
    temperature: float = 0.8
    top_p: float = 0.95
    max_new_tokens: int = 256
    seed: int = 0
    batch_size: int = 8
    beam_width: int | None = None  # beams searched (>= n); None: n. The n best are returned.
    no_repeat_ngram_size: int = 0  # > 0: no n-gram of this size twice in an output
    length_penalty: float = 0.0  # beam search: scores divided by length ** this (0: none)
    # False: beam search's own scores (the log-likelihood of what it generated, a forced
    # prefix not counted) instead of a second, teacher-forced pass (faster; completion)
    rescore: bool = True
    stop_at_newline: bool = False  # stop once every candidate has begun a second line
    # stop decoding after this many seconds and return what is decoded by then (Hugging
    # Face's `max_time`, checked after each step); None: no limit
    max_seconds: float | None = None

    @property
    def beams(self) -> int:
        return max(self.n, self.beam_width or self.n)


@dataclass(frozen=True)
class ModelConfig:
    max_input_tokens: int | None = None  # None: the length the checkpoint was trained with
    threads: int | None = None  # torch intra-op threads; None leaves torch's default
    device: str = "cpu"


@dataclass(frozen=True)
class Generation(JsonRecord):
    text: str
    logprob: float  # sequence log-likelihood: sum of token log-probs, eos included


@dataclass(frozen=True)
class Encoded:
    """Model input ids (special tokens included) and whether the text was cut to fit."""

    ids: tuple[int, ...]
    truncated: bool


def resolve_model_path(name_or_path: str | None, env: Mapping[str, str] = os.environ) -> Path:
    """None -> $CODEINTEL_MODEL -> the bundled default; a bundled name -> its folder; else a path.

    Raises ModelNotFoundError naming the path that does not exist.
    """
    name = name_or_path or env.get(MODEL_ENV) or DEFAULT_MODEL
    if name.startswith(("http://", "https://")):
        raise ModelError(
            f"{name} is a server URL: this loader takes seq2seq checkpoints only (every "
            "task and the humaneval benchmark take a server; the other benchmarks do not)"
        )
    bundled = WEIGHTS_DIR / name
    if os.sep not in name and "/" not in name and bundled.is_dir():
        return bundled
    path = Path(name).expanduser()
    if path.exists():
        return path
    if name == DEFAULT_MODEL:
        raise ModelNotFoundError(
            f"the bundled model {name} is not installed at {bundled}; "
            "train it with `codeintel train configs/default.toml` or pass --model PATH"
        )
    raise ModelNotFoundError(f"no model checkpoint at {path}")


def trained_limit(path: Path, key: str) -> int | None:
    """A length of the training run (`max_input_tokens`, `max_target_tokens`) from the
    checkpoint's `codeintel.json`; None for checkpoints without it (not trained here)."""
    try:
        text = read_text(Path(path) / LIMITS_FILE, "checkpoint settings", MAX_CONFIG_BYTES)
        return int(json.loads(text)[key])
    except (InputError, ValueError, KeyError, TypeError):
        return None


def check_seq2seq(path: Path) -> None:
    """ModelError, in one line, for a folder the tasks cannot use yet (a causal model)."""
    from codeintel.models.spec import ModelKind, folder_kind

    if (path / "config.json").is_file() and folder_kind(path) is ModelKind.CAUSAL:
        raise ModelError(
            f"{path} holds a causal model: this loader takes seq2seq checkpoints only "
            "(every task and the humaneval benchmark take one; the other benchmarks do not)"
        )


def load_model(name_or_path: str | None = None, config: ModelConfig | None = None) -> Seq2SeqModel:
    """Load a checkpoint for inference; ModelError (naming the path) if it is broken."""
    config = config or ModelConfig()
    path = resolve_model_path(name_or_path)
    if not path.is_dir():
        raise ModelError(f"model checkpoint {path} is not a directory")
    check_seq2seq(path)
    import torch
    from transformers import AutoModelForSeq2SeqLM
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    if config.threads:
        torch.set_num_threads(config.threads)
    tokenizer = load_tokenizer(path)
    try:
        model = AutoModelForSeq2SeqLM.from_pretrained(str(path), local_files_only=True)
    except (OSError, ValueError, KeyError, RuntimeError, TypeError) as exc:
        raise ModelError(f"cannot load model checkpoint {path}: {exc}") from exc
    model.to(config.device).eval()
    return Seq2SeqModel(path, model, tokenizer, config)


class Seq2SeqModel:
    """A loaded checkpoint: generate candidates and score targets, batched."""

    def __init__(self, path: Path, model: Any, tokenizer: Tokenizer, config: ModelConfig) -> None:
        self.path = Path(path)
        self.model = model
        self.tokenizer = tokenizer
        self.config = config
        self.max_input_tokens = (
            config.max_input_tokens
            or trained_limit(self.path, "max_input_tokens")
            or DEFAULT_MAX_INPUT_TOKENS
        )
        # generation stops here: the model never saw a longer target (None: no cap)
        self.max_target_tokens = trained_limit(self.path, "max_target_tokens")
        self.last_truncated = 0
        self._special_overhead = len(tokenizer.with_specials([]))
        self._pieces: list[str | None] | None = None  # tokenizer.piece_texts(), when needed

    @property
    def num_parameters(self) -> int:
        return int(sum(p.numel() for p in self.model.parameters()))

    @property
    def capabilities(self) -> Capabilities:
        """Trained on codeintel's task inputs; scores continuations; no FIM, no chat."""
        return Capabilities(
            scores=True,
            fim=None,
            chat=False,
            context_length=self.max_input_tokens,
            task_formats=True,
        )

    def count_tokens(self, text: str) -> int:
        """Tokens of `text` without special tokens (what a context budget counts)."""
        return self.tokenizer.count(text)

    def encode(self, text: str) -> Encoded:
        ids = self.tokenizer.encode(text)
        room = max(1, self.max_input_tokens - self._special_overhead)
        truncated = len(ids) > room
        return Encoded(tuple(self.tokenizer.with_specials(ids[:room])), truncated)

    def _encode_all(self, inputs: Sequence[str]) -> list[Encoded]:
        encoded = [self.encode(text) for text in inputs]
        self.last_truncated = sum(e.truncated for e in encoded)
        return encoded

    def _pad(self, rows: Sequence[Sequence[int]], value: int) -> torch.Tensor:
        import torch

        width = max(len(r) for r in rows)
        data = [list(r) + [value] * (width - len(r)) for r in rows]
        return torch.tensor(data, dtype=torch.long, device=self.config.device)

    def _inputs(self, batch: Sequence[Encoded]) -> tuple[torch.Tensor, torch.Tensor]:
        """Padded input ids and their attention mask (from the lengths, not the pad id)."""
        import torch

        ids = self._pad([e.ids for e in batch], self.tokenizer.pad_id)
        lengths = torch.tensor([len(e.ids) for e in batch], device=ids.device)
        mask = (torch.arange(ids.shape[1], device=ids.device)[None, :] < lengths[:, None]).long()
        return ids, mask

    def generate(
        self,
        inputs: Sequence[str],
        config: GenerationConfig | None = None,
        edit_sources: Sequence[str] | None = None,
        prefixes: Sequence[str] | None = None,
    ) -> list[tuple[Generation, ...]]:
        """Up to `config.n` candidates per input, best first, texts unique.

        With `prefixes` (one per input), each candidate starts with its input's
        prefix: the decoder is given it and continues from there (completion forces
        what the user already typed of a line this way); the texts returned include it.

        Beam: the n best of `beam_width` beams (default n). Sample: n samples with
        temperature/top-p, deterministic for a given seed, inputs and batch size. Candidates whose
        texts coincide are merged. With `edit_sources` (one per input), decoding is
        constrained to edits (`formats.Edit`) whose old text occurs exactly once in
        the input's source (`constrained.EditConstraint`).
        """
        import torch

        config = config or GenerationConfig()
        if (
            config.n < 1
            or config.batch_size < 1
            or config.max_new_tokens < 1
            or (config.beam_width is not None and config.beam_width < config.n)
        ):
            raise ModelError(f"invalid generation config {config}")
        if edit_sources is not None and len(edit_sources) != len(inputs):
            raise ModelError(f"{len(edit_sources)} edit sources for {len(inputs)} inputs")
        if prefixes is not None and (len(prefixes) != len(inputs) or edit_sources is not None):
            raise ModelError("one prefix per input, and no prefixes with edit sources")
        encoded = self._encode_all(inputs)
        results: list[tuple[Generation, ...]] = []
        step = 1 if prefixes is not None else config.batch_size  # prefixes differ in length
        with torch.inference_mode():
            for start in range(0, len(encoded), step):
                batch = encoded[start : start + step]
                sources = edit_sources[start : start + len(batch)] if edit_sources else None
                prefix = prefixes[start] if prefixes is not None else None
                texts, scores = self._generate_batch(batch, config, start, sources, prefix)
                if scores is None:
                    results.extend(self._rank(batch, texts))
                else:
                    results.extend(_ranked_by(texts, scores, config.n))
        self.last_truncated = sum(e.truncated for e in encoded)
        return results

    def _generate_batch(
        self,
        batch: Sequence[Encoded],
        config: GenerationConfig,
        offset: int,
        edit_sources: Sequence[str] | None,
        prefix: str | None = None,
    ) -> tuple[list[list[str]], list[float] | None]:
        """Each input's n texts, and their beam scores when `config.rescore` is off
        (None otherwise, or with one beam: the texts are then scored by `_rank`)."""
        import torch

        input_ids, mask = self._inputs(batch)
        kwargs: dict[str, Any] = {
            "input_ids": input_ids,
            "attention_mask": mask,
            "max_new_tokens": self._max_new_tokens(config),
            "num_return_sequences": config.n,
            "pad_token_id": self.tokenizer.pad_id,
            "eos_token_id": self.tokenizer.eos_id,
        }
        beam = config.mode is DecodeMode.BEAM
        if config.no_repeat_ngram_size > 0:
            kwargs["no_repeat_ngram_size"] = config.no_repeat_ngram_size
        if config.max_seconds is not None:
            kwargs["max_time"] = config.max_seconds
        if prefix:
            kwargs["decoder_input_ids"] = self._decoder_start(prefix, len(batch))
        if config.stop_at_newline:
            start = kwargs["decoder_input_ids"].shape[1] if prefix else 1
            kwargs["stopping_criteria"] = self._newline_stop(start)
        if edit_sources is not None:
            rows = config.beams if beam else config.n  # decoder rows per input
            kwargs["logits_processor"] = self._edit_constraint(edit_sources, rows)
        if beam:
            kwargs.update(
                num_beams=config.beams, do_sample=False, length_penalty=config.length_penalty
            )
            if not config.rescore:
                kwargs.update(return_dict_in_generate=True, output_scores=True)
            outputs = self.model.generate(**kwargs)
        else:
            kwargs.update(
                num_beams=1, do_sample=True, temperature=config.temperature, top_p=config.top_p
            )
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(config.seed + offset)
                outputs = self.model.generate(**kwargs)
        scores = None
        if not config.rescore and beam:
            beam_scores = getattr(outputs, "sequences_scores", None)  # None: one beam (greedy)
            outputs = outputs.sequences
            scores = None if beam_scores is None else beam_scores.tolist()
        decoded = [self.tokenizer.decode(row.tolist()) for row in outputs]
        return [decoded[i * config.n : (i + 1) * config.n] for i in range(len(batch))], scores

    def _newline_stop(self, start: int) -> Any:
        """Stops generation once each row's tokens after `start` hold a newline."""
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList

        newline = torch.tensor(
            [bool(p and "\n" in p) for p in self._piece_texts()], device=self.config.device
        )

        class NewlineStop(StoppingCriteria):
            def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
                tokens = input_ids[:, start:].clamp(max=len(newline) - 1)
                return newline[tokens].any(dim=1)  # (rows,)

        return StoppingCriteriaList([NewlineStop()])

    def _decoder_start(self, prefix: str, rows: int) -> torch.Tensor:
        """The decoder's first ids: its start token, then the prefix's tokens."""
        start = self.model.config.decoder_start_token_id
        start = self.tokenizer.pad_id if start is None else start
        ids = [start, *self.tokenizer.encode(prefix)]
        return self._pad([ids] * rows, self.tokenizer.pad_id)

    def _piece_texts(self) -> list[str | None]:
        """The tokenizer's text per id, computed once."""
        if self._pieces is None:
            self._pieces = self.tokenizer.piece_texts()
        return self._pieces

    def _max_new_tokens(self, config: GenerationConfig) -> int:
        cap = self.max_target_tokens
        return min(config.max_new_tokens, cap) if cap else config.max_new_tokens

    def _edit_constraint(self, sources: Sequence[str], rows_per_source: int) -> Any:
        from transformers import LogitsProcessorList

        from codeintel.models.constrained import EditConstraint

        pieces = self._piece_texts()
        constraint = EditConstraint(sources, rows_per_source, pieces, self.tokenizer.eos_id)
        return LogitsProcessorList([constraint])

    def _rank(
        self, batch: Sequence[Encoded], texts: Sequence[Sequence[str]]
    ) -> list[tuple[Generation, ...]]:
        unique = [list(dict.fromkeys(row)) for row in texts]
        scores = self._score_encoded(batch, unique)
        ranked = []
        for row, row_scores in zip(unique, scores, strict=True):
            candidates = [Generation(t, s) for t, s in zip(row, row_scores, strict=True)]
            ranked.append(tuple(sorted(candidates, key=lambda c: -c.logprob)))
        return ranked

    def score(self, input: str, targets: Sequence[str]) -> tuple[float, ...]:
        """log p(target | input) of each target, as in `Generation.logprob`."""
        import torch

        if not targets:
            return ()
        encoded = self._encode_all([input])
        with torch.inference_mode():
            return tuple(self._score_encoded(encoded, [list(targets)])[0])

    def _score_encoded(
        self, batch: Sequence[Encoded], targets: Sequence[Sequence[str]]
    ) -> list[list[float]]:
        """Teacher-forced log-likelihoods; the encoder runs once per input."""
        import torch

        input_ids, mask = self._inputs(batch)
        hidden = self.model.get_encoder()(input_ids=input_ids, attention_mask=mask)[0]
        owner = [i for i, row in enumerate(targets) for _ in row]
        labels_list = [
            self.tokenizer.with_specials(self.tokenizer.encode(t)) for row in targets for t in row
        ]
        totals: list[float] = []
        chunk = 64
        for s in range(0, len(owner), chunk):
            index = torch.tensor(owner[s : s + chunk], device=input_ids.device)
            labels = self._pad(labels_list[s : s + chunk], -100)
            out = self.model(
                encoder_outputs=(hidden.index_select(0, index),),
                attention_mask=mask.index_select(0, index),
                labels=labels,
            )
            totals.extend(_sequence_logprobs(out.logits, labels))
        it = iter(totals)
        return [[next(it) for _ in row] for row in targets]


def _ranked_by(
    texts: Sequence[Sequence[str]], scores: Sequence[float], n: int
) -> list[tuple[Generation, ...]]:
    """Each input's texts with their beam scores, best first, each text once."""
    ranked = []
    for i, row in enumerate(texts):
        best: dict[str, float] = {}
        for text, score in zip(row, scores[i * n : (i + 1) * n], strict=True):
            best[text] = max(score, best.get(text, -math.inf))
        ranked.append(tuple(Generation(t, s) for t, s in sorted(best.items(), key=lambda x: -x[1])))
    return ranked


def _sequence_logprobs(logits: torch.Tensor, labels: torch.Tensor) -> list[float]:
    import torch

    logprobs = torch.log_softmax(logits.float(), dim=-1)
    valid = labels != -100
    picked = logprobs.gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    sums = (picked * valid).sum(dim=-1)
    return [float(x) if math.isfinite(float(x)) else -math.inf for x in sums]
