"""Team API keys as this process last read them, so that a call by a known key opens its unit of
work with the tenant already set: no lookup statement, one round trip less per call.

A key's row (team, hash, allowlist, revocation, the team's scheduled deletion) is read again
after ``ttl`` seconds. A change committed by this process (a revocation, a team's deletion or
restore) is seen at once: the process forgets the team's keys after the commit. One committed by
another API process is seen within ``ttl`` (decision 0014).

A key is checked against its scrypt hash once; from then on by a digest (decision 0020). The
allowlist is parsed once per key and content, and checked by binary search. A key's expiry is
compared with the clock at every call, so it ends on time whatever was read when (decision 0023).
"""

from __future__ import annotations

import asyncio
import bisect
import datetime as dt
import hashlib
import hmac
import ipaddress
import logging
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import msgspec
import redis.asyncio as aioredis

from app.auth.errors import IpNotAllowed
from app.auth.hashing import Hashing, hashing
from app.auth.secrets import split_api_key, verify_api_key
from app.db import Database
from rpc import SCOPES, Scope, Unauthenticated

if TYPE_CHECKING:
    from app.runtime import Runtime
    from app.work import Work

__all__ = ["Allowlist", "ApiKeyCaller", "ApiKeys", "api_keys", "highest_scope", "keys_changed"]

log = logging.getLogger(__name__)
T = TypeVar("T")
V = TypeVar("V")
_KNOWN_TTL = 3600  # seconds a verified key's digest is shared in Redis


class ApiKeyCaller(msgspec.Struct, frozen=True):
    key_id: uuid.UUID
    team_id: uuid.UUID
    deletion_due_at: dt.datetime | None
    scope: Scope  # the highest of the key's scopes (each includes the ones before it)
    expires_at: dt.datetime | None = None  # the caller is refused from then on


def highest_scope(scopes: list[str] | None) -> Scope:
    """The highest of ``scopes``; ``read`` when none is known (never more than was stored)."""
    known = [s for s in SCOPES if s in (scopes or ())]
    return known[-1] if known else "read"


class Allowlist:
    """A key's IP allowlist, parsed once: per IP version, the merged ranges of its networks
    as sorted integer bounds, so a check is a binary search however long the list."""

    def __init__(self, cidrs: list[str], digest: str = "") -> None:
        self.digest = digest  # of the stored list, as the lookup reports it
        ranges: dict[int, list[tuple[int, int]]] = {4: [], 6: []}
        for cidr in cidrs:
            try:
                network = ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                continue  # stored before it was checked: it allows nothing
            ranges[network.version].append(
                (int(network.network_address), int(network.broadcast_address))
            )
        self._starts: dict[int, list[int]] = {}
        self._ends: dict[int, list[int]] = {}
        for version, spans in ranges.items():
            merged: list[list[int]] = []
            for first, last in sorted(spans):
                if merged and first <= merged[-1][1] + 1:
                    merged[-1][1] = max(merged[-1][1], last)
                else:
                    merged.append([first, last])
            self._starts[version] = [first for first, _ in merged]
            self._ends[version] = [last for _, last in merged]

    def allows(self, client_ip: str) -> bool:
        try:
            address = ipaddress.ip_address(client_ip)
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        value = int(address)
        starts = self._starts[address.version]
        at = bisect.bisect_right(starts, value) - 1
        return at >= 0 and value <= self._ends[address.version][at]


@dataclass(frozen=True, slots=True)
class _Row:
    """A key's row as read, and when (``time.monotonic()``)."""

    caller: ApiKeyCaller
    key_hash: str
    allowlist: Allowlist | None
    revoked: bool
    read_at: float


