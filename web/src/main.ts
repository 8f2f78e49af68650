// The dashboard: sign in, pick a team, watch its connections, syncs, counts and changes live.
// Every call goes through the generated client (sdk/ts); live changes through its SyncClient.

import {
  ApiError,
  Client,
  type ConnectionOut,
  type ExportRow,
  type SubscriberOut,
  type SyncRunOut,
} from "../../sdk/ts/src/index.js";
import { SyncClient, type Snapshot, type Store, type SyncStatus } from "../../sdk/ts/src/replica.js";
import { StreamRevokedError, type ChangeEvent, type RevokedReason } from "../../sdk/ts/src/sync.js";
import { mountHistory, type HistoryCharts } from "./history.js";

const TOKEN_KEY = "subnest.session";
const INVITE_KEY = "subnest.invitation"; // an invitation's token, accepted once signed in
const RECENT = 20;
const STATUSES = ["subscribed", "unsubscribed", "pending", "bounced", "cleaned", "deleted", "total"] as const;

const base = window.location.origin;
const client = new Client({ baseUrl: base });
let team: Client | null = null;
let replica: SyncClient | null = null;
let charts: HistoryCharts | null = null; // the History section (web/src/history.ts)
const runs = new Map<string, string>(); // sync run → connection
const progress = new Map<string, string>(); // connection → its latest run's progress

function $<T extends HTMLElement>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (!found) throw new Error(`missing ${selector}`);
  return found;
}

function cell(text: string): HTMLTableCellElement {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : "never";
}

function showError(err: unknown): void {
  const box = $<HTMLParagraphElement>("#error");
  if (err instanceof ApiError) {
    box.textContent = `${err.body.message} (${err.body.code})`;
  } else {
    box.textContent = err instanceof Error ? err.message : String(err);
  }
  box.hidden = false;
}

function clearError(): void {
  $<HTMLParagraphElement>("#error").hidden = true;
}

