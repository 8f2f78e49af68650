"""Mail through a real SMTP sink (aiosmtpd, run by this module) and one server and one worker
for the module: verification, invitations (accepted; refused for another or an unverified
account), password reset, a usage-alert mail, and an SMTP outage that loses nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
import pytest

from app.config import Settings
from app.mail.sink import CaughtMail, MailSink
from app.usage.plans import PLANS
from tests.conftest import module_services
from tests.fakes import FakeEsp, fake_esp
from tests.support import (
    Caller,
    ServerProcess,
    assert_no_secrets,
    fails,
    fetch,
    start_server,
    start_worker,
    wait_for,
)

PASSWORD = "password-123"
PUBLIC_URL = "http://dashboard.example.test"


@dataclass
class Rig:
    settings: Settings
    server: ServerProcess
    sink: MailSink
    database_url: str
    logs: list[Path]
    esp: FakeEsp
    addresses: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def caller(self, **headers: str) -> Caller:
        """A caller from a client address of its own (sign-up is limited per address)."""
        address = f"198.51.100.{next(self.addresses)}"
        return Caller(self.server.base_url, {"X-Forwarded-For": address, **headers})

    def sign_up(self, email: str) -> Caller:
        caller = self.caller()
        signed = caller("auth.signUp", email=email, password=PASSWORD, name=email.split("@")[0])
        caller.headers["Authorization"] = f"Bearer {signed['session']['token']}"
        return caller

    def mail(self, to: str, subject: str = "", *, count: int = 1) -> CaughtMail:
        """The ``count``-th mail caught for ``to`` whose subject has ``subject``."""

        def caught() -> CaughtMail | None:
            found = [m for m in self.sink.to(to) if subject in m.subject]
            return found[count - 1] if len(found) >= count else None

        return wait_for(caught, timeout=30, what=f"mail {count} to {to} ({subject!r})")

    def verified(self, email: str) -> Caller:
        caller = self.sign_up(email)
        caller("auth.verifyEmail", token=token_of(self.mail(email, "Verify")))
        return caller


def token_of(mail: CaughtMail) -> str:
    """The token of the mail's link into the dashboard (``PUBLIC_URL/#<what>=<token>``)."""
    (link,) = [link for link in mail.links if "#" in link]
    assert link.startswith(f"{PUBLIC_URL}/#"), link
    return link.split("=", 1)[1]


@pytest.fixture(scope="module")
def rig(
    admin_url: str, template_db: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Rig]:
    sink = MailSink().start()
    tmp = tmp_path_factory.mktemp("mail")
    logs = [tmp / "server.log", tmp / "worker.log"]
    try:
        with fake_esp("kit", size=5, seed=3) as kit:
            env = {
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": str(sink.port),
                "SMTP_TLS": "none",
                "PUBLIC_URL": PUBLIC_URL,
                "MAIL_RETRY_BASE_SECONDS": "1",
                "MAIL_FROM": "Nest <nest@example.test>",
                "ESP_KIT_BASE_URL": kit.base_url,
                "LOG_LEVEL": "INFO",
            }
            with (
                module_services(admin_url, template_db, tmp, "mail", **env) as services,
                logs[0].open("wb") as server_log,
                logs[1].open("wb") as worker_log,
                start_server(services.settings, stderr=server_log) as server,
                start_worker(services.settings, stderr=worker_log),
            ):
                yield Rig(services.settings, server, sink, services.database_url, logs, kit)
    finally:
        sink.stop()


def _logs(rig: Rig) -> str:
    return "".join(path.read_text(errors="replace") for path in rig.logs)


def test_sign_up_mails_a_link_that_verifies_the_address_once(rig: Rig) -> None:
    user = rig.sign_up("reader@example.com")
    assert user("auth.me")["user"]["emailVerified"] is False
    mail = rig.mail("reader@example.com", "Verify your email")
    token = token_of(mail)
    assert mail.links[0].startswith(f"{PUBLIC_URL}/#verify=snt_")

    assert rig.caller()("auth.verifyEmail", token=token) == {"ok": True}
    assert user("auth.me")["user"]["emailVerified"] is True
    again = fails(rig.caller(), "auth.verifyEmail", token=token)
    assert (again.status, again.code) == (400, "INVALID_TOKEN")
    forged = fails(rig.caller(), "auth.verifyEmail", token="snt_" + "x" * 43)
    assert forged.code == "INVALID_TOKEN"

    user("auth.resendVerification")  # verified already: nothing is sent
    unverified = rig.sign_up("later@example.com")
    unverified("auth.resendVerification")
    second = rig.mail("later@example.com", "Verify", count=2)
    assert token_of(second) != token_of(rig.mail("later@example.com", "Verify"))
    assert_no_secrets(_logs(rig), [token, token_of(second)])