class ApiKeys:
    """The keys this process has read, by prefix, and the digests of the keys it has verified
    against their stored hashes (at most ``max_keys`` of each).

    A key verified once is known by its SHA-256 digest (here, and in Redis for the other
    processes): its calls never hash again. Any other key with a known prefix costs a scrypt,
    counted by ``hashing`` against the client's address and the prefix."""

    def __init__(
        self,
        db: Database,
        hashing: Hashing,
        redis: aioredis.Redis,
        *,
        ttl: float = 1.0,
        max_keys: int = 4096,
    ) -> None:
        self._db = db
        self._hashing = hashing
        self._redis = redis
        self._ttl = ttl
        self._max_keys = max_keys
        self._rows: dict[str, _Row] = {}
        self._known: dict[str, bytes] = {}  # prefix -> digest of (stored hash, key) verified
        self._refused: dict[bytes, bool] = {}  # digests that failed (kept apart from _known)
        self._verifying: dict[bytes, asyncio.Future[bool]] = {}
        self.allowlists_parsed = 0  # how many times an allowlist was parsed (tests read it)

    async def caller(self, key: str, client_ip: str) -> ApiKeyCaller:
        """The caller of a valid, unrevoked, unexpired key from an allowed address; else
        Unauthenticated or IpNotAllowed (or RateLimited when the key would force one hash too
        many). That a key expired is said only to whoever holds the key itself."""
        prefix = split_api_key(key) or ""
        row = self._rows.get(prefix)
        if row is None or time.monotonic() - row.read_at > self._ttl:
            row = await self._read(prefix, row)
        if row is None or row.revoked or not await self._verify(prefix, row, key, client_ip):
            raise Unauthenticated("the API key is unknown or revoked")
        expires_at = row.caller.expires_at
        if expires_at is not None and expires_at <= dt.datetime.now(dt.UTC):
            raise Unauthenticated(f"the API key expired at {expires_at.isoformat()}")
        if row.allowlist is not None and not row.allowlist.allows(client_ip):
            raise IpNotAllowed()
        return row.caller

    def forget_team(self, team_id: uuid.UUID) -> None:
        """Read the team's keys again on their next use (after a change to them committed)."""
        for prefix in [p for p, row in self._rows.items() if row.caller.team_id == team_id]:
            del self._rows[prefix]

    def forget_key(self, key_id: uuid.UUID) -> None:
        """Read the key's row again on its next use (its access ended, on any process)."""
        for prefix in [p for p, row in self._rows.items() if row.caller.key_id == key_id]:
            del self._rows[prefix]

    async def _verify(self, prefix: str, row: _Row, key: str, client_ip: str) -> bool:
        digest = hashlib.sha256(f"{row.key_hash}${key}".encode()).digest()
        known = self._known.get(prefix)
        if known is not None and hmac.compare_digest(known, digest):
            return True
        if digest in self._refused:
            return False
        # Once for calls that arrive together with the same key (a client opening 200 streams):
        # one Redis read, one hash attempt counted, one scrypt.
        pending = self._verifying.get(digest)
        if pending is None:
            pending = self._verifying[digest] = asyncio.ensure_future(
                self._check(prefix, row, key, client_ip, digest)
            )
            pending.add_done_callback(lambda _: self._verifying.pop(digest, None))
        return await asyncio.shield(pending)  # a caller that leaves does not cancel the others'

    async def _check(self, prefix: str, row: _Row, key: str, client_ip: str, digest: bytes) -> bool:
        shared = await self._redis.get(f"auth:key-ok:{prefix}")
        if isinstance(shared, bytes) and hmac.compare_digest(shared, digest):
            self._remember(self._known, prefix, digest)
            return True
        # A scrypt (~16 MB, tens of ms): counted against the address and the prefix, in the
        # hashing threads.
        await self._hashing.admit(address=client_ip, prefix=prefix)
        ok = await self._hashing.run(verify_api_key, row.key_hash, key)
        if ok:
            self._remember(self._known, prefix, digest)
            await self._redis.set(f"auth:key-ok:{prefix}", digest, ex=_KNOWN_TTL)
        else:
            self._remember(self._refused, digest, True)
        return ok

    def _remember(self, cache: dict[T, V], name: T, value: V) -> None:
        if len(cache) >= self._max_keys:
            cache.clear()
        cache[name] = value

    async def _read(self, prefix: str, before: _Row | None) -> _Row | None:
        # api_key_lookup is SECURITY DEFINER: it finds the key before any tenant is known. The
        # allowlist comes only when its digest differs from the one this process has parsed.
        known = before.allowlist if before is not None else None
        async with self._db.acquire() as conn:
            found = await conn.fetchrow(_LOOKUP, prefix, known.digest if known else None)
        if found is None:
            self._rows.pop(prefix, None)
            return None
        allowlist: Allowlist | None = None
        if found["allowlist_digest"] is not None:
            if known is not None and found["allowlist_digest"] == known.digest:
                allowlist = known
            else:
                allowlist = await self._parse(found["ip_allowlist"], found["allowlist_digest"])
        row = _Row(
            caller=ApiKeyCaller(
                key_id=found["id"],
                team_id=found["team_id"],
                deletion_due_at=found["deletion_due_at"],
                scope=highest_scope(found["scopes"]),
                expires_at=found["expires_at"],
            ),
            key_hash=found["key_hash"],
            allowlist=allowlist,
            revoked=found["revoked_at"] is not None,
            read_at=time.monotonic(),
        )
        self._remember(self._rows, prefix, row)
        return row

    async def _parse(self, cidrs: list[str], digest: str) -> Allowlist:
        """Parsed once per key and content (the row is read again every ``ttl``); a long list
        (stored before API_KEY_ALLOWLIST_MAX existed) off the event loop."""
        self.allowlists_parsed += 1
        if len(cidrs) <= 1000:
            return Allowlist(cidrs, digest)
        log.warning("an API key has an allowlist of %d entries; parsing it once", len(cidrs))
        return await asyncio.to_thread(Allowlist, cidrs, digest)


# A key's row; its allowlist only when the list's digest is not $2 (what this process parsed):
# a long list crosses the wire and is decoded once, not at every read. No list, no digest.
_LOOKUP = """
SELECT k.id, k.team_id, k.key_hash, k.revoked_at, k.deletion_due_at, k.scopes, k.expires_at,
    d.digest AS allowlist_digest,
    CASE WHEN d.digest IS DISTINCT FROM $2::text THEN k.ip_allowlist END AS ip_allowlist
FROM api_key_lookup($1) k CROSS JOIN LATERAL (
    SELECT CASE WHEN cardinality(k.ip_allowlist) > 0 THEN md5(k.ip_allowlist::text) END AS digest
) d
"""


def api_keys(runtime: Runtime) -> ApiKeys:
    """Team API keys as this process last read them."""
    return runtime.held(_api_keys)


def _api_keys(runtime: Runtime) -> ApiKeys:
    return ApiKeys(runtime.db, hashing(runtime), runtime.redis)


def keys_changed(work: Work, team_id: uuid.UUID) -> None:
    """What a call by one of the team's API keys may do changed (a key revoked, the team's
    deletion scheduled or cancelled): this process reads them again once ``work`` commits."""
    keys = api_keys(work.runtime)

    async def forget() -> None:
        keys.forget_team(team_id)

    work.after_commit(forget)
