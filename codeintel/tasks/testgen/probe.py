"""Runs in the sandbox: import the focal module, make the planned calls, report what happened.

    python -I probe.py SPEC.json

SPEC: {"module": dotted name, "path": the module's file, "token": str, "seconds": float,
"call_seconds": float, "calls": [{"id", "kind", "target", "ctor": [[kw|null, src]...],
"args": [[kw|null, src]...]}]}. kind is "function", "constructor", "method",
"property" or "static" (a staticmethod or classmethod, called on the class).

Each call runs twice from freshly evaluated arguments; the report says whether the two
runs agreed. One JSON line per call on stdout, each behind the token, written as soon as
the call ends, so a run killed part way still reports the calls before. Lines and arcs
are those of the focal module's file, from a trace function (sys.settrace).

This is the search's guide, not its verdict: code under test runs in this process and
could write anything here. Which tests pass, and what they cover, is decided later by
`run_tests` and its judge.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import io
import itertools
import json
import math
import os
import shutil
import signal
import sys
import time

MAX_LITERAL = 240  # longer values are asserted on by length and type
STALE_S = 10.0  # the searches stop after this long without reaching anything new
MAX_STEPS = 6  # steps of a call sequence on one object
MAX_ITEMS = 50  # an object's items are observed (as a list) up to this many
WATCHED = 40  # snapshots of the locals at watched lines, per call


def _load_guard():
    """harness/effects.py, loaded by path: the harness folder stays off sys.path, where its
    module names could shadow the project's."""
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(os.path.dirname(os.path.dirname(here)), "sandbox", "harness", "effects.py")
    spec = importlib.util.spec_from_file_location("codeintel_effects", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.EffectGuard().install()


class Scratch:
    """Each call runs in a fresh empty folder, its working directory, as a written test
    runs in `tmp_path`; the effect guard blocks what it does outside that folder."""

    def __init__(self, guard, root: str) -> None:
        self.guard, self.root, self.count = guard, os.path.realpath(root), 0

    @contextlib.contextmanager
    def call(self, record: dict):
        self.count += 1
        folder = os.path.join(self.root, str(self.count))
        os.makedirs(folder)
        home = os.getcwd()
        os.chdir(folder)
        self.guard.arm(folder)
        try:
            yield
        finally:
            blocked, touched = self.guard.disarm()
            os.chdir(home)
            shutil.rmtree(folder, ignore_errors=True)
            record["blocked"] = list(blocked)
            record["files"] = touched


class CallTimeout(BaseException):
    """Raised in a call that ran past its time (a BaseException: `except Exception` in
    the code under test does not swallow it)."""


def _on_alarm(signum, frame):
    raise CallTimeout


class Tracer:
    """Lines and line-to-line arcs executed in one file; and at each of the `watch`
    lines, the local names' values as literals, each time it is reached (up to
    WATCHED times a call): the values repair's condition clauses are ranked by."""

    def __init__(self, path: str, watch: frozenset[int] = frozenset()) -> None:
        self.path, self.watch = path, watch
        self.lines: set[int] = set()
        self.arcs: set[tuple[int, int]] = set()
        self.watched: list[list] = []

    def __call__(self, frame, event, arg):
        if frame.f_code.co_filename != self.path:
            return None
        last = [-frame.f_code.co_firstlineno]

        def local(frame, event, arg):
            if event == "line":
                if frame.f_lineno in self.watch and len(self.watched) < WATCHED:
                    self.watched.append([frame.f_lineno, _locals(frame.f_locals)])
                self.lines.add(frame.f_lineno)
                self.arcs.add((last[0], frame.f_lineno))
                last[0] = frame.f_lineno
            elif event == "return":
                self.arcs.add((last[0], -frame.f_code.co_firstlineno))
            return local

        return local

    def take(self) -> tuple[list[int], list[list[int]]]:
        lines, arcs = sorted(self.lines), sorted(list(a) for a in self.arcs)
        self.lines, self.arcs = set(), set()
        return lines, arcs

    def take_watched(self) -> list[list]:
        watched, self.watched = self.watched, []
        return watched


def _locals(names: dict) -> dict[str, str]:
    """The local names whose values have a short literal, as literals."""
    out = {}
    for name, value in names.items():
        text = literal(value)
        if text is not None and len(text) <= MAX_LITERAL:
            out[name] = text
    return out


def literal(value, depth: int = 0) -> str | None:
    """Python source that evaluates to a value equal to `value`, or None."""
    if value is None or isinstance(value, (bool, int, str, bytes)):
        return repr(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return repr(value) if math.isfinite(value) else f"float({str(value)!r})"
    if depth > 6:
        return None
    if type(value) in (list, tuple):
        return _sequence(value, depth)
    if type(value) in (set, frozenset):
        return _set(value, depth)
    if type(value) is dict:
        pairs = [(literal(k, depth + 1), literal(v, depth + 1)) for k, v in value.items()]
        if any(k is None or v is None for k, v in pairs):
            return None
        return "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
    return None


def _sequence(value, depth: int) -> str | None:
    items = [literal(v, depth + 1) for v in value]
    if None in items:
        return None
    inner = ", ".join(items) + ("," if type(value) is tuple and len(items) == 1 else "")
    return f"[{inner}]" if type(value) is list else f"({inner})"


def _set(value, depth: int) -> str | None:
    items = [literal(v, depth + 1) for v in value]
    if None in items:
        return None
    if not items:
        return "set()" if type(value) is set else "frozenset()"
    body = "{" + ", ".join(sorted(items)) + "}"  # sorted: the same text on every run
    return body if type(value) is set else f"frozenset({body})"


def describe(value) -> dict:
    """What a test can assert about `value`: its literal, type and size."""
    kind = type(value)
    text = literal(value)
    out = {"type": kind.__qualname__, "module": kind.__module__}
    if text is not None and len(text) <= MAX_LITERAL:
        out["literal"] = text
    with contextlib.suppress(Exception):
        out["len"] = len(value)
    if text is None:
        out["attrs"] = public_state(value)
    return out


def public_state(obj) -> dict[str, str]:
    """Literals of an object's public instance attributes (at most 8)."""
    state = {}
    with contextlib.suppress(Exception):
        for name, value in list(vars(obj).items()):
            if name.startswith("_") or len(state) >= 8:
                continue
            text = literal(value)
            if text is not None and len(text) <= MAX_LITERAL:
                state[name] = text
    return state


def evaluate(pairs, namespace):
    args, kwargs = [], {}
    for keyword, source in pairs:
        value = eval(source, namespace)  # the planner's own argument expressions
        if keyword is None:
            args.append(value)
        else:
            kwargs[keyword] = value
    return args, kwargs


def lookup(module, dotted: str):
    value = module
    for part in dotted.split("."):
        value = getattr(value, part)
    return value


def invoke(module, call, namespace, args, kwargs, seen: dict):
    """(the call's result, the object it was made on or constructed, or None); a method's
    object's state before the call goes into `seen["before"]`."""
    kind, target = call["kind"], call["target"]
    if kind in ("function", "static"):
        return lookup(module, target)(*args, **kwargs), None
    owner, _, name = target.rpartition(".")
    cls = lookup(module, owner)
    if kind == "constructor":
        return None, cls(*args, **kwargs)
    if call.get("instance"):
        return _unbound(cls, name, call, namespace, args, kwargs, seen)
    try:
        ctor_args, ctor_kwargs = evaluate(call["ctor"], namespace)
        obj = cls(*ctor_args, **ctor_kwargs)
    except Exception as exc:
        raise CtorFailed(exc) from exc
    seen["before"] = public_state(obj)
    if kind == "property":
        return getattr(obj, name), obj
    return getattr(obj, name)(*args, **kwargs), obj


def _unbound(cls, name, call, namespace, args, kwargs, seen: dict):
    """A method of `cls` called through the class on an instance it could not construct
    (`Real.conjugate(2.5)`, `Real.real.fget(2.5)`): the instance's own type may define
    the same name, so `obj.name` would not run the focal code."""
    try:
        obj = eval(call["instance"], namespace)  # one of the planner's INSTANCE_CANDIDATES
    except Exception as exc:
        raise CtorFailed(exc) from exc
    seen["before"] = public_state(obj)
    attribute = getattr(cls, name)
    if call["kind"] == "property":
        if not isinstance(attribute, property):  # another descriptor: no getter to call
            raise CtorFailed(TypeError(f"{name} is not a property"))
        return attribute.fget(obj), obj
    return attribute(obj, *args, **kwargs), obj


def instances_of(module, owners, candidates, namespace, per_class: int = 3) -> dict:
    """For each class in `owners`: up to `per_class` candidate expressions whose value is
    an instance of it, of different types."""
    found: dict = {}
    for owner in owners:
        try:
            cls = lookup(module, owner)
        except AttributeError:
            continue
        kinds: dict = {}
        for source in candidates:
            try:
                value = eval(source, namespace)
                if isinstance(value, cls) and type(value) not in kinds:
                    kinds[type(value)] = source
            except Exception:
                continue
        if kinds:
            found[owner] = list(kinds.values())[:per_class]
    return found


class CtorFailed(Exception):
    pass


def snapshot(values) -> list[str | None]:
    return [literal(v) for v in values]


SCRATCH: Scratch | None = None  # set by main(); each call runs in a folder of its own


def run_once(module, call, namespace, seconds: float) -> dict:
    """One run of a call: its outcome, what changed in its arguments and object, and
    what it did to files (`files`: inside its own folder; `blocked`: outside it)."""
    record: dict = {}
    guarded = SCRATCH.call(record) if SCRATCH is not None else contextlib.nullcontext()
    with guarded:
        _run_once(module, call, namespace, seconds, record)
    return record


def _run_once(module, call, namespace, seconds: float, record: dict) -> None:
    try:
        args, kwargs = evaluate(call["args"], namespace)
    except Exception as exc:
        record.update(status="bad_args", error=_exception(exc))
        return
    signal.setitimer(signal.ITIMER_REAL, seconds)
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            before = snapshot([*args, *kwargs.values()])
            seen: dict = {}
            result, obj = invoke(module, call, namespace, args, kwargs, seen)
        record["status"] = "returned"
        record["value"] = observe(result) if call["kind"] != "constructor" else None
        after = snapshot([*args, *kwargs.values()])
        changed = enumerate(zip(before, after, strict=True))
        record["mutated"] = [[i, a] for i, (b, a) in changed if a != b]
        state = public_state(obj) if obj is not None else {}
        before = seen.get("before", {})
        record["state"] = {k: v for k, v in state.items() if before.get(k) != v}
    except CallTimeout:
        record["status"] = "timeout"
    except CtorFailed as exc:
        record["status"] = "ctor_raised"
        record["error"] = _exception(exc.__cause__)
    except Exception as exc:
        record["status"] = "raised"
        record["error"] = _exception(exc)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    record["printed"] = bool(sink.getvalue())


def _exception(exc: BaseException) -> dict:
    kind = type(exc)
    return {"type": kind.__qualname__, "module": kind.__module__, "message": str(exc)[:200]}


def _same(first: dict, second: dict) -> bool:
    keep = ("status", "value", "mutated", "state", "blocked", "files", "outcomes", "observed")
    same = all(first.get(k) == second.get(k) for k in keep)
    return same and (first.get("error") or {}).get("type") == (second.get("error") or {}).get(
        "type"
    )


def _agreed(record: dict, second: dict) -> dict:
    """`record` with "deterministic" set: whether the second run ended alike. A repr
    that differed between the runs (a time or an id in it) is dropped, not held against
    the call."""
    settled = _settled(record, second)
    return {**settled, "deterministic": _same(settled, _settled(second, record))}


def _settled(first, second):
    """`first` without the "repr" entries (at any depth) that differ in `second`."""
    if isinstance(first, dict) and isinstance(second, dict):
        return {
            k: _settled(v, second.get(k))
            for k, v in first.items()
            if k != "repr" or v == second.get(k)
        }
    if isinstance(first, list) and isinstance(second, list) and len(first) == len(second):
        return [_settled(a, b) for a, b in zip(first, second, strict=True)]
    return first


def main(spec_path: str) -> int:
    global SCRATCH
    with open(spec_path, encoding="utf-8") as handle:
        spec = json.load(handle)
    token, out = spec["token"], sys.stdout
    sys.path.insert(0, os.getcwd())
    SCRATCH = Scratch(_load_guard(), os.path.join(os.getcwd(), ".codeintel-scratch"))
    path = os.path.realpath(spec["path"])
    tracer = Tracer(path, frozenset(spec.get("watch", ())))
    signal.signal(signal.SIGALRM, _on_alarm)

    def emit(record: dict) -> None:
        out.write(token + json.dumps(record) + "\n")
        out.flush()

    sys.settrace(tracer)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            module = importlib.import_module(spec["module"])
    except BaseException as exc:
        sys.settrace(None)
        emit({"import": "failed", "error": _exception(exc)})
        return 0
    sys.settrace(None)
    lines, arcs = tracer.take()
    namespace = {"__builtins__": __builtins__, spec["module"].rpartition(".")[2]: module}
    namespace.update({k: v for k, v in vars(module).items() if not k.startswith("__")})
    wanted = spec.get("instances") or {}
    found = instances_of(module, wanted.get("owners", ()), wanted.get("candidates", ()), namespace)
    emit({"import": "ok", "lines": lines, "arcs": arcs, "instances": found})
    deadline = time.monotonic() + float(spec["seconds"])
    seconds, seen = float(spec["call_seconds"]), set()
    for call in spec["calls"]:
        if time.monotonic() > deadline:
            break
        record = probe_call(module, call, namespace, tracer, seconds)
        seen |= _covered(call, record)
        emit(record)
    targets = spec.get("explore", [])
    until = (deadline, float(spec.get("stale_s", STALE_S)))
    first_id = max((c["id"] for c in spec["calls"]), default=0) + 1
    if targets:
        explorer = Explorer(targets, namespace, int(spec.get("seed", 0)))
        for record in explorer.run(module, tracer, seen, until, seconds, first_id):
            first_id = max(first_id, record["id"] + 1)
            emit(record)
    classes = spec.get("sequences", [])
    if classes:
        sequencer = Sequencer(classes, module, namespace, int(spec.get("seed", 0)))
        for record in sequencer.run(tracer, seen, until, seconds, first_id):
            emit(record)
    return 0


def _covered(call: dict, record: dict) -> set:
    focal = call["target"]
    return {(focal, line) for line in record.get("lines", ())} | {
        (focal, tuple(arc)) for arc in record.get("arcs", ())
    }


class Explorer:
    """Coverage-guided random search, after the planned calls: new argument lists drawn
    from each parameter's pool, with strings and bytes spliced from the pools' pieces
    and the body's constants, numbers nudged, lists made of pool values; or, a third of
    the time, an argument of a call kept before, mutated (a piece inserted, a character
    dropped or replaced: the way fuzzers grow an input one branch at a time). A call
    that reaches a line or arc no call reached before is kept (run a second time, for
    the determinism check) and reported with its arguments as literals. It stops at the
    deadline, or after `stale` seconds (STALE_S unless the spec says) in which nothing
    new was reached."""

    def __init__(self, targets: list[dict], namespace: dict, seed: int) -> None:
        import random

        self.rng = random.Random(seed)
        self.targets = [self._values(t, namespace) for t in targets]
        self.targets = [t for t in self.targets if t is not None]
        pieces = [v for t in self.targets for vs in t["values"].values() for v in vs]
        pieces += [_eval_or(src, namespace) for t in targets for src in t.get("literals", ())]
        self.strings = [v for v in pieces if isinstance(v, str)] or ["a"]
        self.strings += list({c for v in self.strings for c in v[:16]})
        self.bytes = [v for v in pieces if isinstance(v, bytes)] or [b"a"]
        self.ints = [v for v in pieces if isinstance(v, int) and not isinstance(v, bool)] or [0]
        self.anything = [v for v in pieces if v is not _MISSING] or [None]
        self.kept: list = []  # the arguments of the calls kept so far

    @staticmethod
    def _values(target: dict, namespace: dict) -> dict | None:
        values = {}
        for name, sources in target["pools"].items():
            found = [_eval_or(src, namespace) for src in sources]
            values[name] = [v for v in found if v is not _MISSING]
        return {**target, "values": values}

    def draw(self, target: dict) -> list | None:
        """[[keyword or None, source], ...] for one random call, or None."""
        args = []
        for name, how, optional in target["params"]:
            if optional and self.rng.random() < 0.6:
                continue
            text = literal(self.value(target["values"].get(name) or [None]))
            if text is None or len(text) > MAX_LITERAL:
                return None
            keyword = name if how == "keyword" or (optional and how == "either") else None
            args.append([keyword, text])
        return args

    def value(self, pool: list):
        if self.rng.random() < 0.1:  # another parameter's value: type hints can be wrong
            return self.rng.choice(self.anything)
        base = self.rng.choice(pool)
        alike = [v for v in self.kept if type(v) is type(base)]
        if alike and self.rng.random() < 0.35:
            return self.mutated(self.rng.choice(alike))
        roll = self.rng.random()
        if roll < 0.4:
            return base
        if isinstance(base, str):
            return "".join(self.rng.choice(self.strings) for _ in range(self.rng.randint(1, 4)))
        if isinstance(base, bytes):
            parts = [self.rng.choice(self.bytes) for _ in range(self.rng.randint(1, 3))]
            return b"".join(parts) + bytes(self.rng.randint(0, 40))
        if isinstance(base, int) and not isinstance(base, bool):
            return self.rng.choice(self.ints) + self.rng.choice((-1, 0, 1, 2, 10))
        if isinstance(base, list):
            kind = self.rng.choice((self.strings, self.ints))
            return [self.rng.choice(kind) for _ in range(self.rng.randint(0, 4))]
        return base

    def mutated(self, value):
        """`value` changed by one to three edits: for a str or bytes, a piece inserted,
        a character dropped or replaced; for a list, an element added or dropped; an int
        nudged."""
        for _ in range(self.rng.randint(1, 3)):
            if isinstance(value, (str, bytes)):
                value = self._edited(value)
            elif isinstance(value, list):
                value = self._edited_list(value)
            elif isinstance(value, int) and not isinstance(value, bool):
                value += self.rng.choice((-2, -1, 1, 2))
        return value

    def _edited(self, text):
        pieces = self.strings if isinstance(text, str) else self.bytes
        piece = self.rng.choice(pieces)
        if isinstance(piece, bytes) and self.rng.random() < 0.3:
            piece = bytes([self.rng.randrange(256)])
        at = self.rng.randrange(len(text) + 1)
        op = self.rng.choice(("insert", "drop", "replace") if text else ("insert",))
        end = at + (op != "insert")
        return text[:at] + (piece[:0] if op == "drop" else piece) + text[end:]

    def _edited_list(self, items: list) -> list:
        if items and self.rng.random() < 0.3:
            return items[:-1]
        return [*items, self.value(items or self.anything)]

    def remember(self, args: list, namespace: dict) -> None:
        """Keep the arguments of a kept call, for later mutation."""
        for _, text in args:
            value = _eval_or(text, namespace)
            if value is not _MISSING and len(self.kept) < 500:
                self.kept.append(value)

    def shrunk(self, module, call: dict, found: tuple, tracer, seconds: float):
        """`call` with slices cut from its str, bytes and list arguments (halves first,
        then smaller) while it still reaches the new lines and arcs, ends the same way
        (returned or raised), at most SHRINK_TRIES runs: the test reads `'[!b-]'`, not
        the thirty characters the search happened to try."""
        first, record, new = found
        namespace, tries = {"__builtins__": __builtins__}, 0
        for index in range(len(call["args"])):
            progress = True
            while progress and tries < SHRINK_TRIES:
                progress = False
                keyword, text = call["args"][index]
                for smaller in _cuts(_eval_or(text, {})):
                    tries += 1
                    args = list(call["args"])
                    args[index] = [keyword, literal(smaller)]
                    candidate = {**call, "args": args}
                    again, traced_again = traced(module, candidate, namespace, tracer, seconds)
                    if again["status"] == first["status"] and new <= _covered(
                        candidate, traced_again
                    ):
                        call, first, record, progress = candidate, again, traced_again, True
                        break
                    if tries >= SHRINK_TRIES:
                        break
        return call, first, record

    def run(self, module, tracer, seen: set, until: tuple[float, float], seconds: float, next_id):
        namespace_free = {"__builtins__": __builtins__}
        deadline, stale = until
        last_new = time.monotonic()
        while self.targets and time.monotonic() < min(deadline, last_new + stale):
            target = self.rng.choice(self.targets)
            args = self.draw(target)
            if args is None:
                continue
            ctors = target.get("ctors") or [[]]
            call = {
                "id": next_id,
                "kind": target["kind"],
                "target": target["target"],
                "args": args,
                "ctor": self.rng.choice(ctors),
            }
            first, record = traced(module, call, namespace_free, tracer, seconds)
            new = _covered(call, record) - seen
            if not new or first["status"] not in ("returned", "raised"):
                continue
            call, first, record = self.shrunk(module, call, (first, record, new), tracer, seconds)
            seen |= _covered(call, record)
            last_new = time.monotonic()
            self.remember(call["args"], namespace_free)
            second = run_once(module, call, namespace_free, seconds)
            next_id += 1
            yield {"id": call["id"], "call": call, **_agreed(record, second)}


_MISSING = object()
SHRINK_TRIES = 60  # runs spent shrinking the arguments of one kept call


def _cuts(value) -> list:
    """`value` (a str, bytes or list) with one slice removed: half of it first, then
    smaller slices, down to one item; [] for other values."""
    if not isinstance(value, (str, bytes, list)) or len(value) < 2:
        return []
    out, size = [], len(value) // 2
    while size >= 1:
        out += [value[:at] + value[at + size :] for at in range(0, len(value), size)]
        size //= 2
    return out


def _eval_or(source: str, namespace: dict):
    try:
        return eval(source, namespace)
    except Exception:
        return _MISSING


def traced(module, call: dict, namespace: dict, tracer: Tracer, seconds: float):
    """One run of `call` with its lines and arcs traced: (the run, the run with them)."""
    return traced_run(tracer, lambda: run_once(module, call, namespace, seconds))


def traced_run(tracer: Tracer, run):
    """`run()` (a call or a sequence) with its lines and arcs traced: (its record, the
    record with them)."""
    sys.settrace(tracer)
    try:
        first = run()
    finally:
        sys.settrace(None)
    lines, arcs = tracer.take()
    return first, {**first, "lines": lines, "arcs": arcs}


def probe_call(module, call: dict, namespace: dict, tracer: Tracer, seconds: float) -> dict:
    _, record = traced(module, call, namespace, tracer, seconds)
    watched = tracer.take_watched()
    second = run_once(module, call, namespace, seconds)
    tracer.take_watched()
    return {
        "id": call["id"],
        **_agreed(record, second),
        **({"watched": watched} if watched else {}),
    }


# --- call sequences on objects --------------------------------------------------------

BINARY = {"__or__": "|", "__and__": "&", "__sub__": "-", "__xor__": "^", "__add__": "+",
          "__mul__": "*"}  # fmt: skip
INPLACE = {"__ior__": "|=", "__iand__": "&=", "__isub__": "-=", "__ixor__": "^=",
           "__iadd__": "+="}  # fmt: skip
ORDER = {"__lt__": "<", "__le__": "<=", "__gt__": ">", "__ge__": ">="}
OBSERVERS = {
    "__len__": "len(obj)",
    "__iter__": "list(obj)",
    "__contains__": "{x} in obj",
    "__getitem__": "obj[{x}]",
    "__eq__": "obj == other",
    "__bool__": "bool(obj)",
}


def defines(cls, name: str) -> bool:
    """Whether the class (or a base other than object) defines `name` itself."""
    return any(name in vars(k) for k in cls.__mro__ if k is not object)


def protocol_forms(cls) -> tuple[list[str], list[str]]:
    """Step templates through the syntax the class supports: (those that change the
    object, those that observe it); `{x}` is a drawn value, `other` a second object."""
    changes = [f"obj {op} other" for name, op in INPLACE.items() if defines(cls, name)]
    if defines(cls, "__setitem__"):
        changes.append("obj[{x}] = {y}")
    if defines(cls, "__delitem__"):
        changes.append("del obj[{x}]")
    if defines(cls, "__enter__") and defines(cls, "__exit__"):
        changes.append("with obj:\n    pass")
    observes = [f"obj {op} other" for name, op in BINARY.items() if defines(cls, name)]
    observes += [f"obj {op} other" for name, op in ORDER.items() if defines(cls, name)]
    observes += [form for name, form in OBSERVERS.items() if defines(cls, name)]
    return changes, observes


def is_statement(step: str) -> bool:
    return (
        " = " in step
        or step.startswith(("del ", "with "))
        or any(f" {op} " in step for op in INPLACE.values())
    )


def observe(value) -> dict:
    """`describe`, and for an object without a literal: its items as a list (an
    iterable that is not its own iterator, up to MAX_ITEMS), its truth value and its
    repr where its class (not a builtin) defines them (a repr without an address)."""
    out = describe(value)
    if "literal" in out or isinstance(value, (str, bytes)):
        return out
    with contextlib.suppress(Exception):
        if hasattr(value, "__iter__") and iter(value) is not value:
            items = list(itertools.islice(value, MAX_ITEMS + 1))
            text = literal(items) if len(items) <= MAX_ITEMS else None
            if text is not None and len(text) <= MAX_LITERAL:
                out["items"] = text
    cls = type(value)
    with contextlib.suppress(Exception):
        if defines(cls, "__bool__"):
            out["bool"] = bool(value)
    with contextlib.suppress(Exception):
        own = defines(cls, "__repr__") and cls.__module__ != "builtins"
        shown = repr(value) if own else ""
        if shown and len(shown) <= MAX_LITERAL and not _placed(shown):
            out["repr"] = shown
    return out


def _placed(text: str) -> bool:
    """Whether a repr shows where something is (an address, this run's folders)."""
    places = ("0x", os.getcwd(), os.environ.get("TMPDIR") or "/tmp")  # no tempfile: it writes
    return any(place in text for place in places)


def observe_object(obj) -> dict:
    """What a test asserts on an object after its calls: its size, its items, its
    public attributes."""
    found = observe(obj)
    out = {k: found[k] for k in ("len", "items") if k in found}
    state = public_state(obj)
    if state:
        out["state"] = state
    return out


class Sequencer:
    """Coverage-guided search over call sequences on one object: an object built from
    a constructor call that worked, then up to MAX_STEPS steps (its public methods with
    arguments drawn as the Explorer draws them, and the operators and protocols its class
    supports, through their syntax), the steps that change it before those that only
    observe it. A sequence that reaches a line or arc nothing reached before is cut to
    the steps it needs to reach it, run again (the determinism check), and reported
    with what each step did and the object's state after them. It stops at the deadline,
    or after `stale` seconds without reaching anything new."""

    def __init__(self, classes: list[dict], module, namespace: dict, seed: int) -> None:
        import random

        self.rng, self.namespace = random.Random(seed), namespace
        self.classes = []
        for target in classes:
            try:
                cls = lookup(module, target["owner"])
            except AttributeError:
                continue
            explorer = Explorer(target["methods"], namespace, seed)
            changes, observes = protocol_forms(cls)
            self.classes.append((target, explorer, changes, observes))

    def draw_step(self, drawn: tuple, last: bool, used: list[str]):
        """One step; its arguments are, half the time, values earlier steps passed (an
        item added, then removed; two vertices added, then connected)."""
        explorer, changes, observes = drawn
        forms = [*changes, *(observes if last else [])]
        methods = explorer.targets
        if methods and (not forms or self.rng.random() < 0.6):
            method = self.rng.choice(methods)
            if method["kind"] == "property":
                return f"obj.{method['name']}"
            args = explorer.draw(method)
            if args is None:
                return None
            args = [[k, self.reused(v, used)] for k, v in args]
            used += [v for _, v in args]
            text = ", ".join(f"{k}={v}" if k else v for k, v in args)
            return f"obj.{method['name']}({text})"
        if not forms:
            return None
        x = literal(explorer.value(explorer.anything))
        y = literal(explorer.value(explorer.anything))
        if x is None or y is None:
            return None
        x, y = self.reused(x, used), self.reused(y, used)
        return self.rng.choice(forms).replace("{x}", x).replace("{y}", y)

    def reused(self, text: str, used: list[str]) -> str:
        return self.rng.choice(used) if used and self.rng.random() < 0.5 else text

    def draw(self) -> dict | None:
        target, explorer, changes, observes = self.rng.choice(self.classes)
        steps: list[str] = []
        used: list[str] = []
        drawn = (explorer, changes, observes)
        for _ in range(self.rng.randint(1, MAX_STEPS)):
            step = self.draw_step(drawn, False, used)
            steps += [step] if step is not None else []
        final = self.draw_step(drawn, True, used)
        steps += [final] if final is not None else []
        if not steps:
            return None
        ctors = target["ctors"]
        return {"kind": "sequence", "target": target["owner"], "args": [],
                "ctor": self.rng.choice(ctors), "other": self.rng.choice(ctors),
                "steps": steps}  # fmt: skip

    def run(self, tracer, seen: set, until: tuple[float, float], seconds: float, next_id: int):
        deadline, stale = until
        last_new = time.monotonic()
        while self.classes and time.monotonic() < min(deadline, last_new + stale):
            call = self.draw()
            if call is None:
                continue
            first, record = traced_sequence(call, self.namespace, tracer, seconds)
            new = _covered(call, record) - seen
            if not new or not record.get("outcomes"):
                continue
            call, first, record = self.minimized(call, first, record, new, tracer, seconds)
            seen |= _covered(call, record)
            last_new = time.monotonic()
            second = run_sequence(call, self.namespace, seconds)
            call["id"] = next_id
            next_id += 1
            yield {"id": call["id"], "call": call, **_agreed(record, second)}

    def minimized(self, call, first, record, new, tracer, seconds):
        """The sequence without each step it does not need to reach `new`."""
        at = 0
        while at < len(call["steps"]) and len(call["steps"]) > 1:
            shorter = {**call, "steps": call["steps"][:at] + call["steps"][at + 1 :]}
            again, traced_again = traced_sequence(shorter, self.namespace, tracer, seconds)
            if new <= _covered(shorter, traced_again):
                call, first, record = shorter, again, traced_again
            else:
                at += 1
        return call, first, record


def traced_sequence(call: dict, namespace: dict, tracer: Tracer, seconds: float):
    return traced_run(tracer, lambda: run_sequence(call, namespace, seconds))


def run_sequence(call: dict, namespace: dict, seconds: float) -> dict:
    """One run of a sequence on fresh objects: each step's outcome (until one raises or
    hangs), and the object observed after the steps."""
    record: dict = {}
    guarded = SCRATCH.call(record) if SCRATCH is not None else contextlib.nullcontext()
    with guarded:
        _run_sequence(call, dict(namespace), seconds, record)
    return record


def _run_sequence(call: dict, namespace: dict, seconds: float, record: dict) -> None:
    owner = call["target"]
    outcomes: list[dict] = []
    record["outcomes"] = outcomes
    sink = io.StringIO()
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            cls = eval(owner, namespace)
            uses_other = any("other" in step for step in call["steps"])
            built = [("obj", call["ctor"])] + [("other", call.get("other") or [])] * uses_other
            for name, args in built:  # `other` only where a step uses it, as the test does
                positional, keywords = evaluate(args, namespace)
                namespace[name] = cls(*positional, **keywords)
            for at, step in enumerate(call["steps"]):
                outcome = _step(step, namespace, seconds)
                call["steps"][at] = outcome.pop("as", step)
                outcomes.append(outcome)
                if outcome["status"] != "returned":
                    break
            record["observed"] = observe_object(namespace["obj"])
    except CallTimeout:
        outcomes.append({"status": "timeout"})
    except Exception as exc:  # a constructor that failed this time: no sequence
        record["outcomes"] = []
        record["error"] = _exception(exc)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    last = outcomes[-1]["status"] if outcomes else "ctor_raised"
    record["status"] = "returned" if last == "returned" else last
    if last == "raised":
        record["error"] = outcomes[-1]["error"]
    record["printed"] = bool(sink.getvalue())


def _step(step: str, namespace: dict, seconds: float) -> dict:
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        if is_statement(step):
            exec(step, namespace)
            return {"status": "returned", "value": None}
        value = eval(step, namespace)
        if hasattr(value, "__next__") and iter(value) is value:  # an iterator: its items
            return {"status": "returned", "value": observe(list(value)), "as": f"list({step})"}
        return {"status": "returned", "value": observe(value)}
    except CallTimeout:
        raise
    except Exception as exc:
        return {"status": "raised", "error": _exception(exc)}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
