"""`python -m benchmarks sandbox [--repeat N]`: sandbox overhead and validations per second.

In one run, for each tier that works here: the median wall time of a bare
`python -I -c pass` (no sandbox), of one sandboxed single-test run started
cold (`run_tests`), and of one candidate validation on the fast path
(`Validator.validate`, warm worker), plus validations per second and the
ratio of a validation to a bare interpreter start; then throughput with one
Validator and with one per core, for the plain test and for a parametrized test
file (8 cases) of the same function, also in a package layout (inventory/ beside
tests/, a sibling module), without and with a conftest.py, and with 2,000 more files.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from codeintel.sandbox import (
    Layout,
    Outcome,
    SandboxConfig,
    Tier,
    Validator,
    detect_tier,
    run_tests,
)

FILES = {
    "mod.py": "def add(a, b):\n    return a + b\n",
    "test_mod.py": "from mod import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n",
}
TESTS = ["test_mod.py"]
# the same function with a parametrized test file (8 cases), as most real pytest files are
PARAMETRIZED = {
    "mod.py": FILES["mod.py"],
    "test_mod.py": "import pytest\nfrom mod import add\n\n\n"
    '@pytest.mark.parametrize("a,b,expected", '
    "[(2, 3, 5), (0, 0, 0), (-1, 1, 0), (10, -4, 6), (1, 1, 2), (7, 8, 15), (5, 5, 10), "
    "(3, -3, 0)])\n"
    "def test_add(a, b, expected):\n    assert add(a, b) == expected\n",
}


@dataclass(frozen=True)
class TierTiming:
    tier: Tier
    bare_s: float
    cold_s: float
    validate_s: float

    @property
    def per_second(self) -> float:
        return 1.0 / self.validate_s if self.validate_s else float("inf")

    @property
    def ratio(self) -> float:
        return self.validate_s / self.bare_s if self.bare_s else float("inf")

    def row(self) -> str:
        ms = [f"{1000 * s:.1f}" for s in (self.bare_s, self.cold_s, self.validate_s)]
        cells = [self.tier.value, *ms, f"{self.per_second:.1f}", f"{self.ratio:.2f}x"]
        return "| " + " | ".join(cells) + " |"


HEADER = (
    "| tier | bare `python -I -c pass` (ms) | cold `run_tests` (ms) | `validate` (ms) "
    "| validations/s | validate / bare |\n|---|---|---|---|---|---|"
)


def median_s(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _bare() -> None:
    subprocess.run([sys.executable, "-I", "-c", "pass"], check=True)


def _expect_pass(outcome: Outcome) -> None:
    if outcome is not Outcome.PASSED:
        raise RuntimeError(f"the benchmark's test did not pass: {outcome}")


def time_tier(tier: Tier, repeat: int) -> TierTiming:
    config = SandboxConfig(tier=tier)
    bare = median_s(_bare, repeat)
    cold = median_s(lambda: _expect_pass(run_tests(FILES, TESTS, config).outcome), repeat)
    with Validator(FILES, TESTS, config) as validator:
        _expect_pass(validator.validate({}).outcome)  # warm-up
        fast = median_s(lambda: _expect_pass(validator.validate({}).outcome), repeat)
    return TierTiming(tier, bare, cold, fast)


# the parametrized file in a package layout: inventory/ beside tests/ (pytest's pythonpath
# "."), a sibling module; with a conftest.py the tests go through pytest itself
PACKAGE = {
    "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["."]\n',
    "inventory/__init__.py": "",
    "inventory/units.py": "def scale(x):\n    return x\n",
    "inventory/mod.py": "from inventory.units import scale\n\n\n"
    "def add(a, b):\n    return scale(a) + b\n",
    "tests/test_mod.py": PARAMETRIZED["test_mod.py"].replace(
        "from mod import add", "from inventory.mod import add"
    ),
}
PACKAGE_TESTS = ["tests/test_mod.py"]
PACKAGE_CONFTEST = {**PACKAGE, "tests/conftest.py": "import pytest\n"}
# the same with 2,000 more modules of 4 KB (8 MB) in the package, which no test imports:
# what a candidate costs in a larger project (each validation lays out every file)
LARGE = {
    **PACKAGE,
    **{f"inventory/extra/m{i}.py": f"X{i} = {'1' * 4000!r}\n" for i in range(2000)},
}
FLAT = Layout()  # files in one folder, no conftest.py loaded


def throughput(
    tier: Tier,
    workers: int,
    per_worker: int,
    files: dict = FILES,
    tests: Sequence[str] = TESTS,
    layout: Layout = FLAT,
) -> float:
    """Validations per second with `workers` Validators (one warm worker each) in parallel."""
    config = SandboxConfig(tier=tier)
    validators = [Validator(files, tests, config, layout=layout) for _ in range(workers)]
    try:
        for validator in validators:
            _expect_pass(validator.validate({}).outcome)  # warm-up

        def batch(validator: Validator) -> None:
            for _ in range(per_worker):
                _expect_pass(validator.validate({}).outcome)

        started = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(batch, validators))
        return workers * per_worker / (time.perf_counter() - started)
    finally:
        for validator in validators:
            validator.close()


def tiers_here() -> list[Tier]:
    return [Tier.BUBBLEWRAP, Tier.PROCESS] if detect_tier() is Tier.BUBBLEWRAP else [Tier.PROCESS]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks sandbox")
    parser.add_argument("--repeat", type=int, default=20, help="runs per measurement")
    args = parser.parse_args(argv)
    print(f"detected tier: {detect_tier().value}; repeat {args.repeat}; medians")
    print(HEADER)
    for tier in tiers_here():
        print(time_tier(tier, args.repeat).row(), flush=True)
    cores = os.cpu_count() or 1
    print(f"\n| tier | validations/s, 1 worker | validations/s, {cores} workers (= cores) |")
    print("|---|---|---|")
    for tier in tiers_here():
        one, many = (throughput(tier, n, 2 * args.repeat) for n in (1, cores))
        print(f"| {tier.value} | {one:.1f} | {many:.1f} |", flush=True)
    print(f"\n| tier | parametrized file (8 cases): validations/s, 1 worker | {cores} workers |")
    print("|---|---|---|")
    for tier in tiers_here():
        one, many = (throughput(tier, n, 2 * args.repeat, PARAMETRIZED) for n in (1, cores))
        print(f"| {tier.value} | {one:.1f} | {many:.1f} |", flush=True)
    print(f"\n| tier | package layout | validations/s, 1 worker | {cores} workers |")
    print("|---|---|---|---|")
    for tier in tiers_here():
        cases = (
            ("no conftest", PACKAGE),
            ("with conftest.py", PACKAGE_CONFTEST),
            ("no conftest, 2,000 more files (8 MB)", LARGE),
        )
        for name, files in cases:
            layout = Layout(pythonpath=(".",), conftest=True)
            one, many = (
                throughput(tier, n, 2 * args.repeat, files, PACKAGE_TESTS, layout)
                for n in (1, cores)
            )
            print(f"| {tier.value} | {name} | {one:.1f} | {many:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
