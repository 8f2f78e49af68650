// ESP connections: add (credentials checked by the provider, its refusal shown at the field),
// edit, pause or resume, delete, "Sync now" with live progress, and each connection's sync
// history (counts, conflicts, errors, duration), kept current from the stream.

import { isApiError, type ConnectionOut, type SyncRunOut } from "../../../sdk/ts/src/index.js";
import type { Page } from "../page.js";
import {
  button,
  byPath,
  confirmButton,
  duration,
  fill,
  form,
  h,
  loading,
  row,
  section,
  showIn,
  table,
  text,
  when,
  type FieldOf,
} from "../ui.js";

const PROVIDERS = [
  ["mailchimp", "Mailchimp"],
  ["kit", "Kit"],
  ["beehiiv", "beehiiv"],
  ["mailerlite", "MailerLite"],
  ["brevo", "Brevo"],
] as const;
type Provider = (typeof PROVIDERS)[number][0];

// What each provider calls the list a connection syncs (its refusal names it so).
const LIST_NAMES = ["audience id", "publication id", "group id", "list id"];

/** The provider's refusal is about the list id when it names it, else about the API key. */
const connectionField: FieldOf = (err) => {
  if (isApiError(err, "ESP_CREDENTIALS_REJECTED")) {
    const said = err.body.message.toLowerCase();
    return LIST_NAMES.some((name) => said.includes(name)) ? "listId" : "apiKey";
  }
  const path = byPath(err);
  return path === "credentials" ? "apiKey" : path;
};

// The latest run's progress per connection, kept across pages: "queued", "running · 120 rows".
const progress = new Map<string, string>();

function runProgress(run: SyncRunOut): string {
  if (run.status === "failed") return `failed · ${run.errorKind ?? "error"}: ${run.error ?? "no reason given"}`;
  // Nothing deleted: an admin approves it with syncRuns.approve (README, "Syncing subscribers").
  if (run.status === "needs_review") return `needs review · would delete ${run.withheld} of ${run.liveBefore ?? "?"}`;
  return `${run.status} · ${run.rowsSeen} rows`;
}

function runRow(run: SyncRunOut): HTMLTableRowElement {
  const error = run.error ? h("span", { class: "error-kind" }, run.errorKind ?? "error", ": ", run.error) : "";
  return row(
    { "data-run": run.id, "data-status": run.status },
    when(run.queuedAt),
    run.trigger,
    h("span", { class: `status ${run.status}` }, run.status),
    String(run.rowsSeen),
    String(run.created),
    String(run.updated),
    String(run.deleted),
    String(run.unchanged),
    String(run.conflicts),
    String(run.skipped),
    duration(run.startedAt, run.finishedAt),
    error,
  );
}

