import sysconfig
from pathlib import Path

import pytest

from codeintel.models.tokenizer import CodeTokenizer, escape, unescape

FIXTURES = [
    "",
    " leading space",
    "def f(x):\n    return x\n",
    "\tif x:\r\n\t\treturn 1\r\n",
    "class A:\n" + " " * 40 + "deep = 1\n\n\n",
    "s = 'héllo wörld — 日本語 😀🐍'\n",
    "trailing spaces   \n   \n",
    "a \u2581 b \u2581\u2581 c\ue000 d \ue0000 \ue0001",
    "fix: <edit> x = 1 <to> x = 2 <extra_id_0> denoise: prefix:",
    "\x00\x0b\x0c\x1b weird controls\u200b\ufeff",
    "x" * 300 + " " * 17 + "\n" * 5,
]


@pytest.mark.parametrize("text", FIXTURES)
def test_round_trip(tokenizer_dir: Path, text: str) -> None:
    tok = CodeTokenizer(tokenizer_dir)
    ids = tok.encode(text)
    assert tok.decode(ids) == text
    assert tok.count(text) == len(ids)
    assert tok.pad_id not in ids and tok.eos_id not in ids


@pytest.mark.parametrize("text", FIXTURES)
def test_escape_inverts(text: str) -> None:
    assert unescape(escape(text)) == text
    assert "\u2581" not in escape(text)


def test_decode_skips_pad_and_eos_but_keeps_markers(tokenizer_dir: Path) -> None:
    tok = CodeTokenizer(tokenizer_dir)
    ids = tok.encode("<edit> a <to> b")
    assert tok.decode([tok.pad_id, *ids, tok.eos_id, tok.pad_id]) == "<edit> a <to> b"
    assert tok.piece_id("<extra_id_5>") == tok.encode("<extra_id_5>")[0]


@pytest.mark.parametrize("text", FIXTURES)
def test_piece_texts_concatenate_to_the_decoded_text(tokenizer_dir: Path, text: str) -> None:
    tok = CodeTokenizer(tokenizer_dir)
    pieces = tok.piece_texts()
    ids = tok.encode(text)
    assert len(pieces) == tok.vocab_size
    assert pieces[tok.eos_id] == "" and pieces[tok.pad_id] == ""
    if all(pieces[i] is not None for i in ids):  # no byte pieces
        assert "".join(pieces[i] for i in ids) == text
    else:
        assert any(ord(c) > 127 or ord(c) < 32 for c in text)


def test_special_ids_are_reserved(tokenizer_dir: Path) -> None:
    tok = CodeTokenizer(tokenizer_dir)
    assert (tok.pad_id, tok.eos_id) == (0, 1)
    assert tok.vocab_size > 400


@pytest.mark.slow
def test_round_trip_over_the_standard_library(tokenizer_dir: Path) -> None:
    tok = CodeTokenizer(tokenizer_dir)
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    failures = []
    count = 0
    for path in sorted(stdlib.rglob("*.py")):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        count += 1
        if tok.decode(tok.encode(text)) != text:
            failures.append(str(path))
    assert count > 500
    assert failures == []
