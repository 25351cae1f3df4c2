"""What the sandbox sees for an editor's module and its test file: the module's project
(every file, pytest's pythonpath, its conftest.py files) when the module belongs to a
package or a `src/` layout, as repair and `codeintel repair` see it; else the two files.
The editor's texts of both files replace the disk's."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from codeintel.lsp.documents import Document, text_of
from codeintel.sandbox import Layout


@dataclass(frozen=True)
class SandboxView:
    files: dict[str, str | bytes]  # relative path -> content
    module_file: str  # the module's path among them
    test_file: str  # the test file's
    layout: Layout = field(default_factory=Layout)


def sandbox_view(document: Document, test: Path, open_documents: Mapping[Path, str]) -> SandboxView:
    from codeintel.project import load_project, project_files
    from codeintel.tasks.repair import in_a_package

    test_text = text_of(test, open_documents)
    if not in_a_package(document.path, None):
        files = {document.path.name: document.text, test.name: test_text}
        return SandboxView(dict(files), document.path.name, test.name)
    project = load_project(document.path)
    files: dict[str, str | bytes] = dict(project_files(project))
    module_file, test_file = project.relative(document.path), project.relative(test)
    files[module_file], files[test_file] = document.text, test_text
    return SandboxView(files, module_file, test_file, Layout(project.pythonpath, conftest=True))
