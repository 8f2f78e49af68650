"""The database enforces tenancy (RLS), tombstones and change stamps, whatever the code does."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from app.db import MAINTENANCE_ROLE, role_url
from app.jobs import JobContext, task_logged
from app.runtime import Runtime
from tables import TENANT_TABLES
from tests.support import fetch


async def _set_team(conn: asyncpg.Connection, team_id: uuid.UUID | None) -> None:
    await conn.execute("SELECT set_config('app.team_id', $1, false)", str(team_id or ""))


async def _make_team(conn: asyncpg.Connection, name: str, subscribers: int) -> uuid.UUID:
    """A team with one connection and ``subscribers`` subscribers, written under its own RLS."""
    team_id = uuid.uuid4()
    await _set_team(conn, team_id)
    await conn.execute("INSERT INTO teams (id, name) VALUES ($1, $2)", team_id, name)
    connection_id = await conn.fetchval(
        "INSERT INTO esp_connections (team_id, provider, name) VALUES ($1, 'kit', $2) RETURNING id",
        team_id,
        f"{name} Kit",
    )
    await conn.execute(
        "INSERT INTO subscribers (team_id, esp_connection_id, external_id, email) "
        "SELECT $1, $2, n::text, $3 || n || '@example.com' FROM generate_series(1, $4) n",
        team_id,
        connection_id,
        name.lower(),
        subscribers,
    )
    return team_id


async def test_app_role_is_not_privileged(app_conn: asyncpg.Connection) -> None:
    row = await app_conn.fetchrow(
        "SELECT current_user AS name, rolsuper, rolbypassrls FROM pg_roles "
        "WHERE rolname = current_user"
    )
    assert row is not None
    assert (row["name"], row["rolsuper"], row["rolbypassrls"]) == ("subnest_app", False, False)


async def test_rls_hides_other_teams_rows_without_a_where(app_conn: asyncpg.Connection) -> None:
    team_a = await _make_team(app_conn, "Alpha", 3)
    team_b = await _make_team(app_conn, "Beta", 5)

    await _set_team(app_conn, team_a)
    rows = await app_conn.fetch("SELECT team_id, email FROM subscribers")
    assert len(rows) == 3
    assert {r["team_id"] for r in rows} == {team_a}
    assert await app_conn.fetchval("SELECT count(*) FROM esp_connections") == 1
    assert await app_conn.fetchval("SELECT count(*) FROM teams") == 1

    await _set_team(app_conn, team_b)
    assert await app_conn.fetchval("SELECT count(*) FROM subscribers") == 5
    # An update aimed at the other team's rows touches nothing.
    result = await app_conn.execute(
        "UPDATE subscribers SET first_name = 'x' WHERE team_id = $1", team_a
    )
    assert result == "UPDATE 0"

    await _set_team(app_conn, None)
    assert await app_conn.fetchval("SELECT count(*) FROM subscribers") == 0
    assert await app_conn.fetchval("SELECT count(*) FROM teams") == 0


async def test_rls_refuses_writing_into_another_team(app_conn: asyncpg.Connection) -> None:
    team_a = await _make_team(app_conn, "Alpha", 1)
    team_b = await _make_team(app_conn, "Beta", 1)
    await _set_team(app_conn, team_a)
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
        await app_conn.execute(
            "INSERT INTO subscribers (team_id, email) VALUES ($1, 'x@example.com')", team_b
        )


async def test_rls_is_enabled_and_forced_on_every_tenant_table(database_url: str) -> None:
    """FORCE ROW LEVEL SECURITY: a table's owner is filtered too, unless it is a superuser."""
    rows = await fetch(
        database_url,
        "SELECT relname FROM pg_class WHERE relrowsecurity AND relforcerowsecurity "
        "AND relkind = 'r' AND relnamespace = 'public'::regnamespace",
    )
    tenant = {table._meta.tablename for table in TENANT_TABLES}
    assert {r["relname"] for r in rows} == tenant | {"teams"}


async def test_hard_delete_refused_for_app_allowed_for_maintenance(
    app_conn: asyncpg.Connection, database_url: str
) -> None:
    team = await _make_team(app_conn, "Alpha", 2)
    await _set_team(app_conn, team)
    for table in ("subscribers", "esp_connections"):
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await app_conn.execute(f"DELETE FROM {table}")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await app_conn.execute("TRUNCATE subscribers")
    # Soft delete is the way: a tombstone.
    assert await app_conn.execute("UPDATE subscribers SET deleted_at = now()") == "UPDATE 2"

    maint = await asyncpg.connect(role_url(database_url, MAINTENANCE_ROLE))
    try:
        assert await maint.execute("DELETE FROM subscribers WHERE team_id = $1", team) == (
            "DELETE 2"
        )
    finally:
        await maint.close()


