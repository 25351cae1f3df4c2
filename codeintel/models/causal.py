"""Causal code models in-process (`AutoModelForCausalLM`: GPT-2, Llama, Qwen2,
StarCoder2, GPTBigCode, Mistral families), from a local folder, never a hub.

    model = CausalModel.load("path/to/checkpoint")
    model.capabilities            # scores, FIM template, chat template, context length
    model.generate(["def add(a, b):\\n"], CausalGeneration(n=2, stop=("\\n\\n",)))
    model.fill_in_middle("def add(a, b):\\n    return ", "\\n")
    model.chat([{"role": "user", "content": "..."}])
    model.score("def add(a, b):\\n    return ", ["a + b", "a - b"])

Generation uses the KV cache (`generate`); the FIM template comes from the tokenizer's
special tokens (`fim.detect`, overridable), the chat prompt from the tokenizer's own
chat template. A model with neither FIM tokens nor a chat template gets plain prefix
prompts; `capabilities` says which it got.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from codeintel.errors import ModelError
from codeintel.models import fim
from codeintel.models.backend import Capabilities
from codeintel.models.seq2seq import Generation


@dataclass(frozen=True)
class CausalGeneration:
    """How to continue a prompt: `n` samples (temperature 0: the greedy one, n must be 1)."""

    n: int = 1
    max_new_tokens: int = 128
    temperature: float = 0.0
    top_p: float = 0.95
    stop: tuple[str, ...] = ()  # the text is cut at the first of these
    seed: int = 0

    def __post_init__(self) -> None:
        if self.n < 1 or self.max_new_tokens < 1:
            raise ModelError("n and max_new_tokens must be at least 1")
        if self.temperature <= 0 and self.n > 1:
            raise ModelError("greedy decoding gives one continuation: n must be 1")


GREEDY = CausalGeneration()  # one greedy continuation of up to 128 tokens


def greedy_and_samples(
    answer: Callable[[CausalGeneration], Sequence[Generation]],
    n: int,
    max_new_tokens: int,
    stop: tuple[str, ...] = (),
    temperature: float = 0.8,
) -> list[Generation]:
    """`n` candidates from `answer(config)` (a backend call): the greedy one, then n - 1
    samples at `temperature`."""
    greedy = CausalGeneration(max_new_tokens=max_new_tokens, stop=stop)
    found = list(answer(greedy))
    if n > 1:
        sampled = CausalGeneration(
            n=n - 1, max_new_tokens=max_new_tokens, temperature=temperature, stop=stop
        )
        found += answer(sampled)
    return found


def fim_request(
    template: fim.FimTemplate | None, prefix: str, suffix: str, config: CausalGeneration
) -> tuple[str, CausalGeneration]:
    """What a backend sends for a middle: the template's prompt with its stop tokens
    added; without a template, the prefix alone (the suffix cannot be seen)."""
    if template is None:
        return prefix, config
    stops = (*config.stop, *template.stops)
    return template.render(prefix, suffix), replace(config, stop=stops)


def cut(text: str, stops: Sequence[str]) -> str:
    """`text` up to the first stop string."""
    ends = [i for i in (text.find(s) for s in stops if s) if i >= 0]
    return text[: min(ends)] if ends else text


class CausalModel:
    """A causal LM and its tokenizer, on the CPU (or the device given)."""

    def __init__(self, model: Any, tokenizer: Any, path: Path, template: fim.FimTemplate | None):
        self.model, self.tokenizer, self.path, self.template = model, tokenizer, path, template

    @classmethod
    def load(cls, path: str | Path, fim_template: str | None = None, device: str = "cpu"):
        """The checkpoint in `path` (local files only); ModelError if it is not one."""
        from transformers import AutoModelForCausalLM, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        folder = Path(path)
        try:
            tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
            model = AutoModelForCausalLM.from_pretrained(folder, local_files_only=True)
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"cannot load a causal model from {folder}: {exc}") from exc
        model.to(device).eval()
        special = [*tokenizer.all_special_tokens, *tokenizer.get_vocab()]
        return cls(model, tokenizer, folder, fim.detect(special, fim_template))

    @property
    def capabilities(self) -> Capabilities:
        config = self.model.config
        length = getattr(config, "max_position_embeddings", None) or getattr(
            config, "n_positions", 0
        )
        return Capabilities(
            scores=True,
            fim=self.template.name if self.template else None,
            chat=bool(getattr(self.tokenizer, "chat_template", None)),
            context_length=int(length or 0),
        )

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer.encode(text, add_special_tokens=False))

    def _encode(self, text: str, wanted: int) -> tuple[Any, int]:
        """Token ids of `text` and how many new tokens may follow: the `wanted` ones when
        they fit the context, else at least a quarter of it, the prompt's start cut."""
        import torch

        ids = self.tokenizer.encode(text, add_special_tokens=False)
        limit = self.capabilities.context_length
        if not limit:
            return torch.tensor([ids]), wanted
        new = max(1, min(wanted, max(limit - len(ids), limit // 4)))
        return torch.tensor([ids[-(limit - new) :]]), new

    def generate(
        self, prompts: Sequence[str], config: CausalGeneration = GREEDY
    ) -> list[tuple[Generation, ...]]:
        """`config.n` continuations of each prompt, text cut at the stop strings, each
        with the sum of its tokens' log-probabilities."""
        import torch

        out = []
        for prompt in prompts:
            ids, new = self._encode(prompt, config.max_new_tokens)
            torch.manual_seed(config.seed)
            sampled = config.temperature > 0
            with torch.no_grad():
                result = self.model.generate(
                    ids,
                    attention_mask=torch.ones_like(ids),
                    do_sample=sampled,
                    temperature=config.temperature if sampled else None,
                    top_p=config.top_p if sampled else None,
                    max_new_tokens=new,
                    num_return_sequences=config.n,
                    pad_token_id=self.tokenizer.pad_token_id or self.tokenizer.eos_token_id,
                    output_scores=True,
                    return_dict_in_generate=True,
                    use_cache=True,
                )
            out.append(tuple(self._generations(ids, result, config)))
        return out

    def _generations(self, ids: Any, result: Any, config: CausalGeneration) -> list[Generation]:
        scores = self.model.compute_transition_scores(
            result.sequences, result.scores, normalize_logits=True
        )
        found = []
        for sequence, token_scores in zip(result.sequences, scores, strict=True):
            new = sequence[ids.shape[1] :]
            text = self.tokenizer.decode(new, skip_special_tokens=True)
            finite = [float(s) for s in token_scores if float(s) > float("-inf")]
            found.append(Generation(cut(text, config.stop), sum(finite)))
        return found

    def fill_in_middle(
        self, prefix: str, suffix: str, config: CausalGeneration = GREEDY
    ) -> tuple[Generation, ...]:
        """The middle between `prefix` and `suffix` by the model's FIM template (`fim_request`)."""
        prompt, config = fim_request(self.template, prefix, suffix, config)
        return self.generate([prompt], config)[0]

    def chat_prompt(self, messages: Sequence[dict[str, str]]) -> str:
        """The prompt the tokenizer's chat template makes of `messages` (the assistant's
        turn opened); ModelError for a model without one."""
        if not self.capabilities.chat:
            raise ModelError(f"{self.path} has no chat template; use plain prompts")
        return self.tokenizer.apply_chat_template(
            list(messages), tokenize=False, add_generation_prompt=True
        )

    def chat(
        self, messages: Sequence[dict[str, str]], config: CausalGeneration = GREEDY
    ) -> tuple[Generation, ...]:
        return self.generate([self.chat_prompt(messages)], config)[0]

    def score(self, prompt: str, continuations: Sequence[str]) -> tuple[float, ...]:
        """log p(continuation | prompt) of each, summed over the continuation's tokens (the
        prompt's start cut when the two do not fit the context together)."""
        import torch

        whole = self.tokenizer.encode(prompt, add_special_tokens=False)
        limit = self.capabilities.context_length or 10**9
        found = []
        for text in continuations:
            tail = self.tokenizer.encode(text, add_special_tokens=False)[: limit - 1]
            start = whole[-(limit - len(tail)) :] if len(whole) + len(tail) > limit else whole
            ids = torch.tensor([start + tail])
            with torch.no_grad():
                logits = self.model(ids).logits[0, :-1].log_softmax(-1)
            picked = logits[torch.arange(len(start) - 1, ids.shape[1] - 1), ids[0, len(start) :]]
            found.append(float(picked.sum()))
        return tuple(found)
