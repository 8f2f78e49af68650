// The dashboard's shell: sign-in (and the mailed links), the team picker, the live badge, the
// nav and a hash router (`#/<page>`) that mounts one page at a time, never reloading.

import { ApiError, Client } from "../../sdk/ts/src/index.js";
import { StreamRevokedError, type RevokedReason } from "../../sdk/ts/src/sync.js";
import { BADGE, follow, type Live } from "./live.js";
import type { ChangeListener, Page, PageContext } from "./page.js";
import { h, message, onSessionTooOld, showIn } from "./ui.js";

const TOKEN_KEY = "subnest.session";
const INVITE_KEY = "subnest.invitation"; // an invitation's token, accepted once signed in

const base = window.location.origin;
const client = new Client({ baseUrl: base });
let pages: readonly Page[] = [];
let live: Live | null = null;
let unmount: (() => void) | null = null;

function $<T extends HTMLElement>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (!found) throw new Error(`missing ${selector}`);
  return found;
}

function showError(err: unknown): void {
  showIn($("#error"), err);
}

function clearError(): void {
  $("#error").hidden = true;
}

function notice(text: string): void {
  const box = $("#notice");
  box.textContent = text;
  box.hidden = false;
}

// A user's action: its error replaces the last one, success clears it.
async function guarded(action: () => Promise<void>): Promise<void> {
  try {
    clearError();
    await action();
  } catch (err) {
    showError(err);
  }
}

// A mailed link opens the dashboard at #verify=, #reset= or #invite=<token> (a fragment: it
// never reaches a server's log). The token leaves the address bar at once.
function fromMailedLink(): void {
  const match = /^#(verify|reset|invite)=([A-Za-z0-9_-]+)$/.exec(window.location.hash);
  if (!match) return;
  history.replaceState(null, "", window.location.pathname);
  const [, what, token] = match as unknown as [string, string, string];
  if (what === "verify") {
    void guarded(async () => {
      await client.auth.verifyEmail({ token });
      notice("Your email address is verified.");
    });
  } else if (what === "reset") {
    const form = $<HTMLFormElement>("#reset");
    form.hidden = false;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const newPassword = String(new FormData(form).get("password"));
      void guarded(async () => {
        await client.auth.resetPassword({ token, newPassword });
        form.hidden = true;
        signedOut();
        notice("Your password is changed and every session ended: sign in with the new one.");
      });
    });
  } else {
    sessionStorage.setItem(INVITE_KEY, token);
    notice("Sign in with the invited address (verified) to join the team.");
  }
}

async function acceptPendingInvitation(): Promise<void> {
  const token = sessionStorage.getItem(INVITE_KEY);
  if (!token) return;
  sessionStorage.removeItem(INVITE_KEY);
  try {
    const joined = await client.invitations.accept({ token });
    notice(`You joined ${joined.name} as ${joined.role}.`);
  } catch (err) {
    showError(err);
  }
}

async function forgotPassword(form: HTMLFormElement): Promise<void> {
  const email = String(new FormData(form).get("email") ?? "");
  if (!email) throw new Error("enter your email address first");
  await client.auth.requestPasswordReset({ email });
  notice("If an account has this address, a link to reset its password is on its way.");
}

// Why a live stream ended for good (its final `revoked` event), as the sign-in page says it.
const ENDED: Record<RevokedReason, string> = {
  keyRevoked: "The API key was revoked.",
  keyExpired: "The API key expired.",
  memberRemoved: "You were removed from the team.",
  signedOut: "You were signed out.",
  sessionExpired: "Your session expired.",
  teamDeleted: "The team is scheduled for deletion.",
};

function signedOut(): void {
  unmount?.();
  unmount = null;
  live?.sync.stop();
  live = null;
  sessionStorage.removeItem(TOKEN_KEY);
  client.sessionToken = undefined;
  $("#dashboard").hidden = true;
  $("#sign-in").hidden = false;
  $<HTMLInputElement>("#sign-in input[name=email]").focus();
}

async function signIn(form: HTMLFormElement): Promise<void> {
  const data = new FormData(form);
  const signed = await client.auth.signIn({
    email: String(data.get("email")),
    password: String(data.get("password")),
  });
  sessionStorage.setItem(TOKEN_KEY, signed.session.token);
  await enter(signed.session.token);
}

async function signOut(): Promise<void> {
  try {
    await client.auth.signOut();
  } finally {
    signedOut();
  }
}

/** SESSION_TOO_OLD: end this session and ask for the password again, saying why. */
function signInAgain(): void {
  const email = $("#who").textContent ?? "";
  void signOut().then(() => {
    $<HTMLInputElement>("#sign-in input[name=email]").value = email;
    $<HTMLInputElement>("#sign-in input[name=password]").focus();
    notice("Sign in again to confirm it is you: owner actions need a recent sign-in.");
  });
}

