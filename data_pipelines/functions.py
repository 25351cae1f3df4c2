"""Stage 1: every function and method of a parsed file, as a `FunctionRecord`.

Pure: a `ParsedFile` (or source text) and the file's names in, records out.
`code` is the definition in whole lines with its original indentation;
`text` is the same moved to column 0 (what the model inputs show).
"""

from __future__ import annotations

from dataclasses import dataclass

from codeintel.context import approx_tokens
from codeintel.context.source import scope_text
from codeintel.records import JsonRecord
from data_pipelines.config import BuildConfig
from parsers import ParsedFile, Scope, SourceDecodeError, parse
from parsers.text import whole_lines


@dataclass(frozen=True)
class FunctionRecord(JsonRecord):
    id: str  # `path:line:qualified_name`, unique in a corpus
    path: str
    package: str
    qualified_name: str
    signature: str
    docstring: str | None
    body: str  # the body as written (docstring included)
    code: str  # whole lines, original indentation
    text: str  # the definition moved to column 0
    start_line: int
    end_line: int
    is_test: bool = False

    def output(self, split: str) -> dict:
        """The record as `DATA/functions/*.jsonl` stores it."""
        return {
            "id": self.id,
            "path": self.path,
            "qualified_name": self.qualified_name,
            "signature": self.signature,
            "docstring": self.docstring,
            "body": self.body,
            "code": self.code,
            "split": split,
        }


def parse_source(data: bytes) -> ParsedFile | None:
    """The parsed file, or None when it is not UTF-8 or has syntax errors."""
    try:
        parsed = parse(data)
    except SourceDecodeError:
        return None
    return None if parsed.has_errors else parsed


def function_id(path: str, scope: Scope) -> str:
    return f"{path}:{scope.span.start_line}:{scope.qualified_name}"


def keep(parsed: ParsedFile, scope: Scope, config: BuildConfig) -> bool:
    """Within the line limits and, if one is set, the approximate token limit."""
    span = scope.span
    lines = span.end_line - span.start_line + 1
    if not config.min_function_lines <= lines <= config.max_function_lines:
        return False
    if config.max_function_tokens <= 0:
        return True
    text = parsed.source[span.start_byte : span.end_byte].decode("utf-8", "replace")
    return approx_tokens(text) <= config.max_function_tokens


def record_of(
    parsed: ParsedFile, scope: Scope, path: str, package: str, is_test: bool
) -> FunctionRecord:
    span = scope.span
    return FunctionRecord(
        id=function_id(path, scope),
        path=path,
        package=package,
        qualified_name=scope.qualified_name,
        signature=scope.signature,
        docstring=scope.docstring,
        body=scope.body,
        code=whole_lines(parsed.source, span.start_byte, span.end_byte),
        text=scope_text(parsed, scope, indent=""),
        start_line=span.start_line,
        end_line=span.end_line,
        is_test=is_test,
    )


def extract_functions(
    parsed: ParsedFile, path: str, package: str, config: BuildConfig, is_test: bool = False
) -> list[FunctionRecord]:
    """Every function and method (nested ones included) within the size limits."""
    return [
        record_of(parsed, s, path, package, is_test)
        for s in parsed.functions()
        if keep(parsed, s, config)
    ]
