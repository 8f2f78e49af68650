"""What each kind of mail says, rendered when it is sent (plain text: links are what matter)."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

__all__ = ["render"]


def _verify(data: dict[str, Any], link: str) -> tuple[str, str]:
    return "Verify your email address", (
        f"Hello {data.get('name') or ''},\n\n"
        "Open this link to verify the address of your SubscriberNest account:\n\n"
        f"{link}\n\nIt works once, for a limited time. If you did not sign up, ignore this mail.\n"
    )


def _invitation(data: dict[str, Any], link: str) -> tuple[str, str]:
    team = data.get("teamName", "a team")
    return f"You are invited to {team} on SubscriberNest", (
        f"{data.get('inviterName') or 'A team owner'} invited you to join {team} as "
        f"{data.get('role', 'member')}.\n\n"
        "Sign in (or sign up) with this address, verify it, then open this link to accept:\n\n"
        f"{link}\n\nThe invitation expires; if you did not expect it, ignore this mail.\n"
    )


def _reset(data: dict[str, Any], link: str) -> tuple[str, str]:
    return "Reset your SubscriberNest password", (
        "Someone asked to reset the password of the account with this address.\n\n"
        f"Open this link to choose a new one:\n\n{link}\n\n"
        "It works once, for a limited time, and signs out every session of the account. "
        "If you did not ask, ignore this mail: your password stays as it is.\n"
    )


def _usage(data: dict[str, Any], link: str) -> tuple[str, str]:
    team, metric, percent = data.get("teamName", ""), data.get("metric", ""), data.get("percent")
    return f"{team}: {percent}% of this month's {metric} used", (
        f"The team {team} has used {data.get('used')} of its {data.get('limit')} {metric} "
        f"this billing period ({percent}%, period from {data.get('periodStart')}).\n\n"
        f"Dashboard: {link}\n"
    )


def _connection_error(data: dict[str, Any], link: str) -> tuple[str, str]:
    team, name = data.get("teamName", ""), data.get("connectionName", "")
    return f"{team}: the connection {name} stopped syncing", (
        f"The provider refused the credentials of the connection {name} of the team {team}:\n\n"
        f"  {data.get('reason', '')}\n\n"
        f"It waits in 'error' until its credentials are updated. Dashboard: {link}\n"
    )


_KINDS = {
    "verify_email": (_verify, "verify"),
    "invitation": (_invitation, "invite"),
    "reset_password": (_reset, "reset"),
    "usage_alert": (_usage, None),
    "connection_error": (_connection_error, None),
}


def render(
    kind: str, data: dict[str, Any], token: str | None, *, base: str, sender: str, to: str
) -> EmailMessage:
    """The message of one outbox row. A token's link opens the dashboard at ``#<what>=<token>``:
    the fragment never reaches a server's access log; the dashboard posts it."""
    compose, what = _KINDS[kind]
    link = f"{base}/#{what}={token}" if what and token else f"{base}/"
    subject, text = compose(data, link)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject.replace("\n", " ")[:200]
    message.set_content(text)
    return message
