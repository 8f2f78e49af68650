// The dashboard's charts: subscribers over time by status (subscribers.history, read from the
// daily rollup) and the volume of each sync run (syncRuns.list). Drawn with uPlot; refreshed by
// the page when its feed reports a run finished.

import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

import type { Client, SubscriberHistory, SyncRunOut } from "../../sdk/ts/src/index.js";

const DAYS = 90;
const RUNS = 30;
const STATUSES = ["subscribed", "unsubscribed", "pending", "bounced", "cleaned"] as const;
const COLOURS: Record<(typeof STATUSES)[number], string> = {
  subscribed: "#2f7d4f",
  unsubscribed: "#b4572e",
  pending: "#c59a1a",
  bounced: "#8a3ca8",
  cleaned: "#6b7785",
};
// Stacked: each bar is drawn from the total down, so the last drawn shows at the bottom.
const VOLUME = [
  ["created", "#2f7d4f"],
  ["updated", "#3569b5"],
  ["deleted", "#b4572e"],
] as const;

export interface HistoryCharts {
  refresh(): Promise<void>;
  destroy(): void;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text = ""): HTMLElementTagNameMap[K] {
  const made = document.createElement(tag);
  made.textContent = text;
  return made;
}

function figure(root: HTMLElement, id: string, title: string): { plot: HTMLElement; caption: HTMLElement } {
  const box = element("figure");
  box.id = id;
  const caption = element("figcaption");
  const plot = element("div");
  plot.className = "plot";
  box.append(element("h3", title), plot, caption);
  root.append(box);
  return { plot, caption };
}

function width(of: HTMLElement): number {
  return Math.max(280, Math.min(of.clientWidth || 640, 960));
}

function day(iso: string): number {
  return Date.parse(`${iso}T00:00:00Z`) / 1000;
}

function number(value: number): string {
  return value.toLocaleString("en-US");
}

function statusChart(target: HTMLElement, history: SubscriberHistory): uPlot {
  const data: uPlot.AlignedData = [history.days.map(day), ...STATUSES.map((status) => history[status])];
  return new uPlot(
    {
      width: width(target),
      height: 260,
      tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), "Etc/UTC"),
      series: [
        { label: "day", value: "{YYYY}-{MM}-{DD}" },
        ...STATUSES.map((status) => ({ label: status, stroke: COLOURS[status], width: 2 })),
      ],
      axes: [{}, { size: 60 }],
    },
    data,
    target,
  );
}

function volumeChart(target: HTMLElement, runs: SyncRunOut[]): uPlot {
  const order = Array.from(runs.keys());
  const stacked = VOLUME.map((_, i) =>
    runs.map((run) => VOLUME.slice(i).reduce((sum, [field]) => sum + run[field], 0)),
  );
  const bars = uPlot.paths.bars?.({ size: [0.7, 40] });
  const label = (index: number): string => {
    const run = runs[index];
    return run?.finishedAt ? new Date(run.finishedAt).toLocaleString() : "";
  };
  return new uPlot(
    {
      width: width(target),
      height: 220,
      scales: { x: { time: false, range: [-0.5, Math.max(runs.length - 0.5, 0.5)] } },
      series: [
        { label: "run", value: (_u, index) => (index == null ? "" : label(Math.round(index))) },
        ...VOLUME.map(([field, colour]) => ({
          label: field,
          fill: colour,
          stroke: colour,
          paths: bars,
          points: { show: false },
          // The legend tells the run's own count, not the stacked height.
          value: (_u: uPlot, _v: number | null, _s: number, index: number | null) =>
            index == null ? "" : number(runs[index]?.[field] ?? 0),
        })),
      ],
      axes: [
        { values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? label(t).split(",")[0] ?? "" : "")) },
        { size: 60 },
      ],
    },
    [order, ...stacked],
    target,
  );
}

function emptyState(caption: HTMLElement, text: string): void {
  caption.textContent = text;
  caption.classList.add("empty");
}

/** Render the chart section into ``root`` for the team's client; ``refresh`` reloads both. */
export function mountHistory(root: HTMLElement, team: Client, onError: (err: unknown) => void): HistoryCharts {
  root.replaceChildren(element("h2", "History"));
  const subscribers = figure(root, "history-subscribers", `Subscribers by status, last ${DAYS} days`);
  const volume = figure(root, "history-volume", "Sync volume per run");
  let charts: uPlot[] = [];
  let loading: Promise<void> | null = null;

  async function load(): Promise<void> {
    root.setAttribute("aria-busy", "true");
    try {
      const [history, runs] = await Promise.all([
        team.subscribers.history({ days: DAYS }),
        team.syncRuns.list({ limit: RUNS }),
      ]);
      for (const chart of charts) chart.destroy();
      charts = [];
      drawSubscribers(history);
      drawVolume(runs.items.filter((run) => run.status === "succeeded").reverse()); // oldest first
    } finally {
      root.removeAttribute("aria-busy");
    }
  }

  function drawSubscribers(history: SubscriberHistory): void {
    const { plot, caption } = subscribers;
    plot.dataset.points = String(history.days.length);
    plot.dataset.first = history.days[0] ?? "";
    plot.dataset.last = history.days[history.days.length - 1] ?? "";
    caption.classList.remove("empty");
    if (history.days.length === 0) {
      emptyState(caption, "No history yet: subscribers are counted every five minutes and after each sync.");
      return;
    }
    charts.push(statusChart(plot, history));
    const last = history.days.length - 1;
    const now = history.subscribed[last] ?? 0;
    const then = history.subscribed[0] ?? 0;
    const change = now - then;
    caption.textContent =
      `${number(now)} subscribed on ${history.days[last]} ` +
      `(${change >= 0 ? "+" : "−"}${number(Math.abs(change))} since ${history.days[0]}), ` +
      `${number(history.unsubscribed[last] ?? 0)} unsubscribed.`;
  }

  function drawVolume(runs: SyncRunOut[]): void {
    const { plot, caption } = volume;
    plot.dataset.points = String(runs.length);
    caption.classList.remove("empty");
    if (runs.length === 0) {
      emptyState(caption, "No finished sync yet: press “Sync now” on a connection.");
      return;
    }
    charts.push(volumeChart(plot, runs));
    const latest = runs[runs.length - 1];
    if (latest) {
      caption.textContent =
        `Latest run: ${number(latest.rowsSeen)} rows listed, ${number(latest.created)} created, ` +
        `${number(latest.updated)} updated, ${number(latest.deleted)} deleted, ` +
        `${number(latest.conflicts)} conflicts.`;
    }
  }

  const resize = (): void => {
    for (const chart of charts) chart.setSize({ width: width(chart.root.parentElement ?? root), height: chart.height });
  };
  window.addEventListener("resize", resize);

  return {
    // Calls while one is loading wait for it, then load once more (what changed meanwhile).
    async refresh(): Promise<void> {
      const previous = loading;
      const next = (async () => {
        await previous?.catch(() => undefined);
        await load();
      })();
      loading = next;
      try {
        await next;
      } catch (err) {
        onError(err);
      } finally {
        if (loading === next) loading = null;
      }
    },
    destroy(): void {
      window.removeEventListener("resize", resize);
      for (const chart of charts) chart.destroy();
      charts = [];
      root.replaceChildren();
    },
  };
}