export const connections: Page = {
  path: "connections",
  title: "Connections",
  mount(root, ctx) {
    const list = table(
      "connections",
      ["Name", "Provider", "List", "Status", "Last sync", "Actions", "Progress"],
      "No connection yet: add one below with your provider's API key.",
    );
    const listError = h("p", { class: "action-error", role: "alert", hidden: true });
    const editor = h("div", { id: "edit-connection" });
    const runs = table(
      "runs",
      ["Queued", "Trigger", "Status", "Rows", "Created", "Updated", "Deleted", "Unchanged", "Conflicts", "Skipped", "Duration", "Error"],
      "No sync yet: press \"Sync now\" on the connection.",
    );
    const historyTitle = h("p", { id: "history-of" });
    const history = h("section", { id: "history", hidden: true }, h("h2", {}, "Sync history"), historyTitle, h("div", { class: "scroll" }, runs));
    let shown: ConnectionOut[] = [];
    let selected: string | null = null;
    let selectedRuns: SyncRunOut[] = [];

    const draw = (): void => {
      fill(list, shown.map((c) => connectionRow(c)));
    };

    const connectionRow = (connection: ConnectionOut): HTMLTableRowElement => {
      const paused = connection.status === "paused";
      const actions = h(
        "span",
        { class: "buttons" },
        button("Sync now", async () => {
          const queued = await ctx.team.espConnections.sync({ id: connection.id });
          if (!selectedRuns.some((r) => r.id === queued.syncRunId)) setProgress(connection.id, "queued");
          await openHistory(connection.id);
        }),
        button("History", () => openHistory(connection.id)),
        button("Edit", async () => edit(connection)),
        button(paused ? "Resume" : "Pause", async () => {
          await ctx.team.espConnections.update({ id: connection.id, status: paused ? "active" : "paused" });
        }),
        confirmButton("Delete", "Really delete?", async () => {
          await ctx.team.espConnections.delete({ id: connection.id });
        }),
      );
      const status = h("span", { class: `status ${connection.status}` }, connection.status);
      return row(
        { "data-connection": connection.id },
        connection.name,
        connection.provider,
        connection.listId ?? "",
        connection.statusReason ? h("span", {}, status, h("small", { class: "reason" }, ` ${connection.statusReason}`)) : status,
        when(connection.lastSyncedAt),
        actions,
        h("span", { class: "progress" }, progress.get(connection.id) ?? ""),
      );
    };

    const setProgress = (connectionId: string, value: string): void => {
      progress.set(connectionId, value);
      const target = list.querySelector(`tr[data-connection="${connectionId}"] .progress`);
      if (target) target.textContent = value;
    };

    const load = async (): Promise<void> => {
      const { items } = await ctx.team.espConnections.list();
      if (!ctx.alive()) return;
      shown = items;
      draw();
    };

    const drawRuns = (): void => {
      fill(runs, selectedRuns.map(runRow));
    };

    // Runs of the shown connection, newest first; of two copies of a run, the later one.
    const merge = (incoming: readonly SyncRunOut[]): void => {
      const byId = new Map(selectedRuns.map((r) => [r.id, r]));
      for (const run of incoming) {
        const known = byId.get(run.id);
        if (run.connectionId === selected && (!known || known.updatedAt <= run.updatedAt)) byId.set(run.id, run);
      }
      selectedRuns = [...byId.values()].sort((a, b) => b.queuedAt.localeCompare(a.queuedAt));
      drawRuns();
    };

    const openHistory = async (connectionId: string): Promise<void> => {
      if (selected !== connectionId) selectedRuns = [];
      selected = connectionId;
      history.hidden = false;
      historyTitle.textContent = `Runs of ${shown.find((c) => c.id === connectionId)?.name ?? "the connection"}, newest first.`;
      if (!selectedRuns.length) loading(runs);
      const { items } = await ctx.team.syncRuns.list({ connectionId, limit: 20 });
      if (!ctx.alive() || selected !== connectionId) return;
      merge(items);
    };

    const edit = (connection: ConnectionOut): void => {
      const editing = form({
        id: "edit-form",
        fields: [
          { name: "name", label: "Name", value: connection.name, required: true },
          { name: "apiKey", label: "New API key", type: "password", hint: "Leave empty to keep the stored one." },
        ],
        submit: "Save",
        fieldOf: connectionField,
        onSubmit: async (data) => {
          const apiKey = text(data, "apiKey");
          await ctx.team.espConnections.update({
            id: connection.id,
            name: text(data, "name"),
            credentials: apiKey ? { apiKey } : null,
          });
          editor.replaceChildren();
        },
        extra: [h("button", { type: "button", onclick: () => editor.replaceChildren() }, "Cancel")],
      });
      editor.replaceChildren(h("h2", {}, `Edit ${connection.name}`), editing);
      editing.querySelector("input")?.focus();
    };

    const adding = form({
      id: "add-connection",
      fields: [
        { name: "provider", label: "Provider", type: "select", options: PROVIDERS, value: "mailchimp" },
        { name: "name", label: "Name", required: true, placeholder: "Newsletter" },
        { name: "apiKey", label: "API key", type: "password", required: true, hint: "Checked with the provider before it is stored; never shown again." },
        { name: "listId", label: "List id", hint: "Mailchimp: the audience id; beehiiv: the publication id (both required); MailerLite: a group id (optional)." },
      ],
      submit: "Add the connection",
      fieldOf: connectionField,
      onSubmit: async (data, node) => {
        await ctx.team.espConnections.create({
          provider: text(data, "provider") as Provider,
          name: text(data, "name"),
          credentials: { apiKey: text(data, "apiKey") },
          listId: text(data, "listId") || null,
        });
        node.reset();
        await load();
      },
    });

    root.append(
      section("ESP connections", h("div", { class: "scroll" }, list), listError),
      editor,
      history,
      section("Add a connection", adding),
    );

    ctx.onChange((batch) => {
      let reload = false;
      for (const change of batch) {
        if (change.table === "esp_connections") reload = true;
        if (change.table !== "sync_runs") continue;
        setProgress(change.row.connectionId, runProgress(change.row));
        merge([change.row]);
        if (["succeeded", "failed", "needs_review"].includes(change.row.status)) reload = true;
      }
      if (reload) void load().catch((err: unknown) => showIn(listError, err));
    });
    loading(list);
    void load().catch((err: unknown) => showIn(listError, err));
  },
};
