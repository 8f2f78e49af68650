"""A local replica of a team's data, kept current: pull from a cursor, then follow the stream.

Hand-written (copied by ``subnest sdk``; edit ``app/sdkgen/templates/python/sync.py.tmpl``)::

    store = DictStore()
    async with SyncClient("http://127.0.0.1:4000", api_key="snk_…", store=store) as sync:
        await sync.run(until=lambda s: len(s.rows("subscribers")) >= 100)

The stream is read with httpx-sse. Changes are applied idempotently (upsert by id, tombstones
delete), so the at-least-once delivery of the API is harmless. A lost connection is retried
with backoff from the last cursor; ``must-refetch`` (or 409 MUST_REFETCH) empties the store and
starts again from the beginning. ``filter=FeedFilter(connection_id=…, status=[…], tables=[…])``
keeps only that subset (a row that leaves it is deleted from the store); keep one store per
filter. A final ``revoked`` event (the key was revoked or expired, the member removed, the
session ended, the team scheduled for deletion) raises ``StreamRevokedError`` out of ``run``:
the replica does not reconnect with credentials that are refused.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import sqlite3
from collections.abc import AsyncIterator, Callable
from typing import Any, Literal, Protocol, TypeGuard

import httpx
import msgspec
from httpx_sse import aconnect_sse

from ._runtime import decode_hook, wire
from .client import AsyncClient
from .errors import MustRefetchError
from .models import ChangeOut, FeedFilter, KnownChangeOut, UnknownChangeOut

__all__ = [
    "ChangeEvent",
    "DictStore",
    "RevokedReason",
    "SQLiteStore",
    "Store",
    "StreamRevokedError",
    "SyncClient",
]

RevokedReason = Literal[
    "keyRevoked", "keyExpired", "memberRemoved", "signedOut", "sessionExpired", "teamDeleted"
]


class StreamRevokedError(Exception):
    """The server ended the stream for good: the access it was opened with ended (``reason``).
    Reconnecting with the same credentials is refused; sign in again or use another key."""

    def __init__(self, reason: RevokedReason | str) -> None:
        super().__init__(f"the stream ended: {reason}")
        self.reason: RevokedReason | str = reason


_log = logging.getLogger(__name__)

#: One change of the feed, typed by table (``SubscriberChange.row`` is a ``SubscriberOut``);
#: ``op: "delete"`` is a tombstone. A table this SDK does not know is skipped, with a warning.
ChangeEvent = KnownChangeOut


class Store(Protocol):
    """Where a replica lives; ``apply`` must be idempotent."""

    cursor: str | None

    def apply(self, change: ChangeEvent, cursor: str) -> None: ...

    def clear(self) -> None: ...


class DictStore:
    """The replica in memory: ``tables[table][id] = row``."""

    def __init__(self) -> None:
        self.cursor: str | None = None
        self.tables: dict[str, dict[str, dict[str, Any]]] = {}

    def rows(self, table: str) -> dict[str, dict[str, Any]]:
        return self.tables.get(table, {})

    def apply(self, change: ChangeEvent, cursor: str) -> None:
        table = self.tables.setdefault(change.table, {})
        if change.op == "delete":
            table.pop(str(change.id), None)
        else:
            table[str(change.id)] = wire(change.row)
        self.cursor = cursor

    def clear(self) -> None:
        self.tables.clear()
        self.cursor = None


class SQLiteStore:
    """The replica in a SQLite file: one row per (table, id), the row as JSON, and the cursor."""

    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path)
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS replica "
            "(tbl TEXT, id TEXT, row TEXT, PRIMARY KEY (tbl, id))"
        )
        self.db.execute("CREATE TABLE IF NOT EXISTS position (cursor TEXT)")
        found = self.db.execute("SELECT cursor FROM position").fetchone()
        self.cursor: str | None = found[0] if found else None

    def rows(self, table: str) -> dict[str, dict[str, Any]]:
        query = "SELECT id, row FROM replica WHERE tbl = ?"
        return {key: json.loads(row) for key, row in self.db.execute(query, (table,))}

    def apply(self, change: ChangeEvent, cursor: str) -> None:
        with self.db:
            if change.op == "delete":
                self.db.execute(
                    "DELETE FROM replica WHERE tbl = ? AND id = ?", (change.table, str(change.id))
                )
            else:
                row = json.dumps(wire(change.row))
                self.db.execute(
                    "INSERT OR REPLACE INTO replica VALUES (?, ?, ?)",
                    (change.table, str(change.id), row),
                )
            self.db.execute("DELETE FROM position")
            self.db.execute("INSERT INTO position VALUES (?)", (cursor,))
        self.cursor = cursor

    def clear(self) -> None:
        with self.db:
            self.db.execute("DELETE FROM replica")
            self.db.execute("DELETE FROM position")
        self.cursor = None


class _MustRefetch(Exception):
    pass


def _query(spec: FeedFilter | None) -> dict[str, str]:
    """The stream's query parameters for ``spec`` (lists comma-separated)."""
    if spec is None:
        return {}
    given = {
        "tables": ",".join(spec.tables) if spec.tables is not None else None,
        "connectionId": str(spec.connection_id) if spec.connection_id is not None else None,
        "status": ",".join(spec.status) if spec.status is not None else None,
    }
    return {name: value for name, value in given.items() if value is not None}


