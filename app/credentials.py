"""ESP credentials at rest: AES-256-GCM under the newest of SECRET_KEYS, key id kept beside.

The ciphertext is bound to its connection (associated data), so it cannot be moved to another
row. Older keys stay readable while they are listed in SECRET_KEYS; ``subnest keys rotate``
re-encrypts everything under the newest one. What is opened is remembered by app.redaction,
which blanks it out of the process's log lines.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping

import msgspec
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.config import SecretKey
from app.redaction import remember

__all__ = ["CredentialCipher", "CredentialsUnreadable", "Sealed"]

_NONCE_BYTES = 12


class CredentialsUnreadable(Exception):
    """The key is no longer configured, or the ciphertext was altered or moved."""


class Sealed(msgspec.Struct, frozen=True):
    ciphertext: bytes
    key_id: str


class CredentialCipher:
    def __init__(self, keys: tuple[SecretKey, ...]) -> None:
        if not keys:
            raise ValueError("at least one secret key is needed")
        self._newest = keys[0]
        self._keys = {key.key_id: AESGCM(key.key) for key in keys}

    @property
    def newest_key_id(self) -> str:
        return self._newest.key_id

    def seal(self, connection_id: uuid.UUID, credentials: Mapping[str, str]) -> Sealed:
        nonce = os.urandom(_NONCE_BYTES)
        plaintext = msgspec.json.encode(dict(credentials))
        sealed = self._keys[self._newest.key_id].encrypt(nonce, plaintext, connection_id.bytes)
        return Sealed(ciphertext=nonce + sealed, key_id=self._newest.key_id)

    def open(self, connection_id: uuid.UUID, sealed: Sealed) -> dict[str, str]:
        aead = self._keys.get(sealed.key_id)
        if aead is None:
            raise CredentialsUnreadable(f"key {sealed.key_id!r} is not in SECRET_KEYS")
        nonce, body = sealed.ciphertext[:_NONCE_BYTES], sealed.ciphertext[_NONCE_BYTES:]
        try:
            plaintext = aead.decrypt(nonce, body, connection_id.bytes)
        except InvalidTag:
            raise CredentialsUnreadable("the ciphertext does not match its key or row") from None
        opened = msgspec.json.decode(plaintext, type=dict[str, str])
        remember(*opened.values())  # from now on blanked out of this process's log lines
        return opened
