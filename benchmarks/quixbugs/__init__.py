"""Repair the Python programs of a QuixBugs checkout and check each plausible patch.

    python -m benchmarks quixbugs --root ~/QuixBugs --budget 60 --out fixed/ --json qb.jsonl

The checkout (never downloaded by codeintel) is used in its own layout:
python_programs/NAME.py (buggy), python_testcases/test_NAME.py,
python_testcases/load_testdata.py (which finds json_testcases/NAME.json through its
own `Path(__file__).parent / ".."`), python_programs/node.py (graph programs, whose
tests `from node import Node`; some revisions keep a copy in python_testcases/) and,
where present, correct_python_programs/NAME.py. Each program is repaired in the
sandbox with its tests and every file they import, at the same paths as in the
checkout. A plausible patch (the tests pass) is then run next to the correct program:

- on the JSON test inputs and seeded perturbations of them (ints +-1..3, lists
  shuffled / shortened / extended, strings changed by a character), or
- for programs whose tests build their inputs in code (graphs of Node objects), by
  replaying the test file with each version and comparing every call's result (and
  its arguments after the call) structurally.

Any difference makes it a false positive. Records are JSON lines (--json); a re-run
skips the programs already recorded there. Adaptations for the sandbox, which runs
pytest without conftest files: the flags the checkout's conftest.py sets on `pytest`
read as constants (`pytest.use_correct` False, `pytest.run_slow` as --runslow asks),
and where the tests import `node` but python_testcases/ holds no node.py, the work
dir gets python_programs/node.py there too.
"""

from benchmarks.quixbugs.driver import main

__all__ = ["main"]