def _team_of(rig: Rig, email: str) -> tuple[Caller, str]:
    owner = rig.verified(email)
    team = owner("teams.create", name=f"Team of {email}")
    owner.headers["X-Team-Id"] = team["id"]
    return owner, team["id"]


def test_an_invitation_is_mailed_and_accepted_by_the_verified_invited_account(rig: Rig) -> None:
    owner, team_id = _team_of(rig, "boss@example.com")
    invitation = owner("members.add", email="NewHire@example.com", role="admin")
    assert (invitation["email"], invitation["role"]) == ("newhire@example.com", "admin")
    assert [i["id"] for i in owner("invitations.list")["items"]] == [invitation["id"]]
    assert {m["email"] for m in owner("members.list")["items"]} == {"boss@example.com"}

    mail = rig.mail("newhire@example.com", "invited")
    assert "Team of boss@example.com" in mail.subject and "admin" in mail.text
    newhire = rig.verified("newhire@example.com")
    joined = newhire("invitations.accept", token=token_of(mail))
    assert (joined["id"], joined["role"]) == (team_id, "admin")
    assert {m["email"] for m in owner("members.list")["items"]} == {
        "boss@example.com",
        "newhire@example.com",
    }
    assert owner("invitations.list")["items"] == []
    reused = fails(newhire, "invitations.accept", token=token_of(mail))
    assert reused.code == "INVALID_TOKEN"


def test_an_invitation_is_refused_for_another_account_and_an_unverified_one(rig: Rig) -> None:
    owner, team_id = _team_of(rig, "chief@example.com")
    # Pre-registered before the invitation, never verified: no way in.
    squatter = rig.sign_up("target@example.com")
    owner("members.add", email="target@example.com", role="owner")
    token = token_of(rig.mail("target@example.com", "invited"))
    assert squatter("teams.list")["items"] == []

    unverified = fails(squatter, "invitations.accept", token=token)
    assert (unverified.status, unverified.code) == (403, "EMAIL_NOT_VERIFIED")
    other = rig.verified("someone-else@example.com")
    wrong = fails(other, "invitations.accept", token=token)
    assert (wrong.status, wrong.code) == (403, "INVITATION_FOR_ANOTHER_ACCOUNT")
    assert fails(rig.caller(), "invitations.accept", token=token).status == 401
    assert {m["email"] for m in owner("members.list")["items"]} == {"chief@example.com"}

    (invitation,) = owner("invitations.list")["items"]
    owner("invitations.revoke", id=invitation["id"])
    squatter("auth.verifyEmail", token=token_of(rig.mail("target@example.com", "Verify")))
    revoked = fails(squatter, "invitations.accept", token=token)
    assert revoked.code == "INVALID_TOKEN"
    assert squatter("teams.list")["items"] == []
    assert team_id


def test_a_password_reset_by_mail_ends_every_session(rig: Rig) -> None:
    first = rig.sign_up("forgetful@example.com")
    second = rig.caller()
    signed = second("auth.signIn", email="forgetful@example.com", password=PASSWORD)
    second.headers["Authorization"] = f"Bearer {signed['session']['token']}"

    anonymous = rig.caller()
    assert anonymous("auth.requestPasswordReset", email="forgetful@example.com") == {"ok": True}
    # An unknown address answers the same, and no mail goes anywhere.
    assert anonymous("auth.requestPasswordReset", email="nobody@example.com") == {"ok": True}
    token = token_of(rig.mail("forgetful@example.com", "Reset"))

    anonymous("auth.resetPassword", token=token, newPassword="a-new-password-456")
    for session in (first, second):
        assert fails(session, "auth.me").code == "UNAUTHENTICATED"
    old = fails(anonymous, "auth.signIn", email="forgetful@example.com", password=PASSWORD)
    assert old.code == "INVALID_CREDENTIALS"
    back = anonymous("auth.signIn", email="forgetful@example.com", password="a-new-password-456")
    assert back["user"]["emailVerified"] is True  # the link reached the address
    again = fails(anonymous, "auth.resetPassword", token=token, newPassword="third-password-789")
    assert again.code == "INVALID_TOKEN"
    assert rig.sink.to("nobody@example.com") == []
    assert_no_secrets(_logs(rig), [token, "a-new-password-456"])


