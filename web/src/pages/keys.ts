// API keys: create one (scopes, expiry) and see its secret once, with a copy button; revoke.

import type { ApiKeyOut } from "../../../sdk/ts/src/index.js";
import type { Page } from "../page.js";
import { confirmButton, fill, form, h, loading, row, secretOnce, section, showIn, table, text, when } from "../ui.js";

const SCOPES = [
  ["read", "read"],
  ["write", "write (and read)"],
  ["admin", "admin (everything)"],
] as const;

export const keys: Page = {
  path: "keys",
  title: "API keys",
  mount(root, ctx) {
    const list = table("keys", ["Name", "Key", "Scopes", "Expires", "Last used", "Status", ""], "No API key yet: create one below for your scripts and servers.");
    const listError = h("p", { class: "action-error", role: "alert", hidden: true });
    const created = h("div", { id: "created-key" });

    const keyRow = (key: ApiKeyOut): HTMLTableRowElement =>
      row(
        { "data-key": key.id },
        key.name,
        h("code", {}, `${key.prefix}…`),
        key.scopes.join(", "),
        key.expiresAt ? when(key.expiresAt) : "never",
        when(key.lastUsedAt),
        key.revokedAt ? `revoked ${when(key.revokedAt)}` : "active",
        key.revokedAt
          ? ""
          : confirmButton("Revoke", "Really revoke?", async () => {
              await ctx.team.apiKeys.revoke({ id: key.id });
              await load();
            }),
      );

    const load = async (): Promise<void> => {
      try {
        const { items } = await ctx.team.apiKeys.list();
        if (ctx.alive()) fill(list, items.map(keyRow));
      } catch (err) {
        fill(list, []);
        showIn(listError, err);
      }
    };

    const creating = form({
      id: "create-key",
      fields: [
        { name: "name", label: "Name", required: true, placeholder: "nightly import" },
        { name: "scopes", label: "Scopes", type: "checks", options: SCOPES, checked: ["read"] },
        { name: "expiresInDays", label: "Expires in (days)", type: "number", hint: "Leave empty for a key that does not expire." },
      ],
      submit: "Create the key",
      onSubmit: async (data, node) => {
        const days = text(data, "expiresInDays");
        const scopes = data.getAll("scopes").map(String) as ("admin" | "read" | "write")[];
        const made = await ctx.team.apiKeys.create({
          name: text(data, "name"),
          scopes: scopes.length ? scopes : null,
          expiresInDays: days ? Number(days) : null,
        });
        node.reset();
        created.replaceChildren(secretOnce(`The key "${made.apiKey.name}"`, made.key));
        created.querySelector("button")?.focus(); // the Copy button, next for a keyboard
        await load();
      },
    });

    root.append(section("API keys", h("div", { class: "scroll" }, list), listError), created, section("Create a key", creating));
    loading(list);
    void load();
  },
};