async def test_the_statement_trigger_refuses_even_with_delete_granted(database_url: str) -> None:
    """Grants can drift; the BEFORE DELETE trigger refuses on its own."""
    owner = await asyncpg.connect(database_url)
    try:
        await owner.execute("GRANT DELETE ON subscribers TO subnest_app")
    finally:
        await owner.close()
    conn = await asyncpg.connect(role_url(database_url, "subnest_app"))
    try:
        await _make_team(conn, "Alpha", 1)
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="set deleted_at instead"):
            await conn.execute("DELETE FROM subscribers")
    finally:
        await conn.close()


async def test_change_stamps_advance_on_insert_update_and_soft_delete(
    app_conn: asyncpg.Connection,
) -> None:
    team = await _make_team(app_conn, "Alpha", 2)
    await _set_team(app_conn, team)
    first = await app_conn.fetch("SELECT id, txid, seq FROM subscribers ORDER BY seq")
    assert len({r["txid"] for r in first}) == 1, "one statement, one transaction"
    assert first[0]["seq"] < first[1]["seq"]
    assert all(isinstance(r["txid"], int) for r in first)

    target = first[0]["id"]
    stamps = [(first[0]["txid"], first[0]["seq"])]
    for statement in (
        "UPDATE subscribers SET first_name = 'Ada' WHERE id = $1",
        "UPDATE subscribers SET deleted_at = now() WHERE id = $1",
        "UPDATE subscribers SET deleted_at = NULL WHERE id = $1",
    ):
        await app_conn.execute(statement, target)
        row = await app_conn.fetchrow("SELECT txid, seq FROM subscribers WHERE id = $1", target)
        assert row is not None
        stamps.append((row["txid"], row["seq"]))
    assert stamps == sorted(stamps)
    assert len(set(stamps)) == len(stamps)
    assert stamps[-1][0] > stamps[0][0], "later transactions carry later txids"


async def test_updated_at_is_kept_by_the_database(app_conn: asyncpg.Connection) -> None:
    team = await _make_team(app_conn, "Alpha", 1)
    await _set_team(app_conn, team)
    before = await app_conn.fetchrow("SELECT created_at, updated_at FROM teams")
    await app_conn.execute("UPDATE teams SET name = 'Renamed'")
    after = await app_conn.fetchrow("SELECT created_at, updated_at FROM teams")
    assert before is not None and after is not None
    assert after["created_at"] == before["created_at"]
    assert after["updated_at"] > before["updated_at"]


async def test_task_logs_are_tenant_rows(app_conn: asyncpg.Connection, database_url: str) -> None:
    """Through the app role a team reads and writes only its own job attempts; the rows of
    other teams and of system jobs (no team) are the maintenance role's."""
    team_a = await _make_team(app_conn, "Alpha", 0)
    team_b = await _make_team(app_conn, "Beta", 0)
    insert = (
        "INSERT INTO task_logs (job, job_key, team_id, attempt, status, duration_ms) "
        "VALUES ($1, $1, $2, 1, 'succeeded', 1)"
    )
    maint = await asyncpg.connect(role_url(database_url, MAINTENANCE_ROLE))
    try:
        for job, team in (("a", team_a), ("b", team_b), ("system", None)):
            await maint.execute(insert, job, team)
        assert await maint.fetchval("SELECT count(*) FROM task_logs") == 3
    finally:
        await maint.close()

    await _set_team(app_conn, team_a)
    assert [r["job"] for r in await app_conn.fetch("SELECT job FROM task_logs")] == ["a"]
    await app_conn.execute(insert, "a2", team_a)
    for other in (team_b, None):
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
            await app_conn.execute(insert, "sneaky", other)
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
        await app_conn.execute("UPDATE task_logs SET error = 'x'")  # a log is written once
    await _set_team(app_conn, None)
    assert await app_conn.fetchval("SELECT count(*) FROM task_logs") == 0
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
        await app_conn.execute(insert, "sneaky", None)


@task_logged
async def _team_job(ctx: JobContext, *, team_id: str) -> None:
    pass


@task_logged
async def _system_job(ctx: JobContext) -> None:
    raise RuntimeError("went wrong")


async def test_jobs_still_record_their_attempts_under_rls(
    runtime: Runtime, app_conn: asyncpg.Connection, database_url: str
) -> None:
    """A team's job logs under its team (app role), a system job under none (maintenance)."""
    team = await _make_team(app_conn, "Alpha", 0)
    await _team_job(JobContext(runtime=runtime), team_id=str(team))
    with pytest.raises(RuntimeError):
        await _system_job(JobContext(runtime=runtime))
    rows = await fetch(database_url, "SELECT job, team_id, status, error FROM task_logs")
    assert sorted((r["job"], r["team_id"], r["status"], r["error"]) for r in rows) == [
        ("_system_job", None, "failed", "RuntimeError: went wrong"),
        ("_team_job", team, "succeeded", None),
    ]
