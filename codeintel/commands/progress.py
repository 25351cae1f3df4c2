"""The CLI's progress bar, shared by the commands that take a while."""

from __future__ import annotations


class ProgressBar:
    """A rich progress bar on stderr (nothing when stderr is not a terminal), called as
    the task's progress callback."""

    def __enter__(self):
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        console = Console(stderr=True)
        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        self.bar.__enter__()
        self.task = self.bar.add_task("starting", total=1.0)
        return self

    def __call__(self, what: str, share: float) -> None:
        self.bar.update(self.task, description=what, completed=share)

    def __exit__(self, *exc: object) -> None:
        self.bar.__exit__(None, None, None)
