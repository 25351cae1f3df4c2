from codeintel.tasks.repair.localize import function_block
from codeintel.tasks.repair.rank import rank
from codeintel.tasks.repair.records import Candidate, CandidateSource, Target


class ShortestFirst:
    """A stand-in scorer: the shorter the edit target, the likelier."""

    def score(self, model_input: str, targets: list[str]) -> tuple[float, ...]:
        return tuple(-float(len(t)) for t in targets)


def test_rule_edits_rank_before_model_candidates_each_by_score():
    block = function_block("def inc(x):\n    return x - 1\n")
    target = Target(block, "fix: ...")
    edit = lambda text: Candidate(CandidateSource.EDIT, "function", text, "rule")  # noqa: E731
    likely = Candidate(CandidateSource.MODEL, "function", "def inc(x):\n    return x\n", "m", -0.5)
    far = edit("def inc(x):\n    return (x - 1) + 1\n")
    near = edit("def inc(x):\n    return x + 1\n")
    ranked = rank(target, [likely, far, near, near], ShortestFirst(), limit=10)
    assert [c.text for c in ranked] == [near.text, far.text, likely.text]
    assert ranked[0].score > ranked[1].score and ranked[2].score == -0.5
    assert rank(target, [likely, far], None, limit=1) == [likely]  # no model: as given
