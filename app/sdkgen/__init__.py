"""``subnest sdk``: the Python and TypeScript clients, generated from the OpenAPI document.

``generate(check=...)`` renders every file of ``sdk/python`` and ``sdk/ts`` from
``openapi_spec(build_registry())`` and compares them with the tree: it writes the files that
differ (or, with ``check=True``, only reports them). The output depends on nothing but the
document and the templates, so a stale SDK shows up as a non-empty list.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

from app.sdkgen.model import SdkGenError, read_api
from app.sdkgen.python import render_python
from app.sdkgen.spec import load_document
from app.sdkgen.typescript import render_typescript

__all__ = ["ROOT", "SdkGenError", "generate", "render"]

# The repository: app/sdkgen/__init__.py is two folders below it.
ROOT = Path(__file__).resolve().parents[2]


def render(document: dict[str, Any]) -> dict[str, str]:
    """Relative path (from the repository root) → content, for every generated file."""
    api = read_api(document)
    files = {
        f"sdk/python/{path}": _formatted(f"sdk/python/{path}", text)
        for path, text in render_python(api).items()
    }
    files.update({f"sdk/ts/{path}": text for path, text in render_typescript(api).items()})
    return dict(sorted(files.items()))


def _formatted(path: str, text: str) -> str:
    """Python source as ``ruff format`` writes it (long annotations wrapped as the checks want)."""
    if not path.endswith(".py"):
        return text
    formatted = subprocess.run(  # noqa: S603 (our own ruff, on our own generated text)
        [find_ruff_bin(), "format", "--stdin-filename", str(ROOT / path), "-"],
        input=text,
        capture_output=True,
        text=True,
        check=True,
    )
    return formatted.stdout


def generate(*, check: bool, root: Path | None = None) -> list[str]:
    """The relative paths of the generated files that differ from the tree under ``root``
    (the repository by default), sorted; unless ``check``, those files are written."""
    base = root or ROOT
    changed = []
    for path, text in render(load_document()).items():
        target = base / path
        current = target.read_bytes() if target.is_file() else None
        if current == text.encode("utf-8"):
            continue
        changed.append(path)
        if not check:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode("utf-8"))
    return changed
