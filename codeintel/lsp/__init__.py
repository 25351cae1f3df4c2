"""The language server: every task as a code action, over LSP (pygls 2).

One small module a feature: `actions` (the table) and one module per action (`fix`,
`tests`, `docstring`, `body`), `diagnostics` ("Run tests"), `jobs` (progress and
cancellation), `settings`, `documents` (pure helpers), `server` (the server's state
and the command flow) and `handlers` (the LSP messages, registered by
`build_server`). Start it with `codeintel serve`.
"""

from __future__ import annotations


def build_server():
    """A new server with every handler registered (imports pygls on first use)."""
    from codeintel.lsp.handlers import build_server as build

    return build()
