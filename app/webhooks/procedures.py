"""webhooks.*."""

from __future__ import annotations

from app.auth.tiers import TEAM, TeamContext
from app.schemas import Empty, IdInput, Ok
from app.webhooks.errors import WebhookUrlRefused
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
from rpc import NotFound, Registry

__all__ = ["procedures"]

procedures = Registry()


@procedures.procedure("webhooks.create", tier=TEAM, errors=(WebhookUrlRefused,))
async def create_webhook(ctx: TeamContext, data: CreateWebhookInput) -> CreatedWebhook:
    """Send the team's events of these types to ``url`` (admin). Each delivery is a JSON POST
    signed with the secret shown here once (``X-SubscriberNest-Signature: t=…,v1=…``, see
    docs/protocol.md). URLs that resolve to internal addresses are refused."""
    ctx.require("admin")
    return await ctx.services.webhooks.create(ctx.team_id, data.url, list(data.events))


@procedures.procedure("webhooks.list", tier=TEAM)
async def list_webhooks(ctx: TeamContext, data: Empty) -> WebhookList:
    """The team's webhooks (never their secrets), with status and failures in a row."""
    return WebhookList(items=await ctx.services.webhooks.all())


@procedures.procedure("webhooks.update", tier=TEAM, errors=(NotFound, WebhookUrlRefused))
async def update_webhook(ctx: TeamContext, data: UpdateWebhookInput) -> WebhookOut:
    """Change a webhook's URL, events or status (admin). ``status: "active"`` turns a webhook
    disabled after repeated failures back on, its failure count reset; ``"disabled"`` pauses
    it. Events of the time a webhook was off are not delivered."""
    ctx.require("admin")
    return await ctx.services.webhooks.update(
        data.id,
        url=data.url,
        events=list(data.events) if data.events is not None else None,
        status=data.status,
    )


@procedures.procedure("webhooks.delete", tier=TEAM, errors=(NotFound,))
async def delete_webhook(ctx: TeamContext, data: IdInput) -> Ok:
    """Stop sending to a webhook (admin); its pending deliveries are dropped."""
    ctx.require("admin")
    await ctx.services.webhooks.delete(data.id)
    return Ok()


@procedures.procedure("webhooks.test", tier=TEAM, errors=(NotFound,))
async def test_webhook(ctx: TeamContext, data: IdInput) -> TestQueued:
    """Send a ``webhook.test`` delivery to this webhook now; follow it in webhooks.deliveries."""
    ctx.require("admin")
    delivery = await ctx.services.webhooks.test(
        ctx.team_id, data.id, after_commit=ctx.services.after_commit
    )
    return TestQueued(delivery_id=delivery)


@procedures.procedure("webhooks.deliveries", tier=TEAM)
async def list_deliveries(ctx: TeamContext, data: DeliveriesInput) -> DeliveryList:
    """Recent deliveries, newest first, each with the log of its attempts."""
    return DeliveryList(items=await ctx.services.webhooks.deliveries(data.endpoint_id, data.limit))
