// ../sdk/ts/src/runtime.ts
var ApiError = class extends Error {
  status;
  body;
  requestId;
  constructor(status, body, requestId) {
    super(`${status} ${body.code}: ${body.message}`);
    this.name = "ApiError";
    this.status = status;
    this.body = body;
    this.requestId = requestId;
  }
  get code() {
    return this.body.code;
  }
};
var UnexpectedResponse = class extends Error {
  status;
  text;
  requestId;
  constructor(status, message, text, requestId) {
    super(message);
    this.name = "UnexpectedResponse";
    this.status = status;
    this.text = text;
    this.requestId = requestId;
  }
};
var DEFAULT_RETRY = { maxAttempts: 3, backoffMs: 500, maxDelayMs: 3e4 };
var RETRY_STATUSES = /* @__PURE__ */ new Set([429, 503]);
function retryDelayMs(policy, attempt, retryAfter) {
  let ms = parseRetryAfter(retryAfter);
  if (ms === null) {
    ms = policy.backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
  }
  return Math.max(0, Math.min(ms, policy.maxDelayMs));
}
function parseRetryAfter(value) {
  const text = value?.trim() ?? "";
  if (text === "") {
    return null;
  }
  if (/^\d+(\.\d+)?$/.test(text)) {
    return Number(text) * 1e3;
  }
  const when2 = Date.parse(text);
  return Number.isNaN(when2) ? null : when2 - Date.now();
}
var Transport = class _Transport {
  credentials;
  api;
  options;
  retry;
  send;
  constructor(api, options, credentials) {
    this.api = api;
    this.options = options;
    this.credentials = { ...credentials };
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.send = options.fetch ?? ((input, init) => fetch(input, init));
  }
  /** A transport with the same settings and some credentials changed. */
  derive(changes) {
    return new _Transport(this.api, this.options, { ...this.credentials, ...changes });
  }
  /**
   * The headers of the first alternative the credentials satisfy. When none is, those of every
   * scheme the procedure names that has a credential, so that the server says what is missing.
   */
  authHeaders(security) {
    const values = /* @__PURE__ */ new Map();
    for (const [name, scheme] of Object.entries(this.api.schemes)) {
      const value = this.credentials[scheme.credential];
      if (value) {
        values.set(name, scheme.prefix + value);
      }
    }
    const chosen = security.find((alt) => alt.every((name) => values.has(name)));
    const names = chosen ?? security.flat();
    const headers = {};
    for (const name of names) {
      const value = values.get(name);
      const scheme = this.api.schemes[name];
      if (value !== void 0 && scheme !== void 0) {
        headers[scheme.header] = value;
      }
    }
    return headers;
  }
  /** Send `input` to `procedure`; the parsed answer, or a thrown ApiError. */
  async call(procedure, input) {
    const info = this.api.procedures[procedure];
    if (info === void 0) {
      throw new Error(`unknown procedure ${procedure}`);
    }
    const url = this.options.baseUrl.replace(/\/+$/, "") + info.path;
    const init = {
      method: "POST",
      headers: {
        ...this.options.headers,
        "content-type": "application/json",
        accept: "application/json",
        ...this.authHeaders(info.security)
      },
      body: JSON.stringify(input ?? {})
    };
    for (let attempt = 1; ; attempt++) {
      const signal = AbortSignal.timeout(this.options.timeoutMs ?? 3e4);
      const response = await this.send(url, { ...init, signal });
      if (!RETRY_STATUSES.has(response.status) || attempt >= this.retry.maxAttempts) {
        return this.result(response);
      }
      await response.arrayBuffer();
      const ms = retryDelayMs(this.retry, attempt, response.headers.get("retry-after"));
      await new Promise((resolve) => setTimeout(resolve, ms));
    }
  }
  async result(response) {
    return await readAnswer(response);
  }
};
async function readAnswer(response) {
  const requestId = response.headers.get("x-request-id");
  const text = await response.text();
  let parsed = void 0;
  try {
    parsed = JSON.parse(text);
  } catch {
  }
  if (response.ok && parsed !== void 0) {
    return parsed;
  }
  if (!response.ok && isErrorShape(parsed)) {
    throw new ApiError(response.status, parsed, requestId);
  }
  const what = response.ok ? "not JSON" : "an error without the documented body";
  const message = `HTTP ${response.status}: ${what}`;
  throw new UnexpectedResponse(response.status, message, text, requestId);
}
var Group = class {
  transport;
  constructor(transport) {
    this.transport = transport;
  }
};
function isErrorShape(value) {
  if (typeof value !== "object" || value === null) {
    return false;
  }
  const body = value;
  return typeof body["code"] === "string" && typeof body["message"] === "string" && "data" in body;
}

