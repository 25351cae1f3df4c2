"""Token counting for context budgets.

`approx_tokens` stands in for a model's tokenizer until one is given. Pass any
`LengthFn` (for example `lambda s: len(tokenizer.encode(s))`) to the builders to
measure with the real thing.
"""

from __future__ import annotations

import re
from collections.abc import Callable

LengthFn = Callable[[str], int]

# Sub-words: a capitalised or lower-case run, an upper-case run (acronym) or a digit run.
# `_` is not matched, so snake_case splits into words and the underscores are free.
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")
# ASCII punctuation except `_`.
_PUNCT = re.compile(r"[!-/:-@\[-^`{-~]+")
_INDENT = re.compile(r"^[ \t]+", re.MULTILINE)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")

WORD_CHARS_PER_TOKEN = 6
PUNCT_CHARS_PER_TOKEN = 2
INDENT_COLUMNS_PER_TOKEN = 4
TAB_COLUMNS = 4


_TAB = " " * TAB_COLUMNS


def _runs(runs: list[str], per_token: int) -> int:
    """One token per started `per_token` characters of each run."""
    return len(runs) + sum([(len(r) - 1) // per_token for r in runs if len(r) > per_token])


def approx_tokens(text: str) -> int:
    """Approximate the token count of `text` under a ~8-16k-vocabulary BPE trained on code.

    The rule (each part is a regex count, so it is cheap and deterministic):

    - every sub-word (an identifier split at `_` and camelCase boundaries, or a digit
      run) costs one token per started 6 characters: `self`, `return` -> 1,
      `isinstance` -> 2, `get_paths` -> 2;
    - every run of ASCII punctuation costs one token per started 2 characters:
      `(` -> 1, `):` -> 1, a triple quote -> 2;
    - indentation at the start of a line costs one token per started 4 columns
      (a tab counts 4); other spaces are free (BPE glues them to the next token);
    - every newline costs 1, and every non-ASCII character costs 1.

    No rule crosses a newline, so the count of texts joined by newlines is the sum
    of their counts plus the newlines, which lets the context builders add up parts.
    The count never grows when text is cut off at the end.
    """
    return (
        _runs(_WORD.findall(text), WORD_CHARS_PER_TOKEN)
        + _runs(_PUNCT.findall(text), PUNCT_CHARS_PER_TOKEN)
        + _runs([i.replace("\t", _TAB) for i in _INDENT.findall(text)], INDENT_COLUMNS_PER_TOKEN)
        + text.count("\n")
        + len(_NON_ASCII.findall(text))
    )
