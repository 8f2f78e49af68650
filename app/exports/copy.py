"""The subscribers a filter selects, as ``COPY … TO STDOUT``: CSV (RFC 4180 quoting, formula
cells neutralized) or NDJSON, produced by PostgreSQL itself and streamed in chunks."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any, Literal

import asyncpg

from app.db import rows_affected, set_tenant
from app.subscribers.query import ORDER, Selection

__all__ = ["CSV_COLUMNS", "ExportFormat", "copy_out", "snapshot"]

ExportFormat = Literal["csv", "ndjson"]

# Wire name → SQL; text a person or a provider typed is neutralized in CSV (see _cell).
_ISO = '\'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\''
_COLUMNS = {
    "id": ("id", False),
    "email": ("email", True),
    "firstName": ("first_name", True),
    "lastName": ("last_name", True),
    "status": ("status", False),
    "connectionId": ("esp_connection_id", False),
    "externalId": ("external_id", True),
    "customFields": ("custom_fields", False),
    "localFields": ("local_fields", False),
    "createdAt": ("created_at", False),
    "updatedAt": ("updated_at", False),
    "deletedAt": ("deleted_at", False),
}
CSV_COLUMNS = tuple(_COLUMNS)
_TIMESTAMPS = {"created_at", "updated_at", "deleted_at"}
# A spreadsheet runs a cell starting with one of these as a formula: prefix it with a quote.
_FORMULA_STARTS = "'=', '+', '-', '@', chr(9), chr(13)"


def _cell(column: str, typed: bool) -> str:
    if column in _TIMESTAMPS:
        return f"to_char({column} AT TIME ZONE 'UTC', {_ISO})"
    if typed:
        return (
            f"CASE WHEN left({column}, 1) IN ({_FORMULA_STARTS}) "
            f"THEN '''' || {column} ELSE {column} END"
        )
    return column


def _csv_select() -> str:
    return ", ".join(f'{_cell(col, typed)} AS "{name}"' for name, (col, typed) in _COLUMNS.items())


def _json_select() -> str:
    pairs = ", ".join(f"'{name}', {col}" for name, (col, _) in _COLUMNS.items())
    return f"json_build_object({pairs})::text"


def _query(fmt: ExportFormat, selection: Selection) -> str:
    columns = _csv_select() if fmt == "csv" else _json_select()
    return f"SELECT {columns} FROM subscribers WHERE {selection.where} ORDER BY {ORDER}"


def _options(fmt: ExportFormat, header: bool) -> dict[str, Any]:
    if fmt == "csv":
        return {"format": "csv", "header": header}
    # One JSON document per line, verbatim: JSON text never holds these control characters
    # (it escapes every character below 0x20), so COPY neither quotes nor escapes anything.
    return {"format": "csv", "quote": "\x01", "delimiter": "\x02"}


@asynccontextmanager
async def snapshot(
    conn: asyncpg.Connection, team_id: uuid.UUID, *, statement_timeout: int | None = None
) -> AsyncIterator[None]:
    """A read-only, repeatable-read transaction under the team's RLS, times in UTC;
    ``statement_timeout`` (seconds): how long each statement in it may run.

    Read-only transactions take no transaction id, so a long download never holds back the
    change feed's ``pg_snapshot_xmin``.
    """
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        await set_tenant(conn, team_id=team_id)
        await conn.execute("SET LOCAL TimeZone = 'UTC'")
        if statement_timeout is not None:
            await conn.execute(f"SET LOCAL statement_timeout = '{int(statement_timeout)}s'")
        yield


async def copy_out(
    conn: asyncpg.Connection,
    fmt: ExportFormat,
    selection: Selection,
    sink: Callable[[bytes], Coroutine[Any, Any, None]],
    *,
    header: bool = True,
) -> int:
    """``COPY (SELECT …) TO STDOUT`` of the selection, newest first, each chunk handed to
    ``sink`` (awaited: a slow sink slows the query); the number of rows."""
    status = await conn.copy_from_query(
        _query(fmt, selection), *selection.args, output=sink, **_options(fmt, header)
    )
    return rows_affected(status)
