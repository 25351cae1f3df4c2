"""Constrained decoding of edit targets: every candidate is an edit that applies.

An edit target `<edit>{old}<to>{new}` is only usable when `old` occurs exactly once
in the function it edits. An unconstrained small model spends most of its beam on
edits such as `<edit>0<to>1` that match nowhere or everywhere. `EditConstraint`
is a Hugging Face logits processor that, at each step and for each sequence, keeps
only the tokens after which the text is still a valid edit prefix of that
sequence's source (`formats.edit_prefix`), so beam search and sampling spend their
candidates on edits that apply. The new text is free, but may not end equal to the old.

Cost: while writing the old text, only a row's `TOP_K` best tokens are checked
(beam search keeps at most 2 x beams of them anyway); if none is valid, every token
whose text occurs in the source or in the markers is. A row with no valid token may only end,
and yields an invalid candidate that the caller drops.

Imported lazily (it needs torch and transformers).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from transformers import LogitsProcessor

from codeintel.models.formats import EDIT, TO, EditPrefix, edit_prefix

TOP_K = 32


class EditConstraint(LogitsProcessor):
    """Masks the tokens that would make row r's text stop being an edit of its source.

    Row r of the generation batch belongs to source `r // rows_per_source`
    (generate expands every input to its beams or samples in order).
    """

    def __init__(
        self,
        sources: Sequence[str],
        rows_per_source: int,
        pieces: Sequence[str | None],
        eos_id: int,
        prompt_length: int = 1,
    ) -> None:
        self.sources = list(sources)
        self.rows_per_source = rows_per_source
        self.pieces = pieces
        self.eos_id = eos_id
        self.prompt_length = prompt_length  # decoder start token(s) before the target
        self._in_source = [self._tokens_in(s) for s in self.sources]

    def _tokens_in(self, source: str) -> list[int]:
        """Tokens that may start or extend an edit: their text is in the source or the markers."""
        markers = EDIT + TO
        return [i for i, p in enumerate(self.pieces) if p and (p in source or p in markers)]

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        for row in range(scores.shape[0]):
            text = self._text(input_ids[row].tolist())
            source = row // self.rows_per_source
            state = edit_prefix(self.sources[source], text)
            if state is EditPrefix.NEW:
                self._forbid_no_op_end(text, scores, row)
                continue
            allowed = self._allowed(source, text, scores[row]) if state is EditPrefix.OLD else []
            _keep_only(scores, row, allowed or [self.eos_id])
        return scores

    def _forbid_no_op_end(self, text: str, scores: torch.Tensor, row: int) -> None:
        """No ending where the new text equals the old (an edit that changes nothing)."""
        old, _, new = text[len(EDIT) :].partition(TO)
        if new == old:
            scores[row, self.eos_id] = -torch.inf

    def _text(self, ids: Sequence[int]) -> str:
        return "".join(self.pieces[i] or "\ufffd" for i in ids[self.prompt_length :])

    def _allowed(self, source: int, text: str, row_scores: torch.Tensor) -> list[int]:
        best = torch.topk(row_scores, min(TOP_K, row_scores.shape[0])).indices.tolist()
        for pool in (best, self._in_source[source]):
            allowed = [i for i in pool if self._extends(source, text, i)]
            if allowed:
                return allowed
        return []

    def _extends(self, source: int, text: str, token: int) -> bool:
        piece = self.pieces[token]
        if token == self.eos_id or not piece:
            return False
        return edit_prefix(self.sources[source], text + piece) is not EditPrefix.INVALID


def _keep_only(scores: torch.Tensor, row: int, allowed: list[int]) -> None:
    """Set every score of `row` but `allowed` to -inf; if all of those are -inf, make them 0."""
    keep = scores[row, allowed].clone()
    if not torch.isfinite(keep).any():
        keep = torch.zeros_like(keep)
    scores[row] = -torch.inf
    scores[row, allowed] = keep
