"""The code actions, one table: every task the editor can run on a function.

An action is offered on the function at the cursor when its `offered` check holds;
an action whose task is not built is not in the table (completion, for one, is not
advertised until the completion task exists). The server's handlers only look
actions up here; each action's module calls its task.
"""

from __future__ import annotations

from codeintel.errors import InputError
from codeintel.lsp import body, docstring, fix, tests
from codeintel.lsp.records import Action

ACTIONS: dict[str, Action] = {
    a.command: a for a in (fix.ACTION, tests.ACTION, docstring.ACTION, body.ACTION)
}
# actions that can run without the model (repair's edits, test generation's search)
WITHOUT_MODEL = {fix.ACTION.command, tests.ACTION.command}


def get_action(command: str) -> Action:
    if command not in ACTIONS:
        raise InputError(f"unknown command {command!r}; known: {', '.join(sorted(ACTIONS))}")
    return ACTIONS[command]