async function enter(token: string): Promise<void> {
  client.sessionToken = token;
  await acceptPendingInvitation();
  const me = await client.auth.me();
  $("#who").textContent = me.user.email;
  const teams = (await client.teams.list()).items;
  $<HTMLSelectElement>("#team").replaceChildren(...teams.map((t) => h("option", { value: t.id }, t.name)));
  $("#sign-in").hidden = true;
  $("#dashboard").hidden = false;
  if (teams[0]) openTeam(teams[0].id);
  else $("#page").replaceChildren(h("p", { class: "empty" }, "You are in no team yet: create one with teams.create, or accept an invitation."));
}

function openTeam(teamId: string): void {
  live?.sync.stop();
  const following = follow(base, client.sessionToken, teamId);
  live = following;
  const badge = $("#live");
  following.sync.subscribeStatus(() => {
    const status = following.sync.getStatus();
    badge.textContent = BADGE[status];
    badge.classList.toggle("live", status === "live");
  });
  following.sync.start().catch((err: unknown) => {
    if (live !== following) return; // another team opened meanwhile
    if (err instanceof StreamRevokedError) {
      signedOut(); // access ended: back to sign-in, never a reconnect with what was refused
      showError(new Error(`${ENDED[err.reason] ?? "Your access ended."} Sign in again.`));
    } else if (err instanceof ApiError && err.status === 401) {
      signedOut(); // the session ended: sign in again rather than retry forever
      showError(err);
    } else {
      showError(err);
    }
  });
  route();
}

function currentPage(): Page {
  const path = /^#\/([a-z-]+)/.exec(window.location.hash)?.[1];
  return pages.find((p) => p.path === path) ?? (pages[0] as Page);
}

/** Mounts the page the address names, for the open team (unmounting the last one). */
function route(): void {
  const teamId = $<HTMLSelectElement>("#team").value;
  if (!live || !teamId) return;
  unmount?.();
  const page = currentPage();
  for (const link of document.querySelectorAll("#nav a")) {
    if (link.getAttribute("href") === `#/${page.path}`) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.title = `${page.title} · SubscriberNest`;
  const listeners = new Set<ChangeListener>();
  const timers: number[] = [];
  const cleanups: (() => void)[] = [];
  let alive = true;
  const feed = live.listeners;
  const ctx: PageContext = {
    team: client.withTeam(teamId),
    onChange: (listener) => {
      listeners.add(listener);
      feed.add(listener);
    },
    every: (ms, action) => {
      timers.push(window.setInterval(() => void action().catch(showError), ms));
    },
    onUnmount: (cleanup) => {
      cleanups.push(cleanup);
    },
    alive: () => alive,
  };
  unmount = () => {
    alive = false;
    for (const listener of listeners) feed.delete(listener);
    for (const timer of timers) window.clearInterval(timer);
    for (const cleanup of cleanups) cleanup();
  };
  const root = $("#page");
  root.replaceChildren();
  root.dataset.page = page.path;
  try {
    page.mount(root, ctx);
  } catch (err) {
    root.replaceChildren(h("p", { class: "action-error", role: "alert" }, message(err)));
  }
}

/** Starts the dashboard with these pages (the first is the default route). */
export function start(list: readonly Page[]): void {
  pages = list;
  onSessionTooOld(signInAgain);
  $("#nav").replaceChildren(...pages.map((p) => h("a", { href: `#/${p.path}` }, p.title)));
  $<HTMLFormElement>("#sign-in").addEventListener("submit", (event) => {
    event.preventDefault();
    void guarded(() => signIn(event.currentTarget as HTMLFormElement));
  });
  $<HTMLSelectElement>("#team").addEventListener("change", (event) => {
    clearError();
    openTeam((event.currentTarget as HTMLSelectElement).value);
  });
  $("#sign-out").addEventListener("click", () => void guarded(signOut));
  $("#forgot").addEventListener("click", () => void guarded(() => forgotPassword($<HTMLFormElement>("#sign-in"))));
  window.addEventListener("hashchange", () => {
    if (/^#(verify|reset|invite)=/.test(window.location.hash)) {
      fromMailedLink();
      return;
    }
    clearError(); // the last page's error was about it
    route();
    $("#page").focus(); // a keyboard user goes on from the new page, not from the nav
  });
  fromMailedLink();
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) {
    void guarded(() => enter(token)).then(() => {
      if (!client.sessionToken || $("#dashboard").hidden) $("#sign-in").hidden = false;
    });
  } else {
    $("#sign-in").hidden = false;
  }
}
