// Members and invitations: invite by email (members.add mails an invitation), change a role,
// remove a member, revoke an invitation.

import type { InvitationOut, MemberOut } from "../../../sdk/ts/src/index.js";
import type { Page } from "../page.js";
import { confirmButton, fill, form, h, loading, row, section, showIn, table, text, when } from "../ui.js";

const ROLES = [
  ["member", "member"],
  ["admin", "admin"],
  ["owner", "owner"],
] as const;
type Role = (typeof ROLES)[number][0];

export const members: Page = {
  path: "members",
  title: "Members",
  mount(root, ctx) {
    const people = table("members", ["Email", "Name", "Role", "Joined", ""], "Only you so far: invite someone below.");
    const invited = table("invitations", ["Email", "Role", "Expires", ""], "No invitation waiting.");
    const error = h("p", { class: "action-error", role: "alert", hidden: true });

    const roleSelect = (m: MemberOut): HTMLElement => {
      const select = h("select", { "aria-label": `Role of ${m.email}` }, ...ROLES.map(([v, l]) => h("option", { value: v, selected: v === m.role }, l)));
      const status = h("span", { class: "action-error", role: "alert", hidden: true });
      select.addEventListener("change", () => {
        status.hidden = true;
        void ctx.team.members.setRole({ userId: m.userId, role: select.value as Role }).then(load, (err: unknown) => {
          select.value = m.role;
          showIn(status, err);
        });
      });
      return h("span", {}, select, status);
    };

    const memberRow = (m: MemberOut): HTMLTableRowElement =>
      row(
        { "data-member": m.userId },
        m.email,
        m.name,
        roleSelect(m),
        when(m.joinedAt),
        confirmButton("Remove", "Really remove?", async () => {
          await ctx.team.members.remove({ userId: m.userId });
          await load();
        }),
      );

    const invitationRow = (i: InvitationOut): HTMLTableRowElement =>
      row(
        { "data-invitation": i.id },
        i.email,
        i.role,
        when(i.expiresAt),
        confirmButton("Revoke", "Really revoke?", async () => {
          await ctx.team.invitations.revoke({ id: i.id });
          await load();
        }),
      );

    const load = async (): Promise<void> => {
      try {
        const [m, i] = await Promise.all([ctx.team.members.list(), ctx.team.invitations.list()]);
        if (!ctx.alive()) return;
        fill(people, m.items.map(memberRow));
        fill(invited, i.items.map(invitationRow));
      } catch (err) {
        showIn(error, err);
      }
    };

    const inviting = form({
      id: "invite",
      fields: [
        { name: "email", label: "Email", type: "email", required: true, autocomplete: "email" },
        { name: "role", label: "Role", type: "select", options: ROLES, value: "member" },
      ],
      submit: "Send the invitation",
      onSubmit: async (data, node) => {
        await ctx.team.members.add({ email: text(data, "email"), role: text(data, "role") as Role });
        node.reset();
        await load();
      },
    });

    root.append(
      section("Members", error, h("div", { class: "scroll" }, people)),
      section("Invitations", h("div", { class: "scroll" }, invited), h("h3", {}, "Invite someone"), inviting),
    );
    loading(people);
    loading(invited);
    void load();
  },
};
