"""Whether the code that runs and reports tests is still the code it was. Standard library
only; runs INSIDE the sandbox, in the judge (imported before any fork) and its children.

A `Seal` fingerprints, before any user code runs, every function, class, method, property
and code object of the modules that decide a test's outcome (pytest, _pytest, pluggy,
unittest and this harness; for the harness every module attribute), the builtins, and
the trace and profile functions; `changes()` says what of that changed since. The
recorders check it after every test and before they send its record, so a record made
while pytest was patched is never trusted (`tampered`).

The audit hook installed on import (PEP 578, which nothing can remove) adds the
changes a fingerprint cannot see: it flags a new `__code__` or defaults for a sealed
function and a new `__code__` for a function of a test file (the code under test may
rewrite its own functions: that only changes what is tested), and refuses every other
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
from collections.abc import Mapping
from dataclasses import dataclass

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


_DEFAULTS = frozenset({"__defaults__", "__kwdefaults__"})
_swapped: list[str] = []  # what the audit hook saw reassigned (a function's body, defaults)
_permitted = [0]  # audit hooks the harness itself may still add
_sealed: set[int] = set()  # ids of the functions under a seal


def _audit(event: str, args: tuple) -> None:
    """The audit hook (a plain function: it runs on every audited event of the run). A new
    body (`__code__`) or defaults for a sealed function, or a new body for a function of a
    test file, are flagged; the code under test may rewrite its own functions (that only
    changes what is tested)."""
    if event == "object.__setattr__" and len(args) > 1:
        if (args[1] == "__code__" or args[1] in _DEFAULTS) and id(args[0]) in _sealed:
            _swapped.append(f"a function's {args[1]} was replaced")
        elif args[1] == "__code__" and _of_a_test_file(args[0]):
            _swapped.append("a test function's __code__ was replaced")
    elif event == "sys.addaudithook":
        if _permitted[0]:
            _permitted[0] -= 1
            return
        raise RuntimeError("codeintel's test harness allows no other audit hook")


def _of_a_test_file(function: object) -> bool:
    code = getattr(function, "__code__", None)
    name = getattr(code, "co_filename", "").rpartition("/")[2]
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"


sys.addaudithook(_audit)


def permit_hook() -> None:
    """Let the next `sys.addaudithook` through (the harness's own effect guard)."""
    _permitted[0] += 1


@dataclass(frozen=True)
class _Space:
    """One namespace under seal: a module's or a class's."""

    name: str
    owner: object  # the module or the class
    space: Mapping[str, object]  # its live namespace
    held: dict[str, object]  # what it held when sealed (its callables; all, for ours)
    keys: frozenset[str]  # every name it had then

    def changes(self) -> list[str]:
        space, held = self.space, self.held
        replaced = [k for k, v in held.items() if not _same(v, space.get(k))]
        if len(space) != len(self.keys):
            replaced += [k for k in space if k not in self.keys and self._shadows(k)]
        return [f"{self.name}.{k} was changed" for k in replaced[:3]]

    def _shadows(self, key: str) -> bool:
        """Whether an attribute added since the seal hides another: a builtin (for a
        module global) or one a class inherited. Other additions change nothing that
        runs (pytest's own plugins add such attributes to its classes as they configure)."""
        if isinstance(self.owner, types.ModuleType):
            return hasattr(builtins, key)
        if not isinstance(self.space.get(key), _CALLABLE):
            return False  # a flag pytest sets on a subclass, say
        return any(key in vars(base) for base in getattr(self.owner, "__mro__", ())[1:])


def _spaces(module: types.ModuleType) -> list[_Space]:
    """A module's namespace (its callables; everything for the harness's own modules)
    and the namespaces of the classes it defines (their callables)."""
    everything = module.__name__ in HARNESS
    out = []
    for owner, name in [(module, module.__name__)] + [
        (value, f"{module.__name__}.{key}")
        for key, value in list(vars(module).items())
        if isinstance(value, type) and value.__module__ == module.__name__
    ]:
        space = vars(owner)
        held = {
            k: v
            for k, v in space.items()
            if (everything and owner is module) or isinstance(v, _CALLABLE)
        }
        out.append(_Space(name, owner, space, held, frozenset(space)))
    return out


def _same(before: object, now: object) -> bool:
    """The same object; or, for a property, one over the same functions (pytest's own
    plugins wrap the same functions in a new property in each session)."""
    if now is before:
        return True
    return (
        isinstance(before, property)
        and isinstance(now, property)
        and (now.fget, now.fset, now.fdel) == (before.fget, before.fset, before.fdel)
    )


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
    """What `modules`, the builtins and the trace and profile functions hold, noted now;
    `changes()` says what was replaced since (or that a function's code or defaults were
    reassigned). Objects are compared by identity: a function's body cannot change without
    the audit hook seeing it."""

    def __init__(self, modules: list[types.ModuleType]) -> None:
        self.spaces = [space for module in modules for space in _spaces(module)]
        _sealed.update(
            id(v) for s in self.spaces for v in s.held.values() if isinstance(v, types.FunctionType)
        )
        self.builtins = {k: v for k, v in vars(builtins).items() if isinstance(v, _CALLABLE)}
        self.trace, self.profile = sys.gettrace(), sys.getprofile()

    def changes(self) -> list[str]:
        """What changed since the seal, in words (empty when nothing did)."""
        found = list(_swapped[:1])
        if sys.gettrace() is not self.trace or sys.getprofile() is not self.profile:
            found.append("the trace or profile function was changed")
        live = vars(builtins)
        found += [
            f"builtins.{k} was replaced" for k, v in self.builtins.items() if live.get(k) is not v
        ]
        for space in self.spaces:
            found += space.changes()
        return found
