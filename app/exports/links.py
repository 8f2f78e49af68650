"""Signed, expiring download links of export files: the link is the permission (as an object
store's presigned URL), so a browser or curl can fetch it without the API's headers."""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from typing import TYPE_CHECKING

from app.config import SecretKey

if TYPE_CHECKING:
    from app.runtime import Runtime

__all__ = ["DownloadLinks", "download_links"]


class DownloadLinks:
    def __init__(self, keys: tuple[SecretKey, ...], ttl_seconds: int) -> None:
        # A key of its own per secret, so a link's signature reveals nothing of the cipher key;
        # older secrets still verify links made before a rotation.
        self._keys = [
            hmac.new(secret.key, b"subnest export download link", hashlib.sha256).digest()
            for secret in keys
        ]
        self.ttl_seconds = ttl_seconds

    @staticmethod
    def _message(team_id: uuid.UUID, export_id: uuid.UUID, expires: int) -> bytes:
        return f"{team_id}/{export_id}/{expires}".encode()

    def make(self, team_id: uuid.UUID, export_id: uuid.UUID, not_after: float) -> str:
        """A path (join it to the API's base URL) valid for the TTL, and never past
        ``not_after`` (when the file itself expires)."""
        if not self._keys:
            raise RuntimeError("SECRET_KEYS is not set")
        expires = int(min(time.time() + self.ttl_seconds, not_after))
        signature = hmac.new(
            self._keys[0], self._message(team_id, export_id, expires), hashlib.sha256
        ).hexdigest()
        return f"/exports/files/{team_id}/{export_id}?expires={expires}&signature={signature}"

    def valid(self, team_id: uuid.UUID, export_id: uuid.UUID, expires: int, signature: str) -> bool:
        if expires < time.time():
            return False
        message = self._message(team_id, export_id, expires)
        given = signature.encode()  # bytes: compare_digest refuses non-ASCII text
        return any(
            hmac.compare_digest(hmac.new(key, message, hashlib.sha256).hexdigest().encode(), given)
            for key in self._keys
        )


def download_links(runtime: Runtime) -> DownloadLinks:
    """The signer of this process's download links."""
    return runtime.held(_download_links)


def _download_links(runtime: Runtime) -> DownloadLinks:
    settings = runtime.settings
    return DownloadLinks(settings.secret_keys, settings.export_link_ttl_seconds)
