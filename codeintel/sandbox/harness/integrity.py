"""Whether the code that runs and reports tests is still the code it was. Standard library
only; runs INSIDE the sandbox, in the judge (imported before any fork) and its children.

A `Seal` fingerprints, before any user code runs, every function, class, method, property
and code object of the modules that decide a test's outcome (pytest, _pytest, pluggy,
unittest and this harness; for the harness every module attribute), the builtins, and
the trace and profile functions; `broken()` says whether any of that changed since. The
recorders check it after every test and before they send its record, so a record made
while pytest was patched is never trusted (`tampered`).

The audit hook installed on import (PEP 578, which nothing can remove) adds the
changes a fingerprint cannot see: it flags every assignment to a function's
`__code__` (a test or pytest function given another body), and refuses every other
audit hook, so no later code watches the run's events to act on them (our own effect
guard is let in through `permit_hook`).

What it does not stop, and the README's threat model says: code written against this
module (it can find the Seal and the hook's state through `gc`), C extensions and
ctypes. Against those, the sandbox's process boundary is the defence.
"""

from __future__ import annotations

import builtins
import sys
import types

WATCHED_PREFIXES = ("_pytest.", "pluggy.", "unittest.")
WATCHED_MODULES = ("pytest", "_pytest", "pluggy", "unittest")
HARNESS = ("reporter", "quick", "effects", "toolkit", "integrity", "judge")
_CALLABLE = (
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
    type,
    property,
    staticmethod,
    classmethod,
)


class _Audit:
    """The audit hook: flags `__code__` assignments, refuses other audit hooks."""

    def __init__(self) -> None:
        self.code_swapped = False
        self.permitted = 0

    def __call__(self, event: str, args: tuple) -> None:
        if event == "object.__setattr__" and len(args) > 1 and args[1] == "__code__":
            self.code_swapped = True
        elif event == "sys.addaudithook":
            if self.permitted:
                self.permitted -= 1
                return
            raise RuntimeError("codeintel's test harness allows no other audit hook")


AUDIT = _Audit()
sys.addaudithook(AUDIT)


def permit_hook() -> None:
    """Let the next `sys.addaudithook` through (the harness's own effect guard)."""
    AUDIT.permitted += 1


def _fingerprint(value: object) -> object:
    """What must stay the same: the object (a property by its functions, which pytest
    wraps anew in each session), and for functions their code and defaults."""
    if isinstance(value, types.FunctionType):
        return (id(value), id(value.__code__), id(value.__defaults__), id(value.__kwdefaults__))
    if isinstance(value, property):
        return ("property", _fingerprint(value.fget), _fingerprint(value.fset), id(value.fdel))
    if isinstance(value, (staticmethod, classmethod)):
        return (type(value).__name__, _fingerprint(value.__func__))
    return id(value)


def _entries(module: types.ModuleType, everything: bool) -> dict:
    """Fingerprints of a module's attributes (callables only, unless `everything`) and of
    the attributes of the classes it defines."""
    out: dict = {}
    name = module.__name__
    for key, value in list(vars(module).items()):
        if everything or isinstance(value, _CALLABLE):
            out[key] = _fingerprint(value)
        if isinstance(value, type) and value.__module__ == name:
            for attr, member in list(vars(value).items()):
                if isinstance(member, _CALLABLE):
                    out[(key, attr)] = _fingerprint(member)
    return out


def _shadows(module: types.ModuleType, key: object) -> bool:
    """Whether an attribute added since the seal hides another: a builtin (for a module
    global) or one a class inherited. Other additions change nothing that runs (pytest's
    own plugins add such attributes to its classes while they configure)."""
    if isinstance(key, str):
        return hasattr(builtins, key)
    owner = getattr(module, key[0], None)
    bases = owner.__mro__[1:] if isinstance(owner, type) else ()
    return any(key[1] in vars(base) for base in bases)


def watched_modules(harness_only: bool = False) -> list[types.ModuleType]:
    """The harness's modules, and unless `harness_only` pytest's, pluggy's and unittest's,
    as loaded now."""
    found = []
    for name, module in list(sys.modules.items()):
        theirs = name in WATCHED_MODULES or name.startswith(WATCHED_PREFIXES)
        wanted = name in HARNESS or (theirs and not harness_only)
        if wanted and isinstance(module, types.ModuleType):
            found.append(module)
    return found


class Seal:
    """A fingerprint of `modules`, the builtins and the trace and profile functions, made
    now; `changes()` says what changed since, or that a `__code__` was reassigned."""

    def __init__(self, modules: list[types.ModuleType]) -> None:
        self.modules = modules
        self.before = {m.__name__: self._module(m) for m in modules}
        self.builtins = self._builtins()
        self.hooks = self._hooks()

    @staticmethod
    def _module(module: types.ModuleType) -> dict:
        return _entries(module, module.__name__ in HARNESS)

    @staticmethod
    def _builtins() -> dict:
        return {k: id(v) for k, v in vars(builtins).items() if isinstance(v, _CALLABLE)}

    @staticmethod
    def _hooks() -> tuple[int, int]:
        return id(sys.gettrace()), id(sys.getprofile())

    def changes(self) -> list[str]:
        """What changed since the seal, in words (empty when nothing did)."""
        found = []
        if AUDIT.code_swapped:
            found.append("a function's __code__ was replaced")
        if self._hooks() != self.hooks:
            found.append("the trace or profile function was changed")
        now = self._builtins()
        found += [f"builtins.{k} was replaced" for k, v in self.builtins.items() if now.get(k) != v]
        for module in self.modules:
            before, after = self.before[module.__name__], self._module(module)
            changed = [k for k in before if after.get(k) != before[k]]
            changed += [k for k in after if k not in before and _shadows(module, k)]
            for key in changed[:3]:
                name = ".".join(key) if isinstance(key, tuple) else key
                found.append(f"{module.__name__}.{name} was changed")
        return found