function notice(text: string): void {
  const box = $<HTMLParagraphElement>("#notice");
  box.textContent = text;
  box.hidden = false;
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
    const team = await client.invitations.accept({ token });
    notice(`You joined ${team.name} as ${team.role}.`);
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

// A user's action: its error replaces the last one, success clears it.
async function guarded(action: () => Promise<void>): Promise<void> {
  try {
    clearError();
    await action();
  } catch (err) {
    showError(err);
  }
}

// A refresh the page does by itself: it may show an error, never hides one the user is reading.
async function background(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    showError(err);
  }
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
  replica?.stop();
  replica = null;
  charts?.destroy();
  charts = null;
  sessionStorage.removeItem(TOKEN_KEY);
  client.sessionToken = undefined;
  team = null;
  $("#dashboard").hidden = true;
  $("#sign-in").hidden = false;
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

async function enter(token: string): Promise<void> {
  client.sessionToken = token;
  await acceptPendingInvitation();
  const me = await client.auth.me();
  $("#who").textContent = me.user.email;
  const { items } = await client.teams.list();
  const select = $<HTMLSelectElement>("#team");
  select.replaceChildren(
    ...items.map((t) => {
      const option = document.createElement("option");
      option.value = t.id;
      option.textContent = t.name;
      return option;
    }),
  );
  $("#sign-in").hidden = true;
  $("#dashboard").hidden = false;
  if (items[0]) await openTeam(items[0].id);
}

async function openTeam(teamId: string): Promise<void> {
  replica?.stop();
  team = client.withTeam(teamId);
  $("#changes tbody").replaceChildren();
  charts?.destroy();
  charts = mountHistory($("#history"), team, showError);
  await Promise.all([loadConnections(), loadCounts(), search(""), charts.refresh()]);
  follow(teamId);
}

async function loadCounts(): Promise<void> {
  if (!team) return;
  const counts = await team.subscribers.counts();
  $("#counts").replaceChildren(
    ...STATUSES.flatMap((status) => {
      const dt = document.createElement("dt");
      dt.textContent = status;
      const dd = document.createElement("dd");
      dd.dataset.count = status;
      dd.textContent = String(counts[status] ?? 0);
      return [dt, dd];
    }),
  );
}

async function loadConnections(): Promise<void> {
  if (!team) return;
  const { items } = await team.espConnections.list();
  $("#connections tbody").replaceChildren(...items.map(connectionRow));
}

function connectionRow(connection: ConnectionOut): HTMLTableRowElement {
  const row = document.createElement("tr");
  row.dataset.connection = connection.id;
  const button = document.createElement("button");
  button.textContent = "Sync now";
  button.addEventListener("click", () => void guarded(() => syncNow(connection.id)));
  const action = document.createElement("td");
  action.append(button);
  const shown = cell(progress.get(connection.id) ?? "");
  shown.className = "progress";
  row.append(
    cell(connection.name),
    cell(connection.provider),
    cell(connection.status),
    cell(when(connection.lastSyncedAt)),
    action,
    shown,
  );
  return row;
}

async function syncNow(connectionId: string): Promise<void> {
  if (!team) return;
  const queued = await team.espConnections.sync({ id: connectionId });
  runs.set(queued.syncRunId, connectionId);
  showProgress(queued.syncRunId, "queued");
}

function showProgress(runId: string, text: string): void {
  const connection = runs.get(runId);
  if (!connection) return; // not a run of this team's connections
  progress.set(connection, text);
  const target = document.querySelector(`tr[data-connection="${connection}"] .progress`);
  if (target) target.textContent = text;
}

async function explainFailure(runId: string): Promise<void> {
  if (!team) return;
  const run = await team.syncRuns.get({ id: runId });
  showProgress(runId, `failed: ${run.error ?? "unknown error"}`);
}

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

function addRecent(change: ChangeEvent): void {
  const body = $("#changes tbody");
  const row = document.createElement("tr");
  row.append(cell(change.table), cell(change.op), cell(describe(change)));
  body.prepend(row);
  while (body.children.length > RECENT) body.lastElementChild?.remove();
}

let countsTimer: number | undefined;

function refreshSoon(): void {
  window.clearTimeout(countsTimer);
  countsTimer = window.setTimeout(() => void background(loadCounts), 250);
}

const BADGE: Record<SyncStatus, string> = {
  connecting: "connecting…",
  "catching-up": "catching up…",
  live: "live",
  reconnecting: "reconnecting…",
  stopped: "stopped",
};

// The page lists rows through procedures (a page at a time), so its replica keeps no rows, only
// where it is in the feed: a Store of its own.
class CursorOnly implements Store {
  cursor: string | undefined;
  private readonly empty: Snapshot = new Map();

  apply(_changes: readonly ChangeEvent[], cursor: string): void {
    this.cursor = cursor;
  }

  clear(): void {
    this.cursor = undefined;
  }

  snapshot(): Snapshot {
    return this.empty;
  }
}

// The team's replica (sdk/ts SyncClient): it pulls, follows the stream, reconnects from its
// cursor and starts over on must-refetch. The page shows its status and reacts to its changes.
function follow(teamId: string): void {
  const store = new CursorOnly();
  const sync = new SyncClient({ baseUrl: base, sessionToken: client.sessionToken, teamId, store });
  replica = sync;
  const badge = $("#live");
  sync.subscribeStatus(() => {
    const status = sync.getStatus();
    badge.textContent = BADGE[status];
    badge.classList.toggle("live", status === "live");
  });
  sync.subscribeChanges((changes, initial) => {
    for (const change of changes) {
      // Runs started anywhere (this page, another tab, the schedule) show their progress.
      if (change.table === "sync_runs") {
        runs.set(change.id, change.row.connectionId);
      }
      // The first fill is what the tables already show; after it, each change is news.
      if (initial) continue;
      addRecent(change);
      if (change.table === "subscribers") refreshSoon();
      if (change.table === "esp_connections") void background(loadConnections);
      if (change.table === "sync_runs") runProgress(change.id, change.row);
      if (change.table === "exports") exportProgress(change.row);
    }
  });
  sync.start().catch((err: unknown) => {
    if (replica !== sync) return; // another team opened meanwhile
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
}

// A sync run's row changed: its progress, and once it ends, what it changed.
function runProgress(id: string, row: SyncRunOut): void {
  showProgress(id, `${row.status} · ${row.rowsSeen} rows`);
  if (row.status === "succeeded" || row.status === "failed") {
    refreshSoon();
    void charts?.refresh();
    void background(loadConnections);
  }
  if (row.status === "failed") void background(() => explainFailure(id));
}

function exportProgress(row: ExportRow): void {
  const rows = `${row.rowCount} of ${row.totalRows ?? "?"} rows`;
  $("#export-status").textContent = `export ${row.status}: ${rows}`;
}

async function search(query: string): Promise<void> {
  if (!team) return;
  const page = await team.subscribers.list(query ? { search: query, limit: 50 } : { limit: 50 });
  $("#subscribers tbody").replaceChildren(...page.items.map(subscriberRow));
}

function subscriberRow(subscriber: SubscriberOut): HTMLTableRowElement {
  const row = document.createElement("tr");
  const name = [subscriber.firstName, subscriber.lastName].filter(Boolean).join(" ");
  row.append(cell(subscriber.email), cell(name), cell(subscriber.status), cell(when(subscriber.createdAt)));
  return row;
}

async function exportAs(format: "csv" | "ndjson"): Promise<void> {
  if (!team) return;
  const query = String(new FormData($<HTMLFormElement>("#search")).get("q") ?? "");
  const status = $("#export-status");
  let current = await team.exports.create(query ? { format, filter: { search: query } } : { format });
  status.textContent = `export ${current.status}`;
  while (current.status === "queued" || current.status === "running") {
    await new Promise((resolve) => window.setTimeout(resolve, 500));
    current = await team.exports.get({ id: current.id });
  }
  if (current.status !== "succeeded" || !current.downloadUrl) {
    throw new Error(`the export ${current.status}: ${current.error ?? "no file"}`);
  }
  const link = document.createElement("a");
  link.href = current.downloadUrl;
  link.download = "";
  const rows = current.rowCount === 1 ? "1 row" : `${current.rowCount} rows`;
  link.textContent = `Download ${format.toUpperCase()} (${rows})`;
  status.replaceChildren(link);
}

function main(): void {
  $<HTMLFormElement>("#sign-in").addEventListener("submit", (event) => {
    event.preventDefault();
    void guarded(() => signIn(event.currentTarget as HTMLFormElement));
  });
  $<HTMLSelectElement>("#team").addEventListener("change", (event) => {
    void guarded(() => openTeam((event.currentTarget as HTMLSelectElement).value));
  });
  $<HTMLFormElement>("#search").addEventListener("submit", (event) => {
    event.preventDefault();
    void guarded(() => search(String(new FormData(event.currentTarget as HTMLFormElement).get("q") ?? "")));
  });
  $("#forgot").addEventListener("click", () => void guarded(() => forgotPassword($<HTMLFormElement>("#sign-in"))));
  $("#export-csv").addEventListener("click", () => void guarded(() => exportAs("csv")));
  $("#export-ndjson").addEventListener("click", () => void guarded(() => exportAs("ndjson")));
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

main();
