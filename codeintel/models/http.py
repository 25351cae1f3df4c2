"""An OpenAI-compatible server as the model (vLLM, llama.cpp's server, Ollama, LM Studio,
TGI, `transformers serve`), over HTTP with httpx.

    model = HttpModel.connect("http://127.0.0.1:8000/v1", "qwen2.5-coder")
    model.generate(["def add(a, b):\\n"], CausalGeneration(max_new_tokens=16))
    model.fill_in_middle(prefix, suffix)   # the family's FIM prompt, sent raw
    model.chat([{"role": "user", "content": "..."}])

`/v1/completions` for raw and FIM prompts, `/v1/chat/completions` for chat, streamed
(server-sent events, closed at the first stop string; `HttpSettings.stream`). A connect
and a read timeout, bounded retries with backoff (connection errors, 429 and 5xx),
at most `concurrency` requests at once, the API key from $CODEINTEL_API_KEY or
$OPENAI_API_KEY. The FIM template comes from the served model's name (`fim_for_name`)
or is given; log-probabilities are taken when the server returns them (otherwise the
candidates keep the server's order, `capabilities.scores` is False). Token counts are
estimated (`HttpSettings.chars_per_token`): the server's tokenizer is not here; the
context length is the server's `max_model_len` when it lists one, else the setting's. Every failure
is a ModelError in one line; nothing waits longer than the timeouts allow.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from codeintel.errors import ModelError
from codeintel.models import fim
from codeintel.models.backend import Capabilities
from codeintel.models.causal import GREEDY, CausalGeneration, cut, fim_request
from codeintel.models.seq2seq import Generation

FIM_NAMES = {  # a part of the served model's name -> its FIM template
    "starcoder": "starcoder",
    "codeqwen": "starcoder",
    "qwen2.5-coder": "qwen",
    "qwen2.5_coder": "qwen",
    "codegemma": "qwen",
    "deepseek-coder": "deepseek",
    "codellama": "codellama",
    "code-llama": "codellama",
    "codestral": "codestral",
}


def fim_for_name(name: str) -> fim.FimTemplate | None:
    low = name.lower()
    return next((fim.TEMPLATES[t] for part, t in FIM_NAMES.items() if part in low), None)


@dataclass(frozen=True)
class HttpSettings:
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 120.0
    retries: int = 2  # after the first try
    backoff_s: float = 0.5  # doubled each retry
    concurrency: int = 4
    context_length: int = 4096  # when the server does not say
    chars_per_token: float = 3.0  # the estimate of `count_tokens` (code: about 3 to 4)
    # answers as server-sent events: the read timeout is between pieces, not for the
    # whole answer, and the stream is closed at the first stop string (a server that
    # watches its client, as vLLM and `transformers serve` do, stops generating there);
    # a server that does not stream answers in one piece, which is taken as it is
    stream: bool = True


class HttpModel:
    def __init__(
        self,
        base_url: str,
        name: str,
        client: Any,
        settings: HttpSettings,
        template: fim.FimTemplate | None,
        context_length: int,
    ) -> None:
        self.base_url, self.name, self.client, self.settings = base_url, name, client, settings
        self.template, self.context_length = template, context_length
        self.path = f"{base_url} ({name})"  # what reports name the model by

    @classmethod
    def connect(
        cls,
        base_url: str,
        name: str | None = None,
        settings: HttpSettings = HttpSettings(),
        fim_template: str | None = None,
    ) -> HttpModel:
        """The server at `base_url` (…/v1), checked by listing its models; `name` must be
        one of them (None: the first it lists)."""
        import httpx

        key = os.environ.get("CODEINTEL_API_KEY") or os.environ.get("OPENAI_API_KEY")
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        timeout = httpx.Timeout(settings.read_timeout_s, connect=settings.connect_timeout_s)
        client = httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout)
        listed = _request(client, settings, "GET", "/models", None).get("data")
        if not isinstance(listed, list) or not listed:
            raise ModelError(f"{base_url} lists no models (GET /models)")
        ids = [str(m.get("id")) for m in listed if isinstance(m, dict)]
        chosen = name or ids[0]
        if chosen not in ids:
            raise ModelError(f"{base_url} does not serve {chosen!r}; it serves: {', '.join(ids)}")
        entry = listed[ids.index(chosen)]
        length = entry.get("max_model_len") or entry.get("context_length")
        template = (
            fim.detect((), fim_template) if fim_template is not None else fim_for_name(chosen)
        )
        return cls(
            base_url, chosen, client, settings, template, int(length or settings.context_length)
        )

    @property
    def capabilities(self) -> Capabilities:
        name = self.template.name if self.template else None
        return Capabilities(scores=False, fim=name, chat=True, context_length=self.context_length)

    def count_tokens(self, text: str) -> int:
        return int(len(text) / self.settings.chars_per_token) + 1

    def _each(self, requests: Sequence[dict], path: str, stops: Sequence[str]) -> list[dict]:
        """The answers to `requests`, at most `concurrency` at once, in order."""

        def answer(body: dict) -> dict:
            if self.settings.stream:
                return _streamed(self.client, self.settings, path, body, stops)
            return _request(self.client, self.settings, "POST", path, body)

        with ThreadPoolExecutor(self.settings.concurrency) as pool:
            return list(pool.map(answer, requests))

    def _bodies(self, config: CausalGeneration, base: dict) -> list[dict]:
        """One request per candidate (servers differ in `n`), seeds apart."""
        common = {
            **base,
            "model": self.name,
            "max_tokens": config.max_new_tokens,
            "temperature": config.temperature,
            "top_p": config.top_p if config.temperature > 0 else 1.0,
            "logprobs": 1,
        }
        if config.stop:
            common["stop"] = list(config.stop[:4])  # the API's limit; the rest cut here
        return [{**common, "seed": config.seed + i} for i in range(config.n)]

    def generate(
        self, prompts: Sequence[str], config: CausalGeneration = GREEDY
    ) -> list[tuple[Generation, ...]]:
        out = []
        for prompt in prompts:
            bodies = self._bodies(config, {"prompt": prompt})
            answers = self._each(bodies, "/completions", config.stop)
            out.append(tuple(_generation(a, "text", config.stop) for a in answers))
        return out

    def fill_in_middle(
        self, prefix: str, suffix: str, config: CausalGeneration = GREEDY
    ) -> tuple[Generation, ...]:
        """The middle by the model's FIM template, sent as a raw prompt (`fim_request`)."""
        prompt, config = fim_request(self.template, prefix, suffix, config)
        return self.generate([prompt], config)[0]

    def chat(
        self, messages: Sequence[dict[str, str]], config: CausalGeneration = GREEDY
    ) -> tuple[Generation, ...]:
        bodies = self._bodies(config, {"messages": list(messages)})
        for body in bodies:
            body.pop("logprobs")
        answers = self._each(bodies, "/chat/completions", config.stop)
        return tuple(_generation(a, "message", config.stop) for a in answers)

    def score(self, prompt: str, continuations: Sequence[str]) -> tuple[float, ...]:
        raise ModelError(f"{self.base_url} does not score given continuations over this API")


