"""The OpenAI-compatible HTTP backend against a real server on 127.0.0.1: `transformers
serve` (the `serving` extra) serving a tiny random-weight Qwen2 checkpoint built here.
Completion, a body and the backend's calls run through it; an unknown model name, a
port nobody listens on and a server killed mid-request each end in one ModelError."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest

from benchmarks.tiny_models import serve, stop
from codeintel.errors import ModelError
from codeintel.models.causal import CausalGeneration
from codeintel.models.http import HttpModel, HttpSettings, _generation, fim_for_name
from tests.models.conftest import tiny_causal

pytest.importorskip("fastapi", reason="the serving extra (pip install -e '.[serving]')")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tiny_causal(tmp_path_factory.mktemp("qwen2"), "qwen2")
    process, url = serve(folder)
    yield folder, url
    stop(process)


def test_the_backend_generates_chats_and_fills_in_the_middle(served):
    folder, url = served
    model = HttpModel.connect(url, fim_template="qwen")
    assert model.name == str(folder)  # the first (only) model the server lists
    caps = model.capabilities
    assert (caps.fim, caps.chat, caps.scores) == ("qwen", True, False)
    (found,) = model.generate(
        ["def add(a, b):\n"], CausalGeneration(n=2, max_new_tokens=6, temperature=0.9)
    )
    assert len(found) == 2 and all(isinstance(g.text, str) for g in found)
    (middle,) = model.fill_in_middle(
        "def add(a, b):\n    return ", "\n", CausalGeneration(max_new_tokens=6)
    )
    assert isinstance(middle.text, str)
    (said,) = model.chat(
        [{"role": "user", "content": "Fix add."}], CausalGeneration(max_new_tokens=6)
    )
    assert isinstance(said.text, str)
    with pytest.raises(ModelError, match="does not score"):
        model.score("x", ["y"])


def test_streamed_answers_are_the_answers_and_end_at_a_stop_string(served):
    _, url = served
    streamed = HttpModel.connect(url)
    whole = HttpModel.connect(url, settings=HttpSettings(stream=False))
    assert streamed.settings.stream and not whole.settings.stream
    prompt, greedy = ["def add(a, b):\n"], CausalGeneration(max_new_tokens=12)
    (expected,) = whole.generate(prompt, greedy)
    assert streamed.generate(prompt, greedy) == [expected]
    text = expected[0].text
    assert len(text) >= 4
    stop_at = text[2:4]  # the stream is left where this first appears
    (cut,) = streamed.generate(prompt, CausalGeneration(max_new_tokens=12, stop=(stop_at,)))
    assert cut[0].text == text[: text.index(stop_at)]
    chat = [{"role": "user", "content": "Fix add."}]
    assert streamed.chat(chat, greedy) == whole.chat(chat, greedy)


def test_complete_and_body_through_the_cli(served, tmp_path, capsys):
    from codeintel.cli import main

    _, url = served
    path = tmp_path / "stock.py"
    path.write_text(
        'def needs_reorder(level, threshold=10):\n    """Whether to reorder.\n\n'
        '    >>> needs_reorder(3)\n    True\n    """\n'
    )
    argv = ["complete", str(path), "--line", "6", "--column", "4", "--json", "--model", url]
    assert main([*argv, "--model-name", "nothing-here"]) == 2  # one line: what it serves
    assert "it serves: " in capsys.readouterr().err
    assert main(argv) in (0, 1)
    assert isinstance(json.loads(capsys.readouterr().out), list)
    argv = ["body", str(path), "--function", "needs_reorder", "--n", "2", "--json", "--model", url]
    assert main(argv) in (0, 1)
    bodies = json.loads(capsys.readouterr().out)
    assert all(b["check"] == "examples" for b in bodies)


def test_bad_servers_and_names_are_one_line(served, capsys):
    from codeintel.cli import main

    _, url = served
    with pytest.raises(ModelError, match="does not serve 'no-such-model'; it serves: ") as caught:
        HttpModel.connect(url, "no-such-model")
    assert "\n" not in str(caught.value)
    nobody = f"http://127.0.0.1:{_free_port()}/v1"
    started = time.monotonic()
    with pytest.raises(ModelError, match="cannot reach"):
        HttpModel.connect(nobody, settings=HttpSettings(retries=1, backoff_s=0.1))
    assert time.monotonic() - started < 60  # a guard against a hang, not a timing
    assert main(["complete", __file__, "--line", "1", "--column", "0", "--model", nobody]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_a_server_killed_mid_request_is_a_clear_error(tmp_path):
    folder = tiny_causal(tmp_path / "qwen2", "qwen2")
    process, url = serve(folder)
    model = HttpModel.connect(url, settings=HttpSettings(retries=1, backoff_s=0.1))
    killer = threading.Timer(1.0, stop, args=(process,))
    killer.start()
    try:
        with pytest.raises(ModelError) as caught:
            for _ in range(50):  # long requests, until the kill lands in one
                model.generate(["def f():\n"], CausalGeneration(max_new_tokens=4000))
    finally:
        killer.cancel()
        stop(process)
    assert "\n" not in str(caught.value)


def test_answers_that_are_not_completions_and_names_that_tell_the_template():
    assert (
        _generation({"choices": [{"text": "x = 1\ny", "logprobs": None}]}, "text", ("\n",)).text
        == "x = 1"
    )
    scored = {"choices": [{"text": "a", "logprobs": {"token_logprobs": [-0.5, -0.25]}}]}
    assert _generation(scored, "text", ()).logprob == -0.75
    for garbage in ({}, {"choices": []}, {"choices": [{"text": 3}]}, {"choices": [{}]}):
        with pytest.raises(ModelError, match="not a completion"):
            _generation(garbage, "text", ())
    assert fim_for_name("Qwen/Qwen2.5-Coder-7B").name == "qwen"
    assert fim_for_name("bigcode/starcoder2-3b").name == "starcoder"
    assert fim_for_name("deepseek-coder-6.7b-base").name == "deepseek"
    assert fim_for_name("llama3") is None
