"""`python -m benchmarks parse [--limit N]`: parser throughput over the standard library.

In one run, over the same bytes of every .py file of the installed standard
library (files that are not UTF-8 are skipped): (a) bare tree-sitter parsing
and (b) the full `parsers.parse` (tree-sitter plus scope extraction). Prints
files, MB, MB/s of each and the ratio of their times.
"""

from __future__ import annotations

import argparse
import sysconfig
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from parsers import Language, SourceDecodeError, parse
from parsers.syntax import get_parser, to_bytes


@dataclass(frozen=True)
class Timing:
    files: int
    nbytes: int
    bare_s: float
    full_s: float

    @property
    def megabytes(self) -> float:
        return self.nbytes / 1e6

    @property
    def ratio(self) -> float:
        return self.full_s / self.bare_s if self.bare_s else float("inf")

    def report(self) -> str:
        mb = self.megabytes
        return "\n".join(
            [
                f"files           {self.files}",
                f"MB              {mb:.2f}",
                f"tree-sitter     {self.bare_s:7.2f} s  {mb / self.bare_s:7.2f} MB/s",
                f"parsers.parse   {self.full_s:7.2f} s  {mb / self.full_s:7.2f} MB/s",
                f"ratio full/bare {self.ratio:.2f}x",
            ]
        )


def stdlib_files(limit: int | None = None) -> list[Path]:
    root = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(p for p in root.rglob("*.py") if "site-packages" not in p.parts)
    return files[:limit] if limit is not None else files


def load_sources(files: Sequence[Path]) -> list[bytes]:
    """The UTF-8 sources among `files` (others are skipped)."""
    sources = []
    for path in files:
        try:
            sources.append(to_bytes(path.read_bytes()))
        except (OSError, SourceDecodeError):
            continue
    return sources


def measure(sources: Sequence[bytes]) -> Timing:
    parser = get_parser(Language.PYTHON)
    start = time.perf_counter()
    for source in sources:
        parser.parse(source)
    bare = time.perf_counter() - start
    start = time.perf_counter()
    for source in sources:
        parse(source, Language.PYTHON)
    full = time.perf_counter() - start
    return Timing(len(sources), sum(map(len, sources)), bare, full)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks parse", description=__doc__)
    parser.add_argument("--limit", type=int, default=None, help="only the first N files")
    args = parser.parse_args(argv)
    sources = load_sources(stdlib_files(args.limit))
    if not sources:
        print("no standard-library .py files found")
        return 1
    print(measure(sources).report())
    return 0
