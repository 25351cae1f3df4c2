"""Step 4: the order candidates are validated in.

Three tiers: rule edits, then the model's own candidates, each ranked by the
model's log-likelihood, then the families in their given order (nearest the trace
first); without a model, the given order.

Rules first because the model ranks rule edits well among themselves but puts its
own wrong candidates above them: on 400 held-out bugs (valid split) the fix is in
the top 10 for 249 with tiers, 187 with one list by log-likelihood, and 223 with
the rules in their fixed order (`benchmarks heldout --candidates repair`).
Families last and unscored: they are many (up to 600 a function), and scoring them
in one list with the rules cost 2 of 24 fixes on 30 HumanEval mutants, the budget
spent before validation (BENCHMARKS.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from codeintel.tasks.repair.candidates import model_target, unique_parsable
from codeintel.tasks.repair.records import Candidate, CandidateSource, Target

_TIERS = {
    CandidateSource.EDIT: 0,
    CandidateSource.MODEL: 1,
    CandidateSource.FAMILY: 2,
    CandidateSource.SYNTHESIS: 3,
    CandidateSource.SECOND_ORDER: 4,
}
_UNSCORED = frozenset(
    {CandidateSource.FAMILY, CandidateSource.SYNTHESIS, CandidateSource.SECOND_ORDER}
)


def rank(
    target: Target, candidates: Sequence[Candidate], model: Any, limit: int
) -> list[Candidate]:
    """The target's own candidates, parsable and de-duplicated (at most `limit`), in
    validation order."""
    own = [c for c in candidates if c.function == target.block.qualified_name]
    kept = unique_parsable(own, target.block.text)[:limit]
    if model is None or not kept:
        return kept
    unscored = [c for c in kept if _to_score(c)]
    targets = [model_target(target.block, c.text) for c in unscored]
    scores = iter(model.score(target.model_input, targets)) if targets else iter(())
    scored = [replace(c, score=next(scores)) if _to_score(c) else c for c in kept]
    return sorted(scored, key=lambda c: (_TIERS[c.source], -(c.score or 0.0)))


def _to_score(candidate: Candidate) -> bool:
    return candidate.score is None and candidate.source not in _UNSCORED
