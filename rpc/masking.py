"""Secrets that never show: a :class:`Secret` string, and Structs with masked fields.

A wire field is marked secret in its type, ``Annotated[str, SECRET]`` (alone or beside other
``msgspec.Meta``): the JSON, the JSON Schema and the SDKs do not change (``Meta.extra`` is
metadata for us only), but the repr of a :class:`Masked` Struct (``Input`` and ``Output`` are
Masked) shows the field as ``***``, in ``repr()``, f-strings and rich's pretty printer alike,
and any URL in its other text fields without its password. The rpc layer also hands the values
of an input's secret fields to the call (``Call.secrets``), so that log lines written during the
call can blank them out.

:class:`Secret` is for values the process holds rather than decodes (Settings): it is masked in
``repr()``, ``str()`` and formatting, and gives its value only to ``.reveal()``.
"""

from __future__ import annotations

import hmac
import re
from typing import Any, ClassVar, final

import msgspec

__all__ = [
    "MASK",
    "SECRET",
    "Masked",
    "Secret",
    "mask_url_passwords",
    "reveal",
    "secret_fields",
    "secret_values",
]

SECRET = msgspec.Meta(extra={"secret": True})
MASK = "***"

# ``scheme://user:password@host``: the password (up to the ``@`` that ends the user part).
_URL_PASSWORD = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/?#@'\"]*:)([^\s@/?#'\"]+)(@)")


def mask_url_passwords(text: str) -> str:
    """``text`` with the password of every ``scheme://user:password@host`` in it masked."""
    return _URL_PASSWORD.sub(rf"\g<1>{MASK}\g<3>", text) if "://" in text else text


@final
class Secret:
    """A secret string: ``***`` in ``repr()``, ``str()`` and f-strings; ``.reveal()`` gives it.

    Equal to another Secret of the same value (compared in constant time); never to a str.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{MASK}')"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Secret, self._value))


def reveal(value: object) -> Any:
    """An ``enc_hook`` for ``msgspec.to_builtins``/``encode``: a Secret as its plain value."""
    if isinstance(value, Secret):
        return value.reveal()
    raise NotImplementedError(f"cannot encode {type(value).__name__}")


class _Hidden:
    """Stands in for a secret value in reprs (rich prints it as ``***``, without quotes)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return MASK


_HIDDEN = _Hidden()


class Masked:
    """A mixin for Structs (``class S(Masked, msgspec.Struct)``, Masked first): the repr hides
    the secret fields (``Annotated[..., SECRET]``) and the passwords of URLs in text fields."""

    __slots__ = ()
    __struct_fields__: ClassVar[tuple[str, ...]]

    def __rich_repr__(self) -> list[tuple[str, Any]]:
        hidden = secret_fields(type(self))
        shown: list[tuple[str, Any]] = []
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if name in hidden and value is not None:
                value = _HIDDEN
            elif isinstance(value, str):
                value = mask_url_passwords(value)
            shown.append((name, value))
        return shown

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={value!r}" for name, value in self.__rich_repr__())
        return f"{type(self).__name__}({fields})"


_SECRET_FIELDS: dict[type, frozenset[str]] = {}


def secret_fields(cls: type) -> frozenset[str]:
    """The attribute names of the Struct ``cls``'s fields marked SECRET (worked out once)."""
    known = _SECRET_FIELDS.get(cls)
    if known is None:
        info = msgspec.inspect.type_info(cls)
        fields = info.fields if isinstance(info, msgspec.inspect.StructType) else ()
        known = _SECRET_FIELDS[cls] = frozenset(f.name for f in fields if _is_secret(f.type))
    return known


def _is_secret(kind: msgspec.inspect.Type) -> bool:
    if isinstance(kind, msgspec.inspect.Metadata):
        extra = kind.extra or {}
        return bool(extra.get("secret")) or _is_secret(kind.type)
    if isinstance(kind, msgspec.inspect.UnionType):
        return any(_is_secret(member) for member in kind.types)
    return False


def secret_values(value: object) -> tuple[str, ...]:
    """Every string inside the secret fields of ``value`` (dict values and list items too)."""
    found: list[str] = []
    for name in secret_fields(type(value)):
        _strings(getattr(value, name), found)
    return tuple(found)


def _strings(value: object, found: list[str]) -> None:
    if isinstance(value, str):
        found.append(value)
    elif isinstance(value, bytes):
        found.append(value.decode("latin-1"))
    elif isinstance(value, dict):
        for item in value.values():
            _strings(item, found)
    elif isinstance(value, list | tuple):
        for item in value:
            _strings(item, found)
