"""What the index holds for one function, and what a search returns."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

EMBEDDED_CODE = 1200  # characters of a function's code the embedder sees


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
    kind: str = "function"  # or "class" (its header, docstring and method names)
    shape: str = ""  # parsers.text.code_shape of its whole code ("" for a class)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IndexedFunction:
        return cls(**data)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.start_line}"

    @property
    def shown(self) -> str:
        """What a reader recognises it by: `LRU.__getitem__  def __getitem__(self, key)`,
        or `class LRU(dict)`."""
        signature = " ".join(self.signature.split())
        return signature if self.kind == "class" else f"{self.qualified_name}  {signature}"

    def embedded_text(self) -> str:
        """What the embedder sees: name, signature, the docstring's first paragraph and
        the code's head (a long docstring or body would drown the name and summary)."""
        summary = self.docstring.split("\n\n")[0]
        return f"{self.qualified_name}\n{self.signature}\n{summary}\n{self.code[:EMBEDDED_CODE]}"


@dataclass(frozen=True)
class Hit:
    function: IndexedFunction
    score: float  # the query's cosine similarity (before MMR)
    rank: int  # 1-based, after MMR

    def to_json(self) -> dict[str, Any]:
        return {"rank": self.rank, "score": round(self.score, 4), **self.function.to_json()}
