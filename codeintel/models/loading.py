"""The model, loaded in a background thread while the first steps of a task run.

Loading the bundled model (importing torch and transformers, reading the weights)
takes seconds; the baseline run and the rule edits need no model. A `ModelHandle`
starts the load at once and lets the pipeline ask `ready()` between validations,
so a bug that a rule edit fixes is fixed before the model is needed at all.
A missing or broken checkpoint path is checked before the thread starts, so it
fails at once as ModelError.

While it loads, the interpreter's thread switch interval is 0.5 ms (default 5 ms):
the import holds the GIL for long stretches, and each validation of the main thread
waits for it several times. On the bundled example this took the command from about
2.2 s to about 1.8 s (BENCHMARKS.md). The interval is put back when the load ends.
"""

from __future__ import annotations

import math
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

_SWITCH_INTERVAL_S = 0.0005


class ModelHandle:
    """A model that is loaded (or None: no model), or loading in a daemon thread."""

    def __init__(self, model: Any = None) -> None:
        self._model, self._error = model, None
        self._started = self._finished = time.perf_counter()
        self._thread: threading.Thread | None = None
        self._previous_interval = sys.getswitchinterval()

    @classmethod
    def start_loading(cls, name_or_path: str | Path | None) -> ModelHandle:
        """Load a checkpoint (path, bundled name, or None for the default) in the
        background; ModelError at once if the path does not exist."""
        from codeintel.errors import ModelError
        from codeintel.models import load_model, resolve_model_path
        from codeintel.models.seq2seq import check_seq2seq

        path = resolve_model_path(None if name_or_path is None else str(name_or_path))
        if not path.is_dir():
            raise ModelError(f"model checkpoint {path} is not a directory")
        check_seq2seq(path)  # a causal folder: one line now, not after the rule edits
        return cls.in_background(lambda: load_model(str(path)))

    @classmethod
    def in_background(cls, load: Callable[[], Any]) -> ModelHandle:
        """A handle whose model is `load()`, called in a daemon thread started now."""
        handle = cls()
        handle._thread = threading.Thread(
            target=handle._load, args=(load,), name="codeintel-model-load", daemon=True
        )
        sys.setswitchinterval(_SWITCH_INTERVAL_S)  # __init__ kept the one to restore
        handle._thread.start()
        return handle

    def _load(self, load: Callable[[], Any]) -> None:
        try:
            self._model = load()
        except Exception as exc:  # re-raised in the caller's thread by get()
            self._error = exc
        finally:
            if math.isclose(sys.getswitchinterval(), _SWITCH_INTERVAL_S):  # unless changed
                sys.setswitchinterval(self._previous_interval)
            self._finished = time.perf_counter()

    def ready(self) -> bool:
        return self._thread is None or not self._thread.is_alive()

    def get(self) -> Any:
        """The loaded model (None for no model), waiting for the load to finish."""
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error
        return self._model

    def seconds(self) -> float:
        """How long the load took, or has taken so far."""
        end = self._finished if self.ready() else time.perf_counter()
        return end - self._started
