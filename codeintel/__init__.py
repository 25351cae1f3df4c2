"""codeintel: code-intelligence models whose suggestions are graded by running tests.

The public API, re-exported from the modules below. Names are resolved on first
use so that `import codeintel` stays fast (no torch, transformers or faiss until
a model is needed).

    import codeintel
    result = codeintel.repair("mod.py", tests="test_mod.py")
    print(result.outcome, result.diff)
"""

from __future__ import annotations

from codeintel.lazy import lazy_getattr

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # parsing
    "parse": "parsers",
    # retrieval
    "build_index": "codeintel.retrieval",
    "load_index": "codeintel.retrieval",
    "search": "codeintel.retrieval",
    # model inputs under a token budget
    "build_skeleton": "codeintel.context",
    "build_ewash": "codeintel.context",
    "build_focal": "codeintel.context",
    "approx_tokens": "codeintel.context",
    # models
    "load_model": "codeintel.models",
    "GenerationConfig": "codeintel.models",
    "DecodeMode": "codeintel.models",
    # sandbox
    "run": "codeintel.sandbox",
    "run_tests": "codeintel.sandbox",
    "Validator": "codeintel.sandbox",
    "SandboxConfig": "codeintel.sandbox",
    "Limits": "codeintel.sandbox",
    "detect_tier": "codeintel.sandbox",
    # tasks
    "repair": "codeintel.tasks.repair",
    "RepairConfig": "codeintel.tasks.repair",
    "RepairResult": "codeintel.tasks.repair",
    "synthesize": "codeintel.tasks.synthesize",
    "summarize": "codeintel.tasks.docstring",
    "generate_tests": "codeintel.tasks.testgen",
    "TestgenConfig": "codeintel.tasks.testgen",
    "TestSuiteResult": "codeintel.tasks.testgen",
    "generate_asserts": "codeintel.tasks.asserts",
    "AssertCandidate": "codeintel.tasks.asserts",
    "complete": "codeintel.tasks.completion",
    "Completion": "codeintel.tasks.completion",
    # errors
    "CodeintelError": "codeintel.errors",
    "InputError": "codeintel.errors",
    "UnknownFunctionError": "codeintel.errors",
    "ModelError": "codeintel.errors",
    "ModelNotFoundError": "codeintel.errors",
    "SandboxError": "codeintel.errors",
    "IndexFormatError": "codeintel.errors",
}

__all__ = sorted(_EXPORTS)


__getattr__ = lazy_getattr("codeintel", _EXPORTS, globals())


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
