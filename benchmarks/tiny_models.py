"""Tiny random-weight causal checkpoints of real families (GPT-2, Llama, Qwen2,
StarCoder2), built offline: a byte-level BPE tokenizer trained on two standard-library
files, carrying the family's FIM tokens (and, for Qwen2, a ChatML chat template). The
tests and `python -m benchmarks backends` use them; their outputs are random."""

from __future__ import annotations

import sysconfig
from pathlib import Path
from typing import Any

STDLIB = Path(sysconfig.get_paths()["stdlib"])


def _corpus() -> list[str]:
    return [(STDLIB / name).read_text(encoding="utf-8") for name in ("textwrap.py", "bisect.py")]


CHATML = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
# family -> (its FIM tokens, a chat template or None, the template `detect` must find)
FAMILIES = {
    "gpt2": ((), None, None),
    "llama": (("<PRE>", "<SUF>", "<MID>", "<EOT>"), None, "codellama"),
    "qwen2": (
        ("<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", "<|im_start|>", "<|im_end|>"),
        CHATML,
        "qwen",
    ),
    "starcoder2": (("<fim_prefix>", "<fim_suffix>", "<fim_middle>"), None, "starcoder"),
}


def tiny_causal_tokenizer(special: tuple[str, ...], chat_template: str | None):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=["<|endoftext|>", *special],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(_corpus(), trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, eos_token="<|endoftext|>", additional_special_tokens=list(special)
    )
    if chat_template:
        fast.chat_template = chat_template
    return fast


def tiny_causal_config(family: str, vocab: int):
    import transformers as hf

    small = dict(
        vocab_size=vocab,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=256,
    )
    if family == "gpt2":
        return hf.GPT2Config(vocab_size=vocab, n_embd=32, n_layer=1, n_head=2, n_positions=256)
    classes = {"llama": hf.LlamaConfig, "qwen2": hf.Qwen2Config, "starcoder2": hf.Starcoder2Config}
    return classes[family](**small)


def tiny_causal(folder: Path, family: str) -> Path:
    """A random-weight checkpoint of `family` (FAMILIES) saved in `folder`, with its
    tokenizer."""
    import torch
    from transformers import AutoModelForCausalLM

    special, chat, _ = FAMILIES[family]
    tokenizer = tiny_causal_tokenizer(special, chat)
    torch.manual_seed(0)
    config = tiny_causal_config(family, len(tokenizer))
    AutoModelForCausalLM.from_config(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


STARTUP_S = 180.0  # a guard against a hang, never a measured time


def serve(folder: Path) -> tuple[Any, str]:
    """`transformers serve` (the `serving` extra) serving `folder` on a free port of
    127.0.0.1, offline; (its process, its base URL) once it lists the model."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    from codeintel.errors import ModelError
    from codeintel.models.http import HttpModel, HttpSettings

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [str(Path(sys.executable).parent / "transformers"), "serve", str(folder),
               "--host", "127.0.0.1", "--port", str(port), "--device", "cpu",
               "--log-level", "warning"]  # fmt: skip
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        try:
            HttpModel.connect(url, settings=HttpSettings(retries=0))
            return process, url
        except ModelError:
            time.sleep(0.5)
    os.killpg(process.pid, signal.SIGKILL)
    raise RuntimeError("transformers serve did not start")


def stop(process: Any) -> None:
    """The server and its children, killed (once)."""
    import os
    import signal

    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
