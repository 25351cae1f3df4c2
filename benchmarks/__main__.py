"""`python -m benchmarks SUITE [ARGS...]`: run one benchmark suite."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

# name -> (module, one-line help)
SUITES: dict[str, tuple[str, str]] = {
    "parse": ("benchmarks.parse", "parser throughput over the standard library"),
    "sandbox": ("benchmarks.sandbox", "sandbox overhead and validations per second"),
    "model": ("benchmarks.model", "generation latency and training tokens/s"),
    "quixbugs": ("benchmarks.quixbugs", "repair a QuixBugs checkout"),
    "bugs": ("benchmarks.bugs", "repair a folder of held-out synthetic bugs"),
    "heldout": ("benchmarks.heldout", "held-out task scores of a checkpoint (model card)"),
    "humaneval": ("benchmarks.humaneval", "HumanEval pass@k, samples run in the sandbox"),
    "code-to-text": ("benchmarks.code_to_text", "CodeXGLUE code-to-text BLEU-4 and ROUGE-L"),
    "refinement": ("benchmarks.refinement", "CodeXGLUE code refinement (Java bug fixes)"),
    "testgen": ("benchmarks.testgen", "test generation coverage and mutation score vs Pynguin"),
    "asserts": ("benchmarks.asserts", "assert generation on the held-out assert pairs"),
    "completion": ("benchmarks.completion", "line completion: exact match, edit similarity"),
    "retrieval": ("benchmarks.retrieval", "index build, query latency, HNSW recall, search MRR"),
    "lsp": ("benchmarks.lsp", "language server latency per request kind, peak memory"),
    "backends": ("benchmarks.backends", "harness overhead per request, in-process and HTTP"),
}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in SUITES:
        print("usage: python -m benchmarks SUITE [ARGS...]\n\nsuites:", file=sys.stderr)
        for name, (_, help_text) in SUITES.items():
            print(f"  {name:10s} {help_text}", file=sys.stderr)
        return 2
    module = importlib.import_module(SUITES[argv[0]][0])
    return int(module.main(argv[1:]))


if __name__ == "__main__":
    sys.exit(main())
