"""Credentials are sealed with AES-256-GCM, bound to their row, readable across key rotation."""

from __future__ import annotations

import base64
import uuid

import pytest

from app.config import load_settings
from app.credentials import CredentialCipher, CredentialsUnreadable, Sealed


def _keys(*ids: str) -> str:
    return ",".join(
        f"{key_id}:{base64.urlsafe_b64encode(key_id.encode().ljust(32, b'.')).decode()}"
        for key_id in ids
    )


def _cipher(*ids: str) -> CredentialCipher:
    return CredentialCipher(load_settings({"SECRET_KEYS": _keys(*ids)}).secret_keys)


def test_seal_and_open_round_trip_without_plaintext_in_the_ciphertext() -> None:
    cipher = _cipher("k2", "k1")
    row = uuid.uuid4()
    sealed = cipher.seal(row, {"apiKey": "super-secret-us21"})
    assert sealed.key_id == "k2"
    assert b"super-secret" not in sealed.ciphertext
    assert cipher.open(row, sealed) == {"apiKey": "super-secret-us21"}
    assert (
        cipher.seal(row, {"apiKey": "x"}).ciphertext != cipher.seal(row, {"apiKey": "x"}).ciphertext
    )


def test_ciphertext_is_bound_to_its_row_and_to_intact_bytes() -> None:
    cipher = _cipher("k1")
    sealed = cipher.seal(uuid.uuid4(), {"apiKey": "a"})
    with pytest.raises(CredentialsUnreadable):
        cipher.open(uuid.uuid4(), sealed)
    flipped = bytes([sealed.ciphertext[0] ^ 1]) + sealed.ciphertext[1:]
    with pytest.raises(CredentialsUnreadable):
        cipher.open(uuid.uuid4(), Sealed(ciphertext=flipped, key_id="k1"))


def test_old_keys_stay_readable_until_removed() -> None:
    row = uuid.uuid4()
    old = _cipher("k1").seal(row, {"apiKey": "a"})
    assert _cipher("k2", "k1").open(row, old) == {"apiKey": "a"}
    with pytest.raises(CredentialsUnreadable, match="'k1' is not in SECRET_KEYS"):
        _cipher("k2").open(row, old)
