"""`codeintel context {skeleton,ewash,focal} FILE ...`: print a model input built from a file."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from codeintel.commands.options import MAX_TOKENS, count
from codeintel.errors import InputError
from codeintel.files import read_text

KINDS = ("skeleton", "ewash", "focal")
EXTENSIONS = {".py": "python", ".java": "java"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=KINDS, help="which context to build")
    parser.add_argument("file", type=Path, help="a Python or Java source file")
    parser.add_argument("--function", help="the target function or method (qualified name)")
    parser.add_argument("--line", type=count(1, 10**7), help="eWASH: the cursor line (1-based)")
    parser.add_argument(
        "--budget", type=count(1, MAX_TOKENS), required=True, help="the token budget"
    )
    parser.add_argument(
        "--language", choices=sorted(set(EXTENSIONS.values())), help="default: from the extension"
    )
    parser.add_argument("--json", action="store_true", help="print the JSON record")


def _language(args: argparse.Namespace) -> str:
    if args.language:
        return str(args.language)
    language = EXTENSIONS.get(args.file.suffix.lower())
    if language is None:
        raise InputError(f"cannot tell the language of {args.file}; pass --language")
    return language


def _check(args: argparse.Namespace) -> None:
    if args.kind != "ewash" and not args.function:
        raise InputError(f"context {args.kind} needs --function NAME")
    if args.kind == "ewash" and not args.function and args.line is None:
        raise InputError("context ewash needs --function NAME or --line N")
    if args.line is not None and args.kind != "ewash":
        raise InputError("--line is for context ewash only")


def run(args: argparse.Namespace) -> int:
    import parsers
    from codeintel.context import build_ewash, build_focal, build_skeleton

    _check(args)
    parsed = parsers.parse(read_text(args.file), _language(args))
    if args.kind == "skeleton":
        context = build_skeleton(parsed, args.function, args.budget)
    elif args.kind == "focal":
        context = build_focal(parsed, args.function, args.budget)
    else:
        context = build_ewash(parsed, args.budget, target=args.function, line=args.line)
    if parsed.has_errors:  # built from what tree-sitter recovered: say so
        print(f"codeintel: warning: {args.file}: {parsed.syntax_summary()}", file=sys.stderr)
    if args.json:
        print(json.dumps(context.to_json(), indent=2))
    else:
        print(context.text)
    return 0
