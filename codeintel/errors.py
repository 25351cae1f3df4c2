"""Typed errors. Each carries a message a user can act on.

The CLI maps every `CodeintelError` (and `parsers.ParseError`) to one line on
stderr and exit code 2; the LSP server shows the message; the API raises them.
"""

from __future__ import annotations

from parsers.errors import ParseError


class CodeintelError(Exception):
    """Base of every error codeintel raises on purpose."""


class InputError(CodeintelError):
    """The user's input cannot be used: a bad file, an unknown name, a bad option."""


class UnknownFunctionError(InputError, LookupError):
    """A function or method name that the file does not define."""


class ConfigError(InputError):
    """A configuration file or value that is invalid."""


class ModelError(CodeintelError):
    """A model checkpoint is missing, broken or cannot serve the request."""


class ModelNotFoundError(ModelError, FileNotFoundError):
    """No checkpoint at the given path or under the given bundled name."""


class SandboxError(CodeintelError):
    """The sandbox itself failed (not the code it ran)."""


class IsolationError(InputError):
    """Running generated calls would need isolation this machine does not have."""


class RepairInputError(InputError):
    """Repair cannot start: no failing test, tests that cannot import the code, ..."""


class Cancelled(CodeintelError):
    """The job was cancelled (an editor's cancel request): its sandbox runs were killed."""


class IndexFormatError(InputError):
    """A folder that is not a codeintel index, or one this version cannot read."""


# what a user's input can raise: one line for the CLI, a message for the editor
USER_ERRORS = (CodeintelError, ParseError)
