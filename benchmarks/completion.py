"""`python -m benchmarks completion [--files N] [--per-file K] [--data FILE.jsonl]`.

Line-level completion scored as CodeXGLUE's line-completion evaluator scores it
(`benchmarks.metrics.line_exact_match`, `edit_similarity`).

Without --data: held-out files of the corpus's test split (the Python standard
library and the installed packages, split by package as `data_pipelines` splits
them; test files left out). In each sampled file, K cursors: a random code line
inside a random function (not its docstring), at a random column between the
line's indentation and its last character; the rest of the line is the target
(stripped, as CodeXGLUE's targets are; the evaluator strips predictions).
Four variants on the same examples, same model and budget, the top completion
each: the plain prefix window or the eWASH window, each without and with
retrieval from an index (hashed embedder) of all the sampled files, the function
being completed skipped. Latency (p50/p95) is that of the whole `run` (input,
generation, ranking) of the eWASH variant without retrieval.

With --data: CodeXGLUE line-completion JSON lines (`input` with `<s>`, `</s>` and
`<EOL>` markers, `gt`): the input (markers turned back into newlines) is the text
before the cursor, with the plain prefix window (the file's structure is lost).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.executor import print_report
from benchmarks.metrics import edit_similarity, latency_ms, line_exact_match
from benchmarks.models import add_model_arguments, described, loaded
from codeintel import tasks
from codeintel.errors import CodeintelError, InputError
from codeintel.tasks.completion import LINE_SECONDS, CompletionConfig, WindowKind


@dataclass(frozen=True)
class Example:
    file: str  # path under the index's root
    source: str
    line: int  # 1-based
    column: int
    truth: str  # the rest of the line


def held_out_files(limit: int, seed: int, split: str = "test") -> list[Path]:
    """Non-test .py files of packages in the held-out `split` (valid or test), sampled."""
    from data_pipelines.config import Split
    from data_pipelines.split import corpus_files

    files = [f.absolute for f in corpus_files(Split(split))]
    return sorted(random.Random(seed).sample(files, min(limit, len(files))))


def examples_of(path: Path, root: Path, per_file: int, rng: random.Random) -> list[Example]:
    from data_pipelines.completion import cursor_lines
    from parsers import parse

    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    parsed = parse(source, "python")
    lines = source.split("\n")
    spots = [(s, n) for s in parsed.functions() for n in cursor_lines(parsed, s)]
    found = []
    for _, line in rng.sample(spots, min(per_file, len(spots))):
        text = lines[line - 1]
        indent = len(text) - len(text.lstrip())
        column = rng.randrange(indent, len(text.rstrip()))
        truth = text[column:].strip()  # as CodeXGLUE's targets: no edge whitespace
        found.append(Example(path.relative_to(root).as_posix(), source, line, column, truth))
    return found


def read_codexglue(path: Path, limit: int) -> list[Example]:
    """CodeXGLUE line-completion records as examples (the cursor at the input's end)."""
    examples = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    for number, line in enumerate(lines[:limit], 1):
        try:
            record = json.loads(line)
            text = record["input"].replace("<s>", "").replace("</s>", "")
            truth = record["gt"]
        except (ValueError, KeyError, AttributeError) as exc:
            raise InputError(f"{path}:{number}: not a line-completion record ({exc})") from exc
        source = "\n".join(part.strip() for part in text.split("<EOL>"))
        last = source.split("\n")
        examples.append(Example(path.name, source, len(last), len(last[-1]), truth))
    return examples


def predict(
    example: Example, model, window: WindowKind, index, line_seconds: float | None
) -> tuple[str, float]:
    config = CompletionConfig(samples=1, window=window, line_seconds=line_seconds)
    start = time.perf_counter()
    try:
        request = tasks.make_request(
            "complete",
            file=index.root / example.file if index is not None else None,
            source=example.source,
            line=example.line,
            column=example.column,
            index=index,
            config=config,
        )
        found = tasks.run("complete", request, model)
    except CodeintelError as exc:  # counted as an empty prediction, and said
        print(f"{example.file}:{example.line}: {exc}", file=sys.stderr)
        found = []
    return (found[0].text if found else ""), time.perf_counter() - start


def score(examples: Sequence[Example], predictions: Sequence[str]) -> dict:
    pairs = list(zip(predictions, (e.truth for e in examples), strict=True))
    return {
        "exact_match": round(100 * sum(line_exact_match(p, t) for p, t in pairs) / len(pairs), 2),
        "edit_similarity": round(sum(edit_similarity(p, t) for p, t in pairs) / len(pairs), 2),
    }


def _variants(with_index: bool) -> list[tuple[str, WindowKind, bool]]:
    found = [("prefix window", WindowKind.PREFIX, False), ("eWASH window", WindowKind.EWASH, False)]
    if with_index:
        found += [
            ("prefix window + retrieval", WindowKind.PREFIX, True),
            ("eWASH window + retrieval", WindowKind.EWASH, True),
        ]
    return found


def evaluate(examples: Sequence[Example], model, index, line_seconds: float | None) -> dict:
    table, latency = {}, []
    for name, window, retrieval in _variants(index is not None):
        predictions = []
        for example in examples:
            found = index if retrieval else None
            text, seconds = predict(example, model, window, found, line_seconds)
            predictions.append(text)
            if window is WindowKind.EWASH and not retrieval:
                latency.append(seconds)
        table[name] = score(examples, predictions)
        print(f"{name}: {table[name]}", file=sys.stderr, flush=True)
    return {"variants": table, "latency_ms": latency_ms(latency)}


def corpus_examples(args: argparse.Namespace) -> tuple[list[Example], object]:
    """The held-out examples, and an index of their files (built in a temporary folder)."""
    from codeintel.retrieval import build_index, load_index
    from codeintel.retrieval.collect import root_of

    files = held_out_files(args.files, args.seed, args.split)
    root = root_of(files)
    rng = random.Random(args.seed)
    examples = [e for f in files for e in examples_of(f, root, args.per_file, rng)]
    folder = Path(tempfile.mkdtemp(prefix="codeintel-completion-index-")) / "index"
    build_index(files, folder)
    return examples, load_index(folder)


def _seconds(text: str) -> float | None:
    if text.lower() == "none":
        return None
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be positive, or none")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks completion")
    parser.add_argument("--files", type=int, default=40, help="held-out files sampled")
    parser.add_argument("--per-file", type=int, default=3, help="cursors per file")
    parser.add_argument("--data", type=Path, help="CodeXGLUE line-completion JSON lines")
    parser.add_argument("--limit", type=int, default=1000, help="records read from --data")
    add_model_arguments(parser)
    parser.add_argument("--split", default="test", choices=["valid", "test"], help="held out")
    parser.add_argument(
        "--line-seconds",
        type=_seconds,
        default=LINE_SECONDS,
        help=f"decoding's time cap ('none': no cap; default {LINE_SECONDS})",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        if args.data:
            examples, index = read_codexglue(args.data, args.limit), None
        else:
            examples, index = corpus_examples(args)
        model = loaded(args.model, args.model_name)
    except CodeintelError as exc:
        print(f"completion: {exc}", file=sys.stderr)
        return 2
    if not examples:
        print("completion: no examples", file=sys.stderr)
        return 2
    report = {
        "data": str(
            args.data or f"{args.split} split: {args.files} files, {args.per_file} cursors each"
        ),
        "examples": len(examples),
        "model": described(args),
        "line_seconds": args.line_seconds,
        **evaluate(examples, model, index, args.line_seconds),
        "seconds": round(time.perf_counter() - started, 1),
    }
    print_report(report, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
