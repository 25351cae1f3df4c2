"""The code actions, one table: every task the editor can run on a function.

An action runs one task of `codeintel.tasks` (building its request through the task's
`make_request`) and is offered on the function at the cursor when its `offered` check
holds. The server's handlers only look actions up here.
"""

from __future__ import annotations

from codeintel.errors import InputError
from codeintel.lsp import body, docstring, fix, tests
from codeintel.lsp.records import Action
from codeintel.tasks import TASKS, ModelUse

ACTIONS: dict[str, Action] = {
    a.command: a for a in (fix.ACTION, tests.ACTION, docstring.ACTION, body.ACTION)
}
# actions whose task runs without the model (repair's edits, test generation's search)
WITHOUT_MODEL = {c for c, a in ACTIONS.items() if TASKS[a.task].model is ModelUse.OPTIONAL}


def get_action(command: str) -> Action:
    if command not in ACTIONS:
        raise InputError(f"unknown command {command!r}; known: {', '.join(sorted(ACTIONS))}")
    return ACTIONS[command]
