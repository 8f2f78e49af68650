"""webhooks.*."""

from __future__ import annotations

from typing import cast

from app.auth.tiers import TEAM, TeamContext, authenticate_team
from app.runtime import Runtime
from app.schemas import Empty, IdInput, Ok
from app.webhooks.errors import RefusedUrl, WebhookLimitReached, WebhookUrlRefused
from app.webhooks.schemas import (
    CreatedWebhook,
    CreateWebhookInput,
    DeliveriesInput,
    DeliveryList,
    TestQueued,
    UpdateWebhookInput,
    WebhookList,
    WebhookOut,
)
from app.webhooks.service import WebhookService
from app.webhooks.urls import CheckedUrl, UrlRefused, webhook_urls
from rpc import Call, NotFound, Registry

__all__ = ["procedures"]

procedures = Registry()


async def _check_url(
    call: Call, data: CreateWebhookInput | UpdateWebhookInput
) -> CheckedUrl | None:
    """The new URL, checked before the unit of work opens (a DNS lookup, bounded by
    WEBHOOK_URL_CHECK_TIMEOUT_SECONDS, must not hold a pooled connection), for a caller the
    team tier lets in: nobody else can make the server resolve names."""
    if data.url is None:
        return None
    runtime = cast(Runtime, call.state)
    await authenticate_team(
        runtime, call, call.procedure.scope or "admin", fresh=call.procedure.fresh_session
    )
    try:
        return await webhook_urls(runtime).checked(data.url)
    except UrlRefused as exc:
        raise WebhookUrlRefused(str(exc), data=RefusedUrl(reason=str(exc))) from None


@procedures.procedure(
    "webhooks.create",
    tier=TEAM,
    scope="admin",
    errors=(WebhookUrlRefused, WebhookLimitReached),
    prepare=_check_url,
    fresh_session=True,
)
async def create_webhook(ctx: TeamContext, data: CreateWebhookInput) -> CreatedWebhook:
    """Send the team's events of these types to ``url`` (admin; a session signed in within
    SESSION_FRESH_MINUTES, or an API key). Each delivery is a JSON POST
    signed with the secret shown here once (``X-SubscriberNest-Signature: t=…,v1=…``, see
    docs/protocol.md). URLs that resolve to internal addresses are refused; a team has at most
    WEBHOOK_MAX_ENDPOINTS_PER_TEAM webhooks (16 by default)."""
    ctx.require("admin")
    url = cast(CheckedUrl, ctx.call.prepared)
    member = ctx.session.user.id if ctx.session is not None else None
    return await WebhookService(ctx.work).create(
        ctx.team_id, url, list(data.events), member=member, api_key=ctx.api_key_id
    )


@procedures.procedure("webhooks.list", tier=TEAM, scope="admin")
async def list_webhooks(ctx: TeamContext, data: Empty) -> WebhookList:
    """The team's webhooks (never their secrets), with status, failures in a row and who made
    each: a member or an API key. A webhook belongs to the team: revoking the key that made it
    does not stop it (decision 0023); delete it if that key leaked."""
    return WebhookList(items=await WebhookService(ctx.work).all())


@procedures.procedure(
    "webhooks.update",
    idempotent=True,
    tier=TEAM,
    scope="admin",
    errors=(NotFound, WebhookUrlRefused),
    prepare=_check_url,
    fresh_session=True,
)
async def update_webhook(ctx: TeamContext, data: UpdateWebhookInput) -> WebhookOut:
    """Change a webhook's URL, events or status (admin; a fresh session or a key).
    ``status: "active"`` turns a webhook disabled after repeated failures back on, its failure
    count reset; ``"disabled"`` pauses it. Events of the time a webhook was off are not
    delivered."""
    ctx.require("admin")
    return await WebhookService(ctx.work).update(
        data.id,
        url=cast(CheckedUrl | None, ctx.call.prepared),
        events=list(data.events) if data.events is not None else None,
        status=data.status,
    )


@procedures.procedure(
    "webhooks.delete",
    idempotent=True,
    tier=TEAM,
    scope="admin",
    errors=(NotFound,),
    fresh_session=True,
)
async def delete_webhook(ctx: TeamContext, data: IdInput) -> Ok:
    """Stop sending to a webhook (admin; a fresh session or a key); its pending deliveries are
    dropped."""
    ctx.require("admin")
    await WebhookService(ctx.work).delete(data.id)
    return Ok()


@procedures.procedure(
    "webhooks.test", idempotent=True, tier=TEAM, scope="admin", errors=(NotFound,)
)
async def test_webhook(ctx: TeamContext, data: IdInput) -> TestQueued:
    """Send a ``webhook.test`` delivery to this webhook now; follow it in webhooks.deliveries."""
    ctx.require("admin")
    delivery = await WebhookService(ctx.work).test(ctx.team_id, data.id)
    return TestQueued(delivery_id=delivery)


@procedures.procedure("webhooks.deliveries", tier=TEAM, scope="admin")
async def list_deliveries(ctx: TeamContext, data: DeliveriesInput) -> DeliveryList:
    """Recent deliveries, newest first, each with the log of its attempts."""
    return DeliveryList(
        items=await WebhookService(ctx.work).deliveries(data.endpoint_id, data.limit)
    )
