"""Step 3: candidate fixes of one function, from five sources.

- rule edits: the inverse mutation operators (`codeintel.edits`), edits on lines
  named in the trace first;
- the model's beam and samples, span edits decoded against the function (an edit
  can replace part of a line, whole lines, or insert a line);
- families built from the function's own code (`families`): inserted statements,
  guard clauses, clauses of conditions, loop guards, slice bounds;
- synthesized expressions and statements over the function's vocabulary (`synthesis`);
- second-order: the rule edits and families on top of a first-order candidate.

Pure: a function's block (and, for the model, a loaded model) in, candidates out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from codeintel.edits import repair_candidates
from codeintel.models import formats
from codeintel.tasks.repair.angelic import Snapshot
from codeintel.tasks.repair.families import FamilyEdit, family_edits
from codeintel.tasks.repair.records import (
    Block,
    Candidate,
    CandidateSource,
    RepairConfig,
    Target,
)
from codeintel.tasks.repair.synthesis import synthesized_edits
from parsers.text import dedent, parses, reindent

HOTTEST = 3  # suspicious lines the families' insertions are placed near


def rule_candidates(block: Block, suspicious: Sequence[tuple[int, float]]) -> list[Candidate]:
    """The rule edits (inverse mutations), those on the most suspicious lines first
    (`suspicious`: (file line, score), localize.suspicious_lines); equals keep the order
    the rules make them in."""
    score = {line - block.start_line + 1: value for line, value in suspicious}
    mutations = sorted(repair_candidates(block.text), key=lambda m: -score.get(m.line, 0.0))
    return [
        _edit(block, CandidateSource.EDIT, m.source, m.line, m.operator.value, m.before, m.after)
        for m in mutations
    ]


def family_candidates(block: Block, suspicious: Sequence[tuple[int, float]]) -> list[Candidate]:
    """The families built from the function's own code, nearest the three most
    suspicious lines first."""
    hot = _hot(block, suspicious)
    return _edits(block, CandidateSource.FAMILY, family_edits(dedent(block.text), hot))


def synthesized_candidates(
    block: Block, suspicious: Sequence[tuple[int, float]], snapshots: Sequence[Snapshot] = ()
) -> list[Candidate]:
    """Expressions and statements synthesized from the function's vocabulary
    (`synthesis`), on and near the three most suspicious lines first; the condition
    clauses the values at the conditions single out (`snapshots`, `angelic`) first."""
    edits = synthesized_edits(dedent(block.text), _hot(block, suspicious), snapshots)
    return _edits(block, CandidateSource.SYNTHESIS, edits)


def second_order_candidates(
    parent: Candidate, block: Block, suspicious: Sequence[tuple[int, float]]
) -> list[Candidate]:
    """Rule edits and families on top of a first-order candidate (`parent`), described
    as both edits."""
    edited = replace(block, text=parent.text)
    children = rule_candidates(edited, suspicious) + family_candidates(edited, suspicious)
    first = parent.description.splitlines()[0] if parent.description else "the model's edit"
    return [
        replace(c, source=CandidateSource.SECOND_ORDER,
                description=f"second_order: {first} + {c.description}")
        for c in children
    ]  # fmt: skip


def _hot(block: Block, suspicious: Sequence[tuple[int, float]]) -> frozenset[int]:
    return frozenset(line - block.start_line + 1 for line, _ in suspicious[:HOTTEST])


def _edits(block: Block, source: CandidateSource, edits: list[FamilyEdit]) -> list[Candidate]:
    return [
        _edit(block, source, reindent(e.source, block.indent), e.line, e.family, e.before,
              e.after)
        for e in edits
    ]  # fmt: skip


def _edit(
    block: Block,
    source: CandidateSource,
    text: str,
    line: int,
    family: str,
    before: str,
    after: str,
) -> Candidate:
    """A candidate described as "family: 'before' -> 'after' at line N" (file lines)."""
    where = block.start_line + line - 1
    description = f"{family}: {before!r} -> {after!r} at line {where}"
    return Candidate(source, block.qualified_name, text, description)


def family_of(candidate: Candidate) -> str:
    """The candidate's family: the rule or family name of an edit, "second_order", or
    "model"."""
    if candidate.source is CandidateSource.MODEL:
        return "model"
    return candidate.description.split(":", 1)[0]


def model_candidates(target: Target, model: Any, config: RepairConfig) -> list[Candidate]:
    """The model's beam and samples for the target, decoded (those that do not apply to
    the function or change nothing dropped)."""
    from codeintel.models import DecodeMode, GenerationConfig

    runs = [
        GenerationConfig(
            n=config.beam,
            mode=DecodeMode.BEAM,
            max_new_tokens=192,
            beam_width=max(config.beam, config.beam_width),
        ),
        GenerationConfig(
            n=config.samples,
            mode=DecodeMode.SAMPLE,
            max_new_tokens=192,
            temperature=config.temperature,
        ),
    ]
    block, found = target.block, []
    source = [dedent(block.text)]  # decoding is constrained to edits that apply to it
    for generation in (run for run in runs if run.n > 0):
        for generated in model.generate([target.model_input], generation, source)[0]:
            text = decode_model_output(block, generated.text)
            if text is not None:
                found.append(
                    Candidate(
                        CandidateSource.MODEL,
                        block.qualified_name,
                        text,
                        generated.text,
                        generated.logprob,
                    )
                )
    return found


def decode_model_output(block: Block, text: str) -> str | None:
    """A generated edit, applied: a replacement block with the original indentation."""
    buggy = dedent(block.text)
    edit = formats.decode_edit(text)
    fixed = formats.apply_edit(buggy, edit) if edit is not None else None
    if fixed is None or fixed.strip() == buggy.strip():
        return None
    return reindent(fixed, block.indent)


def model_target(block: Block, candidate_text: str) -> str:
    """The training-format target that stands for a candidate (for scoring it)."""
    buggy, fixed = dedent(block.text), dedent(candidate_text)
    edit = formats.diff_to_edit(buggy, fixed)
    if edit is None:
        raise ValueError("a candidate equal to the original has no edit to score")
    return formats.encode_edit(edit)


def unique_parsable(candidates: Iterable[Candidate], original: str) -> list[Candidate]:
    """Drop candidates that do not parse, equal the original, or repeat an earlier one."""
    seen = {original.strip()}
    kept = []
    for c in candidates:
        key = c.text.strip()
        if key not in seen and parses(c.text):
            seen.add(key)
            kept.append(c)
    return kept
