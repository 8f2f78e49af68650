"""Subscribers inside a team's unit of work: pages, manual create, edits, soft delete, restore."""

from __future__ import annotations

import base64
import datetime as dt
import re
import uuid
from typing import Any

import asyncpg
import msgspec

from app.db import savepoint
from app.events import emit
from app.feed.tables import select_list
from app.subscribers.days import HISTORY
from app.subscribers.errors import ExistingSubscriber, SubscriberDeleted, SubscriberExists
from app.subscribers.query import ORDER, SEARCH, Selection
from app.subscribers.schemas import (
    CreateSubscriberInput,
    HistoryInput,
    SubscriberCounts,
    SubscriberFilter,
    SubscriberHistory,
    SubscriberList,
    SubscriberOut,
    SubscriberPageInput,
    UpdateSubscriberInput,
)
from rpc import NotFound, ValidationData, ValidationFailed

__all__ = ["SubscriberService", "subscriber_email"]

_COLUMNS = select_list(SubscriberOut)  # what the feed shows of a subscriber, too
# Rows looked at in page order for a search before the full-text index is asked instead.
_SEARCH_WINDOW = 2000
# What a provider owns: editing one of these makes the next sync overwrite the row (and count
# a conflict) because its content hash no longer matches.
_PROVIDER_FIELDS = ("email", "first_name", "last_name", "status", "custom_fields")
_LABEL = re.compile(r"[^\W_](?:[\w-]{0,61}[^\W_])?")
_LOCAL = re.compile(r"[^\s@\"(),:;<>\[\\\]\x00-\x1f\x7f]{1,64}")


def _invalid(path: str, detail: str) -> ValidationFailed:
    return ValidationFailed(f"{path[2:]}: {detail}", data=ValidationData(path=path, detail=detail))