def test_reset_requests_are_limited_per_address(rig: Rig) -> None:
    limit = rig.settings.mail_requests_per_hour
    for _ in range(limit):
        rig.caller()("auth.requestPasswordReset", email="hammered@example.com")
    limited = fails(rig.caller(), "auth.requestPasswordReset", email="hammered@example.com")
    assert (limited.status, limited.code) == (429, "RATE_LIMITED")


async def _near_the_limit(database_url: str, team_id: str) -> int:
    """Set the team's API requests this period to one short of 90% of the free plan's."""
    limit = PLANS["free"].api_requests
    assert limit is not None
    start = dt.datetime.now(dt.UTC).date().replace(day=1)
    await fetch(
        database_url,
        "INSERT INTO usage_counters (team_id, period_start, metric, used) "
        "VALUES ($1, $2, 'api_requests', $3)",
        team_id,
        start,
        limit * 90 // 100 - 1,
    )
    return limit


def test_a_usage_alert_is_mailed_to_the_verified_owners(rig: Rig) -> None:
    owner, team_id = _team_of(rig, "counter@example.com")
    limit = asyncio.run(_near_the_limit(rig.database_url, team_id))
    key = owner("apiKeys.create", name="busy")["key"]
    keyed = rig.caller(**{"X-API-Key": key})
    for _ in range(3):  # the counter is written behind the calls: a few cross 90% surely
        keyed("subscribers.counts")
    mail = rig.mail("counter@example.com", "90%")
    assert "api_requests" in mail.subject and f"of its {limit} api_requests" in mail.text
    assert mail.links == [f"{PUBLIC_URL}/"]


def test_a_connection_falling_into_error_is_mailed_to_the_owners_once(rig: Rig) -> None:
    owner, _ = _team_of(rig, "syncer@example.com")
    connection = rig.esp.connect(owner, "Weekly list")
    rig.esp.api_key = "rotated-at-the-provider"
    for _ in range(2):  # the second failure finds it in error already: no second mail
        queued = owner("espConnections.sync", id=connection["id"])
        wait_for(
            lambda q=queued: owner("syncRuns.get", id=q["syncRunId"])["status"] == "failed",
            timeout=60,
            what="the sync to fail",
        )
    mail = rig.mail("syncer@example.com", "stopped syncing")
    assert "Weekly list" in mail.subject and "credentials" in mail.text
    queued_mails = asyncio.run(
        fetch(
            rig.database_url,
            "SELECT count(*) AS n FROM mails WHERE kind = 'connection_error' AND to_address = $1",
            "syncer@example.com",
        )
    )
    assert queued_mails[0]["n"] == 1  # both failures committed before this: one mail in all


def test_mails_queued_while_smtp_is_down_are_sent_once_it_is_back(rig: Rig) -> None:
    rig.sink.stop()
    try:
        rig.sign_up("patient@example.com")

        async def attempts() -> int:
            rows = await fetch(
                rig.database_url,
                "SELECT attempts, status, last_error FROM mails WHERE to_address = $1",
                "patient@example.com",
            )
            assert rows and rows[0]["status"] == "pending", rows
            return int(rows[0]["attempts"])

        wait_for(lambda: asyncio.run(attempts()) >= 2, timeout=30, what="two failed attempts")
    finally:
        rig.sink.start()
    mail = rig.mail("patient@example.com", "Verify")
    rig.caller()("auth.verifyEmail", token=token_of(mail))

    async def sent() -> list[asyncpg.Record]:
        return await fetch(
            rig.database_url,
            "SELECT status, sealed, attempts FROM mails WHERE to_address = $1",
            "patient@example.com",
        )

    def sent_row() -> asyncpg.Record | None:
        (row,) = asyncio.run(sent())
        return row if row["status"] == "sent" else None

    row = wait_for(sent_row, what="the mail marked sent")
    assert row["sealed"] is None and row["attempts"] >= 3  # the token left the outbox
    assert len(rig.sink.to("patient@example.com")) == 1


def test_the_dev_mail_page_is_not_served_outside_development(rig: Rig) -> None:
    assert httpx.get(f"{rig.server.base_url}/dev/mail", timeout=10).status_code == 404
