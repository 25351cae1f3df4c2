"""Fill-in-the-middle prompt templates of the causal code model families.

A tokenizer tells its family by the special tokens it carries; `detect` picks the
template from them (an explicit name overrides), and a model with none gets plain
prefix prompts (`None`). The strings are the ones each family was trained with:

- starcoder (StarCoder, StarCoder2, CodeQwen1.5):
  `<fim_prefix>{prefix}<fim_suffix>{suffix}<fim_middle>`
- qwen (Qwen2.5-Coder, CodeGemma):
  `<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>`
- deepseek (DeepSeek-Coder): `<｜fim▁begin｜>{prefix}<｜fim▁hole｜>{suffix}<｜fim▁end｜>`
- codellama (CodeLlama): `<PRE> {prefix} <SUF>{suffix} <MID>`
- codestral (Codestral): `[SUFFIX]{suffix}[PREFIX]{prefix}`
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from codeintel.errors import ModelError

_PLACEHOLDER = re.compile(r"\{(prefix|suffix)\}")


@dataclass(frozen=True)
class FimTemplate:
    name: str
    pattern: str  # with {prefix} and {suffix}
    marker: str  # the special token that tells the family
    stops: tuple[str, ...]  # tokens that end the middle

    def render(self, prefix: str, suffix: str) -> str:
        """The prompt, in one pass: braces in the code are never placeholders."""
        values = {"prefix": prefix, "suffix": suffix}
        return _PLACEHOLDER.sub(lambda found: values[found.group(1)], self.pattern)


TEMPLATES = {
    t.name: t
    for t in (
        FimTemplate(
            "starcoder",
            "<fim_prefix>{prefix}<fim_suffix>{suffix}<fim_middle>",
            "<fim_prefix>",
            ("<|endoftext|>", "<file_sep>", "<fim_prefix>"),
        ),
        FimTemplate(
            "qwen",
            "<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>",
            "<|fim_prefix|>",
            ("<|endoftext|>", "<|fim_pad|>", "<|file_sep|>", "<|fim_prefix|>"),
        ),
        FimTemplate(
            "deepseek",
            "<｜fim▁begin｜>{prefix}<｜fim▁hole｜>{suffix}<｜fim▁end｜>",
            "<｜fim▁begin｜>",
            ("<|EOT|>", "<｜end▁of▁sentence｜>"),
        ),
        FimTemplate("codellama", "<PRE> {prefix} <SUF>{suffix} <MID>", "<PRE>", ("<EOT>",)),
        FimTemplate("codestral", "[SUFFIX]{suffix}[PREFIX]{prefix}", "[SUFFIX]", ("</s>",)),
    )
}


def detect(special_tokens: Iterable[str], override: str | None = None) -> FimTemplate | None:
    """The template of a tokenizer with these special tokens (None: plain prefix
    prompts); `override` names one (or "none"); ModelError for an unknown name."""
    if override is not None:
        if override == "none":
            return None
        if override not in TEMPLATES:
            known = ", ".join([*TEMPLATES, "none"])
            raise ModelError(f"unknown FIM template {override!r}; one of {known}")
        return TEMPLATES[override]
    tokens = {t.lstrip("▁") for t in special_tokens}
    return next((t for t in TEMPLATES.values() if t.marker in tokens), None)
