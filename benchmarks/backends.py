"""`python -m benchmarks backends [--requests 20] [--model DIR]`: the harness's own time
per completion request apart from the model's, in-process and over HTTP.

The same causal checkpoint (by default a tiny random-weight StarCoder2 built here, so
that the model's time is small and the harness's shows) answers `--requests` line
completions at cursors of standard-library functions through `codeintel.tasks.completion`
twice: in-process (`CausalModel`) and over HTTP (`HttpModel` to `transformers serve`
on 127.0.0.1, started here; needs the `serving` extra). For each request: the wall time
of `run`, the time inside the backend's `fill_in_middle` calls, and their difference,
the harness's overhead (the prompt: the eWASH window and the FIM template; post-
processing; the parse check of each candidate). Medians and 95th percentiles, in ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import sysconfig
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.executor import print_report

STDLIB = Path(sysconfig.get_paths()["stdlib"])
FILES = ("textwrap.py", "shlex.py", "heapq.py", "fnmatch.py")


def cursors(count: int) -> list[tuple[str, int, int]]:
    """(source, line, column): the start of the second body line of functions."""
    from parsers import parse

    found = []
    for name in FILES:
        source = (STDLIB / name).read_text(encoding="utf-8")
        lines = source.split("\n")
        for scope in parse(source, "python").functions():
            line = scope.body_span.start_line + 1
            if line <= scope.span.end_line and lines[line - 1].strip():
                text = lines[line - 1]
                found.append((source, line, len(text) - len(text.lstrip())))
            if len(found) >= count:
                return found
    return found


class Timed:
    """A backend whose `fill_in_middle` time is added up."""

    def __init__(self, model: Any) -> None:
        self.model, self.seconds = model, 0.0
        self.capabilities, self.count_tokens = model.capabilities, model.count_tokens

    def fill_in_middle(self, prefix: str, suffix: str, config: Any) -> Any:
        started = time.perf_counter()
        try:
            return self.model.fill_in_middle(prefix, suffix, config)
        finally:
            self.seconds += time.perf_counter() - started


def measure(model: Any, points: Sequence[tuple[str, int, int]]) -> dict:
    """Completion requests through the task's front door, the backend's time apart."""
    from codeintel import tasks
    from codeintel.tasks.completion import CompletionConfig

    config = CompletionConfig(samples=1, beam=5, line_tokens=16)
    totals, inside = [], []
    for source, line, column in points:
        timed = Timed(model)
        started = time.perf_counter()
        options = {"source": source, "line": line, "column": column, "config": config}
        tasks.run("complete", tasks.make_request("complete", **options), timed)
        totals.append(time.perf_counter() - started)
        inside.append(timed.seconds)
    overhead = [t - b for t, b in zip(totals, inside, strict=True)]
    return {
        "requests": len(points),
        "total_ms": _summary(totals),
        "backend_ms": _summary(inside),
        "overhead_ms": _summary(overhead),
    }


def _summary(seconds: Sequence[float]) -> dict:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return {"median": round(1000 * statistics.median(ordered), 2), "p95": round(1000 * p95, 2)}


def main(argv: Sequence[str] | None = None) -> int:
    from benchmarks.tiny_models import serve, stop, tiny_causal
    from codeintel.models.causal import CausalModel
    from codeintel.models.http import HttpModel, HttpSettings

    parser = argparse.ArgumentParser(prog="python -m benchmarks backends")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--model", type=Path, help="a causal checkpoint (default: tiny)")
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args(argv)
    points = cursors(args.requests)
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.model or tiny_causal(Path(scratch) / "starcoder2", "starcoder2")
        report = {"model": str(args.model or "tiny random StarCoder2 (built here)")}
        local = CausalModel.load(folder)
        report["in_process"] = measure(local, points)
        process, url = serve(folder)
        # the tiny tokenizer spends about a token per character; the server says no length
        settings = HttpSettings(
            context_length=local.capabilities.context_length, chars_per_token=1.0
        )
        try:
            served = HttpModel.connect(url, settings=settings, fim_template="starcoder")
            report["http"] = measure(served, points)
        finally:
            stop(process)
    print_report(report, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
