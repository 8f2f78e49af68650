// Webhooks: create one (its signing secret shown once), test, re-enable a disabled one, delete,
// and the deliveries log with each attempt. Deliveries are not in the change feed: while one is
// pending the page asks again every two seconds.

import { isApiError, type DeliveryOut, type EventType, type WebhookOut } from "../../../sdk/ts/src/index.js";
import type { Page } from "../page.js";
import { byPath, button, confirmButton, fill, form, h, loading, row, secretOnce, section, showIn, table, text, when } from "../ui.js";

const EVENTS: readonly EventType[] = [
  "subscriber.created",
  "subscriber.deleted",
  "sync.completed",
  "sync.failed",
  "export.ready",
  "usage.threshold",
  "webhook.disabled",
];

function attempts(delivery: DeliveryOut): HTMLElement {
  return h(
    "ol",
    { class: "attempts" },
    ...delivery.log.map((a) =>
      h("li", {}, `${a.responseStatus ?? "no answer"}${a.error ? ` (${a.error})` : ""} in ${Math.round(a.durationMs)} ms, ${when(a.at)}`),
    ),
  );
}

export const webhooks: Page = {
  path: "webhooks",
  title: "Webhooks",
  mount(root, ctx) {
    const list = table("webhooks", ["URL", "Events", "Status", "Actions"], "No webhook yet: create one below to be told of changes.");
    const deliveries = table("deliveries", ["Event", "Status", "Attempts", "Created", "Next attempt", "Log"], "No delivery yet: press \"Test\" on a webhook to send one.");
    const listError = h("p", { class: "action-error", role: "alert", hidden: true });
    const created = h("div", { id: "created-webhook" });
    let endpoints: WebhookOut[] = [];
    let pending = false;

    const hookRow = (hook: WebhookOut): HTMLTableRowElement => {
      const disabled = hook.status === "disabled";
      return row(
        { "data-webhook": hook.id },
        h("code", {}, hook.url),
        hook.events.join(", "),
        disabled ? `disabled: ${hook.disabledReason ?? "after failures"}` : `active${hook.consecutiveFailures ? ` · ${hook.consecutiveFailures} failures in a row` : ""}`,
        h(
          "span",
          { class: "buttons" },
          button("Test", async () => {
            await ctx.team.webhooks.test({ id: hook.id });
            await loadDeliveries();
          }),
          disabled
            ? button("Re-enable", async () => {
                await ctx.team.webhooks.update({ id: hook.id, status: "active" });
                await load();
              })
            : null,
          confirmButton("Delete", "Really delete?", async () => {
            await ctx.team.webhooks.delete({ id: hook.id });
            await load();
          }),
        ),
      );
    };

    const deliveryRow = (d: DeliveryOut): HTMLTableRowElement =>
      row(
        { "data-delivery": d.id, "data-status": d.status },
        d.eventType,
        h("span", { class: `status ${d.status}` }, d.status),
        String(d.attempts),
        when(d.createdAt),
        d.nextAttemptAt ? when(d.nextAttemptAt) : "",
        d.log.length ? attempts(d) : "not sent yet",
      );

    const load = async (): Promise<void> => {
      try {
        endpoints = (await ctx.team.webhooks.list()).items;
        if (ctx.alive()) fill(list, endpoints.map(hookRow));
      } catch (err) {
        fill(list, []);
        showIn(listError, err);
      }
    };

    const loadDeliveries = async (): Promise<void> => {
      const { items } = await ctx.team.webhooks.deliveries({ limit: 50 });
      if (!ctx.alive()) return;
      pending = items.some((d) => d.status === "pending");
      fill(deliveries, items.map(deliveryRow));
    };

    const creating = form({
      id: "create-webhook",
      fields: [
        { name: "url", label: "URL", type: "url", required: true, placeholder: "https://example.com/hooks/subnest" },
        { name: "events", label: "Events", type: "checks", options: EVENTS.map((e) => [e, e] as const), checked: ["subscriber.created", "sync.completed"] },
      ],
      submit: "Create the webhook",
      fieldOf: (err) => (isApiError(err, "WEBHOOK_URL_REFUSED") ? "url" : byPath(err)),
      onSubmit: async (data, node) => {
        const made = await ctx.team.webhooks.create({
          url: text(data, "url"),
          events: data.getAll("events").map(String) as EventType[],
        });
        node.reset();
        created.replaceChildren(secretOnce(`The signing secret of ${made.webhook.url}`, made.secret));
        created.querySelector("button")?.focus(); // the Copy button, next for a keyboard
        await load();
      },
    });

    root.append(
      section("Webhooks", h("div", { class: "scroll" }, list), listError),
      created,
      section("Create a webhook", creating),
      section("Deliveries", h("div", { class: "scroll" }, deliveries)),
    );
    ctx.every(2000, async () => {
      if (pending) await loadDeliveries();
    });
    loading(list);
    loading(deliveries);
    void load();
    void loadDeliveries().catch((err: unknown) => showIn(listError, err));
  },
};
