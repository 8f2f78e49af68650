// Overview: the team's counts by status and the latest changes from the stream.

import type { ChangeEvent } from "../../../sdk/ts/src/sync.js";
import type { Page } from "../page.js";
import { fill, h, row, section, showIn, table } from "../ui.js";
import { usageAlerts } from "./usage.js";

const RECENT = 20;
const STATUSES = ["subscribed", "unsubscribed", "pending", "bounced", "cleaned", "deleted", "total"] as const;

function describe(change: ChangeEvent): string {
  switch (change.table) {
    case "subscribers": {
      const { email, firstName, lastName } = change.row;
      const name = [firstName, lastName].filter(Boolean).join(" ");
      return `${email}${name ? ` (${name})` : ""}`;
    }
    case "sync_runs":
      return `sync ${change.row.status}`;
    case "exports":
      return `export ${change.row.status}`;
    case "esp_connections":
      return change.row.name;
  }
}

export const overview: Page = {
  path: "overview",
  title: "Overview",
  mount(root, ctx) {
    const counts = h("dl", { id: "counts", "aria-busy": "true" }, "Loading…");
    const changes = table("changes", ["Table", "Change", "What"], "Nothing has changed since you opened the page: changes appear here as they happen.");
    fill(changes, []);
    const alerts = h("div", { id: "usage-alerts" });
    root.append(alerts, section("Subscribers", counts), section("Recent changes", changes));
    // The usage page shows why usage cannot be read; here an alert is only a reminder.
    void ctx.team.usage.get().then((shown) => alerts.replaceChildren(...usageAlerts(shown)), () => undefined);

    const loadCounts = async (): Promise<void> => {
      const shown = await ctx.team.subscribers.counts();
      if (!ctx.alive()) return;
      counts.removeAttribute("aria-busy");
      counts.replaceChildren(
        ...STATUSES.map((status) =>
          h("div", { class: "count" }, h("dt", {}, status), h("dd", { "data-count": status }, String(shown[status] ?? 0))),
        ),
      );
    };
    let timer: number | undefined;
    const recent: HTMLTableRowElement[] = [];
    ctx.onChange((batch) => {
      for (const change of batch) {
        recent.unshift(row({}, change.table, change.op, describe(change)));
        if (change.table === "subscribers") {
          window.clearTimeout(timer);
          timer = window.setTimeout(() => void loadCounts().catch((err: unknown) => showIn(counts, err)), 250);
        }
      }
      recent.splice(RECENT);
      fill(changes, recent);
    });
    void loadCounts().catch((err: unknown) => showIn(counts, err));
  },
};