// ../sdk/ts/src/index.ts
var API = {
  procedures: {
    "apiKeys.create": {
      path: "/rpc/apiKeys.create",
      security: [["session", "teamId"], ["sessionCookie", "teamId"]]
    },
    "apiKeys.list": {
      path: "/rpc/apiKeys.list",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "apiKeys.revoke": {
      path: "/rpc/apiKeys.revoke",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "auth.changePassword": {
      path: "/rpc/auth.changePassword",
      security: [["session"], ["sessionCookie"]]
    },
    "auth.me": { path: "/rpc/auth.me", security: [["session"], ["sessionCookie"]] },
    "auth.requestPasswordReset": { path: "/rpc/auth.requestPasswordReset", security: [] },
    "auth.resendVerification": {
      path: "/rpc/auth.resendVerification",
      security: [["session"], ["sessionCookie"]]
    },
    "auth.resetPassword": { path: "/rpc/auth.resetPassword", security: [] },
    "auth.sessions.list": {
      path: "/rpc/auth.sessions.list",
      security: [["session"], ["sessionCookie"]]
    },
    "auth.sessions.revoke": {
      path: "/rpc/auth.sessions.revoke",
      security: [["session"], ["sessionCookie"]]
    },
    "auth.signIn": { path: "/rpc/auth.signIn", security: [] },
    "auth.signOut": { path: "/rpc/auth.signOut", security: [["session"], ["sessionCookie"]] },
    "auth.signUp": { path: "/rpc/auth.signUp", security: [] },
    "auth.verifyEmail": { path: "/rpc/auth.verifyEmail", security: [] },
    "cron.syncAll": { path: "/rpc/cron.syncAll", security: [["cronToken"]] },
    "espConnections.create": {
      path: "/rpc/espConnections.create",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "espConnections.delete": {
      path: "/rpc/espConnections.delete",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "espConnections.get": {
      path: "/rpc/espConnections.get",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "espConnections.list": {
      path: "/rpc/espConnections.list",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "espConnections.sync": {
      path: "/rpc/espConnections.sync",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "espConnections.update": {
      path: "/rpc/espConnections.update",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "exports.create": {
      path: "/rpc/exports.create",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "exports.get": {
      path: "/rpc/exports.get",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "invitations.accept": {
      path: "/rpc/invitations.accept",
      security: [["session"], ["sessionCookie"]]
    },
    "invitations.list": {
      path: "/rpc/invitations.list",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "invitations.revoke": {
      path: "/rpc/invitations.revoke",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "members.add": {
      path: "/rpc/members.add",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "members.list": {
      path: "/rpc/members.list",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "members.remove": {
      path: "/rpc/members.remove",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "members.setRole": {
      path: "/rpc/members.setRole",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "subscribers.counts": {
      path: "/rpc/subscribers.counts",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "subscribers.create": {
      path: "/rpc/subscribers.create",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "subscribers.delete": {
      path: "/rpc/subscribers.delete",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "subscribers.get": {
      path: "/rpc/subscribers.get",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "subscribers.list": {
      path: "/rpc/subscribers.list",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "subscribers.restore": {
      path: "/rpc/subscribers.restore",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "subscribers.update": {
      path: "/rpc/subscribers.update",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "sync.pull": {
      path: "/rpc/sync.pull",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "syncRuns.get": {
      path: "/rpc/syncRuns.get",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "syncRuns.list": {
      path: "/rpc/syncRuns.list",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "teams.create": { path: "/rpc/teams.create", security: [["session"], ["sessionCookie"]] },
    "teams.delete": {
      path: "/rpc/teams.delete",
      security: [["session", "teamId"], ["sessionCookie", "teamId"]]
    },
    "teams.list": { path: "/rpc/teams.list", security: [["session"], ["sessionCookie"]] },
    "teams.restore": {
      path: "/rpc/teams.restore",
      security: [["session", "teamId"], ["sessionCookie", "teamId"]]
    },
    "usage.get": {
      path: "/rpc/usage.get",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "webhooks.create": {
      path: "/rpc/webhooks.create",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "webhooks.delete": {
      path: "/rpc/webhooks.delete",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "webhooks.deliveries": {
      path: "/rpc/webhooks.deliveries",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "webhooks.list": {
      path: "/rpc/webhooks.list",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "webhooks.test": {
      path: "/rpc/webhooks.test",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "webhooks.update": {
      path: "/rpc/webhooks.update",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    }
  },
  schemes: {
    session: { credential: "sessionToken", header: "Authorization", prefix: "Bearer " },
    teamId: { credential: "teamId", header: "X-Team-Id", prefix: "" },
    apiKey: { credential: "apiKey", header: "X-API-Key", prefix: "" },
    cronToken: { credential: "cronToken", header: "Authorization", prefix: "Bearer " }
  }
};
var WebhooksApi = class extends Group {
  /**
   * Send the team's events of these types to ``url`` (admin; a session signed in within
   * SESSION_FRESH_MINUTES, or an API key). Each delivery is a JSON POST signed with the secret
   * shown here once (``X-SubscriberNest-Signature: t=…,v1=…``, see docs/protocol.md). URLs that
   * resolve to internal addresses are refused; a team has at most WEBHOOK_MAX_ENDPOINTS_PER_TEAM
   * webhooks (16 by default).
   *
   * Scope: `admin` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, SESSION_TOO_OLD, WRONG_ROLE, PLAN_LIMIT_REACHED,
   * TEAM_DELETION_SCHEDULED, WEBHOOK_LIMIT_REACHED, WEBHOOK_URL_REFUSED, RATE_LIMITED.
   */
  create(input) {
    return this.transport.call("webhooks.create", input);
  }
  /**
   * Stop sending to a webhook (admin; a fresh session or a key); its pending deliveries are
   * dropped.
   *
   * Scope: `admin` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, SESSION_TOO_OLD, WRONG_ROLE, NOT_FOUND, PLAN_LIMIT_REACHED,
   * TEAM_DELETION_SCHEDULED, RATE_LIMITED.
   */
  delete(input) {
    return this.transport.call("webhooks.delete", input);
  }
  /**
   * Recent deliveries, newest first, each with the log of its attempts.
   *
   * Scope: `admin` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED,
   * RATE_LIMITED.
   */
  deliveries(input = {}) {
    return this.transport.call("webhooks.deliveries", input);
  }
  /**
   * The team's webhooks (never their secrets), with status, failures in a row and who made each: a
   * member or an API key. A webhook belongs to the team: revoking the key that made it does not
   * stop it (decision 0023); delete it if that key leaked.
   *
   * Scope: `admin` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED,
   * RATE_LIMITED.
   */
  list(input = {}) {
    return this.transport.call("webhooks.list", input);
  }
  /**
   * Send a ``webhook.test`` delivery to this webhook now; follow it in webhooks.deliveries.
   *
   * Scope: `admin` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, NOT_FOUND, PLAN_LIMIT_REACHED,
   * TEAM_DELETION_SCHEDULED, RATE_LIMITED.
   */
  test(input) {
    return this.transport.call("webhooks.test", input);
  }
  /**
   * Change a webhook's URL, events or status (admin; a fresh session or a key). ``status:
   * "active"`` turns a webhook disabled after repeated failures back on, its failure count reset;
   * ``"disabled"`` pauses it. Events of the time a webhook was off are not delivered.
   *
   * Scope: `admin` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, SESSION_TOO_OLD, WRONG_ROLE, NOT_FOUND, PLAN_LIMIT_REACHED,
   * TEAM_DELETION_SCHEDULED, WEBHOOK_URL_REFUSED, RATE_LIMITED.
   */
  update(input) {
    return this.transport.call("webhooks.update", input);
  }
};
var UsageApi = class extends Group {
  /**
   * This billing period's usage of each metric against the team's plan (calendar months, UTC).
   * Alerts go out at 90% and 100% of a limit, once each per period (``usage.threshold``); over a
   * limit, the procedures that consume it answer 422 PLAN_LIMIT_REACHED.
   *
   * Scope: `read` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED,
   * RATE_LIMITED.
   */
  get(input = {}) {
    return this.transport.call("usage.get", input);
  }
};
var TeamsApi = class extends Group {
  /**
   * Create a team; its creator becomes its owner.
   *
   * Credentials: sessionToken. Errors: UNAUTHENTICATED.
   */
  create(input) {
    return this.transport.call("teams.create", input);
  }
  /**
   * Schedule the team's deletion (owner, signed in within 10 minutes). For the grace period
   * (TEAM_DELETION_GRACE_HOURS) the team's calls and API keys answer 422 TEAM_DELETION_SCHEDULED
   * (its live streams end) and ``teams.restore`` undoes it; then every row and file of the team is
   * erased.
   *
   * Scope: `admin` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId. Errors: UNAUTHENTICATED, FORBIDDEN, SESSION_TOO_OLD,
   * WRONG_ROLE.
   */
  delete(input = {}) {
    return this.transport.call("teams.delete", input);
  }
  /**
   * The teams the signed-in user belongs to, with their role.
   *
   * Credentials: sessionToken. Errors: UNAUTHENTICATED.
   */
  list(input = {}) {
    return this.transport.call("teams.list", input);
  }
  /**
   * Cancel a scheduled deletion during its grace period (owner, signed in within 10 minutes).
   *
   * Scope: `admin` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId. Errors: UNAUTHENTICATED, FORBIDDEN, SESSION_TOO_OLD,
   * WRONG_ROLE.
   */
  restore(input = {}) {
    return this.transport.call("teams.restore", input);
  }
};
var SyncRunsApi = class extends Group {
  /**
   * One sync run: status, counts, error, timings.
   *
   * Scope: `read` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, NOT_FOUND, PLAN_LIMIT_REACHED,
   * TEAM_DELETION_SCHEDULED, RATE_LIMITED.
   */
  get(input) {
    return this.transport.call("syncRuns.get", input);
  }
  /**
   * Recent sync runs, newest first, of one connection or all.
   *
   * Scope: `read` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED,
   * RATE_LIMITED.
   */
  list(input = {}) {
    return this.transport.call("syncRuns.list", input);
  }
};
var SyncApi = class extends Group {
  /**
   * The team's changes after ``cursor`` (from the start without one), oldest first.
   *
   * Upsert changes by ``id``; ``op: "delete"`` is a tombstone. Continue from the answer's
   * ``cursor`` while ``hasMore``; a 409 MUST_REFETCH means: start again without a cursor. With
   * ``filter``, only that subset: a row that leaves it arrives as ``op: "delete"``; keep one cursor
   * per filter. Scope: `read` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, MUST_REFETCH, PLAN_LIMIT_REACHED,
   * TEAM_DELETION_SCHEDULED, RATE_LIMITED.
   */
  pull(input = {}) {
    return this.transport.call("sync.pull", input);
  }
};
var SubscribersApi = class extends Group {
  /**
   * How many subscribers have each status (live ones), and how many are deleted.
   *
   * Scope: `read` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED,
   * RATE_LIMITED.
   */
  counts(input = {}) {
    return this.transport.call("subscribers.counts", input);
  }
  /**
   * Add a subscriber by hand (no ESP). The email is trimmed, its domain lower-cased; an address the
   * team already has answers 409 with that subscriber's id. ``customFields`` and ``localFields``:
   * JSON objects of at most JSON_FIELDS_MAX_BYTES / _KEYS / _DEPTH each.
   *
   * Scope: `write` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, SUBSCRIBER_EXISTS, PLAN_LIMIT_REACHED,
   * TEAM_DELETION_SCHEDULED, RATE_LIMITED.
   */
  create(input) {
    return this.transport.call("subscribers.create", input);
  }
  /**
   * Soft-delete a subscriber: replicas get a tombstone; ``subscribers.restore`` undoes it. A synced
   * subscriber the provider still lists comes back with the next sync.
   *
   * Scope: `write` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, NOT_FOUND, PLAN_LIMIT_REACHED,
   * TEAM_DELETION_SCHEDULED, RATE_LIMITED.
   */
  delete(input) {
    return this.transport.call("subscribers.delete", input);
  }
  /**
   * One subscriber, soft-deleted ones included.
   *
   * Scope: `read` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, NOT_FOUND, PLAN_LIMIT_REACHED,
   * TEAM_DELETION_SCHEDULED, RATE_LIMITED.
   */
  get(input) {
    return this.transport.call("subscribers.get", input);
  }
  /**
   * A page of subscribers, newest first, filtered by status, connection and search words.
   *
   * Pass the page's ``nextAfter`` as ``after`` for the next one (null on the last page); rows added
   * meanwhile never shift a page, so nothing is skipped or repeated. Scope: `read` (what a scoped
   * credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED,
   * RATE_LIMITED.
   */
  list(input = {}) {
    return this.transport.call("subscribers.list", input);
  }
  /**
   * Bring back a soft-deleted subscriber (409 if its address was taken meanwhile).
   *
   * Scope: `write` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, NOT_FOUND, SUBSCRIBER_EXISTS,
   * PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED, RATE_LIMITED.
   */
  restore(input) {
    return this.transport.call("subscribers.restore", input);
  }
  /**
   * Edit a subscriber. On a synced one, the provider's fields are overwritten by the next sync (the
   * provider wins; the run counts a conflict); ``localFields`` are never touched. The JSON fields
   * are bounded as in subscribers.create.
   *
   * Scope: `write` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, NOT_FOUND, SUBSCRIBER_EXISTS,
   * PLAN_LIMIT_REACHED, SUBSCRIBER_DELETED, TEAM_DELETION_SCHEDULED, RATE_LIMITED.
   */
  update(input) {
    return this.transport.call("subscribers.update", input);
  }
};
var MembersApi = class extends Group {
  /**
   * Invite an address to the team (owner or admin, signed in within SESSION_FRESH_MINUTES: not with
   * an API key).
   *
   * Answers the invitation, not a member: a link is mailed to the address, and the person joins
   * once they accept it (``invitations.accept``) signed in with a verified account of that address.
   * Inviting the address again replaces its open invitation. Only an owner invites an owner. Scope:
   * `admin` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, SESSION_TOO_OLD, WRONG_ROLE, ALREADY_MEMBER,
   * PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED, QUOTA_EXCEEDED, RATE_LIMITED.
   */
  add(input) {
    return this.transport.call("members.add", input);
  }
  /**
   * The team's members and their roles.
   *
   * Scope: `read` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED,
   * RATE_LIMITED.
   */
  list(input = {}) {
    return this.transport.call("members.list", input);
  }
  /**
   * Remove a member (owner or admin, signed in within SESSION_FRESH_MINUTES); the last owner stays.
   * The member's live streams of the team end.
   *
   * Scope: `admin` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, SESSION_TOO_OLD, WRONG_ROLE, NOT_FOUND, LAST_OWNER,
   * PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED, RATE_LIMITED.
   */
  remove(input) {
    return this.transport.call("members.remove", input);
  }
  /**
   * Change a member's role (owner or admin, signed in within SESSION_FRESH_MINUTES: not with an API
   * key). Only an owner grants or takes the owner role; the last owner stays.
   *
   * Scope: `admin` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, SESSION_TOO_OLD, WRONG_ROLE, NOT_FOUND, LAST_OWNER,
   * PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED, RATE_LIMITED.
   */
  setRole(input) {
    return this.transport.call("members.setRole", input);
  }
};
var InvitationsApi = class extends Group {
  /**
   * Join the team with the token of an invitation's link: signed in with the invited address,
   * verified. The team, with the role the invitation gave.
   *
   * Credentials: sessionToken. Errors: INVALID_TOKEN, UNAUTHENTICATED, EMAIL_NOT_VERIFIED,
   * INVITATION_FOR_ANOTHER_ACCOUNT.
   */
  accept(input) {
    return this.transport.call("invitations.accept", input);
  }
  /**
   * The team's open invitations (not accepted, revoked or expired).
   *
   * Scope: `read` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED,
   * RATE_LIMITED.
   */
  list(input = {}) {
    return this.transport.call("invitations.list", input);
  }
  /**
   * Revoke an open invitation (owner or admin, signed in): its link stops working.
   *
   * Scope: `admin` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, NOT_FOUND, PLAN_LIMIT_REACHED,
   * TEAM_DELETION_SCHEDULED, RATE_LIMITED.
   */
  revoke(input) {
    return this.transport.call("invitations.revoke", input);
  }
};
var ExportsApi = class extends Group {
  /**
   * Queue an export of the subscribers the filter selects (as ``subscribers.list``).
   *
   * Its progress arrives as ``progress`` events (and ``exports`` changes) on the change feed;
   * ``exports.get`` has the download link once it has succeeded. Files are kept
   * EXPORT_RETENTION_HOURS. 429 QUOTA_EXCEEDED while the team has TEAM_MAX_CONCURRENT_EXPORTS
   * exports queued or running, or keeps TEAM_MAX_EXPORT_BYTES of files. Scope: `write` (what a
   * scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED,
   * QUOTA_EXCEEDED, RATE_LIMITED.
   */
  create(input) {
    return this.transport.call("exports.create", input);
  }
  /**
   * An export's status, row counts and, once it has succeeded, a fresh download link.
   *
   * Scope: `read` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, NOT_FOUND, PLAN_LIMIT_REACHED,
   * TEAM_DELETION_SCHEDULED, RATE_LIMITED.
   */
  get(input) {
    return this.transport.call("exports.get", input);
  }
};
var EspConnectionsApi = class extends Group {
  /**
   * Connect an ESP account (admin). The credentials are checked with the provider first.
   *
   * They are stored encrypted and never returned. Scope: `admin` (what a scoped credential, such as
   * an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, ESP_CREDENTIALS_REJECTED, PLAN_LIMIT_REACHED,
   * TEAM_DELETION_SCHEDULED, RATE_LIMITED, ESP_UNAVAILABLE.
   */
  create(input) {
    return this.transport.call("espConnections.create", input);
  }
  /**
   * Remove a connection (admin); its subscribers become tombstones.
   *
   * Scope: `admin` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, NOT_FOUND, PLAN_LIMIT_REACHED,
   * TEAM_DELETION_SCHEDULED, RATE_LIMITED.
   */
  delete(input) {
    return this.transport.call("espConnections.delete", input);
  }
  /**
   * One ESP connection.
   *
   * Scope: `read` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, NOT_FOUND, PLAN_LIMIT_REACHED,
   * TEAM_DELETION_SCHEDULED, RATE_LIMITED.
   */
  get(input) {
    return this.transport.call("espConnections.get", input);
  }
  /**
   * The team's ESP connections.
   *
   * Scope: `read` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED,
   * RATE_LIMITED.
   */
  list(input = {}) {
    return this.transport.call("espConnections.list", input);
  }
  /**
   * Queue a sync of the connection now; follow it with syncRuns.get or the change feed.
   *
   * 422 PLAN_LIMIT_REACHED once the period's synced subscribers reach the plan's limit; 429
   * QUOTA_EXCEEDED while the team has TEAM_MAX_CONCURRENT_SYNCS runs queued or running. Scope:
   * `write` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, NOT_FOUND, PLAN_LIMIT_REACHED,
   * TEAM_DELETION_SCHEDULED, QUOTA_EXCEEDED, RATE_LIMITED.
   */
  sync(input) {
    return this.transport.call("espConnections.sync", input);
  }
  /**
   * Rename, pause or resume a connection, or replace its credentials (admin).
   *
   * New credentials are checked with the provider first, and clear an ``error`` status. Scope:
   * `admin` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, NOT_FOUND, ESP_CREDENTIALS_REJECTED,
   * PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED, RATE_LIMITED, ESP_UNAVAILABLE.
   */
  update(input) {
    return this.transport.call("espConnections.update", input);
  }
};
var CronApi = class extends Group {
  /**
   * Queue every active connection, as the midnight job does (once per minute at most); not those of
   * teams scheduled for deletion or at their plan's synced-subscriber limit.
   *
   * Credentials: cronToken. Errors: UNAUTHENTICATED.
   */
  syncAll(input = {}) {
    return this.transport.call("cron.syncAll", input);
  }
};
var AuthSessionsApi = class extends Group {
  /**
   * The caller's live sessions: when each signed in and from where (address and user agent at
   * sign-in), which one is making this call (``current``); never their tokens.
   *
   * Credentials: sessionToken. Errors: UNAUTHENTICATED.
   */
  list(input = {}) {
    return this.transport.call("auth.sessions.list", input);
  }
  /**
   * End one of the caller's sessions, the current one too (its calls answer 401 from then on, its
   * live streams end). Another user's session answers NOT_FOUND.
   *
   * Credentials: sessionToken. Errors: UNAUTHENTICATED, NOT_FOUND.
   */
  revoke(input) {
    return this.transport.call("auth.sessions.revoke", input);
  }
};
var AuthApi = class extends Group {
  sessions;
  constructor(transport) {
    super(transport);
    this.sessions = new AuthSessionsApi(transport);
  }
  /**
   * Change the password, given the current one; every other session of the account ends, with its
   * live streams (this one stays). A wrong current password answers 403 WRONG_PASSWORD and counts
   * as a failed sign-in of the account (SIGN_IN_FAILURES_PER_ACCOUNT).
   *
   * Credentials: sessionToken. Errors: UNAUTHENTICATED, WRONG_PASSWORD, RATE_LIMITED.
   */
  changePassword(input) {
    return this.transport.call("auth.changePassword", input);
  }
  /**
   * The signed-in user (``emailVerified`` among it) and their teams.
   *
   * Credentials: sessionToken. Errors: UNAUTHENTICATED.
   */
  me(input = {}) {
    return this.transport.call("auth.me", input);
  }
  /**
   * Mail a password-reset link to the address, if an account has it. The answer is the same whether
   * it does or not; at most MAIL_REQUESTS_PER_HOUR per address an hour.
   *
   * Credentials: none. Errors: RATE_LIMITED.
   */
  requestPasswordReset(input) {
    return this.transport.call("auth.requestPasswordReset", input);
  }
  /**
   * Mail the verification link again (nothing when the address is verified already); at most
   * MAIL_REQUESTS_PER_HOUR an hour.
   *
   * Credentials: sessionToken. Errors: UNAUTHENTICATED, RATE_LIMITED.
   */
  resendVerification(input = {}) {
    return this.transport.call("auth.resendVerification", input);
  }
  /**
   * Set a new password with the token of a reset link (once; it expires after
   * PASSWORD_RESET_TTL_MINUTES). Every session of the account ends: sign in again.
   *
   * Credentials: none. Errors: INVALID_TOKEN, RATE_LIMITED.
   */
  resetPassword(input) {
    return this.transport.call("auth.resetPassword", input);
  }
  /**
   * Sign in with email and password; rate limited per client address, and per account: past
   * SIGN_IN_FAILURES_PER_ACCOUNT failed attempts in SIGN_IN_FAILURE_WINDOW_SECONDS (from any
   * addresses) the account's sign-ins answer 429 RATE_LIMITED until the oldest failure leaves the
   * window (``Retry-After``). Successful sign-ins do not count.
   *
   * Credentials: none. Errors: INVALID_CREDENTIALS, RATE_LIMITED.
   */
  signIn(input) {
    return this.transport.call("auth.signIn", input);
  }
  /**
   * End the current session (and clear its cookie); its live streams end too.
   *
   * Credentials: sessionToken. Errors: UNAUTHENTICATED.
   */
  signOut(input = {}) {
    return this.transport.call("auth.signOut", input);
  }
  /**
   * Create an account and sign in; a link that verifies the address is mailed to it.
   *
   * With ``cookie: true`` the session is also set as an HttpOnly cookie.
   *
   * Credentials: none. Errors: EMAIL_TAKEN, RATE_LIMITED.
   */
  signUp(input) {
    return this.transport.call("auth.signUp", input);
  }
  /**
   * Verify the account's address with the token of the mailed link (once; it expires after
   * EMAIL_VERIFICATION_TTL_HOURS).
   *
   * Credentials: none. Errors: INVALID_TOKEN, RATE_LIMITED.
   */
  verifyEmail(input) {
    return this.transport.call("auth.verifyEmail", input);
  }
};
var ApiKeysApi = class extends Group {
  /**
   * Create a team API key (admin; a session signed in within 10 minutes).
   *
   * The key is in this answer only; it is stored as a scrypt hash. ``scopes``: ``read`` (the
   * procedures that only read), ``write`` (those that change subscribers, syncs and exports too) or
   * ``admin`` (also keys, webhooks, connections and members); each includes the ones before, and
   * without ``scopes`` a key is ``admin``, as every key was before scopes. Give the least the key
   * needs. ``expiresAt`` or ``expiresInDays``: the key answers 401 from then on. ``ipAllowlist``:
   * at most API_KEY_ALLOWLIST_MAX (100 by default) addresses or CIDR ranges. Scope: `admin` (what a
   * scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId. Errors: UNAUTHENTICATED, FORBIDDEN, SESSION_TOO_OLD,
   * WRONG_ROLE.
   */
  create(input) {
    return this.transport.call("apiKeys.create", input);
  }
  /**
   * The team's API keys (never the keys themselves).
   *
   * Scope: `admin` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED,
   * RATE_LIMITED.
   */
  list(input = {}) {
    return this.transport.call("apiKeys.list", input);
  }
  /**
   * Revoke a key (admin): it stops working, and its live streams end, at once on this API process
   * and within a second on the others.
   *
   * Scope: `admin` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, NOT_FOUND, PLAN_LIMIT_REACHED,
   * TEAM_DELETION_SCHEDULED, RATE_LIMITED.
   */
  revoke(input) {
    return this.transport.call("apiKeys.revoke", input);
  }
};
var Client = class _Client {
  apiKeys;
  auth;
  cron;
  espConnections;
  exports;
  invitations;
  members;
  subscribers;
  sync;
  syncRuns;
  teams;
  usage;
  webhooks;
  transport;
  constructor(options) {
    this.transport = options instanceof Transport ? options : new Transport(API, options, {
      sessionToken: options.sessionToken,
      teamId: options.teamId,
      apiKey: options.apiKey,
      cronToken: options.cronToken
    });
    this.apiKeys = new ApiKeysApi(this.transport);
    this.auth = new AuthApi(this.transport);
    this.cron = new CronApi(this.transport);
    this.espConnections = new EspConnectionsApi(this.transport);
    this.exports = new ExportsApi(this.transport);
    this.invitations = new InvitationsApi(this.transport);
    this.members = new MembersApi(this.transport);
    this.subscribers = new SubscribersApi(this.transport);
    this.sync = new SyncApi(this.transport);
    this.syncRuns = new SyncRunsApi(this.transport);
    this.teams = new TeamsApi(this.transport);
    this.usage = new UsageApi(this.transport);
    this.webhooks = new WebhooksApi(this.transport);
  }
  /** A session token. Sent as `Authorization: Bearer <sessionToken>`. */
  get sessionToken() {
    return this.transport.credentials["sessionToken"];
  }
  set sessionToken(value) {
    this.transport.credentials["sessionToken"] = value;
  }
  /** Sent as `X-Team-Id: <teamId>`. */
  get teamId() {
    return this.transport.credentials["teamId"];
  }
  set teamId(value) {
    this.transport.credentials["teamId"] = value;
  }
  /** Sent as `X-API-Key: <apiKey>`. */
  get apiKey() {
    return this.transport.credentials["apiKey"];
  }
  set apiKey(value) {
    this.transport.credentials["apiKey"] = value;
  }
  /** CRON_TOKEN. Sent as `Authorization: Bearer <cronToken>`. */
  get cronToken() {
    return this.transport.credentials["cronToken"];
  }
  set cronToken(value) {
    this.transport.credentials["cronToken"] = value;
  }
  /** A client for one team: these settings and credentials, `teamId` set. */
  withTeam(teamId) {
    return new _Client(this.transport.derive({ teamId }));
  }
};

// ../sdk/ts/src/sync.ts
var StreamRevokedError = class extends Error {
  reason;
  constructor(reason) {
    super(`the stream ended: ${reason}`);
    this.name = "StreamRevokedError";
    this.reason = reason;
  }
};
async function* streamChanges(options) {
  const doFetch = options.fetch ?? fetch;
  const headers = { Accept: "text/event-stream", ...options.headers };
  if (options.cursor) {
    headers["Last-Event-ID"] = options.cursor;
  }
  const init = { headers };
  if (options.signal) {
    init.signal = options.signal;
  }
  const response = await doFetch(`${options.baseUrl.replace(/\/$/, "")}/realtime/stream`, init);
  if (!response.ok) {
    await readAnswer(response);
  }
  if (!response.body) {
    throw new UnexpectedResponse(response.status, "the stream has no body", "", null);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let event = "message";
  let id = "";
  let data = [];
  for (; ; ) {
    const { value, done } = await reader.read();
    if (done) {
      return;
    }
    buffer += value;
    let newline = buffer.indexOf("\n");
    while (newline >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, "");
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf("\n");
      if (line !== "") {
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") event = text;
        else if (field === "id") id = text;
        else if (field === "data") data.push(text);
        continue;
      }
      const payload = data.join("\n");
      if (event === "change" && payload) {
        yield { type: "change", cursor: id, change: JSON.parse(payload) };
      } else if (event === "up-to-date") {
        yield { type: "up-to-date", cursor: JSON.parse(payload).cursor };
      } else if (event === "progress") {
        yield { type: "progress", data: JSON.parse(payload) };
      } else if (event === "must-refetch") {
        yield { type: "must-refetch" };
        await reader.cancel();
        return;
      } else if (event === "revoked") {
        await reader.cancel();
        throw new StreamRevokedError(JSON.parse(payload).reason);
      }
      event = "message";
      id = "";
      data = [];
    }
  }
}

// src/main.ts
var TOKEN_KEY = "subnest.session";
var INVITE_KEY = "subnest.invitation";
var RECENT = 20;
var STATUSES = ["subscribed", "unsubscribed", "pending", "bounced", "cleaned", "deleted", "total"];
var base = window.location.origin;
var client = new Client({ baseUrl: base });
var team = null;
var stream = null;
var runs = /* @__PURE__ */ new Map();
var progress = /* @__PURE__ */ new Map();
function $(selector) {
  const found = document.querySelector(selector);
  if (!found) throw new Error(`missing ${selector}`);
  return found;
}
function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}
function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "never";
}
function showError(err) {
  const box = $("#error");
  if (err instanceof ApiError) {
    box.textContent = `${err.body.message} (${err.body.code})`;
  } else {
    box.textContent = err instanceof Error ? err.message : String(err);
  }
  box.hidden = false;
}
function clearError() {
  $("#error").hidden = true;
}
function notice(text) {
  const box = $("#notice");
  box.textContent = text;
  box.hidden = false;
}
function fromMailedLink() {
  const match = /^#(verify|reset|invite)=([A-Za-z0-9_-]+)$/.exec(window.location.hash);
  if (!match) return;
  history.replaceState(null, "", window.location.pathname);
  const [, what, token] = match;
  if (what === "verify") {
    void guarded(async () => {
      await client.auth.verifyEmail({ token });
      notice("Your email address is verified.");
    });
  } else if (what === "reset") {
    const form = $("#reset");
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
async function acceptPendingInvitation() {
  const token = sessionStorage.getItem(INVITE_KEY);
  if (!token) return;
  sessionStorage.removeItem(INVITE_KEY);
  try {
    const team2 = await client.invitations.accept({ token });
    notice(`You joined ${team2.name} as ${team2.role}.`);
  } catch (err) {
    showError(err);
  }
}
async function forgotPassword(form) {
  const email = String(new FormData(form).get("email") ?? "");
  if (!email) throw new Error("enter your email address first");
  await client.auth.requestPasswordReset({ email });
  notice("If an account has this address, a link to reset its password is on its way.");
}
async function guarded(action) {
  try {
    clearError();
    await action();
  } catch (err) {
    showError(err);
  }
}
async function background(action) {
  try {
    await action();
  } catch (err) {
    showError(err);
  }
}
var ENDED = {
  keyRevoked: "The API key was revoked.",
  keyExpired: "The API key expired.",
  memberRemoved: "You were removed from the team.",
  signedOut: "You were signed out.",
  sessionExpired: "Your session expired.",
  teamDeleted: "The team is scheduled for deletion."
};
function signedOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  client.sessionToken = void 0;
  team = null;
  $("#dashboard").hidden = true;
  $("#sign-in").hidden = false;
}
async function signIn(form) {
  const data = new FormData(form);
  const signed = await client.auth.signIn({
    email: String(data.get("email")),
    password: String(data.get("password"))
  });
  sessionStorage.setItem(TOKEN_KEY, signed.session.token);
  await enter(signed.session.token);
}
async function enter(token) {
  client.sessionToken = token;
  await acceptPendingInvitation();
  const me = await client.auth.me();
  $("#who").textContent = me.user.email;
  const { items } = await client.teams.list();
  const select = $("#team");
  select.replaceChildren(
    ...items.map((t) => {
      const option = document.createElement("option");
      option.value = t.id;
      option.textContent = t.name;
      return option;
    })
  );
  $("#sign-in").hidden = true;
  $("#dashboard").hidden = false;
  if (items[0]) await openTeam(items[0].id);
}
async function openTeam(teamId) {
  stream?.abort();
  team = client.withTeam(teamId);
  $("#changes tbody").replaceChildren();
  await Promise.all([loadConnections(), loadCounts(), search("")]);
  void follow(teamId);
}
async function loadCounts() {
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
    })
  );
}
async function loadConnections() {
  if (!team) return;
  const { items } = await team.espConnections.list();
  $("#connections tbody").replaceChildren(...items.map(connectionRow));
}
function connectionRow(connection) {
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
    shown
  );
  return row;
}
async function syncNow(connectionId) {
  if (!team) return;
  const queued = await team.espConnections.sync({ id: connectionId });
  runs.set(queued.syncRunId, connectionId);
  showProgress(queued.syncRunId, "queued");
}
function showProgress(runId, text) {
  const connection = runs.get(runId);
  if (!connection) return;
  progress.set(connection, text);
  const target = document.querySelector(`tr[data-connection="${connection}"] .progress`);
  if (target) target.textContent = text;
}
async function explainFailure(runId) {
  if (!team) return;
  const run = await team.syncRuns.get({ id: runId });
  showProgress(runId, `failed: ${run.error ?? "unknown error"}`);
}
function describe(change) {
  const row = change.row;
  if (change.table === "subscribers") {
    const name = [row["firstName"], row["lastName"]].filter(Boolean).join(" ");
    return `${String(row["email"])}${name ? ` (${name})` : ""}`;
  }
  if (change.table === "sync_runs") return `sync ${String(row["status"])}`;
  if (change.table === "exports") return `export ${String(row["status"])}`;
  return String(row["name"] ?? change.id);
}
function addRecent(change) {
  const body = $("#changes tbody");
  const row = document.createElement("tr");
  row.append(cell(change.table), cell(change.op), cell(describe(change)));
  body.prepend(row);
  while (body.children.length > RECENT) body.lastElementChild?.remove();
}
var countsTimer;
function refreshSoon() {
  window.clearTimeout(countsTimer);
  countsTimer = window.setTimeout(() => void background(loadCounts), 250);
}
async function follow(teamId) {
  const controller = new AbortController();
  stream = controller;
  const badge = $("#live");
  const headers = { Authorization: `Bearer ${client.sessionToken ?? ""}`, "X-Team-Id": teamId };
  let cursor;
  let live = false;
  while (!controller.signal.aborted) {
    const resumed = cursor !== void 0;
    try {
      for await (const event of streamChanges({ baseUrl: base, headers, cursor, signal: controller.signal })) {
        if (event.type === "up-to-date") {
          live = true;
          cursor = event.cursor;
          badge.textContent = "live";
          badge.classList.add("live");
        } else if (event.type === "change") {
          cursor = event.cursor;
          const change = event.change;
          if (change.table === "sync_runs" && typeof change.row["connectionId"] === "string") {
            runs.set(change.id, change.row["connectionId"]);
          }
          if (!live && !resumed) continue;
          addRecent(change);
          if (change.table === "subscribers") refreshSoon();
          if (change.table === "esp_connections") void background(loadConnections);
        } else if (event.type === "progress") {
          const data = event.data;
          if (typeof data["syncRunId"] === "string") {
            showProgress(data["syncRunId"], `${String(data["status"])} \xB7 ${String(data["rowsSeen"] ?? 0)} rows`);
            if (data["status"] === "succeeded" || data["status"] === "failed") {
              refreshSoon();
              void background(loadConnections);
            }
            if (data["status"] === "failed") void background(() => explainFailure(String(data["syncRunId"])));
          } else if (typeof data["exportId"] === "string") {
            $("#export-status").textContent = `export ${String(data["status"])}: ${String(data["rowCount"])} of ${String(data["totalRows"] ?? "?")} rows`;
          }
        } else {
          cursor = void 0;
          void background(async () => {
            await Promise.all([loadConnections(), loadCounts()]);
          });
        }
      }
    } catch (err) {
      if (controller.signal.aborted) return;
      if (err instanceof StreamRevokedError) {
        signedOut();
        showError(new Error(`${ENDED[err.reason] ?? "Your access ended."} Sign in again.`));
        return;
      }
      if (err instanceof ApiError && err.status === 401) {
        signedOut();
        showError(err);
        return;
      }
      showError(err);
    }
    live = false;
    badge.textContent = "reconnecting\u2026";
    badge.classList.remove("live");
    await new Promise((resolve) => window.setTimeout(resolve, 1e3));
  }
}
async function search(query) {
  if (!team) return;
  const page = await team.subscribers.list(query ? { search: query, limit: 50 } : { limit: 50 });
  $("#subscribers tbody").replaceChildren(...page.items.map(subscriberRow));
}
function subscriberRow(subscriber) {
  const row = document.createElement("tr");
  const name = [subscriber.firstName, subscriber.lastName].filter(Boolean).join(" ");
  row.append(cell(subscriber.email), cell(name), cell(subscriber.status), cell(when(subscriber.createdAt)));
  return row;
}
async function exportAs(format) {
  if (!team) return;
  const query = String(new FormData($("#search")).get("q") ?? "");
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
function main() {
  $("#sign-in").addEventListener("submit", (event) => {
    event.preventDefault();
    void guarded(() => signIn(event.currentTarget));
  });
  $("#team").addEventListener("change", (event) => {
    void guarded(() => openTeam(event.currentTarget.value));
  });
  $("#search").addEventListener("submit", (event) => {
    event.preventDefault();
    void guarded(() => search(String(new FormData(event.currentTarget).get("q") ?? "")));
  });
  $("#forgot").addEventListener("click", () => void guarded(() => forgotPassword($("#sign-in"))));
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
