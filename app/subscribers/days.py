"""The daily rollup of subscribers by status, ``subscriber_days`` (decision 0035).

Each row is a team's count of live subscribers of one connection and status on one UTC day:
at the day's end, or for today as last counted. ``count_days`` counts the subscribers of some
teams (all of them as the maintenance role) into today's rows; a team whose yesterday was last
counted before midnight has yesterday's rows closed by the same count first. The worker's
``count_subscriber_days`` runs it every few minutes, and every sync runs it for its team in the
merge's transaction, so a chart refreshed when a run finishes shows what the run did.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import get_args

import asyncpg

from app.db import rows_affected
from app.jobs import JobContext, task_logged
from app.schemas import SubscriberStatus

__all__ = ["COUNT_DAYS_CRON", "HISTORY", "count_days", "count_subscriber_days"]

COUNT_DAYS_CRON = "*/5 * * * *"  # croniter: every five minutes, the first at midnight UTC

_TEAMS = "($2::uuid[] IS NULL OR team_id = ANY($2::uuid[]))"
# Groups counted yesterday or earlier today that have no subscriber left get a zero row, not
# their last count: a day's rows always add up to the team's live subscribers. Rows are written
# in key order, so the job and syncs counting the same team at once wait for each other rather
# than deadlock.
_COUNT = f"""
INSERT INTO subscriber_days (team_id, day, esp_connection_id, status, total, counted_at)
SELECT team_id, $1::date, esp_connection_id, status, sum(total), now()
FROM (
    SELECT team_id, esp_connection_id, status, count(*) AS total FROM subscribers
    WHERE deleted_at IS NULL AND {_TEAMS} GROUP BY 1, 2, 3
    UNION ALL
    SELECT team_id, esp_connection_id, status, 0 FROM subscriber_days
    WHERE {_TEAMS} AND (day = $1::date OR (day = $1::date - 1 AND total > 0))
) c
GROUP BY team_id, esp_connection_id, status
ORDER BY team_id, esp_connection_id, status
ON CONFLICT (team_id, day, esp_connection_id, status) DO UPDATE
    SET total = EXCLUDED.total, counted_at = EXCLUDED.counted_at
"""
_UNCLOSED = f"""
SELECT coalesce(array_agg(DISTINCT team_id), '{{}}') FROM subscriber_days
WHERE {_TEAMS} AND day = $1::date - 1 AND counted_at < $1::date::timestamp AT TIME ZONE 'UTC'
"""

_STATUSES: tuple[str, ...] = get_args(SubscriberStatus)
_TODAY = "(now() AT TIME ZONE 'UTC')::date"
_FIRST = f"{_TODAY} - $2::int + 1"
_OF = "team_id = $1 AND ($3::uuid IS NULL OR esp_connection_id = $3)"
# subscribers.history ($1 team, $2 days, $3 connection or NULL), as one row of arrays (a few
# hundred rows summed in the database rather than sent): each day counted from the window's
# first, or the last counted before it (a window that opens on days not counted repeats it),
# pivoted by status; then every day from there to today, a day not counted taking the one
# before (its group: the days since the last counted one); then the window's days.
HISTORY = f"""
WITH counted AS (
    SELECT day, {", ".join(f"sum(total) FILTER (WHERE status = '{s}') AS {s}" for s in _STATUSES)},
        max(counted_at) AS counted_at
    FROM subscriber_days
    WHERE {_OF} AND day >= coalesce(
        (SELECT max(day) FROM subscriber_days WHERE {_OF} AND day <= {_FIRST}), {_FIRST})
    GROUP BY day
), series AS (
    SELECT g::date AS day, {", ".join(f"c.{s}" for s in _STATUSES)},
        count(c.day) OVER (ORDER BY g) AS since
    FROM generate_series((SELECT min(day) FROM counted), {_TODAY}, interval '1 day') g
    LEFT JOIN counted c ON c.day = g::date
), filled AS (
    SELECT day, {", ".join(f"coalesce(max({s}) OVER w, 0) AS {s}" for s in _STATUSES)}
    FROM series WINDOW w AS (PARTITION BY since)
)
SELECT coalesce(array_agg(day ORDER BY day), '{{}}') AS days,
    {", ".join(f"coalesce(array_agg({s} ORDER BY day), '{{}}') AS {s}" for s in _STATUSES)},
    (SELECT max(counted_at) FROM counted) AS counted_at
FROM filled WHERE day >= {_FIRST}
"""


async def count_days(conn: asyncpg.Connection, team_ids: list[uuid.UUID] | None) -> int:
    """Count the live subscribers of ``team_ids`` (None: every team the connection's role
    sees) into today's rows, closing first an unclosed yesterday. The rows written. Run it in
    a transaction."""
    today: dt.date = await conn.fetchval("SELECT (now() AT TIME ZONE 'UTC')::date")
    written = 0
    closing: list[uuid.UUID] = await conn.fetchval(_UNCLOSED, today, team_ids)
    if closing:
        written += rows_affected(await conn.execute(_COUNT, today - dt.timedelta(days=1), closing))
    return written + rows_affected(await conn.execute(_COUNT, today, team_ids))


@task_logged
async def count_subscriber_days(ctx: JobContext) -> int:
    """Every team's subscribers into today's rollup (COUNT_DAYS_CRON). The rows written."""
    async with ctx["runtime"].db.maintenance() as conn, conn.transaction():
        return await count_days(conn, None)
