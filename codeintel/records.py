"""JSON serialisation shared by every result dataclass (API, CLI --json, LSP, benchmarks)."""

from __future__ import annotations

import dataclasses
import enum
from pathlib import Path
from typing import Any


def to_jsonable(value: Any) -> Any:
    """Convert dataclasses, enums, paths, bytes and containers to JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    return value


class JsonRecord:
    """Mixin for frozen result dataclasses: `to_json()` returns plain JSON-ready data."""

    def to_json(self) -> dict[str, Any]:
        return to_jsonable(self)
