"""Run in the sandbox by `checker.replay_check` as qb_script.py: the program's test file
with every outer call of the program recorded (its outcome and its arguments after the
call, rendered structurally and without addresses); the calls as JSON after the marker.

    python qb_script.py NAME MARKER
"""

import importlib
import itertools
import json
import sys


def canon(v, seen):
    """A structural, address-free rendering; objects by type and attributes, cycles by
    the order in which objects were first seen."""
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if id(v) in seen:
        return {"<ref>": seen[id(v)]}
    seen[id(v)] = len(seen)
    if isinstance(v, (list, tuple)):
        return [canon(x, seen) for x in v]
    if isinstance(v, (set, frozenset)):
        return sorted((canon(x, seen) for x in v), key=repr)
    if isinstance(v, dict):
        return sorted(([canon(k, seen), canon(x, seen)] for k, x in v.items()), key=repr)
    if hasattr(v, "__dict__"):
        attrs = {k: canon(x, seen) for k, x in sorted(vars(v).items())}
        return {"<object>": type(v).__name__, "attrs": attrs}
    if hasattr(v, "__next__"):
        return ["<iterator>", [canon(x, seen) for x in itertools.islice(v, 1000)]]
    return repr(v)


def main():
    name, marker = sys.argv[1], sys.argv[2]
    sys.path[:0] = [".", "python_testcases"]
    sys.setrecursionlimit(3000)
    import pytest

    module = importlib.import_module("python_programs." + name)
    real, calls, depth = getattr(module, name), [], [0]

    def recording(*args):
        depth[0] += 1
        try:
            result = real(*args)
            outcome = ["value", result]
        except Exception as exc:
            result, outcome = None, ["raised", type(exc).__name__]
            raise
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                calls.append(canon([outcome, list(args)], {}))
        return result

    setattr(module, name, recording)
    test_file = f"python_testcases/test_{name}.py"
    pytest.main(["-q", "-p", "no:cacheprovider", "--noconftest", test_file])
    sys.stdout.write("\n" + marker + json.dumps(calls) + "\n")


if __name__ == "__main__":
    main()
