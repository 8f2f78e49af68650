// History: subscribers by status per day (subscribers.history, from the daily rollup) and the
// volume of each sync run (syncRuns.list), charted by web/src/history.ts; drawn again when the
// feed reports a run finished.

import type { Page } from "../page.js";
import { mountHistory } from "../history.js";
import { h, showIn } from "../ui.js";

const FINISHED = new Set(["succeeded", "failed", "needs_review"]);

export const history: Page = {
  path: "history",
  title: "History",
  mount(root, ctx) {
    const box = h("section", { id: "history" });
    const error = h("p", { class: "action-error", role: "alert", hidden: true });
    root.append(error, box);
    const charts = mountHistory(box, ctx.team, (err) => showIn(error, err));
    ctx.onUnmount(() => charts.destroy());
    void charts.refresh();
    ctx.onChange((batch) => {
      const ended = batch.some(
        (c) => c.table === "sync_runs" && c.op === "upsert" && FINISHED.has(String(c.row.status)),
      );
      if (ended && ctx.alive()) void charts.refresh();
    });
  },
};
