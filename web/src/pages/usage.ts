// Usage against the plan (usage.get): a bar per metric, and an alert from 90 % of a limit.

import type { MetricUsage, UsageOut } from "../../../sdk/ts/src/index.js";
import type { Page } from "../page.js";
import { h, section, showIn } from "../ui.js";

const ALERT_PERCENT = 90;
const LABEL: Record<string, string> = {
  synced_subscribers: "Synced subscribers",
  api_requests: "API requests",
};

function meter(metric: MetricUsage): HTMLElement {
  const label = LABEL[metric.metric] ?? metric.metric;
  const over = metric.percent !== null && metric.percent >= ALERT_PERCENT;
  const limit = metric.limit === null ? "no limit" : `of ${metric.limit.toLocaleString()}`;
  return h(
    "div",
    { class: `metric${over ? " over" : ""}`, "data-metric": metric.metric },
    h("span", { class: "metric-label" }, label),
    metric.limit === null
      ? null
      : h("meter", { min: 0, max: metric.limit, value: Math.min(metric.used, metric.limit), high: (metric.limit * ALERT_PERCENT) / 100, "aria-label": label }),
    h("span", {}, `${metric.used.toLocaleString()} ${limit}${metric.percent === null ? "" : ` (${metric.percent}%)`}`),
  );
}

/** An alert per metric at or above 90 % of the plan's limit (shown here and on the overview). */
export function usageAlerts(shown: UsageOut): HTMLElement[] {
  return shown.metrics
    .filter((m) => m.percent !== null && m.percent >= ALERT_PERCENT)
    .map((m) =>
      h(
        "p",
        { class: "alert", role: "alert" },
        `${LABEL[m.metric] ?? m.metric}: ${m.percent}% of the plan's limit is used. Upgrade the plan or reduce use before it runs out.`,
      ),
    );
}

export const usage: Page = {
  path: "usage",
  title: "Usage",
  mount(root, ctx) {
    const body = h("div", { id: "usage", "aria-busy": "true" }, "Loading…");
    const alerts = h("div", { id: "usage-alerts" });
    root.append(section("Usage this period", alerts, body));
    const load = async (): Promise<void> => {
      const shown = await ctx.team.usage.get();
      if (!ctx.alive()) return;
      body.removeAttribute("aria-busy");
      const period = `${new Date(shown.periodStart).toLocaleDateString()} – ${new Date(shown.periodEnd).toLocaleDateString()}`;
      body.replaceChildren(h("p", {}, `Plan ${shown.plan}, ${period}.`), ...shown.metrics.map(meter));
      alerts.replaceChildren(...usageAlerts(shown));
    };
    let timer: number | undefined;
    ctx.onChange((batch) => {
      if (!batch.some((c) => c.table === "subscribers")) return;
      window.clearTimeout(timer);
      timer = window.setTimeout(() => void load().catch((err: unknown) => showIn(body, err)), 500);
    });
    void load().catch((err: unknown) => showIn(body, err));
  },
};