def subscriber_email(raw: str) -> str:
    """Trimmed, domain lower-cased (the local part is the mailbox owner's); invalid → 400."""
    local, at, domain = raw.strip().rpartition("@")
    domain = domain.lower().rstrip(".")
    labels = domain.split(".")
    if (
        not at
        or not _LOCAL.fullmatch(local)
        or len(labels) < 2
        or not all(_LABEL.fullmatch(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise _invalid("$.email", f"{raw.strip()!r} is not an email address")
    return f"{local}@{domain}"


def _out(row: asyncpg.Record) -> SubscriberOut:
    values = dict(row)
    values["custom_fields"] = msgspec.json.decode(values["custom_fields"])
    values["local_fields"] = msgspec.json.decode(values["local_fields"])
    return SubscriberOut(**values)


def _json(value: dict[str, Any]) -> str:
    return msgspec.json.encode(value).decode()


def encode_after(created_at: dt.datetime, subscriber_id: uuid.UUID) -> str:
    token = f"{_micros(created_at)}.{subscriber_id.hex}".encode()
    return base64.urlsafe_b64encode(token).decode().rstrip("=")


def _micros(moment: dt.datetime) -> int:
    delta = moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def decode_after(token: str) -> tuple[dt.datetime, uuid.UUID]:
    try:
        stamp, _, hex_id = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).partition(b".")
        moment = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=int(stamp))
        return moment, uuid.UUID(hex_id.decode())
    except (ValueError, OverflowError, UnicodeDecodeError):
        raise _invalid("$.after", "not a nextAfter of this list") from None


def check_search(spec: SubscriberFilter) -> None:
    if spec.search is None:
        return
    if "\x00" in spec.search:  # from a query string: text columns cannot hold NUL
        raise _invalid("$.search", "search may not contain NUL characters")
    if not re.search(r"\w", spec.search):
        raise _invalid("$.search", "search needs at least one letter or digit")


class SubscriberService:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def page(self, team_id: uuid.UUID, spec: SubscriberPageInput) -> SubscriberList:
        """One keyset page, newest first; ``nextAfter`` continues after its last row."""
        check_search(spec)
        selection = Selection.of(team_id, spec, search=False)
        if spec.after is not None:
            selection.add("(created_at, id) < ({}, {})", *decode_after(spec.after))
        if spec.search is None:
            selection.args.append(spec.limit + 1)
            rows = await self.conn.fetch(
                f"SELECT {_COLUMNS} FROM subscribers WHERE {selection.where} "
                f"ORDER BY {ORDER} LIMIT ${len(selection.args)}",
                *selection.args,
            )
        else:
            rows = await self._searched(selection, spec.search, spec.limit + 1)
        items = [_out(row) for row in rows[: spec.limit]]
        more = len(rows) > spec.limit
        last = items[-1] if items and more else None
        return SubscriberList(
            items=items, next_after=encode_after(last.created_at, last.id) if last else None
        )

    async def _searched(self, selection: Selection, search: str, limit: int) -> list[Any]:
        """The first ``limit`` matches in page order.

        Under row-level security the planner may not use the full-text index for the app role
        (``@@`` is not leakproof), and it cannot tell a rare word from a common one anyway. So:
        look for a full page among the next _SEARCH_WINDOW rows in page order (a common word
        is found there); failing that, the word is rare there, and ``subscriber_search_ids``
        (migration 0010) has the full-text index find all of the team's matches.
        """
        where, args = selection.where, [*selection.args, search, limit]
        found: list[Any] = await self.conn.fetch(
            f"SELECT {_COLUMNS} FROM (SELECT * FROM subscribers WHERE {where} ORDER BY {ORDER} "
            f"LIMIT {_SEARCH_WINDOW}) w WHERE {SEARCH.format(f'${len(args) - 1}')} "
            f"ORDER BY {ORDER} LIMIT ${len(args)}",
            *args,
        )
        if len(found) == limit:
            return found
        rows: list[Any] = await self.conn.fetch(
            f"SELECT {_COLUMNS} FROM subscribers WHERE {where} "
            f"AND id IN (SELECT subscriber_search_ids(${len(args) - 1})) "
            f"ORDER BY {ORDER} LIMIT ${len(args)}",
            *args,
        )
        return rows

    async def counts(self, team_id: uuid.UUID, connection_id: uuid.UUID | None) -> SubscriberCounts:
        rows = await self.conn.fetch(
            "SELECT CASE WHEN deleted_at IS NULL THEN status ELSE 'deleted' END AS status, "
            "count(*) AS n FROM subscribers WHERE team_id = $1 "
            "AND ($2::uuid IS NULL OR esp_connection_id = $2) GROUP BY 1",
            team_id,
            connection_id,
        )
        counts = {row["status"]: row["n"] for row in rows}
        live = sum(n for status, n in counts.items() if status != "deleted")
        return SubscriberCounts(**counts, total=live)

    async def history(self, team_id: uuid.UUID, spec: HistoryInput) -> SubscriberHistory:
        """The rollup's days in the window, summed over connections (or of one): one row of
        arrays, filled in by the database."""
        row = await self.conn.fetchrow(HISTORY, team_id, spec.days, spec.connection_id)
        assert row is not None  # an aggregate: one row, of empty arrays when nothing counted
        return SubscriberHistory(**dict(row))

    async def get(self, subscriber_id: uuid.UUID) -> SubscriberOut:
        """A subscriber, soft-deleted ones included (``deletedAt`` set)."""
        row = await self.conn.fetchrow(
            f"SELECT {_COLUMNS} FROM subscribers WHERE id = $1", subscriber_id
        )
        if row is None:
            raise NotFound("no such subscriber")
        return _out(row)

    async def _refuse_duplicate(
        self, team_id: uuid.UUID, email: str, subscriber_id: uuid.UUID | None
    ) -> None:
        existing = await self.conn.fetchval(
            "SELECT id FROM subscribers WHERE team_id = $1 AND lower(email) = lower($2) "
            "AND deleted_at IS NULL AND id IS DISTINCT FROM $3 LIMIT 1",
            team_id,
            email,
            subscriber_id,
        )
        if existing is not None:
            raise SubscriberExists(data=ExistingSubscriber(id=existing))

    async def create(self, team_id: uuid.UUID, data: CreateSubscriberInput) -> SubscriberOut:
        """A manual subscriber (no ESP); 409 SUBSCRIBER_EXISTS if the address is taken."""
        email = subscriber_email(data.email)
        await self._refuse_duplicate(team_id, email, None)
        try:
            async with savepoint(self.conn):  # a lost race stays answerable
                row = await self.conn.fetchrow(
                    "INSERT INTO subscribers (team_id, email, first_name, last_name, status, "
                    "custom_fields, local_fields) VALUES ($1, $2, $3, $4, $5, $6::jsonb, "
                    f"$7::jsonb) RETURNING {_COLUMNS}",
                    team_id,
                    email,
                    data.first_name,
                    data.last_name,
                    data.status,
                    _json(data.custom_fields),
                    _json(data.local_fields),
                )
        except asyncpg.UniqueViolationError:
            await self._refuse_duplicate(team_id, email, None)
            raise
        assert row is not None
        subscriber = _out(row)
        await emit(
            self.conn,
            team_id,
            "subscriber.created",
            {"subscriber": msgspec.to_builtins(subscriber)},
        )
        return subscriber

    async def _live(self, subscriber_id: uuid.UUID) -> asyncpg.Record:
        row = await self.conn.fetchrow(
            "SELECT team_id, deleted_at FROM subscribers WHERE id = $1 FOR UPDATE", subscriber_id
        )
        if row is None:
            raise NotFound("no such subscriber")
        if row["deleted_at"] is not None:
            raise SubscriberDeleted()
        return row

    async def update(self, data: UpdateSubscriberInput) -> SubscriberOut:
        """Change the fields given; provider fields of a synced row clear its content hash."""
        current = await self._live(data.id)
        changes: dict[str, Any] = {}
        if data.email is not None:
            changes["email"] = subscriber_email(data.email)
            await self._refuse_duplicate(current["team_id"], changes["email"], data.id)
        for name in ("first_name", "last_name", "status"):
            if getattr(data, name) is not None:
                changes[name] = getattr(data, name)
        for name in ("custom_fields", "local_fields"):
            if getattr(data, name) is not None:
                changes[name] = _json(getattr(data, name))
        if not changes:
            return await self.get(data.id)
        assignments = [
            f"{name} = ${i}{'::jsonb' if name.endswith('_fields') else ''}"
            for i, name in enumerate(changes, start=2)
        ]
        if any(name in _PROVIDER_FIELDS for name in changes):
            assignments.append("content_hash = NULL")
        try:
            async with savepoint(self.conn):
                row = await self.conn.fetchrow(
                    f"UPDATE subscribers SET {', '.join(assignments)} WHERE id = $1 "
                    f"RETURNING {_COLUMNS}",
                    data.id,
                    *changes.values(),
                )
        except asyncpg.UniqueViolationError:
            await self._refuse_duplicate(current["team_id"], changes["email"], data.id)
            raise
        assert row is not None
        return _out(row)

    async def delete(self, subscriber_id: uuid.UUID) -> None:
        """Soft delete: a tombstone on the change feed. Deleting a deleted one is a no-op."""
        team_id = await self.conn.fetchval(
            "UPDATE subscribers SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL "
            "RETURNING team_id",
            subscriber_id,
        )
        if team_id is None:
            await self.get(subscriber_id)  # 404 unless it is already deleted
        else:
            await emit(self.conn, team_id, "subscriber.deleted", {"id": str(subscriber_id)})

    async def restore(self, subscriber_id: uuid.UUID) -> SubscriberOut:
        """Undo a soft delete; 409 if the address was taken meanwhile, 404 if its connection
        is gone (the connection's next sync brings back what the provider still lists)."""
        row = await self.conn.fetchrow(
            "SELECT s.team_id, s.email, s.deleted_at, c.deleted_at IS NOT NULL AS orphan "
            "FROM subscribers s LEFT JOIN esp_connections c ON c.id = s.esp_connection_id "
            "WHERE s.id = $1 FOR UPDATE OF s",
            subscriber_id,
        )
        if row is None or row["orphan"]:
            raise NotFound("no such subscriber" if row is None else "its connection was removed")
        if row["deleted_at"] is not None:
            await self._refuse_duplicate(row["team_id"], row["email"], subscriber_id)
            await self.conn.execute(
                "UPDATE subscribers SET deleted_at = NULL WHERE id = $1", subscriber_id
            )
        return await self.get(subscriber_id)
