"""One sync of one connection: stream the provider's pages into a staging table, then merge.

The listing goes page by page into a temporary staging table with COPY (each page its own short
transaction, so no long transaction holds back the change feed). Only a complete listing is
merged, in one transaction with the run's outcome:

0. a row stored under a listed row's ``legacy_id`` (Mailchimp's MD5 member id, from before
   ids were ``contact_id``) takes the listed id: re-keyed, not deleted and added again;
1. rows whose stored ``content_hash`` equals the listed one are counted as unchanged and not
   touched (no lock, no WAL, no change stamp);
2. changed or reappearing rows are updated (the provider wins for provider fields; a row edited
   through the API has ``content_hash`` NULL and counts as a conflict; ``local_fields`` are kept);
3. new rows are inserted;
4. rows missing from the listing are soft-deleted (tombstones), except rows the connector
   listed but skipped (a status it does not know): those are left as they are.

Step 4 is withheld (decision 0034), the rows left as they are and the run told why, when the
listing is short of the total the provider reported, when it is empty while the connection has
rows, or when it would delete more than ``DeletePolicy.max_share`` of them (unless an approval
allows that many).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import msgspec

from app.db import rows_affected
from app.esp import NormalizedSubscriber, Page
from app.sync.schemas import WithheldReason

__all__ = [
    "ConnectionGone",
    "DeletePolicy",
    "Listing",
    "MergeCounts",
    "Withheld",
    "content_hash",
    "load_staging",
    "merge_staging",
    "staging_table",
    "withheld_reason",
]

_STAGING = "sync_staging"
_SKIPPED = "sync_skipped"  # ids listed in a status the connector does not know
_REKEY = "sync_rekey"  # listed rows that may be stored under their legacy id
_COLUMNS = (
    "external_id",
    "email",
    "first_name",
    "last_name",
    "status",
    "custom_fields",
    "content_hash",
    "provider_created_at",
    "provider_updated_at",
    "legacy_id",
)


class ConnectionGone(Exception):
    """The connection was deleted while its sync ran: nothing is merged."""


class MergeCounts(msgspec.Struct, frozen=True):
    created: int
    updated: int
    deleted: int
    unchanged: int
    conflicts: int


class Listing(msgspec.Struct, frozen=True):
    """What ``load_staging`` read besides the rows: those skipped (unknown statuses) and the
    largest total the provider reported on any page (None if it reports none)."""

    skipped: int
    total: int | None


class DeletePolicy(msgspec.Struct, frozen=True):
    """``max_share``: SYNC_MAX_DELETE_SHARE; ``allowance``: on a run queued by an approval, how
    many deletions it may make whatever their share (an empty listing's too)."""

    max_share: float
    allowance: int | None = None


class Withheld(msgspec.Struct, frozen=True):
    """Why no row was deleted (None: they were), how many would have been, of how many."""

    reason: WithheldReason | None
    count: int
    live_before: int


def withheld_reason(
    *, listed: int, live: int, missing: int, total: int | None, policy: DeletePolicy
) -> WithheldReason | None:
    """Whether the ``missing`` of ``live`` rows may be deleted after ``listed`` distinct ids
    (kept and skipped) of a provider total ``total``; the reason not, else None."""
    if missing == 0:
        return None
    if total is not None and listed < total:
        return "short_listing"  # incomplete: no approval makes it complete
    if policy.allowance is not None and missing <= policy.allowance:
        return None
    if listed == 0:
        return "empty_listing"
    if missing > policy.max_share * live:
        return "mass_deletion"
    return None


def content_hash(subscriber: NormalizedSubscriber) -> str:
    """SHA-256 of the provider's fields, in a canonical encoding (sorted keys).

    The provider's created time counts (it is set once); its updated time does not: it moves
    without any field we keep changing (decision 0033), and is stored when the row is."""
    created = subscriber.provider_created_at
    fields = (
        subscriber.email,
        subscriber.first_name,
        subscriber.last_name,
        subscriber.status,
        subscriber.custom_fields,
        created.isoformat() if created else None,
    )
    return hashlib.sha256(msgspec.json.encode(fields, order="sorted")).hexdigest()


def _text(value: str | None) -> str | None:
    # PostgreSQL text cannot hold NUL; a provider's data may.
    return value.replace("\x00", "") if value else value


def _record(subscriber: NormalizedSubscriber) -> tuple[object, ...]:
    return (
        _text(subscriber.external_id),
        _text(subscriber.email),
        _text(subscriber.first_name),
        _text(subscriber.last_name),
        subscriber.status,
        msgspec.json.encode(subscriber.custom_fields).decode().replace("\\u0000", ""),
        content_hash(subscriber),
        subscriber.provider_created_at,
        subscriber.provider_updated_at,
        _text(subscriber.legacy_id),
    )


async def staging_table(conn: asyncpg.Connection) -> None:
    """Fresh temporary staging tables on this connection (not WAL-logged, private to it)."""
    await conn.execute(
        f"DROP TABLE IF EXISTS {_STAGING}, {_SKIPPED}, {_REKEY}; "
        f"CREATE TEMPORARY TABLE {_SKIPPED} (external_id text NOT NULL); "
        f"CREATE TEMPORARY TABLE {_REKEY} (external_id text NOT NULL, legacy_id text NOT NULL); "
        f"CREATE TEMPORARY TABLE {_STAGING} (external_id text NOT NULL, email text NOT NULL, "
        "first_name text, last_name text, status text NOT NULL, custom_fields jsonb NOT NULL, "
        "content_hash text NOT NULL, provider_created_at timestamptz, "
        "provider_updated_at timestamptz, legacy_id text)"
    )


async def load_staging(
    conn: asyncpg.Connection,
    pages: AsyncIterator[Page],
    on_page: Callable[[int, int], Awaitable[None]],
) -> Listing:
    """COPY every page into the staging table (and the ids of skipped rows into theirs);
    ``on_page(pages, rows)`` after each.

    Then index it, drop duplicate ids (the last listed wins) and refresh its statistics.
    """
    pages_seen = rows = skipped = 0
    total: int | None = None
    async for page in pages:
        if page.total is not None:
            total = max(total or 0, page.total)
        if page.skipped:
            skipped += len(page.skipped)
            await conn.copy_records_to_table(
                _SKIPPED, records=[(_text(i),) for i in page.skipped], columns=("external_id",)
            )
        if page.subscribers:
            await conn.copy_records_to_table(
                _STAGING, records=[_record(s) for s in page.subscribers], columns=_COLUMNS
            )
        pages_seen += 1
        rows += len(page.subscribers)
        await on_page(pages_seen, rows)
    await conn.execute(
        f"DELETE FROM {_STAGING} a USING {_STAGING} b "
        "WHERE a.external_id = b.external_id AND a.ctid < b.ctid; "
        f"CREATE UNIQUE INDEX ON {_STAGING} (external_id); ANALYZE {_STAGING}"
    )
    return Listing(skipped=skipped, total=total)


async def merge_staging(
    conn: asyncpg.Connection,
    *,
    team_id: uuid.UUID,
    connection_id: uuid.UUID,
    total: int | None,
    policy: DeletePolicy,
) -> tuple[MergeCounts, Withheld, float]:
    """Merge the staging table into the connection's subscribers; deletions only as
    ``withheld_reason`` allows (``total``: the provider's, from the Listing).

    Runs in the caller's transaction (under the team's row-level security), so the caller can
    record the run's outcome in the same commit. Returns the counts, what was withheld and the
    seconds it took.
    """
    started = time.perf_counter()
    # Deleting the connection waits for this merge, and a deleted one is not merged into.
    alive = await conn.fetchval(
        "SELECT true FROM esp_connections WHERE id = $1 AND deleted_at IS NULL FOR SHARE",
        connection_id,
    )
    if not alive:
        raise ConnectionGone("the connection was deleted during the sync")
    await _rekey(conn, connection_id)
    # Before any write: the live rows, and those the listing leaves out (what step 4 deletes).
    missing = (
        f"NOT EXISTS (SELECT 1 FROM {_STAGING} s WHERE s.external_id = t.external_id) "
        f"AND NOT EXISTS (SELECT 1 FROM {_SKIPPED} k WHERE k.external_id = t.external_id)"
    )
    before = await conn.fetchrow(
        f"SELECT count(*) AS live, count(*) FILTER (WHERE {missing}) AS missing, "
        f"(SELECT count(*) FROM {_STAGING}) + (SELECT count(DISTINCT k.external_id) "
        f"FROM {_SKIPPED} k WHERE NOT EXISTS (SELECT 1 FROM {_STAGING} s "
        "WHERE s.external_id = k.external_id)) AS listed "
        "FROM subscribers t WHERE t.esp_connection_id = $1 AND t.deleted_at IS NULL",
        connection_id,
    )
    assert before is not None
    reason = withheld_reason(
        listed=before["listed"],
        live=before["live"],
        missing=before["missing"],
        total=total,
        policy=policy,
    )
    matched = await conn.fetchrow(
        f"SELECT count(*) FILTER (WHERE t.content_hash = s.content_hash "
        "AND t.deleted_at IS NULL) AS unchanged, "
        "count(*) FILTER (WHERE t.content_hash IS NULL AND t.deleted_at IS NULL) AS conflicts "
        f"FROM {_STAGING} s JOIN subscribers t "
        "ON t.esp_connection_id = $1 AND t.external_id = s.external_id",
        connection_id,
    )
    assert matched is not None
    updated = await conn.execute(
        "UPDATE subscribers t SET email = s.email, first_name = s.first_name, "
        "last_name = s.last_name, status = s.status, custom_fields = s.custom_fields, "
        "content_hash = s.content_hash, provider_created_at = s.provider_created_at, "
        "provider_updated_at = s.provider_updated_at, deleted_at = NULL "
        f"FROM {_STAGING} s WHERE t.esp_connection_id = $1 AND t.external_id = s.external_id "
        "AND (t.content_hash IS DISTINCT FROM s.content_hash OR t.deleted_at IS NOT NULL)",
        connection_id,
    )
    created = await conn.execute(
        "INSERT INTO subscribers (team_id, esp_connection_id, external_id, email, first_name, "
        "last_name, status, custom_fields, content_hash, provider_created_at, "
        "provider_updated_at) "
        "SELECT $1, $2, s.external_id, s.email, s.first_name, s.last_name, s.status, "
        "s.custom_fields, s.content_hash, s.provider_created_at, s.provider_updated_at "
        f"FROM {_STAGING} s WHERE NOT EXISTS "
        "(SELECT 1 FROM subscribers t WHERE t.esp_connection_id = $2 "
        "AND t.external_id = s.external_id)",
        team_id,
        connection_id,
    )
    deleted = "UPDATE 0"
    if reason is None and before["missing"]:
        deleted = await conn.execute(
            "UPDATE subscribers t SET deleted_at = now() WHERE t.esp_connection_id = $1 "
            f"AND t.deleted_at IS NULL AND {missing}",
            connection_id,
        )
    counts = MergeCounts(
        created=rows_affected(created),
        updated=rows_affected(updated),
        deleted=rows_affected(deleted),
        unchanged=matched["unchanged"],
        conflicts=matched["conflicts"],
    )
    withheld = Withheld(
        reason=reason,
        count=before["missing"] if reason else 0,
        live_before=before["live"],
    )
    return counts, withheld, time.perf_counter() - started


async def _rekey(conn: asyncpg.Connection, connection_id: uuid.UUID) -> None:
    """Give a row stored under a listed row's legacy id the listed id (step 0).

    Only listed rows not stored under their own id are candidates: after the first re-keying
    sync, just the new members. They go through a small indexed table of their own, so the
    planner (which may think the connection's rows few: they are not analysed yet after a
    first sync) cannot scan one table per row of the other."""
    candidates = await conn.execute(
        f"INSERT INTO {_REKEY} SELECT s.external_id, s.legacy_id FROM {_STAGING} s "
        "WHERE s.legacy_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM subscribers u "
        "WHERE u.esp_connection_id = $1 AND u.external_id = s.external_id)",
        connection_id,
    )
    if not rows_affected(candidates):
        return
    await conn.execute(f"CREATE INDEX ON {_REKEY} (legacy_id); ANALYZE {_REKEY}")
    await conn.execute(
        f"UPDATE subscribers t SET external_id = r.external_id FROM {_REKEY} r "
        "WHERE t.esp_connection_id = $1 AND t.external_id = r.legacy_id",
        connection_id,
    )
