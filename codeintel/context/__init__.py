"""What the model sees: a model input built from a parsed file under a token budget.

Three builders share one machinery (candidate pieces, a priority order, greedy
selection, text in file order):

- `build_skeleton` (DeepDebug): the focal function, then the file's skeleton;
- `build_ewash` (eWASH): the file's syntax hierarchy, then the target / cursor;
- `build_focal` (AthenaTest): the focal method, then its class's focal context.

Every builder keeps the target first, measures the assembled text with the given
length function (`approx_tokens` by default) and never exceeds the budget.
"""

from __future__ import annotations

from codeintel.context.ewash import build_ewash
from codeintel.context.focal import build_focal
from codeintel.context.model import Context, Piece, PieceKind
from codeintel.context.skeleton import build_skeleton
from codeintel.context.tokens import LengthFn, approx_tokens

__all__ = [
    "Context",
    "LengthFn",
    "Piece",
    "PieceKind",
    "approx_tokens",
    "build_ewash",
    "build_focal",
    "build_skeleton",
]
