"""Reading the user's files: one place that turns I/O and decoding failures into InputError."""

from __future__ import annotations

from pathlib import Path

from codeintel.errors import InputError


def read_text(path: Path, what: str = "file") -> str:
    """The UTF-8 text of `path`; InputError (one actionable line) if it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror or exc}") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{what} {path} is not UTF-8 text (byte offset {exc.start})") from exc
