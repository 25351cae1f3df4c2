"""What the index holds for one function, and what a search returns."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class IndexedFunction:
    file: str  # relative to the index's root
    start_line: int  # 1-based, inclusive
    end_line: int
    qualified_name: str
    signature: str
    docstring: str
    body_hash: str  # sha256 of the body's text
    code: str  # the function's text, cut to CODE_LIMIT characters

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IndexedFunction:
        return cls(**data)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.start_line}"

    def embedded_text(self) -> str:
        """What the embedder sees: name, signature, docstring and code."""
        return f"{self.qualified_name}\n{self.signature}\n{self.docstring}\n{self.code}"


@dataclass(frozen=True)
class Hit:
    function: IndexedFunction
    score: float  # the query's cosine similarity (before MMR)
    rank: int  # 1-based, after MMR

    def to_json(self) -> dict[str, Any]:
        return {"rank": self.rank, "score": round(self.score, 4), **self.function.to_json()}
