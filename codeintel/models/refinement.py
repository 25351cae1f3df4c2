"""CodeXGLUE code refinement data: Java bug-fix pairs, as training examples. Pure but
for reading the files.

The layout: a folder with `SPLIT.buggy-fixed.buggy` and `SPLIT.buggy-fixed.fixed`
(SPLIT: train, valid, test), one abstracted method per line, line N of one the
fixed version of line N of the other. A pair becomes a `fix:` example whose target
is the span edit that turns the buggy method into the fixed one (`formats`), as for
the Python bugs, so one checkpoint and one decoder serve both.
"""

from __future__ import annotations

from pathlib import Path

from codeintel.errors import InputError
from codeintel.files import MAX_DATA_BYTES, read_text
from codeintel.models import formats

SPLITS = ("train", "valid", "test")


def pair_files(folder: Path, split: str) -> tuple[Path, Path]:
    stem = Path(folder) / f"{split}.buggy-fixed"
    return stem.with_name(stem.name + ".buggy"), stem.with_name(stem.name + ".fixed")


def read_pairs(folder: Path, split: str) -> list[tuple[str, str]]:
    """(buggy, fixed) methods of a split; InputError if a file is missing or the two
    files' line counts differ."""
    buggy_path, fixed_path = pair_files(folder, split)
    buggy = read_text(buggy_path, f"the {split} pairs", MAX_DATA_BYTES).splitlines()
    fixed = read_text(fixed_path, f"the {split} pairs", MAX_DATA_BYTES).splitlines()
    if len(buggy) != len(fixed):
        raise InputError(
            f"{buggy_path.name} has {len(buggy)} lines but {fixed_path.name} has {len(fixed)}"
        )
    return [(b.strip(), f.strip()) for b, f in zip(buggy, fixed, strict=True)]


def fix_record(buggy: str, fixed: str) -> dict[str, str] | None:
    """The `fix:` example of a pair, or None when the two are equal."""
    edit = formats.diff_to_edit(buggy, fixed)
    if edit is None:
        return None
    return {"task": "fix", "input": model_input(buggy), "target": formats.encode_edit(edit)}


def model_input(buggy: str) -> str:
    return formats.fix_input(buggy, "", "")
