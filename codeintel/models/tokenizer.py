"""Tokenizers behind one small interface: ours (SentencePiece, lossless) or a Hugging Face one.

Our tokenizer is a SentencePiece model stored as `codeintel_tokenizer.model` in a
checkpoint directory. It round-trips any text exactly: identity normalisation,
no dummy prefix, no whitespace collapsing, byte fallback for characters outside
the vocabulary, and newlines as their own pieces.

SentencePiece writes a space as U+2581 ('▁') and decodes every U+2581 back to a
space, so a literal U+2581 in the text would not survive. `escape` rewrites it
(and the escape character itself) to private-use sequences before encoding;
`unescape` restores them after decoding:

    U+E000 -> U+E000 "0"        (the escape character)
    U+2581 -> U+E000 "1"        (SentencePiece's whitespace symbol)
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

from codeintel.errors import ModelError
from codeintel.models import formats

TOKENIZER_FILE = "codeintel_tokenizer.model"
PAD_ID, EOS_ID, UNK_ID = 0, 1, 2
ESCAPE = "\ue000"
SPACE_SYMBOL = "\u2581"
_UNESCAPE = re.compile(ESCAPE + "([01])")
# Newlines are their own pieces; indentation runs are learned as whitespace-only pieces.
LAYOUT_SYMBOLS = ("\r\n", "\n")
MAX_TRAIN_CHARS = 4000  # training sentences are chunks of at most this many characters


def escape(text: str) -> str:
    """Make `text` safe for SentencePiece (see the module docstring)."""
    return text.replace(ESCAPE, ESCAPE + "0").replace(SPACE_SYMBOL, ESCAPE + "1")


def unescape(text: str) -> str:
    """Invert `escape`; an escape character not followed by 0/1 is kept as it is."""
    return _UNESCAPE.sub(lambda m: ESCAPE if m.group(1) == "0" else SPACE_SYMBOL, text)


class Tokenizer(Protocol):
    """What the model wrapper needs from a tokenizer."""

    pad_id: int
    eos_id: int
    vocab_size: int

    def encode(self, text: str) -> list[int]: ...

    def decode(self, ids: Sequence[int]) -> str: ...

    def count(self, text: str) -> int: ...

    def with_specials(self, ids: list[int]) -> list[int]: ...

    def piece_texts(self) -> list[str | None]: ...


class CodeTokenizer:
    """Our lossless SentencePiece tokenizer; `decode(encode(x)) == x` for every string."""

    def __init__(self, directory: Path) -> None:
        import sentencepiece as spm

        path = Path(directory) / TOKENIZER_FILE
        self.path = path
        try:
            self._sp = spm.SentencePieceProcessor(model_file=str(path))
        except (OSError, RuntimeError) as exc:
            raise ModelError(f"cannot load tokenizer {path}: {exc}") from exc
        self.pad_id = self._sp.pad_id()
        self.eos_id = self._sp.eos_id()
        self.vocab_size = self._sp.get_piece_size()
        self._skip = {self.pad_id, self.eos_id}

    def encode(self, text: str) -> list[int]:
        """Token ids of `text`, without eos."""
        return list(self._sp.encode(escape(text)))

    def decode(self, ids: Sequence[int]) -> str:
        """Text of `ids`; pad and eos are skipped, markers and sentinels are kept."""
        return unescape(self._sp.decode([int(i) for i in ids if int(i) not in self._skip]))

    def count(self, text: str) -> int:
        return len(self.encode(text))

    def with_specials(self, ids: list[int]) -> list[int]:
        """A model input or target: the ids followed by eos."""
        return [*ids, self.eos_id]

    def piece_texts(self) -> list[str | None]:
        """The text each id decodes to ("" for pad and eos; None for byte pieces and unk).

        Decoding a sequence is the concatenation of its pieces' texts.
        """
        texts: list[str | None] = []
        for i in range(self.vocab_size):
            if self._sp.is_byte(i) or self._sp.is_unknown(i):
                texts.append(None)
            else:
                texts.append(self.decode([i]))
        return texts

    def piece_id(self, piece: str) -> int:
        """The id of a special token such as `<extra_id_0>`; ModelError if absent."""
        pid = self._sp.piece_to_id(piece)
        if pid == self._sp.unk_id() and piece != self._sp.id_to_piece(pid):
            raise ModelError(f"tokenizer {self.path} has no piece {piece!r}")
        return int(pid)


class HFTokenizer:
    """A Hugging Face tokenizer (T5, CodeT5, BART, ...) loaded from a local directory."""

    def __init__(self, directory: Path) -> None:
        from transformers import AutoTokenizer

        try:
            self._tok = AutoTokenizer.from_pretrained(str(directory), local_files_only=True)
        except (OSError, ValueError, TypeError) as exc:
            raise ModelError(f"cannot load a tokenizer from {directory}: {exc}") from exc
        self.path = Path(directory)
        self.eos_id = int(self._tok.eos_token_id)
        pad = self._tok.pad_token_id
        self.pad_id = int(pad if pad is not None else self.eos_id)
        self.vocab_size = len(self._tok)

    def encode(self, text: str) -> list[int]:
        return list(self._tok(text, add_special_tokens=False)["input_ids"])

    def decode(self, ids: Sequence[int]) -> str:
        return str(
            self._tok.decode(
                [int(i) for i in ids], skip_special_tokens=True, clean_up_tokenization_spaces=False
            )
        )

    def count(self, text: str) -> int:
        return len(self.encode(text))

    def with_specials(self, ids: list[int]) -> list[int]:
        """The model's own special tokens around `ids` (T5: `ids </s>`, BART: `<s> ids </s>`)."""
        return list(self._tok.build_inputs_with_special_tokens(ids))

    def piece_texts(self) -> list[str | None]:
        """The text each id adds after a plain word (None where it is not whole characters).

        Measured after a word because SentencePiece-style decoders drop the leading
        space of a sequence's first piece.
        """
        anchor = self.encode("a")[:1]
        base = self.decode(anchor)
        texts: list[str | None] = []
        for i in range(self.vocab_size):
            text = self.decode([*anchor, i])
            whole = text.startswith(base) and "\ufffd" not in text
            texts.append(text[len(base) :] if whole else None)
        return texts


