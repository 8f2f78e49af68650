"""Hashing of the secrets we keep: passwords (argon2id) and API keys (scrypt, found by prefix)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Annotated

import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from rpc import SECRET, Masked

__all__ = [
    "NewApiKey",
    "hash_api_key",
    "hash_password",
    "new_api_key",
    "split_api_key",
    "verify_api_key",
    "verify_password",
]

_passwords = PasswordHasher()  # argon2id with the library's current defaults
_KEY_PREFIX = "snk"
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def hash_password(password: str) -> str:
    return _passwords.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _passwords.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class NewApiKey(Masked, msgspec.Struct, frozen=True):
    """A freshly minted key: ``key`` is shown once; only ``prefix`` and ``key_hash`` are stored."""

    key: Annotated[str, SECRET]
    prefix: str
    key_hash: str


def new_api_key() -> NewApiKey:
    prefix = secrets.token_hex(6)
    key = f"{_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    return NewApiKey(key=key, prefix=prefix, key_hash=hash_api_key(key))


def split_api_key(key: str) -> str | None:
    """The lookup prefix of a well-formed key, else None."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != _KEY_PREFIX or len(parts[1]) != 12:
        return None
    return parts[1]


def hash_api_key(key: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(key.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${_b64(salt)}${_b64(digest)}"


def verify_api_key(stored_hash: str, key: str) -> bool:
    """Constant-time check of ``key`` against a stored ``scrypt$salt$digest``."""
    try:
        scheme, salt, digest = stored_hash.split("$")
        expected = base64.urlsafe_b64decode(digest)
        actual = hashlib.scrypt(key.encode(), salt=base64.urlsafe_b64decode(salt), **_SCRYPT)
    except ValueError:
        return False
    return scheme == "scrypt" and hmac.compare_digest(expected, actual)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()