class SyncClient:
    """Pull, then stream, into ``store``; reconnect with backoff keeping the cursor."""

    def __init__(
        self,
        base_url: str,
        *,
        store: Store | None = None,
        api_key: str | None = None,
        session_token: str | None = None,
        team_id: str | None = None,
        max_backoff: float = 30.0,
        filter: FeedFilter | None = None,
    ) -> None:
        self.store: Store = store if store is not None else DictStore()
        self._filter = filter
        self._headers = {
            name: value
            for name, value in (
                ("X-API-Key", api_key),
                ("Authorization", f"Bearer {session_token}" if session_token else None),
                ("X-Team-Id", team_id),
            )
            if value
        }
        self._http = httpx.AsyncClient(base_url=base_url, headers=self._headers, timeout=60.0)
        self._client = AsyncClient(
            base_url, api_key=api_key, session_token=session_token, team_id=team_id
        )
        self._max_backoff = max_backoff
        self._retry_after = 0.0  # seconds: the server's last hint
        self.up_to_date = asyncio.Event()
        self._unknown_tables: set[str] = set()

    async def __aenter__(self) -> SyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._http.aclose()
        await self._client.aclose()

    async def run(self, *, until: Callable[[Store], bool] | None = None) -> None:
        """Keep the store current; return once ``until(store)`` holds (never, without it)."""
        backoff = 0.5
        while True:
            try:
                await self._pull()
                if until is not None and until(self.store):
                    return
                async for change, cursor in self._stream():
                    self.store.apply(change, cursor)
                    if until is not None and until(self.store):
                        return
                    backoff = 0.5
            except (MustRefetchError, _MustRefetch):
                self.store.clear()
                self.up_to_date.clear()
                continue
            except (httpx.TransportError, httpx.HTTPStatusError):
                pass
            if until is not None and until(self.store):
                return
            # Jittered, and never sooner than the server asked (``retry:``, ``unavailable``).
            await asyncio.sleep(max(self._retry_after, backoff * random.uniform(0.5, 1.0)))
            backoff = min(backoff * 2, self._max_backoff)

    async def _pull(self) -> None:
        while True:
            page = await self._client.sync.pull(
                cursor=self.store.cursor, limit=500, filter=self._filter
            )
            for change in page.changes:
                if self._known(change):
                    self.store.apply(change, change.cursor)
            if not page.changes:
                self.store.cursor = page.cursor
            if not page.has_more:
                return

    async def _stream(self) -> AsyncIterator[tuple[ChangeEvent, str]]:
        headers = {"Last-Event-ID": self.store.cursor} if self.store.cursor else {}
        self._retry_after = 0.0
        async with aconnect_sse(
            self._http, "GET", "/realtime/stream", headers=headers, params=_query(self._filter)
        ) as source:
            if source.response.status_code == 409:
                raise _MustRefetch()
            source.response.raise_for_status()
            async for sse in source.aiter_sse():
                if sse.retry is not None:
                    self._retry_after = sse.retry / 1000
                if sse.event == "change" and sse.data:
                    change = msgspec.json.decode(sse.data, type=ChangeOut, dec_hook=decode_hook)
                    if self._known(change):
                        yield change, sse.id
                elif sse.event == "up-to-date":
                    self.up_to_date.set()
                elif sse.event == "must-refetch":
                    raise _MustRefetch()
                elif sse.event == "unavailable":  # the server's database went away
                    self._retry_after = float(json.loads(sse.data).get("retryAfter", 1))
                elif sse.event == "revoked":  # a reason this SDK does not know yet is kept as is
                    body = json.loads(sse.data or "{}")
                    raise StreamRevokedError(
                        body.get("reason", "") if isinstance(body, dict) else ""
                    )

    def _known(self, change: ChangeOut) -> TypeGuard[KnownChangeOut]:
        """Whether this SDK knows the change's table; one of a newer server's is skipped (with
        one warning per table) and the rest of the feed applied as usual."""
        if not isinstance(change, UnknownChangeOut):
            return True
        if change.table not in self._unknown_tables:
            self._unknown_tables.add(change.table)
            _log.warning("skipping changes of table %r: newer than this SDK", change.table)
        return False