def load_tokenizer(directory: Path) -> Tokenizer:
    """Ours if the directory has `codeintel_tokenizer.model`, else the Hugging Face one."""
    directory = Path(directory)
    if (directory / TOKENIZER_FILE).is_file():
        return CodeTokenizer(directory)
    return HFTokenizer(directory)


def _chunks(texts: Iterable[str]) -> Iterator[str]:
    """Training sentences: each text escaped and cut into chunks at line boundaries."""
    for text in texts:
        text = escape(text)
        start = 0
        while start < len(text):
            end = start + MAX_TRAIN_CHARS
            if end < len(text):
                cut = text.rfind("\n", start + 1, end)
                end = cut + 1 if cut > start else end
            yield text[start:end]
            start = end


def train_tokenizer(texts: Iterable[str], out_dir: Path, vocab_size: int = 8000) -> Path:
    """Train our lossless BPE tokenizer on `texts`; returns the path of the model file.

    Ids: 0 pad, 1 eos, 2 unk, then the special tokens of `formats.SPECIAL_TOKENS`
    and the layout symbols, then 256 byte pieces and the learned pieces.
    """
    import sentencepiece as spm

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=_chunks(texts),
        model_writer=model,
        vocab_size=vocab_size,
        model_type="bpe",
        character_coverage=0.9995,
        normalization_rule_name="identity",
        add_dummy_prefix=False,
        remove_extra_whitespaces=False,
        byte_fallback=True,
        allow_whitespace_only_pieces=True,
        split_by_whitespace=True,
        split_digits=True,
        max_sentence_length=4 * MAX_TRAIN_CHARS + 16,
        input_sentence_size=400_000,
        shuffle_input_sentence=True,
        pad_id=PAD_ID,
        eos_id=EOS_ID,
        unk_id=UNK_ID,
        bos_id=-1,
        user_defined_symbols=[*formats.SPECIAL_TOKENS, *LAYOUT_SYMBOLS],
        num_threads=2,
        minloglevel=2,
    )
    path = out_dir / TOKENIZER_FILE
    path.write_bytes(model.getvalue())
    return path
