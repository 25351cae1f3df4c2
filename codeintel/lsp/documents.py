"""What the server needs of a document: its text and version, the function at a line,
its test file by convention, and an edit from old to new text. Pure functions, but for
the lookups of files on disk (`find_test_file`, `text_of`)."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types

from codeintel.errors import InputError
from codeintel.files import read_text
from parsers import ParsedFile, Scope, parse


@dataclass(frozen=True)
class Document:
    uri: str
    path: Path
    text: str
    version: int | None  # None: not open in the editor (read from disk)


def path_of(uri: str) -> Path:
    """The file a `file://` URI names; InputError for any other scheme."""
    from pygls.uris import to_fs_path

    path = to_fs_path(uri) if uri.startswith("file:") else None
    if not path:
        raise InputError(f"{uri} is not a file on this machine (only file:// URIs)")
    return Path(path)


def uri_of(path: Path) -> str:
    from pygls.uris import from_fs_path

    return from_fs_path(str(path)) or path.as_uri()


def function_at(parsed: ParsedFile, line: int) -> Scope | None:
    """The innermost function or method whose definition holds `line` (1-based)."""
    found = None
    for scope in parsed.functions():
        if scope.span.contains_line(line) and (
            found is None or scope.span.start_line >= found.span.start_line
        ):
            found = scope
    return found


def parsed_python(document: Document) -> ParsedFile:
    """The document parsed; InputError naming the first syntax error."""
    parsed = parse(document.text, "python")
    if parsed.has_errors:
        raise InputError(parsed.syntax_summary(document.path.name))
    return parsed


def parse_or_none(document: Document) -> ParsedFile | None:
    """The document parsed, or None if it has syntax errors."""
    parsed = parse(document.text, "python")
    return None if parsed.has_errors else parsed


def candidates_for(module: Path, root: Path, patterns: Sequence[str]) -> list[Path]:
    """Where a module's tests may be, in order: each pattern in the module's folder, then
    in each folder above it up to `root` (the module's folder alone if it is outside)."""
    folders = [module.parent]
    if module.parent.is_relative_to(root):
        folders += [f for f in module.parent.parents if f.is_relative_to(root)]
    names = [p.format(module=module.stem) for p in patterns]
    return [folder / name for name in names for folder in folders]


def find_test_file(module: Path, root: Path, patterns: Sequence[str]) -> Path | None:
    """The first existing test file of `candidates_for` (never the module itself)."""
    for candidate in candidates_for(module, root, patterns):
        if candidate.is_file() and candidate.resolve() != module.resolve():
            return candidate
    return None


def new_test_file(module: Path, root: Path, patterns: Sequence[str]) -> Path:
    """Where "Generate tests" creates a test file when there is none: the first pattern
    in the workspace root if its folder exists, else the last beside the module."""
    first = root / patterns[0].format(module=module.stem)
    if first.parent.is_dir():
        return first
    return module.parent / patterns[-1].format(module=module.stem)


def text_of(path: Path, open_documents: Mapping[Path, str]) -> str:
    """The editor's text of `path` if it is open (unsaved changes included), else the disk's."""
    if path in open_documents:
        return open_documents[path]
    return read_text(path, "file")


def column_of(line: str, character: int) -> int:
    """The index into `line` of an LSP character offset (UTF-16 code units)."""
    units = 0
    for index, char in enumerate(line):
        if units >= character:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(line)


def utf16_length(text: str) -> int:
    """The length of `text` in LSP's units (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def end_of(text: str) -> types.Position:
    """Where `text` ends, in LSP's terms (UTF-16 code units on the last line)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[-1].endswith(("\n", "\r")):
        return types.Position(line=len(lines), character=0)
    return types.Position(line=len(lines) - 1, character=utf16_length(lines[-1]))


def _position(lines: Sequence[str], index: int) -> types.Position:
    """The start of line `index` (0-based); past the end: the end of the text."""
    if index < len(lines):
        return types.Position(line=index, character=0)
    return end_of("".join(lines))


def text_edits(old: str, new: str) -> list[types.TextEdit]:
    """The smallest whole-line edits turning `old` into `new` (positions in `old`: line
    starts, or the end of a last line without a newline, in UTF-16 code units as LSP
    counts them)."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    edits = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        span = types.Range(start=_position(a, i1), end=_position(a, i2))
        edits.append(types.TextEdit(range=span, new_text="".join(b[j1:j2])))
    return edits
