// Subscribers: keyset pages (the API's `nextAfter` cursor), filters by status, connection and
// search, a detail view with an edit form (local fields, names, status), delete and restore,
// and CSV/NDJSON exports of what the filters select. Rows shown follow the stream.

import type { SubscriberFilter, SubscriberOut, SubscriberPageInput } from "../../../sdk/ts/src/index.js";
import type { Page } from "../page.js";
import { FieldError, button, confirmButton, fill, form, h, loading, row, section, showIn, table, text, when, type Field } from "../ui.js";

const PAGE_SIZE = 25;
const STATUSES = ["subscribed", "unsubscribed", "pending", "bounced", "cleaned"] as const;
type Status = (typeof STATUSES)[number];

function fullName(s: SubscriberOut): string {
  return [s.firstName, s.lastName].filter(Boolean).join(" ");
}

export const subscribers: Page = {
  path: "subscribers",
  title: "Subscribers",
  mount(root, ctx) {
    let filter: SubscriberFilter = {};
    let cursors: (string | null)[] = [null]; // the `after` of each page up to the one shown
    let nextAfter: string | null = null;
    let items: SubscriberOut[] = [];
    let open: string | null = null;
    const names = new Map<string, string>(); // connection id → its name

    const list = table("subscribers", ["Email", "Name", "Status", "Connection", "Added"], "");
    const listError = h("p", { class: "action-error", role: "alert", hidden: true });
    const pageInfo = h("span", { id: "page-info", role: "status" });
    const previous = h("button", { type: "button", id: "previous", disabled: true }, "Previous page");
    const next = h("button", { type: "button", id: "next", disabled: true }, "Next page");
    const detail = h("section", { id: "subscriber", hidden: true, "aria-live": "polite" });
    const exportStatus = h("span", { id: "export-status", role: "status" });
    // Subscribers added since the first page was read, newer than its newest row: they would
    // show at its top, so the page says so rather than moving its rows under the reader.
    const fresh = new Set<string>();
    const freshNote = h("button", { type: "button", id: "fresh", class: "link", hidden: true, onclick: () => void reload() });

    const connectionSelect = h("select", { name: "connection", id: "filter-connection" }, h("option", { value: "" }, "any"));
    const filters = h(
      "form",
      { id: "search", class: "filters", role: "search" },
      h("label", {}, "Search ", h("input", { name: "q", type: "search", placeholder: "email or name" })),
      h(
        "label",
        {},
        "Status ",
        h("select", { name: "status", id: "filter-status" }, h("option", { value: "" }, "any"), ...STATUSES.map((s) => h("option", { value: s }, s))),
      ),
      h("label", {}, "Connection ", connectionSelect),
      h("label", {}, h("input", { type: "checkbox", name: "deleted" }), " deleted ones"),
      h("button", { type: "submit" }, "Filter"),
    );

    const emptyText = (): string =>
      filter.search || filter.status || filter.connectionId || filter.deleted
        ? "No subscriber matches these filters: change or clear them."
        : "No subscriber yet: add a connection and sync it, or create some with subscribers.create.";

    const draw = (): void => {
      list.dataset.empty = emptyText();
      fill(list, items.map(subscriberRow));
      const page = cursors.length;
      pageInfo.textContent = items.length ? `Page ${page} · ${items.length} shown` : "";
      previous.disabled = page <= 1;
      next.disabled = nextAfter === null;
    };

    const subscriberRow = (s: SubscriberOut): HTMLTableRowElement =>
      row(
        { "data-subscriber": s.id, class: s.id === open ? "selected" : undefined },
        h("button", { type: "button", class: "link", onclick: () => void show(s.id) }, s.email),
        fullName(s),
        s.deletedAt ? "deleted" : s.status,
        s.connectionId ? (names.get(s.connectionId) ?? "") : "local",
        when(s.createdAt),
      );

    const reload = (): Promise<void> => {
      cursors = [null];
      return load();
    };

    const load = async (): Promise<void> => {
      fresh.clear();
      freshNote.hidden = true;
      const after = cursors[cursors.length - 1] ?? null;
      const input: SubscriberPageInput = { ...(filter as SubscriberPageInput), after, limit: PAGE_SIZE };
      loading(list);
      previous.disabled = next.disabled = true;
      try {
        const page = await ctx.team.subscribers.list(input);
        if (!ctx.alive()) return;
        listError.hidden = true;
        items = page.items;
        nextAfter = page.nextAfter;
      } catch (err) {
        showIn(listError, err);
        items = [];
        nextAfter = null;
      }
      draw();
    };

    const show = async (id: string): Promise<void> => {
      open = id;
      draw();
      detail.hidden = false;
      detail.replaceChildren(h("p", { "aria-busy": "true" }, "Loading…"));
      try {
        renderDetail(await ctx.team.subscribers.get({ id }));
      } catch (err) {
        showIn(detail, err);
      }
    };

    const renderDetail = (s: SubscriberOut): void => {
      if (!ctx.alive() || open !== s.id) return;
      const fields: Field[] = [
        { name: "firstName", label: "First name", value: s.firstName ?? "" },
        { name: "lastName", label: "Last name", value: s.lastName ?? "" },
        { name: "status", label: "Status", type: "select", options: STATUSES.map((x) => [x, x] as const), value: s.status },
        {
          name: "localFields",
          label: "Local fields (JSON)",
          type: "textarea",
          value: JSON.stringify(s.localFields, null, 2),
          hint: "Yours alone: a sync never overwrites them.",
        },
      ];
      const editing = form({
        id: "edit-subscriber",
        fields,
        submit: "Save",
        onSubmit: async (data) => {
          let localFields: Record<string, unknown>;
          try {
            localFields = JSON.parse(text(data, "localFields") || "{}") as Record<string, unknown>;
          } catch {
            throw new FieldError("localFields", 'Local fields must be a JSON object, e.g. {"plan": "gold"}.');
          }
          const saved = await ctx.team.subscribers.update({
            id: s.id,
            firstName: text(data, "firstName"),
            lastName: text(data, "lastName"),
            status: text(data, "status") as Status,
            localFields,
          });
          replace(saved);
          status.textContent = "Saved.";
        },
      });
      const status = h("span", { role: "status", class: "saved" });
      const synced = s.connectionId
        ? h("p", { class: "hint" }, `Synced from ${names.get(s.connectionId) ?? "a connection"}: its next sync overwrites names and status (a conflict), never local fields.`)
        : null;
      const actions = s.deletedAt
        ? button("Restore", async () => replace(await ctx.team.subscribers.restore({ id: s.id })))
        : confirmButton("Delete", "Really delete?", async () => {
            await ctx.team.subscribers.delete({ id: s.id });
            await show(s.id);
          });
      detail.replaceChildren(
        h("h2", {}, s.email),
        h(
          "dl",
          { class: "facts" },
          h("dt", {}, "Status"),
          h("dd", { "data-field": "status" }, s.deletedAt ? `deleted ${when(s.deletedAt)}` : s.status),
          h("dt", {}, "External id"),
          h("dd", {}, s.externalId ?? "none"),
          h("dt", {}, "Updated"),
          h("dd", {}, when(s.updatedAt)),
          h("dt", {}, "Custom fields"),
          h("dd", {}, h("code", {}, JSON.stringify(s.customFields))),
        ),
        synced ?? "",
        s.deletedAt ? h("p", { class: "hint" }, "Deleted: restore it to edit it.") : editing,
        status,
        h("div", { class: "actions" }, actions, h("button", { type: "button", onclick: () => close() }, "Close")),
      );
    };

    const close = (): void => {
      open = null;
      detail.hidden = true;
      draw();
    };

    // A subscriber changed (here or anywhere): the row shown and the open detail follow it.
    const replace = (s: SubscriberOut): void => {
      const at = items.findIndex((x) => x.id === s.id);
      if (at >= 0) {
        items[at] = s;
        draw();
      } else if (isFresh(s)) {
        fresh.add(s.id);
        freshNote.textContent = fresh.size === 1 ? "1 new subscriber: show" : `${fresh.size} new subscribers: show`;
        freshNote.hidden = false;
      }
      if (open === s.id && !detail.querySelector("form:focus-within")) renderDetail(s);
    };

    const isFresh = (s: SubscriberOut): boolean =>
      cursors.length === 1 &&
      !s.deletedAt &&
      !filter.deleted &&
      !filter.search && // words are matched by the server: it is not guessed here
      (!filter.status || s.status === filter.status) &&
      (!filter.connectionId || s.connectionId === filter.connectionId) &&
      Date.parse(s.createdAt) > Date.parse(items[0]?.createdAt ?? "1970-01-01T00:00:00Z");

    const exportAs = async (format: "csv" | "ndjson"): Promise<void> => {
      let current = await ctx.team.exports.create({ format, filter });
      exportStatus.textContent = `export ${current.status}…`;
      while (current.status === "queued" || current.status === "running") {
        await new Promise((resolve) => window.setTimeout(resolve, 500));
        current = await ctx.team.exports.get({ id: current.id });
        exportStatus.textContent = `export ${current.status}: ${current.rowCount} of ${current.totalRows ?? "?"} rows`;
      }
      if (current.status !== "succeeded" || !current.downloadUrl) {
        throw new Error(`the export ${current.status}: ${current.error ?? "no file"}`);
      }
      const rows = current.rowCount === 1 ? "1 row" : `${current.rowCount} rows`;
      exportStatus.replaceChildren(h("a", { href: current.downloadUrl, download: "" }, `Download ${format.toUpperCase()} (${rows})`));
    };

    filters.addEventListener("submit", (event) => {
      event.preventDefault();
      const data = new FormData(filters);
      filter = {
        search: text(data, "q") || null,
        status: (text(data, "status") || null) as Status | null,
        connectionId: text(data, "connection") || null,
        deleted: data.get("deleted") !== null,
      };
      void reload();
    });
    next.addEventListener("click", () => {
      cursors.push(nextAfter);
      void load();
    });
    previous.addEventListener("click", () => {
      cursors.pop();
      void load();
    });

    root.append(
      section(
        "Subscribers",
        filters,
        freshNote,
        h("div", { class: "scroll" }, list),
        listError,
        h("div", { class: "pager" }, previous, " ", next, " ", pageInfo),
        h(
          "div",
          { class: "exports" },
          button("Export CSV", () => exportAs("csv"), { id: "export-csv" }),
          button("Export NDJSON", () => exportAs("ndjson"), { id: "export-ndjson" }),
          exportStatus,
        ),
      ),
      detail,
    );

    ctx.onChange((batch) => {
      for (const change of batch) if (change.table === "subscribers") replace(change.row);
    });
    void ctx.team.espConnections.list().then(({ items: all }) => {
      for (const c of all) {
        names.set(c.id, c.name);
        connectionSelect.append(h("option", { value: c.id }, c.name));
      }
      if (items.length) draw();
    });
    void load();
  },
};