def _generation(answer: dict, field: str, stops: Sequence[str]) -> Generation:
    """A Generation from one OpenAI-style answer; ModelError for anything else."""
    try:
        choice = answer["choices"][0]
        text = choice["text"] if field == "text" else choice["message"]["content"]
        if not isinstance(text, str):
            raise TypeError("text is not a string")
    except (KeyError, IndexError, TypeError) as exc:
        raise ModelError(f"the server answered something that is not a completion ({exc})") from exc
    logprobs = (choice.get("logprobs") or {}).get("token_logprobs") if field == "text" else None
    total = (
        sum(p for p in logprobs if isinstance(p, int | float))
        if isinstance(logprobs, list)
        else 0.0
    )
    return Generation(cut(text, stops), float(total))


def _request(
    client: Any, settings: HttpSettings, method: str, path: str, body: dict | None
) -> dict:
    """One call with bounded retries; its JSON answer, or ModelError in one line."""
    import httpx

    url = f"{str(client.base_url).rstrip('/')}{path}"
    wait = settings.backoff_s
    for attempt in range(settings.retries + 1):
        try:
            response = client.request(method, path, json=body)
        except httpx.TimeoutException as exc:
            raise ModelError(f"{url} did not answer in time ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            if attempt == settings.retries:
                raise ModelError(f"cannot reach {url}: {exc}") from exc
        else:
            retry = response.status_code == 429 or response.status_code >= 500
            if not retry or attempt == settings.retries:
                return _answer(response, url)
        time.sleep(wait)
        wait *= 2
    raise ModelError(f"cannot reach {url}")  # unreachable: the loop returns or raises


def _streamed(
    client: Any, settings: HttpSettings, path: str, body: dict, stops: Sequence[str]
) -> dict:
    """One streamed call with bounded retries (before the first piece): the pieces
    gathered into one OpenAI-style answer (`_gathered`), or ModelError in one line."""
    import httpx

    url = f"{str(client.base_url).rstrip('/')}{path}"
    wait = settings.backoff_s
    for attempt in range(settings.retries + 1):
        try:
            with client.stream("POST", path, json={**body, "stream": True}) as response:
                retry = response.status_code == 429 or response.status_code >= 500
                if not retry or attempt == settings.retries:
                    return _gathered(response, url, stops)
        except httpx.TimeoutException as exc:
            raise ModelError(f"{url} did not answer in time ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            if attempt == settings.retries:
                raise ModelError(f"cannot reach {url} (or it stopped answering): {exc}") from exc
        time.sleep(wait)
        wait *= 2
    raise ModelError(f"cannot reach {url}")  # unreachable: the loop returns or raises


def _gathered(response: Any, url: str, stops: Sequence[str]) -> dict:
    """The answer of a streamed response: its server-sent events' text (a completion's
    `text` or a chat's `delta.content`) and log-probabilities, read until `[DONE]` or
    the first stop string; a response that is not a stream is read as one answer."""
    if response.status_code >= 400 or "event-stream" not in response.headers.get(
        "content-type", ""
    ):
        response.read()
        return _answer(response, url)
    text, logprobs = "", []
    for line in response.iter_lines():
        data = line[len("data:") :].strip() if line.startswith("data:") else ""
        if not data:
            continue
        if data == "[DONE]":
            break
        choice = _first_choice(data, url)
        piece = choice.get("text") or (choice.get("delta") or {}).get("content") or ""
        if not isinstance(piece, str):
            raise ModelError(f"{url} streamed a piece that is not text")
        text += piece
        logprobs += (choice.get("logprobs") or {}).get("token_logprobs") or []
        if any(s in text for s in stops):
            break  # leaving closes the stream
    return {
        "choices": [
            {"text": text, "message": {"content": text}, "logprobs": {"token_logprobs": logprobs}}
        ]
    }


def _first_choice(data: str, url: str) -> dict:
    """The first choice of one event's JSON ({} for a chunk without one, as a usage
    chunk); ModelError for an event that is not JSON."""
    try:
        chunk = json.loads(data)
    except ValueError as exc:
        raise ModelError(f"{url} streamed something that is not JSON") from exc
    choices = chunk.get("choices") if isinstance(chunk, dict) else None
    first = choices[0] if isinstance(choices, list) and choices else {}
    return first if isinstance(first, dict) else {}


def _answer(response: Any, url: str) -> dict:
    if response.status_code >= 400:
        text = " ".join(response.text.split())[:200]
        raise ModelError(f"{url} answered {response.status_code}: {text}")
    try:
        found = response.json()
    except ValueError as exc:
        raise ModelError(f"{url} answered something that is not JSON") from exc
    if not isinstance(found, dict):
        raise ModelError(f"{url} answered something that is not an OpenAI-style object")
    return found
