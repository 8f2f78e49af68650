"""subscribers.*: CRUD with soft delete and restore, search, keyset pages, tenant isolation."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from tests.support import (
    ServerProcess,
    add_connection,
    fails,
    fetch,
    member_of_new_team,
    wait_for,
)


def test_create_get_update_delete_restore(server: ServerProcess) -> None:
    caller, _ = member_of_new_team(server.base_url)
    made = caller(
        "subscribers.create",
        email="  Ada.Lovelace@Example.COM ",
        firstName="Ada",
        customFields={"plan": "pro"},
        localFields={"vip": True},
    )
    assert made["email"] == "Ada.Lovelace@example.com"  # trimmed, domain lower-cased
    assert made["connectionId"] is None and made["status"] == "subscribed"
    assert made["customFields"] == {"plan": "pro"} and made["localFields"] == {"vip": True}
    assert caller("subscribers.get", id=made["id"]) == made

    duplicate = fails(caller, "subscribers.create", email="ada.lovelace@EXAMPLE.com")
    assert (duplicate.status, duplicate.code) == (409, "SUBSCRIBER_EXISTS")
    assert duplicate.data == {"id": made["id"]}

    edited = caller("subscribers.update", id=made["id"], lastName="Lovelace", status="pending")
    assert (edited["firstName"], edited["lastName"], edited["status"]) == (
        "Ada",
        "Lovelace",
        "pending",
    )
    assert edited["updatedAt"] > made["updatedAt"]

    assert caller("subscribers.delete", id=made["id"]) == {"ok": True}
    assert caller("subscribers.delete", id=made["id"]) == {"ok": True}  # idempotent
    assert caller("subscribers.get", id=made["id"])["deletedAt"] is not None
    assert caller("subscribers.list")["items"] == []
    assert [s["id"] for s in caller("subscribers.list", deleted=True)["items"]] == [made["id"]]
    gone = fails(caller, "subscribers.update", id=made["id"], firstName="X")
    assert (gone.status, gone.code) == (422, "SUBSCRIBER_DELETED")

    # The address is free while the first one is deleted; restoring it then is a conflict.
    other = caller("subscribers.create", email="ada.lovelace@example.com")
    clash = fails(caller, "subscribers.restore", id=made["id"])
    assert (clash.status, clash.data) == (409, {"id": other["id"]})
    caller("subscribers.delete", id=other["id"])
    restored = caller("subscribers.restore", id=made["id"])
    assert restored["deletedAt"] is None and restored["lastName"] == "Lovelace"
    counts = caller("subscribers.counts")
    assert (counts["pending"], counts["deleted"], counts["total"]) == (1, 1, 1)


@pytest.mark.parametrize(
    "email", ["ada", "ada@", "@example.com", "ada@example", "a b@example.com", "ada@-x.com"]
)
def test_invalid_emails_are_400(server: ServerProcess, email: str) -> None:
    caller, _ = member_of_new_team(server.base_url)
    failed = fails(caller, "subscribers.create", email=email)
    assert (failed.status, failed.code, failed.data["path"]) == (
        400,
        "VALIDATION_FAILED",
        "$.email",
    )


def test_bad_page_token_and_search_are_400(server: ServerProcess) -> None:
    caller, _ = member_of_new_team(server.base_url)
    assert fails(caller, "subscribers.list", after="nonsense").data["path"] == "$.after"
    assert fails(caller, "subscribers.list", search="%%").data["path"] == "$.search"
    assert fails(caller, "subscribers.list", status="gone").status == 400
    assert fails(caller, "subscribers.get", id=str(uuid.uuid4())).status == 404


async def test_editing_a_synced_subscriber_clears_its_content_hash(
    server: ServerProcess, database_url: str
) -> None:
    caller, team = member_of_new_team(server.base_url)
    connection = await add_connection(database_url, uuid.UUID(team))
    row = (
        await fetch(
            database_url,
            "INSERT INTO subscribers (team_id, esp_connection_id, external_id, email, "
            "content_hash) VALUES ($1, $2, 'x1', 'sync@example.com', 'h') RETURNING id",
            uuid.UUID(team),
            connection,
        )
    )[0]
    subscriber = str(row["id"])
    caller("subscribers.update", id=subscriber, localFields={"note": "kept"})
    hash_of = "SELECT content_hash FROM subscribers WHERE id = $1"
    assert (await fetch(database_url, hash_of, row["id"]))[0]["content_hash"] == "h"
    caller("subscribers.update", id=subscriber, firstName="Edited")
    assert (await fetch(database_url, hash_of, row["id"]))[0]["content_hash"] is None
    # Deleting the connection tombstones it; it cannot be restored without its connection.
    caller("espConnections.delete", id=str(connection))
    assert fails(caller, "subscribers.restore", id=subscriber).status == 404


def test_search_by_word_prefixes(server: ServerProcess) -> None:
    caller, _ = member_of_new_team(server.base_url)
    people = {
        "ada": ("ada.lovelace@example.com", "Ada", "Lovelace"),
        "grace": ("grace+news@navy.mil", "Grace", "Hopper"),
        "alan": ("alan@turing.org", "Alan", "O'Turing"),
    }
    ids = {
        key: caller("subscribers.create", email=e, firstName=f, lastName=n)["id"]
        for key, (e, f, n) in people.items()
    }

    def found(term: str) -> set[str]:
        items = caller("subscribers.list", search=term)["items"]
        return {key for key, value in ids.items() if value in {s["id"] for s in items}}

    assert found("ada") == {"ada"}
    assert found("LOVE") == {"ada"}  # prefix of the email's part and of the name
    assert found("example.com") == {"ada"}
    assert found("navy") == {"grace"}
    assert found("news") == {"grace"}
    assert found("hop gra") == {"grace"}  # every word must match
    assert found("turing") == {"alan"}
    assert found("a") == {"ada", "alan"}
    assert found("nobody") == set()


async def test_pages_neither_skip_nor_repeat_while_rows_are_added(
    server: ServerProcess,
) -> None:
    caller, _ = member_of_new_team(server.base_url)
    existing = {caller("subscribers.create", email=f"p{n}@example.com")["id"] for n in range(45)}
    seen: list[str] = []
    after = None
    added = 0
    while True:
        body: dict[str, Any] = {"limit": 10}
        if after is not None:
            body["after"] = after
        page = await asyncio.to_thread(caller, "subscribers.list", **body)
        seen += [s["id"] for s in page["items"]]
        # Between pages, others add subscribers: they are newer, so they never shift a page.
        for _ in range(3):
            caller("subscribers.create", email=f"new{added}@example.com")
            added += 1
        after = page["nextAfter"]
        if after is None:
            break
    assert len(seen) == len(set(seen))
    assert set(seen) == existing


def test_every_procedure_is_isolated_by_team(server: ServerProcess) -> None:
    owner, _ = member_of_new_team(server.base_url, "a@example.com")
    intruder, _ = member_of_new_team(server.base_url, "b@example.com")
    theirs = owner("subscribers.create", email="secret@example.com")["id"]
    owner("subscribers.create", email="deleted@example.com")
    assert intruder("subscribers.list")["items"] == []
    assert intruder("subscribers.list", search="secret")["items"] == []
    assert intruder("subscribers.counts")["total"] == 0
    for procedure, extra in [
        ("subscribers.get", {}),
        ("subscribers.update", {"firstName": "X"}),
        ("subscribers.delete", {}),
        ("subscribers.restore", {}),
    ]:
        assert fails(intruder, procedure, id=theirs, **extra).status == 404, procedure
    # The same address is free in another team.
    assert intruder("subscribers.create", email="secret@example.com")["id"] != theirs
    assert owner("subscribers.get", id=theirs)["firstName"] is None


def test_writes_reach_the_change_feed(server: ServerProcess) -> None:
    caller, _ = member_of_new_team(server.base_url)
    cursor = caller("sync.pull")["cursor"]

    def next_change() -> dict[str, Any]:
        nonlocal cursor

        def pulled() -> dict[str, Any] | None:
            # Visible once no older transaction of the cluster is still open (the xmin guard).
            page = caller("sync.pull", cursor=cursor)
            return page if page["changes"] else None

        page = wait_for(pulled, what="the change on the feed")
        cursor = page["cursor"]
        (change,) = page["changes"]  # the row's latest state, once
        return change

    made = caller("subscribers.create", email="feed@example.com")
    assert next_change()["row"]["email"] == "feed@example.com"
    caller("subscribers.update", id=made["id"], firstName="Fed")
    assert next_change()["row"]["firstName"] == "Fed"
    caller("subscribers.delete", id=made["id"])
    assert (change := next_change())["op"] == "delete" and change["id"] == made["id"]
    caller("subscribers.restore", id=made["id"])
    assert next_change()["op"] == "upsert"


async def test_search_finds_rare_words_through_the_full_text_index_and_pages_common_ones(
    server: ServerProcess, database_url: str
) -> None:
    caller, team = member_of_new_team(server.base_url)
    await fetch(
        database_url,
        "INSERT INTO subscribers (team_id, email, first_name, created_at) "
        "SELECT $1, 'reader' || n || '@example.com', CASE n WHEN 7 THEN 'Zebedee' END, "
        "now() - n * interval '1 second' FROM generate_series(1, 20000) n",
        uuid.UUID(team),
    )
    await fetch(database_url, "ANALYZE subscribers")

    async def index_scans() -> int:
        rows = await fetch(
            database_url,
            "SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'subscribers_search'",
        )
        return int(rows[0]["idx_scan"])

    before = await index_scans()
    rare = await asyncio.to_thread(caller, "subscribers.list", search="zebed")
    assert [(s["email"], s["firstName"]) for s in rare["items"]] == [
        ("reader7@example.com", "Zebedee")
    ]
    assert rare["nextAfter"] is None
    # A word in every row: a full page in page order, and the next one continues it.
    common = await asyncio.to_thread(caller, "subscribers.list", search="reader", limit=50)
    assert [s["email"] for s in common["items"]] == [f"reader{n}@example.com" for n in range(1, 51)]
    more = await asyncio.to_thread(
        caller, "subscribers.list", search="example", limit=50, after=common["nextAfter"]
    )
    assert more["items"][0]["email"] == "reader51@example.com"
    # The rare word was not a walk past the team's 20,000 rows: the full-text index answered.
    # (An idle backend flushes its counters within PostgreSQL's 10 s idle interval.)
    async with asyncio.timeout(30):
        while await index_scans() == before:
            await asyncio.sleep(0.2)
