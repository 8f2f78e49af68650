"""Blanking secrets out of log lines and span events (decision 0016).

Three nets, each for what the others miss:

- **by field name**: a log event's field (at any depth) named like a secret (``password``,
  ``token``, ``secret``, ``api_key``, ``authorization``, ``cookie``, ``credentials`` …) has its
  value replaced, whatever it is;
- **by shape**, in any text (messages, exception text, a rendered line): our API keys
  (``snk_<prefix>_…``, the public prefix kept), session tokens (``sns_…``), mailed links'
  tokens (``snt_…``), webhook secrets (``whsec_…``), the password of a
  ``scheme://user:password@host`` URL, ``Bearer``/``Basic`` credentials,
  ``password=…``/``"apiKey": "…"`` pairs and secret query parameters;
- **by value**: the secrets this process knows — SECRET_KEYS, CRON_TOKEN, APP_DB_PASSWORD and
  the URL passwords from Settings at start-up, ESP credentials and webhook secrets as the
  cipher opens them (:func:`remember`), and, during a call, the call's own credentials (its
  Authorization / X-API-Key / Cookie header values and its input's secret fields).

The last pass runs on the finished line, after the renderer: what any library put anywhere in
it is covered.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from rpc import CURRENT_CALL, MASK, mask_url_passwords

__all__ = ["REDACTOR", "Redactor", "remember"]

_MIN_LENGTH = 6  # shorter values would blank out ordinary words
_MAX_REMEMBERED = 1024  # each log line is searched for every one
_SECRET_NAME = re.compile(
    r"pass(word|wd)?$|passphrase|secret|token|api_?key|authorization|cookie|credential|"
    r"private_?key|signature|dsn$",
    re.IGNORECASE,
)
_NAMES = (
    r"pass(?:word|wd)?|passphrase|secret(?:_?key)?s?|(?:[a-z]+_)?token|api[_-]?key|apikey|"
    r"authorization|cookie|credentials?|signature|sig"
)
_PAIR_STEMS = ("pass", "secret", "token", "key", "auth", "cookie", "credential", "sig")
# Each shape with the literals a line must hold for it to be looked for (most lines hold none).
_SHAPES: tuple[tuple[re.Pattern[str], tuple[str, ...], bool], ...] = (
    # Our own credentials, by their prefixes (app.auth, app.webhooks).
    (re.compile(r"(\bsnk_[0-9a-f]{12}_)[A-Za-z0-9_-]+"), ("snk_",), False),
    (re.compile(r"(\b(?:sns|snt|whsec)_)[A-Za-z0-9_-]{16,}"), ("sns_", "snt_", "whsec_"), False),
    # HTTP credentials, however they came to be in the text.
    (re.compile(r"(\b(?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]{6,}"), ("Bearer", "Basic"), False),
    # name=value, name: value, "name": "value" (also JSON-escaped: \"name\": \"value\"). The
    # lookahead lets the scan skip what cannot start a name.
    (
        re.compile(
            rf"(?=[a-z_])(\b(?:{_NAMES})\\?['\"]?\s*[:=]\s*\\?['\"]?)(?![*]{{3}}|Secret\()"
            r"(?:(?-i:Bearer|Basic)\s+)?[^\s'\"\\,;&})\]]+",
            re.IGNORECASE,
        ),
        _PAIR_STEMS,
        True,
    ),
)


def _forms(value: str) -> set[str]:
    """The value as it may appear in a line: plain, JSON-escaped, as Python's repr shows it."""
    return {value, json.dumps(value, ensure_ascii=False)[1:-1], repr(value)[1:-1]}


class Redactor:
    """What this process blanks out of text and events (one per process: :data:`REDACTOR`)."""

    def __init__(self) -> None:
        self._known: dict[str, None] = {}  # insertion-ordered: the oldest go first when full

    def remember(self, *values: str | None) -> None:
        """Blank these values out wherever they appear from now on (short ones are ignored)."""
        for value in values:
            if not value or len(value) < _MIN_LENGTH:
                continue
            for form in _forms(value):
                if form not in self._known:
                    if len(self._known) >= _MAX_REMEMBERED:
                        del self._known[next(iter(self._known))]
                    self._known[form] = None

    def text(self, text: str) -> str:
        """``text`` with every secret this process knows of, or recognises, blanked out."""
        for value in (*self._known, *_call_secrets()):
            if value in text:
                text = text.replace(value, MASK)
        text = mask_url_passwords(text)
        lowered = text.lower()
        for shape, stems, any_case in _SHAPES:
            if any(stem in (lowered if any_case else text) for stem in stems):
                text = shape.sub(rf"\g<1>{MASK}", text)
        return text

    def fields(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """A log event with the values of its secret-named fields replaced, at any depth."""
        return {key: _masked(key, value) for key, value in event.items()}


_NAME_IS_SECRET: dict[str, bool] = {}


def _secret_name(key: str) -> bool:
    known = _NAME_IS_SECRET.get(key)
    if known is None:
        known = key != "event" and _SECRET_NAME.search(key) is not None
        if len(_NAME_IS_SECRET) < 4096:  # field names are few; extras could be many
            _NAME_IS_SECRET[key] = known
    return known


def _masked(key: object, value: Any) -> Any:
    if isinstance(key, str) and _secret_name(key):
        return MASK
    if isinstance(value, dict):
        return {k: _masked(k, v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(None, item) for item in value]
    return value


def _call_secrets() -> Iterable[str]:
    """The credentials of the call this line is written in: the values of its Authorization,
    X-API-Key and Cookie headers, and of its input's secret fields (in each form)."""
    call = CURRENT_CALL.get()
    if call is None:
        return ()
    values = list(call.secrets)
    for name, raw in call.request.scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, credentials = raw.decode("latin-1").partition(" ")
            values.append(credentials.strip() or scheme)
        elif name == b"x-api-key":
            values.append(raw.decode("latin-1"))
        elif name == b"cookie":
            cookies = raw.decode("latin-1").split(";")
            values += [cookie.partition("=")[2].strip() for cookie in cookies]
    return {form for value in values if len(value) >= _MIN_LENGTH for form in _forms(value)}


REDACTOR = Redactor()


def remember(*values: str | None) -> None:
    """Blank these values out of this process's log lines from now on (ESP credentials as the
    cipher opens them; the secret settings at start-up)."""
    REDACTOR.remember(*values)
