"""Where export files live. Local disk under the data directory; an object store would be
another implementation of ``ExportStorage``."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol

if TYPE_CHECKING:
    from app.runtime import Runtime

__all__ = ["ExportStorage", "LocalStorage", "StoredFileMissing", "export_storage"]

_CHUNK = 256 * 1024


class StoredFileMissing(Exception):
    """The file was purged or never written."""


class ExportStorage(Protocol):
    def writer(self, key: str, *, compress: bool) -> contextlib.AbstractContextManager[BinaryIO]:
        """A binary file to write ``key`` to; it appears under ``key`` only if the block ends
        without an error (never half-written)."""
        ...

    def size(self, key: str) -> int: ...

    def reader(self, key: str) -> AsyncIterator[bytes]:
        """The stored bytes (compressed, if written so), in chunks; StoredFileMissing if gone."""
        ...

    def delete(self, key: str) -> None: ...


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"bad storage key {key!r}")
        return path

    @contextlib.contextmanager
    def writer(self, key: str, *, compress: bool) -> Iterator[BinaryIO]:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.partial")
        try:
            with open(partial, "wb") as raw:
                if compress:
                    with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6) as zipped:
                        yield zipped  # type: ignore[misc]
                else:
                    yield raw
                raw.flush()
                os.fsync(raw.fileno())
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)

    def size(self, key: str) -> int:
        return self._path(key).stat().st_size

    def reader(self, key: str) -> AsyncIterator[bytes]:
        try:
            handle = self._path(key).open("rb")  # closed by _chunks when read to the end
        except FileNotFoundError:
            raise StoredFileMissing(key) from None
        return _chunks(handle)

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


async def _chunks(handle: BinaryIO) -> AsyncIterator[bytes]:
    with handle:
        while chunk := await asyncio.to_thread(handle.read, _CHUNK):
            yield chunk


def export_storage(runtime: Runtime) -> ExportStorage:
    """Where this process keeps export files (under DATA_DIR)."""
    return runtime.held(_export_storage)


def _export_storage(runtime: Runtime) -> ExportStorage:
    return LocalStorage(runtime.settings.data_path / "exports")
