"""`codeintel serve [--tcp HOST:PORT] [--log FILE]`: the language server.

Over stdio (what editors start) by default. On stdio, stdout carries protocol
messages only: anything else written to it (a library's print, a C extension's
output) goes to stderr instead. Exit code 0 after `shutdown` then `exit`.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from codeintel.errors import InputError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio")
    parser.add_argument("--log", type=Path, metavar="FILE", help="write the server's log here")


def _address(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InputError(f"--tcp wants HOST:PORT (e.g. 127.0.0.1:2087), not {value!r}")
    return host, int(port)


def _logging(path: Path | None) -> None:
    if path is not None and not path.parent.is_dir():
        raise InputError(f"cannot write the log {path}: folder {path.parent} does not exist")
    logging.basicConfig(
        filename=path,
        level=logging.INFO if path else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _protocol_stdout():
    """The real stdout, for protocol messages only; fd 1 and sys.stdout become stderr's."""
    protocol = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return protocol


def run(args: argparse.Namespace) -> int:
    from codeintel.lsp import build_server

    address = _address(args.tcp) if args.tcp else None
    _logging(args.log)
    server = build_server()
    if address is not None:
        server.start_tcp(*address)
    else:
        server.start_io(sys.stdin.buffer, _protocol_stdout())
    return 0
