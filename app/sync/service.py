"""ESP connections and sync runs, inside a team's unit of work."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Mapping

import msgspec

from app.credentials import Sealed
from app.esp import InvalidCredentials, ProviderError, ProviderUnavailable, make_connector
from app.feed.tables import select_list
from app.quotas import check_sync_quota
from app.sync.errors import (
    CredentialsRejected,
    EspUnavailable,
    ProviderMessage,
    RestoreExpired,
    RunNotInReview,
    RunStatusData,
)
from app.sync.queueing import enqueue_sync
from app.sync.schemas import ConnectionOut, SyncRunOut
from app.work import Work
from rpc import NotFound

__all__ = ["ConnectionService"]


# What the feed shows of each, too.
_CONNECTION = select_list(ConnectionOut)
_RUN = select_list(SyncRunOut)


class ConnectionService:
    def __init__(self, work: Work) -> None:
        self.work = work
        self.conn = work.conn
        self.runtime = work.runtime

    async def verify(
        self, provider: str, credentials: Mapping[str, str], list_id: str | None
    ) -> None:
        """Ask the provider whether the credentials work (base URLs come from settings only)."""
        # Inside the request's transaction: a short policy keeps it well under the role's
        # idle-in-transaction timeout even when the provider is slow.
        endpoints = msgspec.structs.replace(self.runtime.endpoints, timeout=10.0, max_attempts=2)
        try:
            connector = make_connector(provider, credentials, list_id, endpoints, self.runtime.http)
            await connector.verify()
        except (InvalidCredentials, ProviderError) as exc:
            raise CredentialsRejected(
                f"{provider} refused: {exc.message}",
                data=ProviderMessage(provider=provider, provider_message=exc.message),
            ) from None
        except ProviderUnavailable as exc:
            raise EspUnavailable(
                data=ProviderMessage(provider=provider, provider_message=exc.message)
            ) from None
        except ValueError as exc:
            raise CredentialsRejected(
                str(exc), data=ProviderMessage(provider=provider, provider_message=str(exc))
            ) from None

    async def create(
        self,
        team_id: uuid.UUID,
        provider: str,
        name: str,
        credentials: Mapping[str, str],
        list_id: str | None,
    ) -> ConnectionOut:
        await self.verify(provider, credentials, list_id)
        connection_id = uuid.uuid4()
        sealed = self.runtime.cipher.seal(connection_id, credentials)
        row = await self.conn.fetchrow(
            "INSERT INTO esp_connections (id, team_id, provider, name, list_id, "
            "credentials_ciphertext, credentials_key_id) VALUES ($1, $2, $3, $4, $5, $6, $7) "
            f"RETURNING {_CONNECTION}",
            connection_id,
            team_id,
            provider,
            name.strip(),
            list_id,
            sealed.ciphertext,
            sealed.key_id,
        )
        assert row is not None
        return ConnectionOut(**row)

    async def all(self, *, include_deleted: bool = False) -> list[ConnectionOut]:
        rows = await self.conn.fetch(
            f"SELECT {_CONNECTION} FROM esp_connections WHERE deleted_at IS NULL OR $1 "
            "ORDER BY created_at",
            include_deleted,
        )
        return [ConnectionOut(**r) for r in rows]

    async def get(self, connection_id: uuid.UUID) -> ConnectionOut:
        row = await self.conn.fetchrow(
            f"SELECT {_CONNECTION} FROM esp_connections WHERE id = $1 AND deleted_at IS NULL",
            connection_id,
        )
        if row is None:
            raise NotFound("no such ESP connection in this team")
        return ConnectionOut(**row)

    async def credentials(self, connection_id: uuid.UUID) -> tuple[str, dict[str, str], str | None]:
        """``(provider, credentials, list_id)``, decrypted, for the worker."""
        row = await self.conn.fetchrow(
            "SELECT provider, list_id, credentials_ciphertext, credentials_key_id "
            "FROM esp_connections WHERE id = $1",
            connection_id,
        )
        if row is None:
            raise NotFound("no such ESP connection in this team")
        if row["credentials_ciphertext"] is None:  # the demo data of `subnest dev` has none
            raise InvalidCredentials(
                row["provider"], "no credentials stored: add them with espConnections.update"
            )
        sealed = Sealed(ciphertext=row["credentials_ciphertext"], key_id=row["credentials_key_id"])
        return row["provider"], self.runtime.cipher.open(connection_id, sealed), row["list_id"]

    async def update(
        self,
        connection_id: uuid.UUID,
        *,
        name: str | None,
        status: str | None,
        credentials: Mapping[str, str] | None,
    ) -> ConnectionOut:
        sealed: Sealed | None = None
        new_status = status
        if credentials is not None:  # a rename or a pause needs no read first: one statement
            current = await self.get(connection_id)
            await self.verify(current.provider, credentials, current.list_id)
            sealed = self.runtime.cipher.seal(connection_id, credentials)
            # New working credentials clear an error; so does setting the status by hand.
            new_status = status or ("active" if current.status == "error" else None)
        row = await self.conn.fetchrow(
            "UPDATE esp_connections SET name = coalesce($2, name), "
            "status = coalesce($3, status), "
            "status_reason = CASE WHEN $3::text IS NULL THEN status_reason END, "
            "credentials_ciphertext = coalesce($4, credentials_ciphertext), "
            "credentials_key_id = coalesce($5, credentials_key_id) "
            f"WHERE id = $1 AND deleted_at IS NULL RETURNING {_CONNECTION}",
            connection_id,
            name.strip() if name else None,
            new_status,
            sealed.ciphertext if sealed else None,
            sealed.key_id if sealed else None,
        )
        if row is None:
            raise NotFound("no such ESP connection in this team")
        return ConnectionOut(**row)

    async def delete(self, connection_id: uuid.UUID) -> None:
        """Soft-delete the connection and, as tombstones, its subscribers; its pending runs end.

        The tombstones share the connection's ``deleted_at`` (this transaction's ``now()``):
        that is how ``restore`` tells them from the tombstones of earlier syncs."""
        await self.conn.execute(
            "SELECT 1 FROM esp_connections WHERE id = $1 AND deleted_at IS NULL FOR UPDATE",
            connection_id,
        )
        await self.get(connection_id)
        await self.conn.execute(
            "UPDATE sync_runs SET status = 'failed', finished_at = now(), "
            "error = 'the connection was deleted', error_kind = 'connection_deleted' "
            "WHERE esp_connection_id = $1 AND status IN ('queued', 'running')",
            connection_id,
        )
        await self.conn.execute(
            "UPDATE subscribers SET deleted_at = now() "
            "WHERE esp_connection_id = $1 AND deleted_at IS NULL",
            connection_id,
        )
        await self.conn.execute(
            "UPDATE esp_connections SET deleted_at = now(), status = 'paused' WHERE id = $1",
            connection_id,
        )

    async def restore(self, connection_id: uuid.UUID) -> ConnectionOut:
        """Bring back a deleted connection (paused) with exactly the subscribers its deletion
        tombstoned, within CONNECTION_RESTORE_HOURS; a live one is returned as it is."""
        row = await self.conn.fetchrow(
            "SELECT deleted_at, deleted_at > now() - make_interval(hours => $2) AS restorable "
            "FROM esp_connections WHERE id = $1 FOR UPDATE",
            connection_id,
            self.runtime.settings.connection_restore_hours,
        )
        if row is None:
            raise NotFound("no such ESP connection in this team")
        if row["deleted_at"] is None:
            return await self.get(connection_id)
        if not row["restorable"]:
            raise RestoreExpired()
        await self.conn.execute(
            "UPDATE subscribers SET deleted_at = NULL "
            "WHERE esp_connection_id = $1 AND deleted_at = $2",
            connection_id,
            row["deleted_at"],
        )
        restored = await self.conn.fetchrow(
            "UPDATE esp_connections SET deleted_at = NULL, status = 'paused', "
            f"status_reason = NULL WHERE id = $1 RETURNING {_CONNECTION}",
            connection_id,
        )
        assert restored is not None
        return ConnectionOut(**restored)

    async def queue_sync(self, team_id: uuid.UUID, connection_id: uuid.UUID) -> uuid.UUID:
        """Record a queued run (the outbox) and enqueue its job once the row is committed;
        QuotaExceeded while the team has TEAM_MAX_CONCURRENT_SYNCS runs queued or running."""
        return await self._queue(team_id, connection_id, "manual", None)

    async def approve(self, team_id: uuid.UUID, run_id: uuid.UUID) -> uuid.UUID:
        """Queue the run that applies a needs_review run's withheld deletions: it lists the
        provider again and may delete up to as many as were shown (more: reviewed again).
        Approving again gives the same run."""
        row = await self.conn.fetchrow(
            "SELECT status, esp_connection_id, withheld_count, approval_run_id "
            "FROM sync_runs WHERE id = $1 FOR UPDATE",
            run_id,
        )
        if row is None:
            raise NotFound("no such sync run in this team")
        if row["status"] != "needs_review":
            raise RunNotInReview(data=RunStatusData(status=row["status"]))
        if row["approval_run_id"] is not None:
            approval: uuid.UUID = row["approval_run_id"]
            return approval
        approval = await self._queue(
            team_id, row["esp_connection_id"], "approval", row["withheld_count"]
        )
        await self.conn.execute(
            "UPDATE sync_runs SET approval_run_id = $2 WHERE id = $1", run_id, approval
        )
        return approval

    async def _queue(
        self,
        team_id: uuid.UUID,
        connection_id: uuid.UUID,
        trigger: str,
        allowance: int | None,
    ) -> uuid.UUID:
        await self.get(connection_id)
        await check_sync_quota(self.conn, self.runtime.settings, team_id)
        run_id: uuid.UUID = await self.conn.fetchval(
            "INSERT INTO sync_runs (team_id, esp_connection_id, trigger, delete_allowance) "
            "VALUES ($1, $2, $3, $4) RETURNING id",
            team_id,
            connection_id,
            trigger,
            allowance,
        )
        self.work.after_commit(
            functools.partial(
                enqueue_sync,
                self.runtime.queue,
                run_id=run_id,
                team_id=team_id,
                heartbeat=self.runtime.settings.sync_heartbeat_seconds,
            )
        )
        return run_id

    async def runs(self, connection_id: uuid.UUID | None, limit: int) -> list[SyncRunOut]:
        rows = await self.conn.fetch(
            f"SELECT {_RUN} FROM sync_runs WHERE ($1::uuid IS NULL OR esp_connection_id = $1) "
            "ORDER BY queued_at DESC LIMIT $2",
            connection_id,
            limit,
        )
        return [SyncRunOut(**r) for r in rows]

    async def run(self, run_id: uuid.UUID) -> SyncRunOut:
        row = await self.conn.fetchrow(f"SELECT {_RUN} FROM sync_runs WHERE id = $1", run_id)
        if row is None:
            raise NotFound("no such sync run in this team")
        return SyncRunOut(**row)
