"""Small helpers for writing Python source that ruff format leaves as it is."""

from __future__ import annotations

import json
import keyword
import textwrap
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "LINE",
    "docstring",
    "identifier",
    "import_from",
    "literal",
    "wrapped",
]

LINE = 100


def identifier(name: str) -> str:
    """``name`` usable as a Python identifier (keywords and ``self`` get a trailing ``_``)."""
    return f"{name}_" if keyword.iskeyword(name) or name == "self" else name


def literal(value: Any) -> str:
    """A JSON value as a Python expression (strings in double quotes, like ruff format)."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(literal(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"not a JSON value: {value!r}")


def wrapped(head: str, items: Sequence[str], tail: str, indent: str) -> list[str]:
    """``head + items joined by ", " + tail`` the way ruff format splits it: one line when it
    fits, else the items on one indented line, else one item a line with a trailing comma."""
    one = f"{indent}{head}{', '.join(items)}{tail}"
    if len(one) <= LINE or not items:
        return [one]
    inner = f"{indent}    {', '.join(items)}"
    if len(inner) <= LINE:
        return [f"{indent}{head}", inner, f"{indent}{tail}"]
    return [f"{indent}{head}", *(f"{indent}    {item}," for item in items), f"{indent}{tail}"]


def import_from(module: str, names: Iterable[str]) -> list[str]:
    """``from module import names``, sorted like ruff's isort (constants, classes, others)."""

    def order(name: str) -> tuple[int, str, str]:
        kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
        return (kind, name.lower(), name)

    ordered = sorted(set(names), key=order)
    if not ordered:
        return []
    line = f"from {module} import {', '.join(ordered)}"
    if len(line) <= LINE:
        return [line]
    return [f"from {module} import (", *(f"    {name}," for name in ordered), ")"]


def docstring(paragraphs: Iterable[str], indent: str) -> list[str]:
    """A docstring of the non-empty ``paragraphs``, each wrapped to the line length."""
    width = LINE - len(indent) - 3
    texts = [
        textwrap.fill(" ".join(p.split()), width=width, break_on_hyphens=False)
        .replace("\\", "\\\\")
        .replace('"""', '\\"\\"\\"')
        for p in paragraphs
        if p.strip()
    ]
    if not texts:
        return []
    if len(texts) == 1 and "\n" not in texts[0] and len(indent) + len(texts[0]) + 6 <= LINE:
        return [f'{indent}"""{texts[0]}"""']
    lines = "\n\n".join(texts).split("\n")
    out = [f'{indent}"""{lines[0]}']
    out += [f"{indent}{line}" if line else "" for line in lines[1:]]
    return [*out, f'{indent}"""']
