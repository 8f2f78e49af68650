// Generated from web/src by npm run build (esbuild); do not edit.

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
  constructor(status, message2, text2, requestId) {
    super(message2);
    this.name = "UnexpectedResponse";
    this.status = status;
    this.text = text2;
    this.requestId = requestId;
  }
};
var DEFAULT_RETRY = { maxAttempts: 3, backoffMs: 500, maxDelayMs: 3e4 };
var RETRY_STATUSES = /* @__PURE__ */ new Set([429, 503]);
var SAFE_RETRY_STATUSES = /* @__PURE__ */ new Set([500, 502, 503, 504]);
var IDEMPOTENCY_HEADER = "Idempotency-Key";
function retryDelayMs(policy, attempt, retryAfter) {
  let ms = parseRetryAfter(retryAfter);
  if (ms === null) {
    ms = policy.backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
  }
  return Math.max(0, Math.min(ms, policy.maxDelayMs));
}
function parseRetryAfter(value) {
  const text2 = value?.trim() ?? "";
  if (text2 === "") {
    return null;
  }
  if (/^\d+(\.\d+)?$/.test(text2)) {
    return Number(text2) * 1e3;
  }
  const when2 = Date.parse(text2);
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
  async call(procedure, input, options = {}) {
    const info = this.api.procedures[procedure];
    if (info === void 0) {
      throw new Error(`unknown procedure ${procedure}`);
    }
    const url = this.options.baseUrl.replace(/\/+$/, "") + info.path;
    const headers = {
      ...this.options.headers,
      "content-type": "application/json",
      accept: "application/json",
      ...this.authHeaders(info.security)
    };
    if (info.idempotent === true) {
      headers[IDEMPOTENCY_HEADER] = options.idempotencyKey ?? newIdempotencyKey();
    }
    const safe = info.idempotent === true || info.safe === true;
    const init = { method: "POST", headers, body: JSON.stringify(input ?? {}) };
    for (let attempt = 1; ; attempt++) {
      const signal = AbortSignal.timeout(this.options.timeoutMs ?? 3e4);
      let response;
      try {
        response = await this.send(url, { ...init, signal });
      } catch (err) {
        if (!safe || attempt >= this.retry.maxAttempts) {
          throw err;
        }
        await sleep(retryDelayMs(this.retry, attempt, null));
        continue;
      }
      if (attempt >= this.retry.maxAttempts || !await retryable(response, safe)) {
        return this.result(response);
      }
      await response.arrayBuffer();
      await sleep(retryDelayMs(this.retry, attempt, response.headers.get("retry-after")));
    }
  }
  async result(response) {
    return await readAnswer(response);
  }
};
function newIdempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] ?? 0) & 15 | 64;
  bytes[8] = (bytes[8] ?? 0) & 63 | 128;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  const parts = [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20)];
  return [...parts, hex.slice(20)].join("-");
}
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
async function retryable(response, safe) {
  if (response.status === 429) {
    const text2 = await response.clone().text();
    let parsed = void 0;
    try {
      parsed = JSON.parse(text2);
    } catch {
    }
    return !isErrorShape(parsed) || parsed.code === "RATE_LIMITED";
  }
  return RETRY_STATUSES.has(response.status) || safe && SAFE_RETRY_STATUSES.has(response.status);
}
async function readAnswer(response) {
  const requestId = response.headers.get("x-request-id");
  const text2 = await response.text();
  let parsed = void 0;
  try {
    parsed = JSON.parse(text2);
  } catch {
  }
  if (response.ok && parsed !== void 0) {
    return parsed;
  }
  if (!response.ok && isErrorShape(parsed)) {
    throw new ApiError(response.status, parsed, requestId);
  }
  const what = response.ok ? "not JSON" : "an error without the documented body";
  const message2 = `HTTP ${response.status}: ${what}`;
  throw new UnexpectedResponse(response.status, message2, text2, requestId);
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
function isKnownChangeOut(value) {
  return ["subscribers", "esp_connections", "sync_runs", "exports"].includes(value.table);
}
function isApiError(err, code) {
  return err instanceof ApiError && (code === void 0 || err.body.code === code);
}
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
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      idempotent: true
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
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      idempotent: true
    },
    "espConnections.delete": {
      path: "/rpc/espConnections.delete",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      idempotent: true
    },
    "espConnections.get": {
      path: "/rpc/espConnections.get",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      safe: true
    },
    "espConnections.list": {
      path: "/rpc/espConnections.list",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      safe: true
    },
    "espConnections.restore": {
      path: "/rpc/espConnections.restore",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      idempotent: true
    },
    "espConnections.sync": {
      path: "/rpc/espConnections.sync",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      idempotent: true
    },
    "espConnections.update": {
      path: "/rpc/espConnections.update",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      idempotent: true
    },
    "exports.create": {
      path: "/rpc/exports.create",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      idempotent: true
    },
    "exports.get": {
      path: "/rpc/exports.get",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      safe: true
    },
    "invitations.accept": {
      path: "/rpc/invitations.accept",
      security: [["session"], ["sessionCookie"]]
    },
    "invitations.list": {
      path: "/rpc/invitations.list",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      safe: true
    },
    "invitations.revoke": {
      path: "/rpc/invitations.revoke",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      idempotent: true
    },
    "members.add": {
      path: "/rpc/members.add",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      idempotent: true
    },
    "members.list": {
      path: "/rpc/members.list",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      safe: true
    },
    "members.remove": {
      path: "/rpc/members.remove",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      idempotent: true
    },
    "members.setRole": {
      path: "/rpc/members.setRole",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      idempotent: true
    },
    "subscribers.counts": {
      path: "/rpc/subscribers.counts",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      safe: true
    },
    "subscribers.create": {
      path: "/rpc/subscribers.create",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      idempotent: true
    },
    "subscribers.delete": {
      path: "/rpc/subscribers.delete",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      idempotent: true
    },
    "subscribers.get": {
      path: "/rpc/subscribers.get",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      safe: true
    },
    "subscribers.history": {
      path: "/rpc/subscribers.history",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      safe: true
    },
    "subscribers.list": {
      path: "/rpc/subscribers.list",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      safe: true
    },
    "subscribers.restore": {
      path: "/rpc/subscribers.restore",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      idempotent: true
    },
    "subscribers.update": {
      path: "/rpc/subscribers.update",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      idempotent: true
    },
    "sync.pull": {
      path: "/rpc/sync.pull",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      safe: true
    },
    "syncRuns.approve": {
      path: "/rpc/syncRuns.approve",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      idempotent: true
    },
    "syncRuns.get": {
      path: "/rpc/syncRuns.get",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      safe: true
    },
    "syncRuns.list": {
      path: "/rpc/syncRuns.list",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      safe: true
    },
    "teams.create": { path: "/rpc/teams.create", security: [["session"], ["sessionCookie"]] },
    "teams.delete": {
      path: "/rpc/teams.delete",
      security: [["session", "teamId"], ["sessionCookie", "teamId"]],
      idempotent: true
    },
    "teams.list": { path: "/rpc/teams.list", security: [["session"], ["sessionCookie"]] },
    "teams.restore": {
      path: "/rpc/teams.restore",
      security: [["session", "teamId"], ["sessionCookie", "teamId"]],
      idempotent: true
    },
    "usage.get": {
      path: "/rpc/usage.get",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      safe: true
    },
    "webhooks.create": {
      path: "/rpc/webhooks.create",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]]
    },
    "webhooks.delete": {
      path: "/rpc/webhooks.delete",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      idempotent: true
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
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      idempotent: true
    },
    "webhooks.update": {
      path: "/rpc/webhooks.update",
      security: [["session", "teamId"], ["sessionCookie", "teamId"], ["apiKey"]],
      idempotent: true
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
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, SESSION_TOO_OLD, WRONG_ROLE, NOT_FOUND,
   * IDEMPOTENCY_KEY_REUSED, PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED, RATE_LIMITED.
   *
   * Sent with an Idempotency-Key (`options.idempotencyKey`, a new UUID when not given; the same on
   * each retry), so a network error or a 5xx is retried without doing the write twice.
   */
  delete(input, options = {}) {
    return this.transport.call("webhooks.delete", input, options);
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
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, NOT_FOUND, IDEMPOTENCY_KEY_REUSED,
   * PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED, RATE_LIMITED.
   *
   * Sent with an Idempotency-Key (`options.idempotencyKey`, a new UUID when not given; the same on
   * each retry), so a network error or a 5xx is retried without doing the write twice.
   */
  test(input, options = {}) {
    return this.transport.call("webhooks.test", input, options);
  }
  /**
   * Change a webhook's URL, events or status (admin; a fresh session or a key). ``status:
   * "active"`` turns a webhook disabled after repeated failures back on, its failure count reset;
   * ``"disabled"`` pauses it. Events of the time a webhook was off are not delivered.
   *
   * Scope: `admin` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, SESSION_TOO_OLD, WRONG_ROLE, NOT_FOUND,
   * IDEMPOTENCY_KEY_REUSED, PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED, WEBHOOK_URL_REFUSED,
   * RATE_LIMITED.
   *
   * Sent with an Idempotency-Key (`options.idempotencyKey`, a new UUID when not given; the same on
   * each retry), so a network error or a 5xx is retried without doing the write twice.
   */
  update(input, options = {}) {
    return this.transport.call("webhooks.update", input, options);
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
   * WRONG_ROLE, IDEMPOTENCY_KEY_REUSED.
   *
   * Sent with an Idempotency-Key (`options.idempotencyKey`, a new UUID when not given; the same on
   * each retry), so a network error or a 5xx is retried without doing the write twice.
   */
  delete(input = {}, options = {}) {
    return this.transport.call("teams.delete", input, options);
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
   * WRONG_ROLE, IDEMPOTENCY_KEY_REUSED.
   *
   * Sent with an Idempotency-Key (`options.idempotencyKey`, a new UUID when not given; the same on
   * each retry), so a network error or a 5xx is retried without doing the write twice.
   */
  restore(input = {}, options = {}) {
    return this.transport.call("teams.restore", input, options);
  }
};
var SyncRunsApi = class extends Group {
  /**
   * Allow the deletions a ``needs_review`` run withheld (admin): queues a run (trigger
   * ``approval``) that lists the provider again and may delete up to as many rows as the reviewed
   * run would have; if the listing now leaves out more, it waits in review again. Approving twice
   * gives the same run. 409 SYNC_RUN_NOT_IN_REVIEW for any other run.
   *
   * Scope: `admin` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, NOT_FOUND, SYNC_RUN_NOT_IN_REVIEW,
   * IDEMPOTENCY_KEY_REUSED, PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED, QUOTA_EXCEEDED,
   * RATE_LIMITED.
   *
   * Sent with an Idempotency-Key (`options.idempotencyKey`, a new UUID when not given; the same on
   * each retry), so a network error or a 5xx is retried without doing the write twice.
   */
  approve(input, options = {}) {
    return this.transport.call("syncRuns.approve", input, options);
  }
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
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, SUBSCRIBER_EXISTS, IDEMPOTENCY_KEY_REUSED,
   * PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED, RATE_LIMITED.
   *
   * Sent with an Idempotency-Key (`options.idempotencyKey`, a new UUID when not given; the same on
   * each retry), so a network error or a 5xx is retried without doing the write twice.
   */
  create(input, options = {}) {
    return this.transport.call("subscribers.create", input, options);
  }
  /**
   * Soft-delete a subscriber: replicas get a tombstone; ``subscribers.restore`` undoes it. A synced
   * subscriber the provider still lists comes back with the next sync.
   *
   * Scope: `write` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, NOT_FOUND, IDEMPOTENCY_KEY_REUSED,
   * PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED, RATE_LIMITED.
   *
   * Sent with an Idempotency-Key (`options.idempotencyKey`, a new UUID when not given; the same on
   * each retry), so a network error or a 5xx is retried without doing the write twice.
   */
  delete(input, options = {}) {
    return this.transport.call("subscribers.delete", input, options);
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
   * How many subscribers had each status, per day over the last ``days`` (90 by default), for a
   * chart: read from the daily rollup (decision 0035), never from the subscribers.
   *
   * Scope: `read` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED,
   * RATE_LIMITED.
   */
  history(input = {}) {
    return this.transport.call("subscribers.history", input);
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
   * IDEMPOTENCY_KEY_REUSED, PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED, RATE_LIMITED.
   *
   * Sent with an Idempotency-Key (`options.idempotencyKey`, a new UUID when not given; the same on
   * each retry), so a network error or a 5xx is retried without doing the write twice.
   */
  restore(input, options = {}) {
    return this.transport.call("subscribers.restore", input, options);
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
   * IDEMPOTENCY_KEY_REUSED, PLAN_LIMIT_REACHED, SUBSCRIBER_DELETED, TEAM_DELETION_SCHEDULED,
   * RATE_LIMITED.
   *
   * Sent with an Idempotency-Key (`options.idempotencyKey`, a new UUID when not given; the same on
   * each retry), so a network error or a 5xx is retried without doing the write twice.
   */
  update(input, options = {}) {
    return this.transport.call("subscribers.update", input, options);
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
   * IDEMPOTENCY_KEY_REUSED, PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED, QUOTA_EXCEEDED,
   * RATE_LIMITED.
   *
   * Sent with an Idempotency-Key (`options.idempotencyKey`, a new UUID when not given; the same on
   * each retry), so a network error or a 5xx is retried without doing the write twice.
   */
  add(input, options = {}) {
    return this.transport.call("members.add", input, options);
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
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, SESSION_TOO_OLD, WRONG_ROLE, NOT_FOUND,
   * IDEMPOTENCY_KEY_REUSED, LAST_OWNER, PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED, RATE_LIMITED.
   *
   * Sent with an Idempotency-Key (`options.idempotencyKey`, a new UUID when not given; the same on
   * each retry), so a network error or a 5xx is retried without doing the write twice.
   */
  remove(input, options = {}) {
    return this.transport.call("members.remove", input, options);
  }
  /**
   * Change a member's role (owner or admin, signed in within SESSION_FRESH_MINUTES: not with an API
   * key). Only an owner grants or takes the owner role; the last owner stays.
   *
   * Scope: `admin` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, SESSION_TOO_OLD, WRONG_ROLE, NOT_FOUND,
   * IDEMPOTENCY_KEY_REUSED, LAST_OWNER, PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED, RATE_LIMITED.
   *
   * Sent with an Idempotency-Key (`options.idempotencyKey`, a new UUID when not given; the same on
   * each retry), so a network error or a 5xx is retried without doing the write twice.
   */
  setRole(input, options = {}) {
    return this.transport.call("members.setRole", input, options);
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
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, NOT_FOUND, IDEMPOTENCY_KEY_REUSED,
   * PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED, RATE_LIMITED.
   *
   * Sent with an Idempotency-Key (`options.idempotencyKey`, a new UUID when not given; the same on
   * each retry), so a network error or a 5xx is retried without doing the write twice.
   */
  revoke(input, options = {}) {
    return this.transport.call("invitations.revoke", input, options);
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
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, IDEMPOTENCY_KEY_REUSED, PLAN_LIMIT_REACHED,
   * TEAM_DELETION_SCHEDULED, QUOTA_EXCEEDED, RATE_LIMITED.
   *
   * Sent with an Idempotency-Key (`options.idempotencyKey`, a new UUID when not given; the same on
   * each retry), so a network error or a 5xx is retried without doing the write twice.
   */
  create(input, options = {}) {
    return this.transport.call("exports.create", input, options);
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
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, ESP_CREDENTIALS_REJECTED,
   * IDEMPOTENCY_KEY_REUSED, PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED, RATE_LIMITED,
   * ESP_UNAVAILABLE.
   *
   * Sent with an Idempotency-Key (`options.idempotencyKey`, a new UUID when not given; the same on
   * each retry), so a network error or a 5xx is retried without doing the write twice.
   */
  create(input, options = {}) {
    return this.transport.call("espConnections.create", input, options);
  }
  /**
   * Remove a connection (admin); its subscribers become tombstones. For CONNECTION_RESTORE_HOURS
   * ``espConnections.restore`` brings both back; then the subscribers are removed for good, local
   * fields and all.
   *
   * Scope: `admin` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, NOT_FOUND, IDEMPOTENCY_KEY_REUSED,
   * PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED, RATE_LIMITED.
   *
   * Sent with an Idempotency-Key (`options.idempotencyKey`, a new UUID when not given; the same on
   * each retry), so a network error or a 5xx is retried without doing the write twice.
   */
  delete(input, options = {}) {
    return this.transport.call("espConnections.delete", input, options);
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
   * The team's ESP connections; with ``includeDeleted``, the deleted ones too.
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
   * Undo ``espConnections.delete`` within CONNECTION_RESTORE_HOURS (admin): the connection comes
   * back ``paused`` (resume it with espConnections.update) with exactly the subscribers the
   * deletion tombstoned, local fields included. 422 CONNECTION_RESTORE_EXPIRED after.
   *
   * Scope: `admin` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, NOT_FOUND, CONNECTION_RESTORE_EXPIRED,
   * IDEMPOTENCY_KEY_REUSED, PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED, RATE_LIMITED.
   *
   * Sent with an Idempotency-Key (`options.idempotencyKey`, a new UUID when not given; the same on
   * each retry), so a network error or a 5xx is retried without doing the write twice.
   */
  restore(input, options = {}) {
    return this.transport.call("espConnections.restore", input, options);
  }
  /**
   * Queue a sync of the connection now; follow it with syncRuns.get or the change feed.
   *
   * 422 PLAN_LIMIT_REACHED once the period's synced subscribers reach the plan's limit; 429
   * QUOTA_EXCEEDED while the team has TEAM_MAX_CONCURRENT_SYNCS runs queued or running. Scope:
   * `write` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, NOT_FOUND, IDEMPOTENCY_KEY_REUSED,
   * PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED, QUOTA_EXCEEDED, RATE_LIMITED.
   *
   * Sent with an Idempotency-Key (`options.idempotencyKey`, a new UUID when not given; the same on
   * each retry), so a network error or a 5xx is retried without doing the write twice.
   */
  sync(input, options = {}) {
    return this.transport.call("espConnections.sync", input, options);
  }
  /**
   * Rename, pause or resume a connection, or replace its credentials (admin).
   *
   * New credentials are checked with the provider first, and clear an ``error`` status. Scope:
   * `admin` (what a scoped credential, such as an API key, needs).
   *
   * Credentials: sessionToken + teamId, or apiKey. Errors: UNAUTHENTICATED, FORBIDDEN,
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, NOT_FOUND, ESP_CREDENTIALS_REJECTED,
   * IDEMPOTENCY_KEY_REUSED, PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED, RATE_LIMITED,
   * ESP_UNAVAILABLE.
   *
   * Sent with an Idempotency-Key (`options.idempotencyKey`, a new UUID when not given; the same on
   * each retry), so a network error or a 5xx is retried without doing the write twice.
   */
  update(input, options = {}) {
    return this.transport.call("espConnections.update", input, options);
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
   * INSUFFICIENT_SCOPE, IP_NOT_ALLOWED, WRONG_ROLE, NOT_FOUND, IDEMPOTENCY_KEY_REUSED,
   * PLAN_LIMIT_REACHED, TEAM_DELETION_SCHEDULED, RATE_LIMITED.
   *
   * Sent with an Idempotency-Key (`options.idempotencyKey`, a new UUID when not given; the same on
   * each retry), so a network error or a 5xx is retried without doing the write twice.
   */
  revoke(input, options = {}) {
    return this.transport.call("apiKeys.revoke", input, options);
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

// src/ui.ts
function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === "function") node.addEventListener(name.slice(2), value);
    else if (value === true) node.setAttribute(name, "");
    else if (value !== false && value !== null && value !== void 0) node.setAttribute(name, String(value));
  }
  node.append(...children.filter((c) => c !== null && c !== void 0 && c !== false));
  return node;
}
function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "never";
}
function duration(start2, end) {
  if (!start2) return "";
  const ms = (end ? Date.parse(end) : Date.now()) - Date.parse(start2);
  return ms < 1e3 ? `${ms} ms` : `${(ms / 1e3).toFixed(1)} s`;
}
var signInAgain = () => void 0;
function onSessionTooOld(handler) {
  signInAgain = handler;
}
function message(err) {
  if (isApiError(err, "SESSION_TOO_OLD")) {
    return "This needs a recent sign-in: sign in again, then retry.";
  }
  if (err instanceof ApiError) return capitalise(err.body.message);
  if (err instanceof TypeError) return "The server could not be reached: check the connection and retry.";
  return err instanceof Error ? capitalise(err.message) : String(err);
}
function capitalise(text2) {
  return text2.charAt(0).toUpperCase() + text2.slice(1);
}
function showIn(box, err) {
  box.replaceChildren(message(err));
  if (isApiError(err, "SESSION_TOO_OLD")) {
    box.append(" ", h("button", { type: "button", class: "link", onclick: () => signInAgain() }, "Sign in again"));
  }
  box.hidden = false;
}
function button(label, action, attrs = {}) {
  const error = h("span", { class: "action-error", role: "alert", hidden: true });
  const control2 = h("button", { type: "button", ...attrs }, label);
  control2.addEventListener("click", () => {
    error.hidden = true;
    void busy(control2, action).catch((err) => showIn(error, err));
  });
  return h("span", { class: "action" }, control2, error);
}
function confirmButton(label, ask, action) {
  let armed = false;
  const wrapper = button(label, async () => {
    if (!armed) {
      armed = true;
      control2.textContent = ask;
      control2.classList.add("danger");
      return;
    }
    await action();
  });
  const control2 = wrapper.querySelector("button");
  control2.addEventListener("blur", () => {
    armed = false;
    control2.textContent = label;
    control2.classList.remove("danger");
  });
  return wrapper;
}
async function busy(control2, action) {
  control2.disabled = true;
  control2.setAttribute("aria-busy", "true");
  try {
    await action();
  } finally {
    control2.disabled = false;
    control2.removeAttribute("aria-busy");
  }
}
var FieldError = class extends Error {
  constructor(field, message2) {
    super(message2);
    this.field = field;
  }
  field;
};
var byPath = (err) => {
  if (err instanceof FieldError) return err.field;
  return isApiError(err, "VALIDATION_FAILED") ? err.body.data.path.replace(/^\$\.?/, "").split(".")[0] : void 0;
};
var fieldIds = 0;
function control(field, id, describedBy) {
  const common = { id, name: field.name, "aria-describedby": describedBy, required: field.required };
  if (field.type === "select") {
    const select = h("select", common);
    for (const [value, label] of field.options ?? []) {
      select.append(h("option", { value, selected: value === field.value }, label));
    }
    return select;
  }
  if (field.type === "textarea") {
    return h("textarea", { ...common, rows: 4, placeholder: field.placeholder }, field.value ?? "");
  }
  if (field.type === "checks") {
    return h(
      "span",
      { class: "checks", id, role: "group", "aria-describedby": describedBy },
      ...(field.options ?? []).map(
        ([value, label]) => h(
          "label",
          {},
          h("input", { type: "checkbox", name: field.name, value, checked: field.checked?.includes(value) }),
          ` ${label}`
        )
      )
    );
  }
  return h("input", {
    ...common,
    type: field.type ?? "text",
    value: field.value,
    placeholder: field.placeholder,
    autocomplete: field.autocomplete ?? "off"
  });
}
function form(options) {
  const fieldOf = options.fieldOf ?? byPath;
  const errors = /* @__PURE__ */ new Map();
  const node = h("form", { id: options.id, class: "form", novalidate: false });
  for (const field of options.fields) {
    const id = `f${++fieldIds}`;
    const error = h("span", { class: "field-error", id: `${id}-error`, role: "alert", hidden: true });
    errors.set(field.name, error);
    const hint = field.hint ? h("small", { class: "hint" }, field.hint) : null;
    const labelled = field.type === "checks" ? h("fieldset", {}, h("legend", {}, field.label), control(field, id, `${id}-error`)) : h("label", { for: id }, field.label, control(field, id, `${id}-error`));
    node.append(h("div", { class: "field", "data-field": field.name }, labelled, hint, error));
  }
  const formError = h("span", { class: "action-error", role: "alert", hidden: true });
  const submit = h("button", { type: "submit" }, options.submit);
  node.append(...options.extra ?? [], h("div", { class: "actions" }, submit, formError));
  node.addEventListener("submit", (event) => {
    event.preventDefault();
    formError.hidden = true;
    for (const box of errors.values()) box.hidden = true;
    for (const input of node.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
    void busy(submit, () => options.onSubmit(new FormData(node), node)).catch((err) => {
      const name = fieldOf(err);
      const box = name === void 0 ? void 0 : errors.get(name);
      if (!box) {
        showIn(formError, err);
        return;
      }
      showIn(box, err);
      const input = node.querySelector(`[data-field="${name}"] :is(input, select, textarea)`);
      input?.setAttribute("aria-invalid", "true");
      input?.focus();
    });
  });
  return node;
}
function text(data, name) {
  return String(data.get(name) ?? "").trim();
}
function table(id, headings, empty) {
  return h(
    "table",
    { id, "data-empty": empty },
    h("thead", {}, h("tr", {}, ...headings.map((t) => h("th", { scope: "col" }, t)))),
    h("tbody")
  );
}
function fill(tableNode, rows) {
  const body = tableNode.tBodies[0];
  if (rows.length) {
    const headings = [...tableNode.tHead?.rows[0]?.cells ?? []].map((th) => th.textContent ?? "");
    for (const tr of rows) {
      [...tr.cells].forEach((td, i) => td.dataset.label = headings[i] ?? "");
    }
    body.replaceChildren(...rows);
    return;
  }
  const columns = tableNode.tHead?.rows[0]?.cells.length ?? 1;
  body.replaceChildren(h("tr", { class: "empty" }, h("td", { colspan: columns }, tableNode.dataset.empty ?? "")));
}
function loading(tableNode) {
  const columns = tableNode.tHead?.rows[0]?.cells.length ?? 1;
  tableNode.tBodies[0].replaceChildren(
    h("tr", { class: "loading" }, h("td", { colspan: columns, "aria-busy": "true" }, "Loading\u2026"))
  );
}
function row(attrs, ...cells) {
  return h("tr", attrs, ...cells.map((c) => h("td", {}, c)));
}
function secretOnce(label, value) {
  const shown = h("code", { class: "secret" }, value);
  const status = h("span", { role: "status" });
  const copy2 = h("button", { type: "button" }, "Copy");
  copy2.addEventListener("click", () => {
    void navigator.clipboard.writeText(value).then(
      () => status.textContent = "Copied.",
      () => {
        window.getSelection()?.selectAllChildren(shown);
        status.textContent = "Selected: press Ctrl+C to copy.";
      }
    );
  });
  const box = h(
    "div",
    { class: "once", role: "region", "aria-label": label },
    h("strong", {}, label),
    h("p", {}, "Copy it now: it is shown only this once."),
    shown,
    " ",
    copy2,
    " ",
    status
  );
  return box;
}
function section(title, ...children) {
  return h("section", {}, h("h2", {}, title), ...children);
}

// src/pages/connections.ts
var PROVIDERS = [
  ["mailchimp", "Mailchimp"],
  ["kit", "Kit"],
  ["beehiiv", "beehiiv"],
  ["mailerlite", "MailerLite"],
  ["brevo", "Brevo"]
];
var LIST_NAMES = ["audience id", "publication id", "group id", "list id"];
var connectionField = (err) => {
  if (isApiError(err, "ESP_CREDENTIALS_REJECTED")) {
    const said = err.body.message.toLowerCase();
    return LIST_NAMES.some((name) => said.includes(name)) ? "listId" : "apiKey";
  }
  const path = byPath(err);
  return path === "credentials" ? "apiKey" : path;
};
var progress = /* @__PURE__ */ new Map();
function runProgress(run) {
  if (run.status === "failed") return `failed \xB7 ${run.errorKind ?? "error"}: ${run.error ?? "no reason given"}`;
  if (run.status === "needs_review") return `needs review \xB7 would delete ${run.withheld} of ${run.liveBefore ?? "?"}`;
  return `${run.status} \xB7 ${run.rowsSeen} rows`;
}
function runRow(run) {
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
    error
  );
}
var connections = {
  path: "connections",
  title: "Connections",
  mount(root, ctx) {
    const list = table(
      "connections",
      ["Name", "Provider", "List", "Status", "Last sync", "Actions", "Progress"],
      "No connection yet: add one below with your provider's API key."
    );
    const listError = h("p", { class: "action-error", role: "alert", hidden: true });
    const editor = h("div", { id: "edit-connection" });
    const runs = table(
      "runs",
      ["Queued", "Trigger", "Status", "Rows", "Created", "Updated", "Deleted", "Unchanged", "Conflicts", "Skipped", "Duration", "Error"],
      'No sync yet: press "Sync now" on the connection.'
    );
    const historyTitle = h("p", { id: "history-of" });
    const history3 = h("section", { id: "history", hidden: true }, h("h2", {}, "Sync history"), historyTitle, h("div", { class: "scroll" }, runs));
    let shown = [];
    let selected = null;
    let selectedRuns = [];
    const draw = () => {
      fill(list, shown.map((c) => connectionRow(c)));
    };
    const connectionRow = (connection) => {
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
        })
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
        h("span", { class: "progress" }, progress.get(connection.id) ?? "")
      );
    };
    const setProgress = (connectionId, value) => {
      progress.set(connectionId, value);
      const target = list.querySelector(`tr[data-connection="${connectionId}"] .progress`);
      if (target) target.textContent = value;
    };
    const load = async () => {
      const { items } = await ctx.team.espConnections.list();
      if (!ctx.alive()) return;
      shown = items;
      draw();
    };
    const drawRuns = () => {
      fill(runs, selectedRuns.map(runRow));
    };
    const merge = (incoming) => {
      const byId = new Map(selectedRuns.map((r) => [r.id, r]));
      for (const run of incoming) {
        const known2 = byId.get(run.id);
        if (run.connectionId === selected && (!known2 || known2.updatedAt <= run.updatedAt)) byId.set(run.id, run);
      }
      selectedRuns = [...byId.values()].sort((a, b) => b.queuedAt.localeCompare(a.queuedAt));
      drawRuns();
    };
    const openHistory = async (connectionId) => {
      if (selected !== connectionId) selectedRuns = [];
      selected = connectionId;
      history3.hidden = false;
      historyTitle.textContent = `Runs of ${shown.find((c) => c.id === connectionId)?.name ?? "the connection"}, newest first.`;
      if (!selectedRuns.length) loading(runs);
      const { items } = await ctx.team.syncRuns.list({ connectionId, limit: 20 });
      if (!ctx.alive() || selected !== connectionId) return;
      merge(items);
    };
    const edit = (connection) => {
      const editing = form({
        id: "edit-form",
        fields: [
          { name: "name", label: "Name", value: connection.name, required: true },
          { name: "apiKey", label: "New API key", type: "password", hint: "Leave empty to keep the stored one." }
        ],
        submit: "Save",
        fieldOf: connectionField,
        onSubmit: async (data) => {
          const apiKey = text(data, "apiKey");
          await ctx.team.espConnections.update({
            id: connection.id,
            name: text(data, "name"),
            credentials: apiKey ? { apiKey } : null
          });
          editor.replaceChildren();
        },
        extra: [h("button", { type: "button", onclick: () => editor.replaceChildren() }, "Cancel")]
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
        { name: "listId", label: "List id", hint: "Mailchimp: the audience id; beehiiv: the publication id (both required); MailerLite: a group id (optional)." }
      ],
      submit: "Add the connection",
      fieldOf: connectionField,
      onSubmit: async (data, node) => {
        await ctx.team.espConnections.create({
          provider: text(data, "provider"),
          name: text(data, "name"),
          credentials: { apiKey: text(data, "apiKey") },
          listId: text(data, "listId") || null
        });
        node.reset();
        await load();
      }
    });
    root.append(
      section("ESP connections", h("div", { class: "scroll" }, list), listError),
      editor,
      history3,
      section("Add a connection", adding)
    );
    ctx.onChange((batch) => {
      let reload = false;
      for (const change2 of batch) {
        if (change2.table === "esp_connections") reload = true;
        if (change2.table !== "sync_runs") continue;
        setProgress(change2.row.connectionId, runProgress(change2.row));
        merge([change2.row]);
        if (["succeeded", "failed", "needs_review"].includes(change2.row.status)) reload = true;
      }
      if (reload) void load().catch((err) => showIn(listError, err));
    });
    loading(list);
    void load().catch((err) => showIn(listError, err));
  }
};

// node_modules/uplot/dist/uPlot.esm.js
var FEAT_TIME = true;
var pre = "u-";
var UPLOT = "uplot";
var ORI_HZ = pre + "hz";
var ORI_VT = pre + "vt";
var TITLE = pre + "title";
var WRAP = pre + "wrap";
var UNDER = pre + "under";
var OVER = pre + "over";
var AXIS = pre + "axis";
var OFF = pre + "off";
var SELECT = pre + "select";
var CURSOR_X = pre + "cursor-x";
var CURSOR_Y = pre + "cursor-y";
var CURSOR_PT = pre + "cursor-pt";
var LEGEND = pre + "legend";
var LEGEND_LIVE = pre + "live";
var LEGEND_INLINE = pre + "inline";
var LEGEND_SERIES = pre + "series";
var LEGEND_MARKER = pre + "marker";
var LEGEND_LABEL = pre + "label";
var LEGEND_VALUE = pre + "value";
var WIDTH = "width";
var HEIGHT = "height";
var TOP = "top";
var BOTTOM = "bottom";
var LEFT = "left";
var RIGHT = "right";
var hexBlack = "#000";
var transparent = hexBlack + "0";
var mousemove = "mousemove";
var mousedown = "mousedown";
var mouseup = "mouseup";
var mouseenter = "mouseenter";
var mouseleave = "mouseleave";
var dblclick = "dblclick";
var resize = "resize";
var scroll = "scroll";
var change = "change";
var dppxchange = "dppxchange";
var LEGEND_DISP = "--";
var domEnv = typeof window != "undefined";
var doc = domEnv ? document : null;
var win = domEnv ? window : null;
var nav = domEnv ? navigator : null;
var pxRatio;
var query;
function setPxRatio() {
  let _pxRatio = devicePixelRatio;
  if (pxRatio != _pxRatio) {
    pxRatio = _pxRatio;
    query && off(change, query, setPxRatio);
    query = matchMedia(`(min-resolution: ${pxRatio - 1e-3}dppx) and (max-resolution: ${pxRatio + 1e-3}dppx)`);
    on(change, query, setPxRatio);
    win.dispatchEvent(new CustomEvent(dppxchange));
  }
}
function addClass(el, c) {
  if (c != null) {
    let cl = el.classList;
    !cl.contains(c) && cl.add(c);
  }
}
function remClass(el, c) {
  let cl = el.classList;
  cl.contains(c) && cl.remove(c);
}
function setStylePx(el, name, value) {
  el.style[name] = value + "px";
}
function placeTag(tag, cls, targ, refEl) {
  let el = doc.createElement(tag);
  if (cls != null)
    addClass(el, cls);
  if (targ != null)
    targ.insertBefore(el, refEl);
  return el;
}
function placeDiv(cls, targ) {
  return placeTag("div", cls, targ);
}
var xformCache = /* @__PURE__ */ new WeakMap();
function elTrans(el, xPos, yPos, xMax, yMax) {
  let xform = "translate(" + xPos + "px," + yPos + "px)";
  let xformOld = xformCache.get(el);
  if (xform != xformOld) {
    el.style.transform = xform;
    xformCache.set(el, xform);
    if (xPos < 0 || yPos < 0 || xPos > xMax || yPos > yMax)
      addClass(el, OFF);
    else
      remClass(el, OFF);
  }
}
var colorCache = /* @__PURE__ */ new WeakMap();
function elColor(el, background, borderColor) {
  let newColor = background + borderColor;
  let oldColor = colorCache.get(el);
  if (newColor != oldColor) {
    colorCache.set(el, newColor);
    el.style.background = background;
    el.style.borderColor = borderColor;
  }
}
var sizeCache = /* @__PURE__ */ new WeakMap();
function elSize(el, newWid, newHgt, centered) {
  let newSize = newWid + "" + newHgt;
  let oldSize = sizeCache.get(el);
  if (newSize != oldSize) {
    sizeCache.set(el, newSize);
    el.style.height = newHgt + "px";
    el.style.width = newWid + "px";
    el.style.marginLeft = centered ? -newWid / 2 + "px" : 0;
    el.style.marginTop = centered ? -newHgt / 2 + "px" : 0;
  }
}
var evOpts = { passive: true };
var evOpts2 = { ...evOpts, capture: true };
function on(ev, el, cb, capt) {
  el.addEventListener(ev, cb, capt ? evOpts2 : evOpts);
}
function off(ev, el, cb, capt) {
  el.removeEventListener(ev, cb, evOpts);
}
domEnv && setPxRatio();
function closestIdx(num, arr, lo, hi) {
  let mid;
  lo = lo || 0;
  hi = hi || arr.length - 1;
  let bitwise = hi <= 2147483647;
  while (hi - lo > 1) {
    mid = bitwise ? lo + hi >> 1 : floor((lo + hi) / 2);
    if (arr[mid] < num)
      lo = mid;
    else
      hi = mid;
  }
  if (num - arr[lo] <= arr[hi] - num)
    return lo;
  return hi;
}
function makeIndexOfs(predicate) {
  let indexOfs = (data, _i0, _i1) => {
    let i0 = -1;
    let i1 = -1;
    for (let i = _i0; i <= _i1; i++) {
      if (predicate(data[i])) {
        i0 = i;
        break;
      }
    }
    for (let i = _i1; i >= _i0; i--) {
      if (predicate(data[i])) {
        i1 = i;
        break;
      }
    }
    return [i0, i1];
  };
  return indexOfs;
}
var notNullish = (v) => v != null;
var isPositive = (v) => v != null && v > 0;
var nonNullIdxs = makeIndexOfs(notNullish);
var positiveIdxs = makeIndexOfs(isPositive);
function getMinMax(data, _i0, _i1, sorted = 0, log = false) {
  let getEdgeIdxs = log ? positiveIdxs : nonNullIdxs;
  let predicate = log ? isPositive : notNullish;
  [_i0, _i1] = getEdgeIdxs(data, _i0, _i1);
  let _min = data[_i0];
  let _max = data[_i0];
  if (_i0 > -1) {
    if (sorted == 1) {
      _min = data[_i0];
      _max = data[_i1];
    } else if (sorted == -1) {
      _min = data[_i1];
      _max = data[_i0];
    } else {
      for (let i = _i0; i <= _i1; i++) {
        let v = data[i];
        if (predicate(v)) {
          if (v < _min)
            _min = v;
          else if (v > _max)
            _max = v;
        }
      }
    }
  }
  return [_min ?? inf, _max ?? -inf];
}
function rangeLog(min2, max2, base2, fullMags) {
  let minSign = sign(min2);
  let maxSign = sign(max2);
  if (min2 == max2) {
    if (minSign == -1) {
      min2 *= base2;
      max2 /= base2;
    } else {
      min2 /= base2;
      max2 *= base2;
    }
  }
  let logFn = base2 == 10 ? log10 : log2;
  let growMinAbs = minSign == 1 ? floor : ceil;
  let growMaxAbs = maxSign == 1 ? ceil : floor;
  let minExp = growMinAbs(logFn(abs(min2)));
  let maxExp = growMaxAbs(logFn(abs(max2)));
  let minIncr = pow(base2, minExp);
  let maxIncr = pow(base2, maxExp);
  if (base2 == 10) {
    if (minExp < 0)
      minIncr = roundDec(minIncr, -minExp);
    if (maxExp < 0)
      maxIncr = roundDec(maxIncr, -maxExp);
  }
  if (fullMags || base2 == 2) {
    min2 = minIncr * minSign;
    max2 = maxIncr * maxSign;
  } else {
    min2 = incrRoundDn(min2, minIncr);
    max2 = incrRoundUp(max2, maxIncr);
  }
  return [min2, max2];
}
function rangeAsinh(min2, max2, base2, fullMags) {
  let minMax = rangeLog(min2, max2, base2, fullMags);
  if (min2 == 0)
    minMax[0] = 0;
  if (max2 == 0)
    minMax[1] = 0;
  return minMax;
}
var rangePad = 0.1;
var autoRangePart = {
  mode: 3,
  pad: rangePad
};
var _eqRangePart = {
  pad: 0,
  soft: null,
  mode: 0
};
var _eqRange = {
  min: _eqRangePart,
  max: _eqRangePart
};
function rangeNum(_min, _max, mult, extra) {
  if (isObj(mult))
    return _rangeNum(_min, _max, mult);
  _eqRangePart.pad = mult;
  _eqRangePart.soft = extra ? 0 : null;
  _eqRangePart.mode = extra ? 3 : 0;
  return _rangeNum(_min, _max, _eqRange);
}
function ifNull(lh, rh) {
  return lh == null ? rh : lh;
}
function hasData(data, idx0, idx1) {
  idx0 = ifNull(idx0, 0);
  idx1 = ifNull(idx1, data.length - 1);
  while (idx0 <= idx1) {
    if (data[idx0] != null)
      return true;
    idx0++;
  }
  return false;
}
function _rangeNum(_min, _max, cfg) {
  let cmin = cfg.min;
  let cmax = cfg.max;
  let padMin = ifNull(cmin.pad, 0);
  let padMax = ifNull(cmax.pad, 0);
  let hardMin = ifNull(cmin.hard, -inf);
  let hardMax = ifNull(cmax.hard, inf);
  let softMin = ifNull(cmin.soft, inf);
  let softMax = ifNull(cmax.soft, -inf);
  let softMinMode = ifNull(cmin.mode, 0);
  let softMaxMode = ifNull(cmax.mode, 0);
  let delta = _max - _min;
  let deltaMag = log10(delta);
  let scalarMax = max(abs(_min), abs(_max));
  let scalarMag = log10(scalarMax);
  let scalarMagDelta = abs(scalarMag - deltaMag);
  if (delta < 1e-24 || scalarMagDelta > 10) {
    delta = 0;
    if (_min == 0 || _max == 0) {
      delta = 1e-24;
      if (softMinMode == 2 && softMin != inf)
        padMin = 0;
      if (softMaxMode == 2 && softMax != -inf)
        padMax = 0;
    }
  }
  let nonZeroDelta = delta || scalarMax || 1e3;
  let mag = log10(nonZeroDelta);
  let base2 = pow(10, floor(mag));
  let _padMin = nonZeroDelta * (delta == 0 ? _min == 0 ? 0.1 : 1 : padMin);
  let _newMin = roundDec(incrRoundDn(_min - _padMin, base2 / 10), 24);
  let _softMin = _min >= softMin && (softMinMode == 1 || softMinMode == 3 && _newMin <= softMin || softMinMode == 2 && _newMin >= softMin) ? softMin : inf;
  let minLim = max(hardMin, _newMin < _softMin && _min >= _softMin ? _softMin : min(_softMin, _newMin));
  let _padMax = nonZeroDelta * (delta == 0 ? _max == 0 ? 0.1 : 1 : padMax);
  let _newMax = roundDec(incrRoundUp(_max + _padMax, base2 / 10), 24);
  let _softMax = _max <= softMax && (softMaxMode == 1 || softMaxMode == 3 && _newMax >= softMax || softMaxMode == 2 && _newMax <= softMax) ? softMax : -inf;
  let maxLim = min(hardMax, _newMax > _softMax && _max <= _softMax ? _softMax : max(_softMax, _newMax));
  if (minLim == maxLim && minLim == 0)
    maxLim = 100;
  return [minLim, maxLim];
}
var numFormatter = new Intl.NumberFormat(domEnv ? nav.language : "en-US");
var fmtNum = (val) => numFormatter.format(val);
var M = Math;
var PI = M.PI;
var abs = M.abs;
var floor = M.floor;
var round = M.round;
var ceil = M.ceil;
var min = M.min;
var max = M.max;
var pow = M.pow;
var sign = M.sign;
var log10 = M.log10;
var log2 = M.log2;
var sinh = (v, linthresh = 1) => M.sinh(v) * linthresh;
var asinh = (v, linthresh = 1) => M.asinh(v / linthresh);
var inf = Infinity;
function numIntDigits(x) {
  return (log10((x ^ x >> 31) - (x >> 31)) | 0) + 1;
}
function clamp(num, _min, _max) {
  return min(max(num, _min), _max);
}
function isFn(v) {
  return typeof v == "function";
}
function fnOrSelf(v) {
  return isFn(v) ? v : () => v;
}
var noop = () => {
};
var retArg0 = (_0) => _0;
var retArg1 = (_0, _1) => _1;
var retNull = (_2) => null;
var retTrue = (_2) => true;
var retEq = (a, b) => a == b;
var regex6 = /\.\d*?(?=9{6,}|0{6,})/gm;
var fixFloat = (val) => {
  if (isInt(val) || fixedDec.has(val))
    return val;
  const str = `${val}`;
  const match = str.match(regex6);
  if (match == null)
    return val;
  let len = match[0].length - 1;
  if (str.indexOf("e-") != -1) {
    let [num, exp] = str.split("e");
    return +`${fixFloat(num)}e${exp}`;
  }
  return roundDec(val, len);
};
function incrRound(num, incr) {
  return fixFloat(roundDec(fixFloat(num / incr)) * incr);
}
function incrRoundUp(num, incr) {
  return fixFloat(ceil(fixFloat(num / incr)) * incr);
}
function incrRoundDn(num, incr) {
  return fixFloat(floor(fixFloat(num / incr)) * incr);
}
function roundDec(val, dec = 0) {
  if (isInt(val))
    return val;
  let p = 10 ** dec;
  let n = val * p * (1 + Number.EPSILON);
  return round(n) / p;
}
var fixedDec = /* @__PURE__ */ new Map();
function guessDec(num) {
  return (("" + num).split(".")[1] || "").length;
}
function genIncrs(base2, minExp, maxExp, mults) {
  let incrs = [];
  let multDec = mults.map(guessDec);
  for (let exp = minExp; exp < maxExp; exp++) {
    let expa = abs(exp);
    let mag = roundDec(pow(base2, exp), expa);
    for (let i = 0; i < mults.length; i++) {
      let _incr = base2 == 10 ? +`${mults[i]}e${exp}` : mults[i] * mag;
      let dec = (exp >= 0 ? 0 : expa) + (exp >= multDec[i] ? 0 : multDec[i]);
      let incr = base2 == 10 ? _incr : roundDec(_incr, dec);
      incrs.push(incr);
      fixedDec.set(incr, dec);
    }
  }
  return incrs;
}
var EMPTY_OBJ = {};
var EMPTY_ARR = [];
var nullNullTuple = [null, null];
var isArr = Array.isArray;
var isInt = Number.isInteger;
var isUndef = (v) => v === void 0;
function isStr(v) {
  return typeof v == "string";
}
function isObj(v) {
  let is = false;
  if (v != null) {
    let c = v.constructor;
    is = c == null || c == Object;
  }
  return is;
}
function fastIsObj(v) {
  return v != null && typeof v == "object";
}
var TypedArray = Object.getPrototypeOf(Uint8Array);
var __proto__ = "__proto__";
function copy(o, _isObj = isObj) {
  let out;
  if (isArr(o)) {
    let val = o.find((v) => v != null);
    if (isArr(val) || _isObj(val)) {
      out = Array(o.length);
      for (let i = 0; i < o.length; i++)
        out[i] = copy(o[i], _isObj);
    } else
      out = o.slice();
  } else if (o instanceof TypedArray)
    out = o.slice();
  else if (_isObj(o)) {
    out = {};
    for (let k in o) {
      if (k != __proto__)
        out[k] = copy(o[k], _isObj);
    }
  } else
    out = o;
  return out;
}
function assign(targ) {
  let args = arguments;
  for (let i = 1; i < args.length; i++) {
    let src = args[i];
    for (let key in src) {
      if (key != __proto__) {
        if (isObj(targ[key]))
          assign(targ[key], copy(src[key]));
        else
          targ[key] = copy(src[key]);
      }
    }
  }
  return targ;
}
var NULL_REMOVE = 0;
var NULL_RETAIN = 1;
var NULL_EXPAND = 2;
function nullExpand(yVals, nullIdxs, alignedLen) {
  for (let i = 0, xi, lastNullIdx = -1; i < nullIdxs.length; i++) {
    let nullIdx = nullIdxs[i];
    if (nullIdx > lastNullIdx) {
      xi = nullIdx - 1;
      while (xi >= 0 && yVals[xi] == null)
        yVals[xi--] = null;
      xi = nullIdx + 1;
      while (xi < alignedLen && yVals[xi] == null)
        yVals[lastNullIdx = xi++] = null;
    }
  }
}
function join(tables, nullModes) {
  if (allHeadersSame(tables)) {
    let table2 = tables[0].slice();
    for (let i = 1; i < tables.length; i++)
      table2.push(...tables[i].slice(1));
    if (!isAsc(table2[0]))
      table2 = sortCols(table2);
    return table2;
  }
  let xVals = /* @__PURE__ */ new Set();
  for (let ti = 0; ti < tables.length; ti++) {
    let t = tables[ti];
    let xs = t[0];
    let len = xs.length;
    for (let i = 0; i < len; i++)
      xVals.add(xs[i]);
  }
  let data = [Array.from(xVals).sort((a, b) => a - b)];
  let alignedLen = data[0].length;
  let xIdxs = /* @__PURE__ */ new Map();
  for (let i = 0; i < alignedLen; i++)
    xIdxs.set(data[0][i], i);
  for (let ti = 0; ti < tables.length; ti++) {
    let t = tables[ti];
    let xs = t[0];
    for (let si = 1; si < t.length; si++) {
      let ys = t[si];
      let yVals = Array(alignedLen).fill(void 0);
      let nullMode = nullModes ? nullModes[ti][si] : NULL_RETAIN;
      let nullIdxs = [];
      for (let i = 0; i < ys.length; i++) {
        let yVal = ys[i];
        let alignedIdx = xIdxs.get(xs[i]);
        if (yVal === null) {
          if (nullMode != NULL_REMOVE) {
            yVals[alignedIdx] = yVal;
            if (nullMode == NULL_EXPAND)
              nullIdxs.push(alignedIdx);
          }
        } else
          yVals[alignedIdx] = yVal;
      }
      nullExpand(yVals, nullIdxs, alignedLen);
      data.push(yVals);
    }
  }
  return data;
}
var microTask = typeof queueMicrotask == "undefined" ? (fn) => Promise.resolve().then(fn) : queueMicrotask;
function sortCols(table2) {
  let head = table2[0];
  let rlen = head.length;
  let idxs = Array(rlen);
  for (let i = 0; i < idxs.length; i++)
    idxs[i] = i;
  idxs.sort((i0, i1) => head[i0] - head[i1]);
  let table22 = [];
  for (let i = 0; i < table2.length; i++) {
    let row2 = table2[i];
    let row22 = Array(rlen);
    for (let j = 0; j < rlen; j++)
      row22[j] = row2[idxs[j]];
    table22.push(row22);
  }
  return table22;
}
function allHeadersSame(tables) {
  let vals0 = tables[0][0];
  let len0 = vals0.length;
  for (let i = 1; i < tables.length; i++) {
    let vals1 = tables[i][0];
    if (vals1.length != len0)
      return false;
    if (vals1 != vals0) {
      for (let j = 0; j < len0; j++) {
        if (vals1[j] != vals0[j])
          return false;
      }
    }
  }
  return true;
}
function isAsc(vals, samples = 100) {
  const len = vals.length;
  if (len <= 1)
    return true;
  let firstIdx = 0;
  let lastIdx = len - 1;
  while (firstIdx <= lastIdx && vals[firstIdx] == null)
    firstIdx++;
  while (lastIdx >= firstIdx && vals[lastIdx] == null)
    lastIdx--;
  if (lastIdx <= firstIdx)
    return true;
  const stride = max(1, floor((lastIdx - firstIdx + 1) / samples));
  for (let prevVal = vals[firstIdx], i = firstIdx + stride; i <= lastIdx; i += stride) {
    const v = vals[i];
    if (v != null) {
      if (v <= prevVal)
        return false;
      prevVal = v;
    }
  }
  return true;
}
var months = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December"
];
var days = [
  "Sunday",
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday"
];
function slice3(str) {
  return str.slice(0, 3);
}
var days3 = days.map(slice3);
var months3 = months.map(slice3);
var engNames = {
  MMMM: months,
  MMM: months3,
  WWWW: days,
  WWW: days3
};
function zeroPad2(int) {
  return (int < 10 ? "0" : "") + int;
}
function zeroPad3(int) {
  return (int < 10 ? "00" : int < 100 ? "0" : "") + int;
}
var subs = {
  // 2019
  YYYY: (d) => d.getFullYear(),
  // 19
  YY: (d) => (d.getFullYear() + "").slice(2),
  // July
  MMMM: (d, names) => names.MMMM[d.getMonth()],
  // Jul
  MMM: (d, names) => names.MMM[d.getMonth()],
  // 07
  MM: (d) => zeroPad2(d.getMonth() + 1),
  // 7
  M: (d) => d.getMonth() + 1,
  // 09
  DD: (d) => zeroPad2(d.getDate()),
  // 9
  D: (d) => d.getDate(),
  // Monday
  WWWW: (d, names) => names.WWWW[d.getDay()],
  // Mon
  WWW: (d, names) => names.WWW[d.getDay()],
  // 03
  HH: (d) => zeroPad2(d.getHours()),
  // 3
  H: (d) => d.getHours(),
  // 9 (12hr, unpadded)
  h: (d) => {
    let h2 = d.getHours();
    return h2 == 0 ? 12 : h2 > 12 ? h2 - 12 : h2;
  },
  // AM
  AA: (d) => d.getHours() >= 12 ? "PM" : "AM",
  // am
  aa: (d) => d.getHours() >= 12 ? "pm" : "am",
  // a
  a: (d) => d.getHours() >= 12 ? "p" : "a",
  // 09
  mm: (d) => zeroPad2(d.getMinutes()),
  // 9
  m: (d) => d.getMinutes(),
  // 09
  ss: (d) => zeroPad2(d.getSeconds()),
  // 9
  s: (d) => d.getSeconds(),
  // 374
  fff: (d) => zeroPad3(d.getMilliseconds())
};
function fmtDate(tpl, names) {
  names = names || engNames;
  let parts = [];
  let R = /\{([a-z]+)\}|[^{]+/gi, m;
  while (m = R.exec(tpl))
    parts.push(m[0][0] == "{" ? subs[m[1]] : m[0]);
  return (d) => {
    let out = "";
    for (let i = 0; i < parts.length; i++)
      out += typeof parts[i] == "string" ? parts[i] : parts[i](d, names);
    return out;
  };
}
var localTz = new Intl.DateTimeFormat().resolvedOptions().timeZone;
function tzDate(date, tz) {
  let date2;
  if (tz == "UTC" || tz == "Etc/UTC")
    date2 = new Date(+date + date.getTimezoneOffset() * 6e4);
  else if (tz == localTz)
    date2 = date;
  else {
    date2 = new Date(date.toLocaleString("en-US", { timeZone: tz }));
    date2.setMilliseconds(date.getMilliseconds());
  }
  return date2;
}
var onlyWhole = (v) => v % 1 == 0;
var allMults = [1, 2, 2.5, 5];
var decIncrs = genIncrs(10, -32, 0, allMults);
var oneIncrs = genIncrs(10, 0, 32, allMults);
var wholeIncrs = oneIncrs.filter(onlyWhole);
var numIncrs = decIncrs.concat(oneIncrs);
var NL = "\n";
var yyyy = "{YYYY}";
var NLyyyy = NL + yyyy;
var md = "{M}/{D}";
var NLmd = NL + md;
var NLmdyy = NLmd + "/{YY}";
var aa = "{aa}";
var hmm = "{h}:{mm}";
var hmmaa = hmm + aa;
var NLhmmaa = NL + hmmaa;
var ss = ":{ss}";
var _ = null;
function genTimeStuffs(ms) {
  let s = ms * 1e3, m = s * 60, h2 = m * 60, d = h2 * 24, mo = d * 30, y = d * 365;
  let subSecIncrs = ms == 1 ? genIncrs(10, 0, 3, allMults).filter(onlyWhole) : genIncrs(10, -3, 0, allMults);
  let timeIncrs = subSecIncrs.concat([
    // minute divisors (# of secs)
    s,
    s * 5,
    s * 10,
    s * 15,
    s * 30,
    // hour divisors (# of mins)
    m,
    m * 5,
    m * 10,
    m * 15,
    m * 30,
    // day divisors (# of hrs)
    h2,
    h2 * 2,
    h2 * 3,
    h2 * 4,
    h2 * 6,
    h2 * 8,
    h2 * 12,
    // month divisors TODO: need more?
    d,
    d * 2,
    d * 3,
    d * 4,
    d * 5,
    d * 6,
    d * 7,
    d * 8,
    d * 9,
    d * 10,
    d * 15,
    // year divisors (# months, approx)
    mo,
    mo * 2,
    mo * 3,
    mo * 4,
    mo * 6,
    // century divisors
    y,
    y * 2,
    y * 5,
    y * 10,
    y * 25,
    y * 50,
    y * 100
  ]);
  const _timeAxisStamps = [
    //   tick incr    default          year                    month   day                   hour    min       sec   mode
    [y, yyyy, _, _, _, _, _, _, 1],
    [d * 28, "{MMM}", NLyyyy, _, _, _, _, _, 1],
    [d, md, NLyyyy, _, _, _, _, _, 1],
    [h2, "{h}" + aa, NLmdyy, _, NLmd, _, _, _, 1],
    [m, hmmaa, NLmdyy, _, NLmd, _, _, _, 1],
    [s, ss, NLmdyy + " " + hmmaa, _, NLmd + " " + hmmaa, _, NLhmmaa, _, 1],
    [ms, ss + ".{fff}", NLmdyy + " " + hmmaa, _, NLmd + " " + hmmaa, _, NLhmmaa, _, 1]
  ];
  function timeAxisSplits(tzDate2) {
    return (self, axisIdx, scaleMin, scaleMax, foundIncr, foundSpace) => {
      let splits = [];
      let isYr = foundIncr >= y;
      let isMo = foundIncr >= mo && foundIncr < y;
      let minDate = tzDate2(scaleMin);
      let minDateTs = roundDec(minDate * ms, 3);
      let minMin = mkDate(minDate.getFullYear(), isYr ? 0 : minDate.getMonth(), isMo || isYr ? 1 : minDate.getDate());
      let minMinTs = roundDec(minMin * ms, 3);
      if (isMo || isYr) {
        let moIncr = isMo ? foundIncr / mo : 0;
        let yrIncr = isYr ? foundIncr / y : 0;
        let split = minDateTs == minMinTs ? minDateTs : roundDec(mkDate(minMin.getFullYear() + yrIncr, minMin.getMonth() + moIncr, 1) * ms, 3);
        let splitDate = new Date(round(split / ms));
        let baseYear = splitDate.getFullYear();
        let baseMonth = splitDate.getMonth();
        for (let i = 0; split <= scaleMax; i++) {
          let next = mkDate(baseYear + yrIncr * i, baseMonth + moIncr * i, 1);
          let offs = next - tzDate2(roundDec(next * ms, 3));
          split = roundDec((+next + offs) * ms, 3);
          if (split <= scaleMax)
            splits.push(split);
        }
      } else {
        let incr0 = foundIncr >= d ? d : foundIncr;
        let tzOffset = floor(scaleMin) - floor(minDateTs);
        let split = minMinTs + tzOffset + incrRoundUp(minDateTs - minMinTs, incr0);
        splits.push(split);
        let date0 = tzDate2(split);
        let prevHour = date0.getHours() + date0.getMinutes() / m + date0.getSeconds() / h2;
        let incrHours = foundIncr / h2;
        let minSpace = self.axes[axisIdx]._space;
        let pctSpace = foundSpace / minSpace;
        while (1) {
          split = roundDec(split + foundIncr, ms == 1 ? 0 : 3);
          if (split > scaleMax)
            break;
          if (incrHours > 1) {
            let expectedHour = floor(roundDec(prevHour + incrHours, 6)) % 24;
            let splitDate = tzDate2(split);
            let actualHour = splitDate.getHours();
            let dstShift = actualHour - expectedHour;
            if (dstShift > 1)
              dstShift = -1;
            split -= dstShift * h2;
            prevHour = (prevHour + incrHours) % 24;
            let prevSplit = splits[splits.length - 1];
            let pctIncr = roundDec((split - prevSplit) / foundIncr, 3);
            if (pctIncr * pctSpace >= 0.7)
              splits.push(split);
          } else
            splits.push(split);
        }
      }
      return splits;
    };
  }
  return [
    timeIncrs,
    _timeAxisStamps,
    timeAxisSplits
  ];
}
var [timeIncrsMs, _timeAxisStampsMs, timeAxisSplitsMs] = genTimeStuffs(1);
var [timeIncrsS, _timeAxisStampsS, timeAxisSplitsS] = genTimeStuffs(1e-3);
genIncrs(2, -53, 53, [1]);
function timeAxisStamps(stampCfg, fmtDate2) {
  return stampCfg.map((s) => s.map(
    (v, i) => i == 0 || i == 8 || v == null ? v : fmtDate2(i == 1 || s[8] == 0 ? v : s[1] + v)
  ));
}
function timeAxisVals(tzDate2, stamps) {
  return (self, splits, axisIdx, foundSpace, foundIncr) => {
    let s = stamps.find((s2) => foundIncr >= s2[0]) || stamps[stamps.length - 1];
    let prevYear;
    let prevMnth;
    let prevDate;
    let prevHour;
    let prevMins;
    let prevSecs;
    return splits.map((split) => {
      let date = tzDate2(split);
      let newYear = date.getFullYear();
      let newMnth = date.getMonth();
      let newDate = date.getDate();
      let newHour = date.getHours();
      let newMins = date.getMinutes();
      let newSecs = date.getSeconds();
      let stamp = newYear != prevYear && s[2] || newMnth != prevMnth && s[3] || newDate != prevDate && s[4] || newHour != prevHour && s[5] || newMins != prevMins && s[6] || newSecs != prevSecs && s[7] || s[1];
      prevYear = newYear;
      prevMnth = newMnth;
      prevDate = newDate;
      prevHour = newHour;
      prevMins = newMins;
      prevSecs = newSecs;
      return stamp(date);
    });
  };
}
function timeAxisVal(tzDate2, dateTpl) {
  let stamp = fmtDate(dateTpl);
  return (self, splits, axisIdx, foundSpace, foundIncr) => splits.map((split) => stamp(tzDate2(split)));
}
function mkDate(y, m, d) {
  return new Date(y, m, d);
}
function timeSeriesStamp(stampCfg, fmtDate2) {
  return fmtDate2(stampCfg);
}
var _timeSeriesStamp = "{YYYY}-{MM}-{DD} {h}:{mm}{aa}";
function timeSeriesVal(tzDate2, stamp) {
  return (self, val, seriesIdx, dataIdx) => dataIdx == null ? LEGEND_DISP : stamp(tzDate2(val));
}
function legendStroke(self, seriesIdx) {
  let s = self.series[seriesIdx];
  return s.width ? s.stroke(self, seriesIdx) : s.points.width ? s.points.stroke(self, seriesIdx) : null;
}
function legendFill(self, seriesIdx) {
  return self.series[seriesIdx].fill(self, seriesIdx);
}
var legendOpts = {
  show: true,
  live: true,
  isolate: false,
  mount: noop,
  markers: {
    show: true,
    width: 2,
    stroke: legendStroke,
    fill: legendFill,
    dash: "solid"
  },
  idx: null,
  idxs: null,
  values: []
};
function cursorPointShow(self, si) {
  let o = self.cursor.points;
  let pt = placeDiv();
  let size = o.size(self, si);
  setStylePx(pt, WIDTH, size);
  setStylePx(pt, HEIGHT, size);
  let mar = size / -2;
  setStylePx(pt, "marginLeft", mar);
  setStylePx(pt, "marginTop", mar);
  let width2 = o.width(self, si, size);
  width2 && setStylePx(pt, "borderWidth", width2);
  return pt;
}
function cursorPointFill(self, si) {
  let sp = self.series[si].points;
  return sp._fill || sp._stroke;
}
function cursorPointStroke(self, si) {
  let sp = self.series[si].points;
  return sp._stroke || sp._fill;
}
function cursorPointSize(self, si) {
  let sp = self.series[si].points;
  return sp.size;
}
var moveTuple = [0, 0];
function cursorMove(self, mouseLeft1, mouseTop1) {
  moveTuple[0] = mouseLeft1;
  moveTuple[1] = mouseTop1;
  return moveTuple;
}
function filtBtn0(self, targ, handle, onlyTarg = true) {
  return (e) => {
    e.button == 0 && (!onlyTarg || e.target == targ) && handle(e);
  };
}
function filtTarg(self, targ, handle, onlyTarg = true) {
  return (e) => {
    (!onlyTarg || e.target == targ) && handle(e);
  };
}
var cursorOpts = {
  show: true,
  x: true,
  y: true,
  lock: false,
  move: cursorMove,
  points: {
    one: false,
    show: cursorPointShow,
    size: cursorPointSize,
    width: 0,
    stroke: cursorPointStroke,
    fill: cursorPointFill
  },
  bind: {
    mousedown: filtBtn0,
    mouseup: filtBtn0,
    click: filtBtn0,
    // legend clicks, not .u-over clicks
    dblclick: filtBtn0,
    mousemove: filtTarg,
    mouseleave: filtTarg,
    mouseenter: filtTarg
  },
  drag: {
    setScale: true,
    x: true,
    y: false,
    dist: 0,
    uni: null,
    click: (self, e) => {
      e.stopPropagation();
      e.stopImmediatePropagation();
    },
    _x: false,
    _y: false
  },
  focus: {
    dist: (self, seriesIdx, dataIdx, valPos, curPos) => valPos - curPos,
    prox: -1,
    bias: 0
  },
  hover: {
    skip: [void 0],
    prox: null,
    bias: 0
  },
  left: -10,
  top: -10,
  idx: null,
  dataIdx: null,
  idxs: null,
  event: null
};
var axisLines = {
  show: true,
  stroke: "rgba(0,0,0,0.07)",
  width: 2
  //	dash: [],
};
var grid = assign({}, axisLines, {
  filter: retArg1
});
var ticks = assign({}, grid, {
  size: 10
});
var border = assign({}, axisLines, {
  show: false
});
var font = '12px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif, "Apple Color Emoji", "Segoe UI Emoji", "Segoe UI Symbol", "Noto Color Emoji"';
var labelFont = "bold " + font;
var lineGap = 1.5;
var xAxisOpts = {
  show: true,
  scale: "x",
  stroke: hexBlack,
  space: 50,
  gap: 5,
  alignTo: 1,
  size: 50,
  labelGap: 0,
  labelSize: 30,
  labelFont,
  side: 2,
  //	class: "x-vals",
  //	incrs: timeIncrs,
  //	values: timeVals,
  //	filter: retArg1,
  grid,
  ticks,
  border,
  font,
  lineGap,
  rotate: 0
};
var numSeriesLabel = "Value";
var timeSeriesLabel = "Time";
var xSeriesOpts = {
  show: true,
  scale: "x",
  auto: false,
  sorted: 1,
  //	label: "Time",
  //	value: v => stamp(new Date(v * 1e3)),
  // internal caches
  min: inf,
  max: -inf,
  idxs: []
};
function numAxisVals(self, splits, axisIdx, foundSpace, foundIncr) {
  return splits.map((v) => v == null ? "" : fmtNum(v));
}
function numAxisSplits(self, axisIdx, scaleMin, scaleMax, foundIncr, foundSpace, forceMin) {
  let splits = [];
  let numDec = fixedDec.get(foundIncr) || 0;
  scaleMin = forceMin ? scaleMin : roundDec(incrRoundUp(scaleMin, foundIncr), numDec);
  for (let val = scaleMin; val <= scaleMax; val = roundDec(val + foundIncr, numDec))
    splits.push(Object.is(val, -0) ? 0 : val);
  return splits;
}
function logAxisSplits(self, axisIdx, scaleMin, scaleMax, foundIncr, foundSpace, forceMin) {
  const splits = [];
  const logBase = self.scales[self.axes[axisIdx].scale].log;
  const logFn = logBase == 10 ? log10 : log2;
  const exp = floor(logFn(scaleMin));
  foundIncr = pow(logBase, exp);
  if (logBase == 10)
    foundIncr = numIncrs[closestIdx(foundIncr, numIncrs)];
  let split = scaleMin;
  let nextMagIncr = foundIncr * logBase;
  if (logBase == 10)
    nextMagIncr = numIncrs[closestIdx(nextMagIncr, numIncrs)];
  do {
    splits.push(split);
    split = split + foundIncr;
    if (logBase == 10 && !fixedDec.has(split))
      split = roundDec(split, fixedDec.get(foundIncr));
    if (split >= nextMagIncr) {
      foundIncr = split;
      nextMagIncr = foundIncr * logBase;
      if (logBase == 10)
        nextMagIncr = numIncrs[closestIdx(nextMagIncr, numIncrs)];
    }
  } while (split <= scaleMax);
  return splits;
}
function asinhAxisSplits(self, axisIdx, scaleMin, scaleMax, foundIncr, foundSpace, forceMin) {
  let sc = self.scales[self.axes[axisIdx].scale];
  let linthresh = sc.asinh;
  let posSplits = scaleMax > linthresh ? logAxisSplits(self, axisIdx, max(linthresh, scaleMin), scaleMax, foundIncr) : [linthresh];
  let zero = scaleMax >= 0 && scaleMin <= 0 ? [0] : [];
  let negSplits = scaleMin < -linthresh ? logAxisSplits(self, axisIdx, max(linthresh, -scaleMax), -scaleMin, foundIncr) : [linthresh];
  return negSplits.reverse().map((v) => -v).concat(zero, posSplits);
}
var RE_ALL = /./;
var RE_12357 = /[12357]/;
var RE_125 = /[125]/;
var RE_1 = /1/;
var _filt = (splits, distr, re, keepMod) => splits.map((v, i) => distr == 4 && v == 0 || i % keepMod == 0 && re.test(v.toExponential()[v < 0 ? 1 : 0]) ? v : null);
function log10AxisValsFilt(self, splits, axisIdx, foundSpace, foundIncr) {
  let axis = self.axes[axisIdx];
  let scaleKey = axis.scale;
  let sc = self.scales[scaleKey];
  let valToPos = self.valToPos;
  let minSpace = axis._space;
  let _10 = valToPos(10, scaleKey);
  let re = valToPos(9, scaleKey) - _10 >= minSpace ? RE_ALL : valToPos(7, scaleKey) - _10 >= minSpace ? RE_12357 : valToPos(5, scaleKey) - _10 >= minSpace ? RE_125 : RE_1;
  if (re == RE_1) {
    let magSpace = abs(valToPos(1, scaleKey) - _10);
    if (magSpace < minSpace)
      return _filt(splits.slice().reverse(), sc.distr, re, ceil(minSpace / magSpace)).reverse();
  }
  return _filt(splits, sc.distr, re, 1);
}
function log2AxisValsFilt(self, splits, axisIdx, foundSpace, foundIncr) {
  let axis = self.axes[axisIdx];
  let scaleKey = axis.scale;
  let minSpace = axis._space;
  let valToPos = self.valToPos;
  let magSpace = abs(valToPos(1, scaleKey) - valToPos(2, scaleKey));
  if (magSpace < minSpace)
    return _filt(splits.slice().reverse(), 3, RE_ALL, ceil(minSpace / magSpace)).reverse();
  return splits;
}
function numSeriesVal(self, val, seriesIdx, dataIdx) {
  return dataIdx == null ? LEGEND_DISP : val == null ? "" : fmtNum(val);
}
var yAxisOpts = {
  show: true,
  scale: "y",
  stroke: hexBlack,
  space: 30,
  gap: 5,
  alignTo: 1,
  size: 50,
  labelGap: 0,
  labelSize: 30,
  labelFont,
  side: 3,
  //	class: "y-vals",
  //	incrs: numIncrs,
  //	values: (vals, space) => vals,
  //	filter: retArg1,
  grid,
  ticks,
  border,
  font,
  lineGap,
  rotate: 0
};
function ptDia(width2, mult) {
  let dia = 3 + (width2 || 1) * 2;
  return roundDec(dia * mult, 3);
}
function seriesPointsShow(self, si) {
  let { scale, idxs } = self.series[0];
  let xData = self._data[0];
  let p0 = self.valToPos(xData[idxs[0]], scale, true);
  let p1 = self.valToPos(xData[idxs[1]], scale, true);
  let dim = abs(p1 - p0);
  let s = self.series[si];
  let maxPts = dim / (s.points.space * pxRatio);
  return idxs[1] - idxs[0] <= maxPts;
}
var facet = {
  scale: null,
  auto: true,
  sorted: 0,
  // internal caches
  min: inf,
  max: -inf
};
var gaps = (self, seriesIdx, idx0, idx1, nullGaps) => nullGaps;
var xySeriesOpts = {
  show: true,
  auto: true,
  sorted: 0,
  gaps,
  alpha: 1,
  facets: [
    assign({}, facet, { scale: "x" }),
    assign({}, facet, { scale: "y" })
  ]
};
var ySeriesOpts = {
  scale: "y",
  auto: true,
  sorted: 0,
  show: true,
  spanGaps: false,
  gaps,
  alpha: 1,
  points: {
    show: seriesPointsShow,
    filter: null
    //  paths:
    //	stroke: "#000",
    //	fill: "#fff",
    //	width: 1,
    //	size: 10,
  },
  //	label: "Value",
  //	value: v => v,
  values: null,
  // internal caches
  min: inf,
  max: -inf,
  idxs: [],
  path: null,
  clip: null
};
function clampScale(self, val, scaleMin, scaleMax, scaleKey) {
  return scaleMin / 10;
}
var xScaleOpts = {
  time: FEAT_TIME,
  auto: true,
  distr: 1,
  log: 10,
  asinh: 1,
  min: null,
  max: null,
  dir: 1,
  ori: 0
};
var yScaleOpts = assign({}, xScaleOpts, {
  time: false,
  ori: 1
});
var syncs = {};
function _sync(key, opts) {
  let s = syncs[key];
  if (!s) {
    s = {
      key,
      plots: [],
      sub(plot) {
        s.plots.push(plot);
      },
      unsub(plot) {
        s.plots = s.plots.filter((c) => c != plot);
      },
      pub(type, self, x, y, w, h2, i) {
        for (let j = 0; j < s.plots.length; j++)
          s.plots[j] != self && s.plots[j].pub(type, self, x, y, w, h2, i);
      }
    };
    if (key != null)
      syncs[key] = s;
  }
  return s;
}
var BAND_CLIP_FILL = 1 << 0;
var BAND_CLIP_STROKE = 1 << 1;
function orient(u, seriesIdx, cb) {
  const mode = u.mode;
  const series = u.series[seriesIdx];
  const data = mode == 2 ? u._data[seriesIdx] : u._data;
  const scales = u.scales;
  const bbox = u.bbox;
  let dx = data[0], dy = mode == 2 ? data[1] : data[seriesIdx], sx = mode == 2 ? scales[series.facets[0].scale] : scales[u.series[0].scale], sy = mode == 2 ? scales[series.facets[1].scale] : scales[series.scale], l = bbox.left, t = bbox.top, w = bbox.width, h2 = bbox.height, H = u.valToPosH, V = u.valToPosV;
  return sx.ori == 0 ? cb(
    series,
    dx,
    dy,
    sx,
    sy,
    H,
    V,
    l,
    t,
    w,
    h2,
    moveToH,
    lineToH,
    rectH,
    arcH,
    bezierCurveToH
  ) : cb(
    series,
    dx,
    dy,
    sx,
    sy,
    V,
    H,
    t,
    l,
    h2,
    w,
    moveToV,
    lineToV,
    rectV,
    arcV,
    bezierCurveToV
  );
}
function bandFillClipDirs(self, seriesIdx) {
  let fillDir = 0;
  let clipDirs = 0;
  let bands = ifNull(self.bands, EMPTY_ARR);
  for (let i = 0; i < bands.length; i++) {
    let b = bands[i];
    if (b.series[0] == seriesIdx)
      fillDir = b.dir;
    else if (b.series[1] == seriesIdx) {
      if (b.dir == 1)
        clipDirs |= 1;
      else
        clipDirs |= 2;
    }
  }
  return [
    fillDir,
    clipDirs == 1 ? -1 : (
      // neg only
      clipDirs == 2 ? 1 : (
        // pos only
        clipDirs == 3 ? 2 : (
          // both
          0
        )
      )
    )
  ];
}
function seriesFillTo(self, seriesIdx, dataMin, dataMax, bandFillDir) {
  let mode = self.mode;
  let series = self.series[seriesIdx];
  let scaleKey = mode == 2 ? series.facets[1].scale : series.scale;
  let scale = self.scales[scaleKey];
  return bandFillDir == -1 ? scale.min : bandFillDir == 1 ? scale.max : scale.distr == 3 ? scale.dir == 1 ? scale.min : scale.max : 0;
}
function clipBandLine(self, seriesIdx, idx0, idx1, strokePath, clipDir) {
  return orient(self, seriesIdx, (series, dataX, dataY, scaleX, scaleY, valToPosX, valToPosY, xOff, yOff, xDim, yDim) => {
    let pxRound = series.pxRound;
    const dir = scaleX.dir * (scaleX.ori == 0 ? 1 : -1);
    const lineTo = scaleX.ori == 0 ? lineToH : lineToV;
    let frIdx, toIdx;
    if (dir == 1) {
      frIdx = idx0;
      toIdx = idx1;
    } else {
      frIdx = idx1;
      toIdx = idx0;
    }
    let x0 = pxRound(valToPosX(dataX[frIdx], scaleX, xDim, xOff));
    let y0 = pxRound(valToPosY(dataY[frIdx], scaleY, yDim, yOff));
    let x1 = pxRound(valToPosX(dataX[toIdx], scaleX, xDim, xOff));
    let yLimit = pxRound(valToPosY(clipDir == 1 ? scaleY.max : scaleY.min, scaleY, yDim, yOff));
    let clip = new Path2D(strokePath);
    lineTo(clip, x1, yLimit);
    lineTo(clip, x0, yLimit);
    lineTo(clip, x0, y0);
    return clip;
  });
}
function clipGaps(gaps2, ori, plotLft, plotTop, plotWid, plotHgt) {
  let clip = null;
  if (gaps2.length > 0) {
    clip = new Path2D();
    const rect2 = ori == 0 ? rectH : rectV;
    let prevGapEnd = plotLft;
    for (let i = 0; i < gaps2.length; i++) {
      let g = gaps2[i];
      if (g[1] > g[0]) {
        let w2 = g[0] - prevGapEnd;
        w2 > 0 && rect2(clip, prevGapEnd, plotTop, w2, plotTop + plotHgt);
        prevGapEnd = g[1];
      }
    }
    let w = plotLft + plotWid - prevGapEnd;
    let maxStrokeWidth = 10;
    w > 0 && rect2(clip, prevGapEnd, plotTop - maxStrokeWidth / 2, w, plotTop + plotHgt + maxStrokeWidth);
  }
  return clip;
}
function addGap(gaps2, fromX, toX) {
  let prevGap = gaps2[gaps2.length - 1];
  if (prevGap && prevGap[0] == fromX)
    prevGap[1] = toX;
  else
    gaps2.push([fromX, toX]);
}
function findGaps(xs, ys, idx0, idx1, dir, pixelForX, align) {
  let gaps2 = [];
  let len = xs.length;
  for (let i = dir == 1 ? idx0 : idx1; i >= idx0 && i <= idx1; i += dir) {
    let yVal = ys[i];
    if (yVal === null) {
      let fr = i, to = i;
      if (dir == 1) {
        while (++i <= idx1 && ys[i] === null)
          to = i;
      } else {
        while (--i >= idx0 && ys[i] === null)
          to = i;
      }
      let frPx = pixelForX(xs[fr]);
      let toPx = to == fr ? frPx : pixelForX(xs[to]);
      let fri2 = fr - dir;
      let frPx2 = align <= 0 && fri2 >= 0 && fri2 < len ? pixelForX(xs[fri2]) : frPx;
      frPx = frPx2;
      let toi2 = to + dir;
      let toPx2 = align >= 0 && toi2 >= 0 && toi2 < len ? pixelForX(xs[toi2]) : toPx;
      toPx = toPx2;
      if (toPx >= frPx)
        gaps2.push([frPx, toPx]);
    }
  }
  return gaps2;
}
function pxRoundGen(pxAlign) {
  return pxAlign == 0 ? retArg0 : pxAlign == 1 ? round : (v) => incrRound(v, pxAlign);
}
function rect(ori) {
  let moveTo = ori == 0 ? moveToH : moveToV;
  let arcTo = ori == 0 ? (p, x1, y1, x2, y2, r) => {
    p.arcTo(x1, y1, x2, y2, r);
  } : (p, y1, x1, y2, x2, r) => {
    p.arcTo(x1, y1, x2, y2, r);
  };
  let rect2 = ori == 0 ? (p, x, y, w, h2) => {
    p.rect(x, y, w, h2);
  } : (p, y, x, h2, w) => {
    p.rect(x, y, w, h2);
  };
  return (p, x, y, w, h2, endRad = 0, baseRad = 0) => {
    if (endRad == 0 && baseRad == 0)
      rect2(p, x, y, w, h2);
    else {
      endRad = min(endRad, w / 2, h2 / 2);
      baseRad = min(baseRad, w / 2, h2 / 2);
      moveTo(p, x + endRad, y);
      arcTo(p, x + w, y, x + w, y + h2, endRad);
      arcTo(p, x + w, y + h2, x, y + h2, baseRad);
      arcTo(p, x, y + h2, x, y, baseRad);
      arcTo(p, x, y, x + w, y, endRad);
      p.closePath();
    }
  };
}
var moveToH = (p, x, y) => {
  p.moveTo(x, y);
};
var moveToV = (p, y, x) => {
  p.moveTo(x, y);
};
var lineToH = (p, x, y) => {
  p.lineTo(x, y);
};
var lineToV = (p, y, x) => {
  p.lineTo(x, y);
};
var rectH = rect(0);
var rectV = rect(1);
var arcH = (p, x, y, r, startAngle, endAngle) => {
  p.arc(x, y, r, startAngle, endAngle);
};
var arcV = (p, y, x, r, startAngle, endAngle) => {
  p.arc(x, y, r, startAngle, endAngle);
};
var bezierCurveToH = (p, bp1x, bp1y, bp2x, bp2y, p2x, p2y) => {
  p.bezierCurveTo(bp1x, bp1y, bp2x, bp2y, p2x, p2y);
};
var bezierCurveToV = (p, bp1y, bp1x, bp2y, bp2x, p2y, p2x) => {
  p.bezierCurveTo(bp1x, bp1y, bp2x, bp2y, p2x, p2y);
};
function points(opts) {
  return (u, seriesIdx, idx0, idx1, filtIdxs) => {
    return orient(u, seriesIdx, (series, dataX, dataY, scaleX, scaleY, valToPosX, valToPosY, xOff, yOff, xDim, yDim) => {
      let { pxRound, points: points2 } = series;
      let moveTo, arc;
      if (scaleX.ori == 0) {
        moveTo = moveToH;
        arc = arcH;
      } else {
        moveTo = moveToV;
        arc = arcV;
      }
      const width2 = roundDec(points2.width * pxRatio, 3);
      let rad = (points2.size - points2.width) / 2 * pxRatio;
      let dia = roundDec(rad * 2, 3);
      let fill2 = new Path2D();
      let clip = new Path2D();
      let { left: lft, top, width: wid, height: hgt } = u.bbox;
      rectH(
        clip,
        lft - dia,
        top - dia,
        wid + dia * 2,
        hgt + dia * 2
      );
      const drawPoint = (pi) => {
        if (dataY[pi] != null) {
          let x = pxRound(valToPosX(dataX[pi], scaleX, xDim, xOff));
          let y = pxRound(valToPosY(dataY[pi], scaleY, yDim, yOff));
          moveTo(fill2, x + rad, y);
          arc(fill2, x, y, rad, 0, PI * 2);
        }
      };
      if (filtIdxs)
        filtIdxs.forEach(drawPoint);
      else {
        for (let pi = idx0; pi <= idx1; pi++)
          drawPoint(pi);
      }
      return {
        stroke: width2 > 0 ? fill2 : null,
        fill: fill2,
        clip,
        flags: BAND_CLIP_FILL | BAND_CLIP_STROKE
      };
    });
  };
}
function _drawAcc(lineTo) {
  return (stroke, accX, minY, maxY, inY, outY) => {
    if (minY != maxY) {
      if (inY != minY && outY != minY)
        lineTo(stroke, accX, minY);
      if (inY != maxY && outY != maxY)
        lineTo(stroke, accX, maxY);
      lineTo(stroke, accX, outY);
    }
  };
}
var drawAccH = _drawAcc(lineToH);
var drawAccV = _drawAcc(lineToV);
function linear(opts) {
  const alignGaps = ifNull(opts?.alignGaps, 0);
  return (u, seriesIdx, idx0, idx1) => {
    return orient(u, seriesIdx, (series, dataX, dataY, scaleX, scaleY, valToPosX, valToPosY, xOff, yOff, xDim, yDim) => {
      [idx0, idx1] = nonNullIdxs(dataY, idx0, idx1);
      let pxRound = series.pxRound;
      let pixelForX = (val) => pxRound(valToPosX(val, scaleX, xDim, xOff));
      let pixelForY = (val) => pxRound(valToPosY(val, scaleY, yDim, yOff));
      let lineTo, drawAcc;
      if (scaleX.ori == 0) {
        lineTo = lineToH;
        drawAcc = drawAccH;
      } else {
        lineTo = lineToV;
        drawAcc = drawAccV;
      }
      const dir = scaleX.dir * (scaleX.ori == 0 ? 1 : -1);
      const _paths = { stroke: new Path2D(), fill: null, clip: null, band: null, gaps: null, flags: BAND_CLIP_FILL };
      const stroke = _paths.stroke;
      let hasGap = false;
      const decimate = idx1 - idx0 >= xDim * 4;
      if (decimate) {
        let xForPixel = (pos) => u.posToVal(pos, scaleX.key, true);
        let minY = null, maxY = null, inY, outY, drawnAtX;
        let accX = pixelForX(dataX[dir == 1 ? idx0 : idx1]);
        let idx0px = pixelForX(dataX[idx0]);
        let idx1px = pixelForX(dataX[idx1]);
        let nextAccXVal = xForPixel(dir == 1 ? idx0px + 1 : idx1px - 1);
        for (let i = dir == 1 ? idx0 : idx1; i >= idx0 && i <= idx1; i += dir) {
          let xVal = dataX[i];
          let reuseAccX = dir == 1 ? xVal < nextAccXVal : xVal > nextAccXVal;
          let x = reuseAccX ? accX : pixelForX(xVal);
          let yVal = dataY[i];
          if (x == accX) {
            if (yVal != null) {
              outY = yVal;
              if (minY == null) {
                lineTo(stroke, x, pixelForY(outY));
                inY = minY = maxY = outY;
              } else {
                if (outY < minY)
                  minY = outY;
                else if (outY > maxY)
                  maxY = outY;
              }
            } else {
              if (yVal === null)
                hasGap = true;
            }
          } else {
            if (minY != null)
              drawAcc(stroke, accX, pixelForY(minY), pixelForY(maxY), pixelForY(inY), pixelForY(outY));
            if (yVal != null) {
              outY = yVal;
              lineTo(stroke, x, pixelForY(outY));
              minY = maxY = inY = outY;
            } else {
              minY = maxY = null;
              if (yVal === null)
                hasGap = true;
            }
            accX = x;
            nextAccXVal = xForPixel(accX + dir);
          }
        }
        if (minY != null && minY != maxY && drawnAtX != accX)
          drawAcc(stroke, accX, pixelForY(minY), pixelForY(maxY), pixelForY(inY), pixelForY(outY));
      } else {
        for (let i = dir == 1 ? idx0 : idx1; i >= idx0 && i <= idx1; i += dir) {
          let yVal = dataY[i];
          if (yVal === null)
            hasGap = true;
          else if (yVal != null)
            lineTo(stroke, pixelForX(dataX[i]), pixelForY(yVal));
        }
      }
      let [bandFillDir, bandClipDir] = bandFillClipDirs(u, seriesIdx);
      if (series.fill != null || bandFillDir != 0) {
        let fill2 = _paths.fill = new Path2D(stroke);
        let fillToVal = series.fillTo(u, seriesIdx, series.min, series.max, bandFillDir);
        let fillToY = pixelForY(fillToVal);
        let frX = pixelForX(dataX[idx0]);
        let toX = pixelForX(dataX[idx1]);
        if (dir == -1)
          [toX, frX] = [frX, toX];
        lineTo(fill2, toX, fillToY);
        lineTo(fill2, frX, fillToY);
      }
      if (!series.spanGaps) {
        let gaps2 = [];
        hasGap && gaps2.push(...findGaps(dataX, dataY, idx0, idx1, dir, pixelForX, alignGaps));
        _paths.gaps = gaps2 = series.gaps(u, seriesIdx, idx0, idx1, gaps2);
        _paths.clip = clipGaps(gaps2, scaleX.ori, xOff, yOff, xDim, yDim);
      }
      if (bandClipDir != 0) {
        _paths.band = bandClipDir == 2 ? [
          clipBandLine(u, seriesIdx, idx0, idx1, stroke, -1),
          clipBandLine(u, seriesIdx, idx0, idx1, stroke, 1)
        ] : clipBandLine(u, seriesIdx, idx0, idx1, stroke, bandClipDir);
      }
      return _paths;
    });
  };
}
function stepped(opts) {
  const align = ifNull(opts.align, 1);
  const ascDesc = ifNull(opts.ascDesc, false);
  const alignGaps = ifNull(opts.alignGaps, 0);
  const extend = ifNull(opts.extend, false);
  return (u, seriesIdx, idx0, idx1) => {
    return orient(u, seriesIdx, (series, dataX, dataY, scaleX, scaleY, valToPosX, valToPosY, xOff, yOff, xDim, yDim) => {
      [idx0, idx1] = nonNullIdxs(dataY, idx0, idx1);
      let pxRound = series.pxRound;
      let { left, width: width2 } = u.bbox;
      let pixelForX = (val) => pxRound(valToPosX(val, scaleX, xDim, xOff));
      let pixelForY = (val) => pxRound(valToPosY(val, scaleY, yDim, yOff));
      let lineTo = scaleX.ori == 0 ? lineToH : lineToV;
      const _paths = { stroke: new Path2D(), fill: null, clip: null, band: null, gaps: null, flags: BAND_CLIP_FILL };
      const stroke = _paths.stroke;
      const dir = scaleX.dir * (scaleX.ori == 0 ? 1 : -1);
      let prevYPos = pixelForY(dataY[dir == 1 ? idx0 : idx1]);
      let firstXPos = pixelForX(dataX[dir == 1 ? idx0 : idx1]);
      let prevXPos = firstXPos;
      let firstXPosExt = firstXPos;
      if (extend && align == -1) {
        firstXPosExt = left;
        lineTo(stroke, firstXPosExt, prevYPos);
      }
      lineTo(stroke, firstXPos, prevYPos);
      for (let i = dir == 1 ? idx0 : idx1; i >= idx0 && i <= idx1; i += dir) {
        let yVal1 = dataY[i];
        if (yVal1 == null)
          continue;
        let x1 = pixelForX(dataX[i]);
        let y1 = pixelForY(yVal1);
        if (align == 1)
          lineTo(stroke, x1, prevYPos);
        else
          lineTo(stroke, prevXPos, y1);
        lineTo(stroke, x1, y1);
        prevYPos = y1;
        prevXPos = x1;
      }
      let prevXPosExt = prevXPos;
      if (extend && align == 1) {
        prevXPosExt = left + width2;
        lineTo(stroke, prevXPosExt, prevYPos);
      }
      let [bandFillDir, bandClipDir] = bandFillClipDirs(u, seriesIdx);
      if (series.fill != null || bandFillDir != 0) {
        let fill2 = _paths.fill = new Path2D(stroke);
        let fillTo = series.fillTo(u, seriesIdx, series.min, series.max, bandFillDir);
        let fillToY = pixelForY(fillTo);
        lineTo(fill2, prevXPosExt, fillToY);
        lineTo(fill2, firstXPosExt, fillToY);
      }
      if (!series.spanGaps) {
        let gaps2 = [];
        gaps2.push(...findGaps(dataX, dataY, idx0, idx1, dir, pixelForX, alignGaps));
        let halfStroke = series.width * pxRatio / 2;
        let startsOffset = ascDesc || align == 1 ? halfStroke : -halfStroke;
        let endsOffset = ascDesc || align == -1 ? -halfStroke : halfStroke;
        gaps2.forEach((g) => {
          g[0] += startsOffset;
          g[1] += endsOffset;
        });
        _paths.gaps = gaps2 = series.gaps(u, seriesIdx, idx0, idx1, gaps2);
        _paths.clip = clipGaps(gaps2, scaleX.ori, xOff, yOff, xDim, yDim);
      }
      if (bandClipDir != 0) {
        _paths.band = bandClipDir == 2 ? [
          clipBandLine(u, seriesIdx, idx0, idx1, stroke, -1),
          clipBandLine(u, seriesIdx, idx0, idx1, stroke, 1)
        ] : clipBandLine(u, seriesIdx, idx0, idx1, stroke, bandClipDir);
      }
      return _paths;
    });
  };
}
function findColWidth(dataX, dataY, valToPosX, scaleX, xDim, xOff, colWid = inf) {
  if (dataX.length > 1) {
    let prevIdx = null;
    for (let i = 0, minDelta = Infinity; i < dataX.length; i++) {
      if (dataY[i] !== void 0) {
        if (prevIdx != null) {
          let delta = abs(dataX[i] - dataX[prevIdx]);
          if (delta < minDelta) {
            minDelta = delta;
            colWid = abs(valToPosX(dataX[i], scaleX, xDim, xOff) - valToPosX(dataX[prevIdx], scaleX, xDim, xOff));
          }
        }
        prevIdx = i;
      }
    }
  }
  return colWid;
}
function bars(opts) {
  opts = opts || EMPTY_OBJ;
  const size = ifNull(opts.size, [0.6, inf, 1]);
  const align = opts.align || 0;
  const _extraGap = opts.gap || 0;
  let ro = opts.radius;
  ro = // [valueRadius, baselineRadius]
  ro == null ? [0, 0] : typeof ro == "number" ? [ro, 0] : ro;
  const radiusFn = fnOrSelf(ro);
  const gapFactor = 1 - size[0];
  const _maxWidth = ifNull(size[1], inf);
  const _minWidth = ifNull(size[2], 1);
  const disp = ifNull(opts.disp, EMPTY_OBJ);
  const _each = ifNull(opts.each, (_2) => {
  });
  const { fill: dispFills, stroke: dispStrokes } = disp;
  return (u, seriesIdx, idx0, idx1) => {
    return orient(u, seriesIdx, (series, dataX, dataY, scaleX, scaleY, valToPosX, valToPosY, xOff, yOff, xDim, yDim) => {
      let pxRound = series.pxRound;
      let _align = align;
      let extraGap = _extraGap * pxRatio;
      let maxWidth = _maxWidth * pxRatio;
      let minWidth = _minWidth * pxRatio;
      let valRadius, baseRadius;
      if (scaleX.ori == 0)
        [valRadius, baseRadius] = radiusFn(u, seriesIdx);
      else
        [baseRadius, valRadius] = radiusFn(u, seriesIdx);
      const _dirX = scaleX.dir * (scaleX.ori == 0 ? 1 : -1);
      let rect2 = scaleX.ori == 0 ? rectH : rectV;
      let each = scaleX.ori == 0 ? _each : (u2, seriesIdx2, i, top, lft, hgt, wid) => {
        _each(u2, seriesIdx2, i, lft, top, wid, hgt);
      };
      let band = ifNull(u.bands, EMPTY_ARR).find((b) => b.series[0] == seriesIdx);
      let fillDir = band != null ? band.dir : 0;
      let fillTo = series.fillTo(u, seriesIdx, series.min, series.max, fillDir);
      let fillToY = pxRound(valToPosY(fillTo, scaleY, yDim, yOff));
      let xShift, barWid, fullGap, colWid = xDim;
      let strokeWidth = pxRound(series.width * pxRatio);
      let multiPath = false;
      let fillColors = null;
      let fillPaths = null;
      let strokeColors = null;
      let strokePaths = null;
      if (dispFills != null && (strokeWidth == 0 || dispStrokes != null)) {
        multiPath = true;
        fillColors = dispFills.values(u, seriesIdx, idx0, idx1);
        fillPaths = /* @__PURE__ */ new Map();
        new Set(fillColors).forEach((color) => {
          if (color != null)
            fillPaths.set(color, new Path2D());
        });
        if (strokeWidth > 0) {
          strokeColors = dispStrokes.values(u, seriesIdx, idx0, idx1);
          strokePaths = /* @__PURE__ */ new Map();
          new Set(strokeColors).forEach((color) => {
            if (color != null)
              strokePaths.set(color, new Path2D());
          });
        }
      }
      let { x0, size: size2 } = disp;
      if (x0 != null && size2 != null) {
        _align = 1;
        dataX = x0.values(u, seriesIdx, idx0, idx1);
        if (x0.unit == 2)
          dataX = dataX.map((pct) => u.posToVal(xOff + pct * xDim, scaleX.key, true));
        let sizes = size2.values(u, seriesIdx, idx0, idx1);
        if (size2.unit == 2)
          barWid = sizes[0] * xDim;
        else
          barWid = valToPosX(sizes[0], scaleX, xDim, xOff) - valToPosX(0, scaleX, xDim, xOff);
        colWid = findColWidth(dataX, dataY, valToPosX, scaleX, xDim, xOff, colWid);
        let gapWid = colWid - barWid;
        fullGap = gapWid + extraGap;
      } else {
        colWid = findColWidth(dataX, dataY, valToPosX, scaleX, xDim, xOff, colWid);
        let gapWid = colWid * gapFactor;
        fullGap = gapWid + extraGap;
        barWid = colWid - fullGap;
      }
      if (fullGap < 1)
        fullGap = 0;
      if (strokeWidth >= barWid / 2)
        strokeWidth = 0;
      if (fullGap < 5)
        pxRound = retArg0;
      let insetStroke = fullGap > 0;
      let rawBarWid = colWid - fullGap - (insetStroke ? strokeWidth : 0);
      barWid = pxRound(clamp(rawBarWid, minWidth, maxWidth));
      xShift = (_align == 0 ? barWid / 2 : _align == _dirX ? 0 : barWid) - _align * _dirX * ((_align == 0 ? extraGap / 2 : 0) + (insetStroke ? strokeWidth / 2 : 0));
      const _paths = { stroke: null, fill: null, clip: null, band: null, gaps: null, flags: 0 };
      const stroke = multiPath ? null : new Path2D();
      let dataY0 = null;
      if (band != null)
        dataY0 = u.data[band.series[1]];
      else {
        let { y0, y1 } = disp;
        if (y0 != null && y1 != null) {
          dataY = y1.values(u, seriesIdx, idx0, idx1);
          dataY0 = y0.values(u, seriesIdx, idx0, idx1);
        }
      }
      let radVal = valRadius * barWid;
      let radBase = baseRadius * barWid;
      for (let i = _dirX == 1 ? idx0 : idx1; i >= idx0 && i <= idx1; i += _dirX) {
        let yVal = dataY[i];
        if (yVal == null)
          continue;
        if (dataY0 != null) {
          let yVal0 = dataY0[i] ?? 0;
          if (yVal - yVal0 == 0)
            continue;
          fillToY = valToPosY(yVal0, scaleY, yDim, yOff);
        }
        let xVal = scaleX.distr != 2 || disp != null ? dataX[i] : i;
        let xPos = valToPosX(xVal, scaleX, xDim, xOff);
        let yPos = valToPosY(ifNull(yVal, fillTo), scaleY, yDim, yOff);
        let lft = pxRound(xPos - xShift);
        let btm = pxRound(max(yPos, fillToY));
        let top = pxRound(min(yPos, fillToY));
        let barHgt = btm - top;
        if (yVal != null) {
          let rv = yVal < 0 ? radBase : radVal;
          let rb = yVal < 0 ? radVal : radBase;
          if (multiPath) {
            if (strokeWidth > 0 && strokeColors[i] != null)
              rect2(strokePaths.get(strokeColors[i]), lft, top + floor(strokeWidth / 2), barWid, max(0, barHgt - strokeWidth), rv, rb);
            if (fillColors[i] != null)
              rect2(fillPaths.get(fillColors[i]), lft, top + floor(strokeWidth / 2), barWid, max(0, barHgt - strokeWidth), rv, rb);
          } else
            rect2(stroke, lft, top + floor(strokeWidth / 2), barWid, max(0, barHgt - strokeWidth), rv, rb);
          each(
            u,
            seriesIdx,
            i,
            lft - strokeWidth / 2,
            top,
            barWid + strokeWidth,
            barHgt
          );
        }
      }
      if (strokeWidth > 0)
        _paths.stroke = multiPath ? strokePaths : stroke;
      else if (!multiPath) {
        _paths._fill = series.width == 0 ? series._fill : series._stroke ?? series._fill;
        _paths.width = 0;
      }
      _paths.fill = multiPath ? fillPaths : stroke;
      return _paths;
    });
  };
}
function splineInterp(interp, opts) {
  const alignGaps = ifNull(opts?.alignGaps, 0);
  return (u, seriesIdx, idx0, idx1) => {
    return orient(u, seriesIdx, (series, dataX, dataY, scaleX, scaleY, valToPosX, valToPosY, xOff, yOff, xDim, yDim) => {
      [idx0, idx1] = nonNullIdxs(dataY, idx0, idx1);
      let pxRound = series.pxRound;
      let pixelForX = (val) => pxRound(valToPosX(val, scaleX, xDim, xOff));
      let pixelForY = (val) => pxRound(valToPosY(val, scaleY, yDim, yOff));
      let moveTo, bezierCurveTo, lineTo;
      if (scaleX.ori == 0) {
        moveTo = moveToH;
        lineTo = lineToH;
        bezierCurveTo = bezierCurveToH;
      } else {
        moveTo = moveToV;
        lineTo = lineToV;
        bezierCurveTo = bezierCurveToV;
      }
      const dir = scaleX.dir * (scaleX.ori == 0 ? 1 : -1);
      let firstXPos = pixelForX(dataX[dir == 1 ? idx0 : idx1]);
      let prevXPos = firstXPos;
      let xCoords = [];
      let yCoords = [];
      for (let i = dir == 1 ? idx0 : idx1; i >= idx0 && i <= idx1; i += dir) {
        let yVal = dataY[i];
        if (yVal != null) {
          let xVal = dataX[i];
          let xPos = pixelForX(xVal);
          xCoords.push(prevXPos = xPos);
          yCoords.push(pixelForY(dataY[i]));
        }
      }
      const _paths = { stroke: interp(xCoords, yCoords, moveTo, lineTo, bezierCurveTo, pxRound), fill: null, clip: null, band: null, gaps: null, flags: BAND_CLIP_FILL };
      const stroke = _paths.stroke;
      let [bandFillDir, bandClipDir] = bandFillClipDirs(u, seriesIdx);
      if (series.fill != null || bandFillDir != 0) {
        let fill2 = _paths.fill = new Path2D(stroke);
        let fillTo = series.fillTo(u, seriesIdx, series.min, series.max, bandFillDir);
        let fillToY = pixelForY(fillTo);
        lineTo(fill2, prevXPos, fillToY);
        lineTo(fill2, firstXPos, fillToY);
      }
      if (!series.spanGaps) {
        let gaps2 = [];
        gaps2.push(...findGaps(dataX, dataY, idx0, idx1, dir, pixelForX, alignGaps));
        _paths.gaps = gaps2 = series.gaps(u, seriesIdx, idx0, idx1, gaps2);
        _paths.clip = clipGaps(gaps2, scaleX.ori, xOff, yOff, xDim, yDim);
      }
      if (bandClipDir != 0) {
        _paths.band = bandClipDir == 2 ? [
          clipBandLine(u, seriesIdx, idx0, idx1, stroke, -1),
          clipBandLine(u, seriesIdx, idx0, idx1, stroke, 1)
        ] : clipBandLine(u, seriesIdx, idx0, idx1, stroke, bandClipDir);
      }
      return _paths;
    });
  };
}
function monotoneCubic(opts) {
  return splineInterp(_monotoneCubic, opts);
}
function _monotoneCubic(xs, ys, moveTo, lineTo, bezierCurveTo, pxRound) {
  const n = xs.length;
  if (n < 2)
    return null;
  const path = new Path2D();
  moveTo(path, xs[0], ys[0]);
  if (n == 2)
    lineTo(path, xs[1], ys[1]);
  else {
    let ms = Array(n), ds = Array(n - 1), dys = Array(n - 1), dxs = Array(n - 1);
    for (let i = 0; i < n - 1; i++) {
      dys[i] = ys[i + 1] - ys[i];
      dxs[i] = xs[i + 1] - xs[i];
      ds[i] = dys[i] / dxs[i];
    }
    ms[0] = ds[0];
    for (let i = 1; i < n - 1; i++) {
      if (ds[i] === 0 || ds[i - 1] === 0 || ds[i - 1] > 0 !== ds[i] > 0)
        ms[i] = 0;
      else {
        ms[i] = 3 * (dxs[i - 1] + dxs[i]) / ((2 * dxs[i] + dxs[i - 1]) / ds[i - 1] + (dxs[i] + 2 * dxs[i - 1]) / ds[i]);
        if (!isFinite(ms[i]))
          ms[i] = 0;
      }
    }
    ms[n - 1] = ds[n - 2];
    for (let i = 0; i < n - 1; i++) {
      bezierCurveTo(
        path,
        xs[i] + dxs[i] / 3,
        ys[i] + ms[i] * dxs[i] / 3,
        xs[i + 1] - dxs[i] / 3,
        ys[i + 1] - ms[i + 1] * dxs[i] / 3,
        xs[i + 1],
        ys[i + 1]
      );
    }
  }
  return path;
}
var cursorPlots = /* @__PURE__ */ new Set();
function invalidateRects() {
  for (let u of cursorPlots)
    u.syncRect(true);
}
if (domEnv) {
  on(resize, win, invalidateRects);
  on(scroll, win, invalidateRects, true);
  on(dppxchange, win, () => {
    uPlot.pxRatio = pxRatio;
  });
}
var linearPath = linear();
var pointsPath = points();
function setDefaults(d, xo, yo, initY) {
  let d2 = initY ? [d[0], d[1]].concat(d.slice(2)) : [d[0]].concat(d.slice(1));
  return d2.map((o, i) => setDefault(o, i, xo, yo));
}
function setDefaults2(d, xyo) {
  return d.map((o, i) => i == 0 ? {} : assign({}, xyo, o));
}
function setDefault(o, i, xo, yo) {
  return assign({}, i == 0 ? xo : yo, o);
}
function snapNumX(self, dataMin, dataMax) {
  return dataMin == null ? nullNullTuple : [dataMin, dataMax];
}
var snapTimeX = snapNumX;
function snapNumY(self, dataMin, dataMax) {
  return dataMin == null ? nullNullTuple : rangeNum(dataMin, dataMax, rangePad, true);
}
function snapLogY(self, dataMin, dataMax, scale) {
  return dataMin == null ? nullNullTuple : rangeLog(dataMin, dataMax, self.scales[scale].log, false);
}
var snapLogX = snapLogY;
function snapAsinhY(self, dataMin, dataMax, scale) {
  return dataMin == null ? nullNullTuple : rangeAsinh(dataMin, dataMax, self.scales[scale].log, false);
}
var snapAsinhX = snapAsinhY;
function findIncr(minVal, maxVal, incrs, dim, minSpace) {
  let intDigits = max(numIntDigits(minVal), numIntDigits(maxVal));
  let delta = maxVal - minVal;
  let incrIdx = closestIdx(minSpace / dim * delta, incrs);
  do {
    let foundIncr = incrs[incrIdx];
    let foundSpace = dim * foundIncr / delta;
    if (foundSpace >= minSpace && intDigits + (foundIncr < 5 ? fixedDec.get(foundIncr) : 0) <= 17)
      return [foundIncr, foundSpace];
  } while (++incrIdx < incrs.length);
  return [0, 0];
}
function pxRatioFont(font2) {
  let fontSize, fontSizeCss;
  font2 = font2.replace(/(\d+)px/, (m, p1) => (fontSize = round((fontSizeCss = +p1) * pxRatio)) + "px");
  return [font2, fontSize, fontSizeCss];
}
function syncFontSize(axis) {
  if (axis.show) {
    [axis.font, axis.labelFont].forEach((f) => {
      let size = roundDec(f[2] * pxRatio, 1);
      f[0] = f[0].replace(/[0-9.]+px/, size + "px");
      f[1] = size;
    });
  }
}
function uPlot(opts, data, then) {
  const self = {
    mode: ifNull(opts.mode, 1)
  };
  const mode = self.mode;
  function getHPos(val, scale, dim, off2) {
    let pct = scale.valToPct(val);
    return off2 + dim * (scale.dir == -1 ? 1 - pct : pct);
  }
  function getVPos(val, scale, dim, off2) {
    let pct = scale.valToPct(val);
    return off2 + dim * (scale.dir == -1 ? pct : 1 - pct);
  }
  function getPos(val, scale, dim, off2) {
    return scale.ori == 0 ? getHPos(val, scale, dim, off2) : getVPos(val, scale, dim, off2);
  }
  self.valToPosH = getHPos;
  self.valToPosV = getVPos;
  let ready = false;
  self.status = 0;
  const root = self.root = placeDiv(UPLOT);
  if (opts.id != null)
    root.id = opts.id;
  addClass(root, opts.class);
  if (opts.title) {
    let title = placeDiv(TITLE, root);
    title.textContent = opts.title;
  }
  const can = placeTag("canvas");
  const ctx = self.ctx = can.getContext("2d");
  const wrap = placeDiv(WRAP, root);
  on("click", wrap, (e) => {
    if (e.target === over) {
      let didDrag = mouseLeft1 != mouseLeft0 || mouseTop1 != mouseTop0;
      didDrag && drag.click(self, e);
    }
  }, true);
  const under = self.under = placeDiv(UNDER, wrap);
  wrap.appendChild(can);
  const over = self.over = placeDiv(OVER, wrap);
  opts = copy(opts);
  const pxAlign = +ifNull(opts.pxAlign, 1);
  const pxRound = pxRoundGen(pxAlign);
  (opts.plugins || []).forEach((p) => {
    if (p.opts)
      opts = p.opts(self, opts) || opts;
  });
  const ms = opts.ms || 1e-3;
  const series = self.series = mode == 1 ? setDefaults(opts.series || [], xSeriesOpts, ySeriesOpts, false) : setDefaults2(opts.series || [null], xySeriesOpts);
  const axes = self.axes = setDefaults(opts.axes || [], xAxisOpts, yAxisOpts, true);
  const scales = self.scales = {};
  const bands = self.bands = opts.bands || [];
  bands.forEach((b) => {
    b.fill = fnOrSelf(b.fill || null);
    b.dir = ifNull(b.dir, -1);
  });
  const xScaleKey = mode == 2 ? series[1].facets[0].scale : series[0].scale;
  const drawOrderMap = {
    axes: drawAxesGrid,
    series: drawSeries
  };
  const drawOrder = (opts.drawOrder || ["axes", "series"]).map((key2) => drawOrderMap[key2]);
  function initValToPct(sc) {
    const getVal = sc.distr == 3 ? (val) => log10(val > 0 ? val : sc.clamp(self, val, sc.min, sc.max, sc.key)) : sc.distr == 4 ? (val) => asinh(val, sc.asinh) : sc.distr == 100 ? (val) => sc.fwd(val) : (val) => val;
    return (val) => {
      let _val = getVal(val);
      let { _min, _max } = sc;
      let delta = _max - _min;
      return (_val - _min) / delta;
    };
  }
  function initScale(scaleKey) {
    let sc = scales[scaleKey];
    if (sc == null) {
      let scaleOpts = (opts.scales || EMPTY_OBJ)[scaleKey] || EMPTY_OBJ;
      if (scaleOpts.from != null) {
        initScale(scaleOpts.from);
        let sc2 = assign({}, scales[scaleOpts.from], scaleOpts, { key: scaleKey });
        sc2.valToPct = initValToPct(sc2);
        scales[scaleKey] = sc2;
      } else {
        sc = scales[scaleKey] = assign({}, scaleKey == xScaleKey ? xScaleOpts : yScaleOpts, scaleOpts);
        sc.key = scaleKey;
        let isTime = sc.time;
        let rn = sc.range;
        let rangeIsArr = isArr(rn);
        if (scaleKey != xScaleKey || mode == 2 && !isTime) {
          if (rangeIsArr && (rn[0] == null || rn[1] == null)) {
            rn = {
              min: rn[0] == null ? autoRangePart : {
                mode: 1,
                hard: rn[0],
                soft: rn[0]
              },
              max: rn[1] == null ? autoRangePart : {
                mode: 1,
                hard: rn[1],
                soft: rn[1]
              }
            };
            rangeIsArr = false;
          }
          if (!rangeIsArr && isObj(rn)) {
            let cfg = rn;
            rn = (self2, dataMin, dataMax) => dataMin == null ? nullNullTuple : rangeNum(dataMin, dataMax, cfg);
          }
        }
        sc.range = fnOrSelf(rn || (isTime ? snapTimeX : scaleKey == xScaleKey ? sc.distr == 3 ? snapLogX : sc.distr == 4 ? snapAsinhX : snapNumX : sc.distr == 3 ? snapLogY : sc.distr == 4 ? snapAsinhY : snapNumY));
        sc.auto = fnOrSelf(rangeIsArr ? false : sc.auto);
        sc.clamp = fnOrSelf(sc.clamp || clampScale);
        sc._min = sc._max = null;
        sc.valToPct = initValToPct(sc);
      }
    }
  }
  initScale("x");
  initScale("y");
  if (mode == 1) {
    series.forEach((s) => {
      initScale(s.scale);
    });
  }
  axes.forEach((a) => {
    initScale(a.scale);
  });
  for (let k in opts.scales)
    initScale(k);
  const scaleX = scales[xScaleKey];
  const xScaleDistr = scaleX.distr;
  let valToPosX, valToPosY;
  if (scaleX.ori == 0) {
    addClass(root, ORI_HZ);
    valToPosX = getHPos;
    valToPosY = getVPos;
  } else {
    addClass(root, ORI_VT);
    valToPosX = getVPos;
    valToPosY = getHPos;
  }
  const pendScales = {};
  for (let k in scales) {
    let sc = scales[k];
    if (sc.min != null || sc.max != null) {
      pendScales[k] = { min: sc.min, max: sc.max };
      sc.min = sc.max = null;
    }
  }
  const _tzDate = opts.tzDate || ((ts) => new Date(round(ts / ms)));
  const _fmtDate = opts.fmtDate || fmtDate;
  const _timeAxisSplits = ms == 1 ? timeAxisSplitsMs(_tzDate) : timeAxisSplitsS(_tzDate);
  const _timeAxisVals = timeAxisVals(_tzDate, timeAxisStamps(ms == 1 ? _timeAxisStampsMs : _timeAxisStampsS, _fmtDate));
  const _timeSeriesVal = timeSeriesVal(_tzDate, timeSeriesStamp(_timeSeriesStamp, _fmtDate));
  const activeIdxs = [];
  const legend = self.legend = assign({}, legendOpts, opts.legend);
  const cursor = self.cursor = assign({}, cursorOpts, { drag: { y: mode == 2 } }, opts.cursor);
  const showLegend = legend.show;
  const showCursor = cursor.show;
  const markers = legend.markers;
  {
    legend.idxs = activeIdxs;
    markers.width = fnOrSelf(markers.width);
    markers.dash = fnOrSelf(markers.dash);
    markers.stroke = fnOrSelf(markers.stroke);
    markers.fill = fnOrSelf(markers.fill);
  }
  let legendTable;
  let legendHead;
  let legendBody;
  let legendRows = [];
  let legendCells = [];
  let legendCols;
  let multiValLegend = false;
  let NULL_LEGEND_VALUES = {};
  if (legend.live) {
    const getMultiVals = series[1] ? series[1].values : null;
    multiValLegend = getMultiVals != null;
    legendCols = multiValLegend ? getMultiVals(self, 1, 0) : { _: 0 };
    for (let k in legendCols)
      NULL_LEGEND_VALUES[k] = LEGEND_DISP;
  }
  if (showLegend) {
    legendTable = placeTag("table", LEGEND, root);
    legendBody = placeTag("tbody", null, legendTable);
    legend.mount(self, legendTable);
    if (multiValLegend) {
      legendHead = placeTag("thead", null, legendTable, legendBody);
      let head = placeTag("tr", null, legendHead);
      placeTag("th", null, head);
      for (var key in legendCols)
        placeTag("th", LEGEND_LABEL, head).textContent = key;
    } else {
      addClass(legendTable, LEGEND_INLINE);
      legend.live && addClass(legendTable, LEGEND_LIVE);
    }
  }
  const son = { show: true };
  const soff = { show: false };
  function initLegendRow(s, i) {
    if (i == 0 && (multiValLegend || !legend.live || mode == 2))
      return nullNullTuple;
    let cells = [];
    let row2 = placeTag("tr", LEGEND_SERIES, legendBody, legendBody.childNodes[i]);
    addClass(row2, s.class);
    if (!s.show)
      addClass(row2, OFF);
    let label = placeTag("th", null, row2);
    if (markers.show) {
      let indic = placeDiv(LEGEND_MARKER, label);
      if (i > 0) {
        let width2 = markers.width(self, i);
        if (width2)
          indic.style.border = width2 + "px " + markers.dash(self, i) + " " + markers.stroke(self, i);
        indic.style.background = markers.fill(self, i);
      }
    }
    let text2 = placeDiv(LEGEND_LABEL, label);
    if (s.label instanceof HTMLElement)
      text2.appendChild(s.label);
    else
      text2.textContent = s.label;
    if (i > 0) {
      if (!markers.show)
        text2.style.color = s.width > 0 ? markers.stroke(self, i) : markers.fill(self, i);
      onMouse("click", label, (e) => {
        if (cursor._lock)
          return;
        setCursorEvent(e);
        let seriesIdx = series.indexOf(s);
        if ((e.ctrlKey || e.metaKey) != legend.isolate) {
          let isolate = series.some((s2, i2) => i2 > 0 && i2 != seriesIdx && s2.show);
          series.forEach((s2, i2) => {
            i2 > 0 && setSeries(i2, isolate ? i2 == seriesIdx ? son : soff : son, true, syncOpts.setSeries);
          });
        } else
          setSeries(seriesIdx, { show: !s.show }, true, syncOpts.setSeries);
      }, false);
      if (cursorFocus) {
        onMouse(mouseenter, label, (e) => {
          if (cursor._lock)
            return;
          setCursorEvent(e);
          setSeries(series.indexOf(s), FOCUS_TRUE, true, syncOpts.setSeries);
        }, false);
      }
    }
    for (var key2 in legendCols) {
      let v = placeTag("td", LEGEND_VALUE, row2);
      v.textContent = "--";
      cells.push(v);
    }
    return [row2, cells];
  }
  const mouseListeners = /* @__PURE__ */ new Map();
  function onMouse(ev, targ, fn, onlyTarg = true) {
    const targListeners = mouseListeners.get(targ) || {};
    const listener = cursor.bind[ev](self, targ, fn, onlyTarg);
    if (listener) {
      on(ev, targ, targListeners[ev] = listener);
      mouseListeners.set(targ, targListeners);
    }
  }
  function offMouse(ev, targ, fn) {
    const targListeners = mouseListeners.get(targ) || {};
    for (let k in targListeners) {
      if (ev == null || k == ev) {
        off(k, targ, targListeners[k]);
        delete targListeners[k];
      }
    }
    if (ev == null)
      mouseListeners.delete(targ);
  }
  let fullWidCss = 0;
  let fullHgtCss = 0;
  let plotWidCss = 0;
  let plotHgtCss = 0;
  let plotLftCss = 0;
  let plotTopCss = 0;
  let _plotLftCss = plotLftCss;
  let _plotTopCss = plotTopCss;
  let _plotWidCss = plotWidCss;
  let _plotHgtCss = plotHgtCss;
  let plotLft = 0;
  let plotTop = 0;
  let plotWid = 0;
  let plotHgt = 0;
  self.bbox = {};
  let shouldSetScales = false;
  let shouldSetSize = false;
  let shouldConvergeSize = false;
  let shouldSetCursor = false;
  let shouldSetSelect = false;
  let shouldSetLegend = false;
  function _setSize(width2, height, force) {
    if (force || (width2 != self.width || height != self.height))
      calcSize(width2, height);
    resetYSeries(false);
    shouldConvergeSize = true;
    shouldSetSize = true;
    commit();
  }
  function calcSize(width2, height) {
    self.width = fullWidCss = plotWidCss = width2;
    self.height = fullHgtCss = plotHgtCss = height;
    plotLftCss = plotTopCss = 0;
    calcPlotRect();
    calcAxesRects();
    let bb = self.bbox;
    plotLft = bb.left = incrRound(plotLftCss * pxRatio, 0.5);
    plotTop = bb.top = incrRound(plotTopCss * pxRatio, 0.5);
    plotWid = bb.width = incrRound(plotWidCss * pxRatio, 0.5);
    plotHgt = bb.height = incrRound(plotHgtCss * pxRatio, 0.5);
  }
  const CYCLE_LIMIT = 3;
  function convergeSize() {
    let converged = false;
    let cycleNum = 0;
    while (!converged) {
      cycleNum++;
      let axesConverged = axesCalc(cycleNum);
      let paddingConverged = paddingCalc(cycleNum);
      converged = cycleNum == CYCLE_LIMIT || axesConverged && paddingConverged;
      if (!converged) {
        calcSize(self.width, self.height);
        shouldSetSize = true;
      }
    }
  }
  function setSize({ width: width2, height }) {
    _setSize(width2, height);
  }
  self.setSize = setSize;
  function calcPlotRect() {
    let hasTopAxis = false;
    let hasBtmAxis = false;
    let hasRgtAxis = false;
    let hasLftAxis = false;
    axes.forEach((axis, i) => {
      if (axis.show && axis._show) {
        let { side, _size } = axis;
        let isVt = side % 2;
        let labelSize = axis.label != null ? axis.labelSize : 0;
        let fullSize = _size + labelSize;
        if (fullSize > 0) {
          if (isVt) {
            plotWidCss -= fullSize;
            if (side == 3) {
              plotLftCss += fullSize;
              hasLftAxis = true;
            } else
              hasRgtAxis = true;
          } else {
            plotHgtCss -= fullSize;
            if (side == 0) {
              plotTopCss += fullSize;
              hasTopAxis = true;
            } else
              hasBtmAxis = true;
          }
        }
      }
    });
    sidesWithAxes[0] = hasTopAxis;
    sidesWithAxes[1] = hasRgtAxis;
    sidesWithAxes[2] = hasBtmAxis;
    sidesWithAxes[3] = hasLftAxis;
    plotWidCss -= _padding[1] + _padding[3];
    plotLftCss += _padding[3];
    plotHgtCss -= _padding[2] + _padding[0];
    plotTopCss += _padding[0];
  }
  function calcAxesRects() {
    let off1 = plotLftCss + plotWidCss;
    let off2 = plotTopCss + plotHgtCss;
    let off3 = plotLftCss;
    let off0 = plotTopCss;
    function incrOffset(side, size) {
      switch (side) {
        case 1:
          off1 += size;
          return off1 - size;
        case 2:
          off2 += size;
          return off2 - size;
        case 3:
          off3 -= size;
          return off3 + size;
        case 0:
          off0 -= size;
          return off0 + size;
      }
    }
    axes.forEach((axis, i) => {
      if (axis.show && axis._show) {
        let side = axis.side;
        axis._pos = incrOffset(side, axis._size);
        if (axis.label != null)
          axis._lpos = incrOffset(side, axis.labelSize);
      }
    });
  }
  if (cursor.dataIdx == null) {
    let hov = cursor.hover;
    let skip = hov.skip = new Set(hov.skip ?? []);
    skip.add(void 0);
    let prox = hov.prox = fnOrSelf(hov.prox);
    let bias = hov.bias ??= 0;
    cursor.dataIdx = (self2, seriesIdx, cursorIdx, valAtPosX) => {
      if (seriesIdx == 0)
        return cursorIdx;
      let idx2 = cursorIdx;
      let _prox = prox(self2, seriesIdx, cursorIdx, valAtPosX) ?? inf;
      let withProx = _prox >= 0 && _prox < inf;
      let xDim = scaleX.ori == 0 ? plotWidCss : plotHgtCss;
      let cursorLft = cursor.left;
      let xValues = data[0];
      let yValues = data[seriesIdx];
      if (skip.has(yValues[cursorIdx])) {
        idx2 = null;
        let nonNullLft = null, nonNullRgt = null, j;
        if (bias == 0 || bias == -1) {
          j = cursorIdx;
          while (nonNullLft == null && j-- > 0) {
            if (!skip.has(yValues[j]))
              nonNullLft = j;
          }
        }
        if (bias == 0 || bias == 1) {
          j = cursorIdx;
          while (nonNullRgt == null && j++ < yValues.length) {
            if (!skip.has(yValues[j]))
              nonNullRgt = j;
          }
        }
        if (nonNullLft != null || nonNullRgt != null) {
          if (withProx) {
            let lftPos = nonNullLft == null ? -Infinity : valToPosX(xValues[nonNullLft], scaleX, xDim, 0);
            let rgtPos = nonNullRgt == null ? Infinity : valToPosX(xValues[nonNullRgt], scaleX, xDim, 0);
            let lftDelta = cursorLft - lftPos;
            let rgtDelta = rgtPos - cursorLft;
            if (lftDelta <= rgtDelta) {
              if (lftDelta <= _prox)
                idx2 = nonNullLft;
            } else {
              if (rgtDelta <= _prox)
                idx2 = nonNullRgt;
            }
          } else {
            idx2 = nonNullRgt == null ? nonNullLft : nonNullLft == null ? nonNullRgt : cursorIdx - nonNullLft <= nonNullRgt - cursorIdx ? nonNullLft : nonNullRgt;
          }
        }
      } else if (withProx) {
        let dist = abs(cursorLft - valToPosX(xValues[cursorIdx], scaleX, xDim, 0));
        if (dist > _prox)
          idx2 = null;
      }
      return idx2;
    };
  }
  const setCursorEvent = (e) => {
    cursor.event = e;
  };
  cursor.idxs = activeIdxs;
  cursor._lock = false;
  let points2 = cursor.points;
  points2.show = fnOrSelf(points2.show);
  points2.size = fnOrSelf(points2.size);
  points2.stroke = fnOrSelf(points2.stroke);
  points2.width = fnOrSelf(points2.width);
  points2.fill = fnOrSelf(points2.fill);
  const focus = self.focus = assign({}, opts.focus || { alpha: 0.3 }, cursor.focus);
  const cursorFocus = focus.prox >= 0;
  const cursorOnePt = cursorFocus && points2.one;
  let cursorPts = [];
  let cursorPtsLft = [];
  let cursorPtsTop = [];
  function initCursorPt(s, si) {
    let pt = points2.show(self, si);
    if (pt instanceof HTMLElement) {
      addClass(pt, CURSOR_PT);
      addClass(pt, s.class);
      elTrans(pt, -10, -10, plotWidCss, plotHgtCss);
      over.insertBefore(pt, cursorPts[si]);
      return pt;
    }
  }
  function initSeries(s, i) {
    if (mode == 1 || i > 0) {
      let isTime = mode == 1 && scales[s.scale].time;
      let sv = s.value;
      s.value = isTime ? isStr(sv) ? timeSeriesVal(_tzDate, timeSeriesStamp(sv, _fmtDate)) : sv || _timeSeriesVal : sv || numSeriesVal;
      s.label = s.label || (isTime ? timeSeriesLabel : numSeriesLabel);
    }
    if (cursorOnePt || i > 0) {
      s.width = s.width == null ? 1 : s.width;
      s.paths = s.paths || linearPath || retNull;
      s.fillTo = fnOrSelf(s.fillTo || seriesFillTo);
      s.pxAlign = +ifNull(s.pxAlign, pxAlign);
      s.pxRound = pxRoundGen(s.pxAlign);
      s.stroke = fnOrSelf(s.stroke || null);
      s.fill = fnOrSelf(s.fill || null);
      s._stroke = s._fill = s._paths = s._focus = null;
      let _ptDia = ptDia(max(1, s.width), 1);
      let points3 = s.points = assign({}, {
        size: _ptDia,
        width: max(1, _ptDia * 0.2),
        stroke: s.stroke,
        space: _ptDia * 2,
        paths: pointsPath,
        _stroke: null,
        _fill: null
      }, s.points);
      points3.show = fnOrSelf(points3.show);
      points3.filter = fnOrSelf(points3.filter);
      points3.fill = fnOrSelf(points3.fill);
      points3.stroke = fnOrSelf(points3.stroke);
      points3.paths = fnOrSelf(points3.paths);
      points3.pxAlign = s.pxAlign;
    }
    if (showLegend) {
      let rowCells = initLegendRow(s, i);
      legendRows.splice(i, 0, rowCells[0]);
      legendCells.splice(i, 0, rowCells[1]);
      legend.values.push(null);
    }
    if (showCursor) {
      activeIdxs.splice(i, 0, null);
      let pt = null;
      if (cursorOnePt) {
        if (i == 0)
          pt = initCursorPt(s, i);
      } else if (i > 0)
        pt = initCursorPt(s, i);
      cursorPts.splice(i, 0, pt);
      cursorPtsLft.splice(i, 0, 0);
      cursorPtsTop.splice(i, 0, 0);
    }
    fire("addSeries", i);
  }
  function addSeries(opts2, si) {
    si = si == null ? series.length : si;
    opts2 = mode == 1 ? setDefault(opts2, si, xSeriesOpts, ySeriesOpts) : setDefault(opts2, si, {}, xySeriesOpts);
    series.splice(si, 0, opts2);
    initSeries(series[si], si);
  }
  self.addSeries = addSeries;
  function delSeries(i) {
    series.splice(i, 1);
    if (showLegend) {
      legend.values.splice(i, 1);
      legendCells.splice(i, 1);
      let tr = legendRows.splice(i, 1)[0];
      offMouse(null, tr.firstChild);
      tr.remove();
    }
    if (showCursor) {
      activeIdxs.splice(i, 1);
      cursorPts.splice(i, 1)[0].remove();
      cursorPtsLft.splice(i, 1);
      cursorPtsTop.splice(i, 1);
    }
    fire("delSeries", i);
  }
  self.delSeries = delSeries;
  const sidesWithAxes = [false, false, false, false];
  function initAxis(axis, i) {
    axis._show = axis.show;
    if (axis.show) {
      let isVt = axis.side % 2;
      let sc = scales[axis.scale];
      if (sc == null) {
        axis.scale = isVt ? series[1].scale : xScaleKey;
        sc = scales[axis.scale];
      }
      let isTime = sc.time;
      axis.size = fnOrSelf(axis.size);
      axis.space = fnOrSelf(axis.space);
      axis.rotate = fnOrSelf(axis.rotate);
      if (isArr(axis.incrs)) {
        axis.incrs.forEach((incr) => {
          !fixedDec.has(incr) && fixedDec.set(incr, guessDec(incr));
        });
      }
      axis.incrs = fnOrSelf(axis.incrs || (sc.distr == 2 ? wholeIncrs : isTime ? ms == 1 ? timeIncrsMs : timeIncrsS : numIncrs));
      axis.splits = fnOrSelf(axis.splits || (isTime && sc.distr == 1 ? _timeAxisSplits : sc.distr == 3 ? logAxisSplits : sc.distr == 4 ? asinhAxisSplits : numAxisSplits));
      axis.stroke = fnOrSelf(axis.stroke);
      axis.grid.stroke = fnOrSelf(axis.grid.stroke);
      axis.ticks.stroke = fnOrSelf(axis.ticks.stroke);
      axis.border.stroke = fnOrSelf(axis.border.stroke);
      let av = axis.values;
      axis.values = // static array of tick values
      isArr(av) && !isArr(av[0]) ? fnOrSelf(av) : (
        // temporal
        isTime ? (
          // config array of fmtDate string tpls
          isArr(av) ? timeAxisVals(_tzDate, timeAxisStamps(av, _fmtDate)) : (
            // fmtDate string tpl
            isStr(av) ? timeAxisVal(_tzDate, av) : av || _timeAxisVals
          )
        ) : av || numAxisVals
      );
      axis.filter = fnOrSelf(axis.filter || (sc.distr >= 3 && sc.log == 10 ? log10AxisValsFilt : sc.distr == 3 && sc.log == 2 ? log2AxisValsFilt : retArg1));
      axis.font = pxRatioFont(axis.font);
      axis.labelFont = pxRatioFont(axis.labelFont);
      axis._size = axis.size(self, null, i, 0);
      axis._space = axis._rotate = axis._incrs = axis._found = // foundIncrSpace
      axis._splits = axis._values = null;
      if (axis._size > 0) {
        sidesWithAxes[i] = true;
        axis._el = placeDiv(AXIS, wrap);
      }
    }
  }
  function autoPadSide(self2, side, sidesWithAxes2, cycleNum) {
    let [hasTopAxis, hasRgtAxis, hasBtmAxis, hasLftAxis] = sidesWithAxes2;
    let ori = side % 2;
    let size = 0;
    if (ori == 0 && (hasLftAxis || hasRgtAxis))
      size = side == 0 && !hasTopAxis || side == 2 && !hasBtmAxis ? round(xAxisOpts.size / 3) : 0;
    if (ori == 1 && (hasTopAxis || hasBtmAxis))
      size = side == 1 && !hasRgtAxis || side == 3 && !hasLftAxis ? round(yAxisOpts.size / 2) : 0;
    return size;
  }
  const padding = self.padding = (opts.padding || [autoPadSide, autoPadSide, autoPadSide, autoPadSide]).map((p) => fnOrSelf(ifNull(p, autoPadSide)));
  const _padding = self._padding = padding.map((p, i) => p(self, i, sidesWithAxes, 0));
  let dataLen;
  let i0 = null;
  let i1 = null;
  const idxs = mode == 1 ? series[0].idxs : null;
  let data0 = null;
  let viaAutoScaleX = false;
  function setData(_data, _resetScales) {
    data = _data == null ? [] : _data;
    self.data = self._data = data;
    if (mode == 2) {
      dataLen = 0;
      for (let i = 1; i < series.length; i++)
        dataLen += data[i][0].length;
    } else {
      if (data.length == 0)
        self.data = self._data = data = [[]];
      data0 = data[0];
      dataLen = data0.length;
      let scaleData = data;
      if (xScaleDistr == 2) {
        scaleData = data.slice();
        let _data0 = scaleData[0] = Array(dataLen);
        for (let i = 0; i < dataLen; i++)
          _data0[i] = i;
      }
      self._data = data = scaleData;
    }
    resetYSeries(true);
    fire("setData");
    if (xScaleDistr == 2) {
      shouldConvergeSize = true;
    }
    if (_resetScales !== false) {
      let xsc = scaleX;
      if (xsc.auto(self, viaAutoScaleX))
        autoScaleX();
      else
        _setScale(xScaleKey, xsc.min, xsc.max);
      shouldSetCursor = shouldSetCursor || cursor.left >= 0;
      shouldSetLegend = true;
      commit();
    }
  }
  self.setData = setData;
  function autoScaleX() {
    viaAutoScaleX = true;
    let _min, _max;
    if (mode == 1) {
      if (dataLen > 0) {
        i0 = idxs[0] = 0;
        i1 = idxs[1] = dataLen - 1;
        _min = data[0][i0];
        _max = data[0][i1];
        if (xScaleDistr == 2) {
          _min = i0;
          _max = i1;
        } else if (_min == _max) {
          if (xScaleDistr == 3)
            [_min, _max] = rangeLog(_min, _min, scaleX.log, false);
          else if (xScaleDistr == 4)
            [_min, _max] = rangeAsinh(_min, _min, scaleX.log, false);
          else if (scaleX.time)
            _max = _min + round(86400 / ms);
          else
            [_min, _max] = rangeNum(_min, _max, rangePad, true);
        }
      } else {
        i0 = idxs[0] = _min = null;
        i1 = idxs[1] = _max = null;
      }
    }
    _setScale(xScaleKey, _min, _max);
  }
  let ctxStroke, ctxFill, ctxWidth, ctxDash, ctxJoin, ctxCap, ctxFont, ctxAlign, ctxBaseline;
  let ctxAlpha;
  function setCtxStyle(stroke, width2, dash, cap, fill2, join2) {
    stroke ??= transparent;
    dash ??= EMPTY_ARR;
    cap ??= "butt";
    fill2 ??= transparent;
    join2 ??= "round";
    if (stroke != ctxStroke)
      ctx.strokeStyle = ctxStroke = stroke;
    if (fill2 != ctxFill)
      ctx.fillStyle = ctxFill = fill2;
    if (width2 != ctxWidth)
      ctx.lineWidth = ctxWidth = width2;
    if (join2 != ctxJoin)
      ctx.lineJoin = ctxJoin = join2;
    if (cap != ctxCap)
      ctx.lineCap = ctxCap = cap;
    if (dash != ctxDash)
      ctx.setLineDash(ctxDash = dash);
  }
  function setFontStyle(font2, fill2, align, baseline) {
    if (fill2 != ctxFill)
      ctx.fillStyle = ctxFill = fill2;
    if (font2 != ctxFont)
      ctx.font = ctxFont = font2;
    if (align != ctxAlign)
      ctx.textAlign = ctxAlign = align;
    if (baseline != ctxBaseline)
      ctx.textBaseline = ctxBaseline = baseline;
  }
  function accScale(wsc, psc, facet2, data2, sorted = 0) {
    if (data2.length > 0 && wsc.auto(self, viaAutoScaleX) && (psc == null || psc.min == null)) {
      let _i0 = ifNull(i0, 0);
      let _i1 = ifNull(i1, data2.length - 1);
      let minMax = facet2.min == null ? getMinMax(data2, _i0, _i1, sorted, wsc.distr == 3) : [facet2.min, facet2.max];
      wsc.min = min(wsc.min, facet2.min = minMax[0]);
      wsc.max = max(wsc.max, facet2.max = minMax[1]);
    }
  }
  const AUTOSCALE = { min: null, max: null };
  function setScales() {
    for (let k in scales) {
      let sc = scales[k];
      if (pendScales[k] == null && // scales that have never been set (on init)
      (sc.min == null || // or auto scales when the x scale was explicitly set
      pendScales[xScaleKey] != null && sc.auto(self, viaAutoScaleX))) {
        pendScales[k] = AUTOSCALE;
      }
    }
    for (let k in scales) {
      let sc = scales[k];
      if (pendScales[k] == null && sc.from != null && pendScales[sc.from] != null)
        pendScales[k] = AUTOSCALE;
    }
    if (pendScales[xScaleKey] != null)
      resetYSeries(true);
    let wipScales = {};
    for (let k in pendScales) {
      let psc = pendScales[k];
      if (psc != null) {
        let wsc = wipScales[k] = copy(scales[k], fastIsObj);
        if (psc.min != null)
          assign(wsc, psc);
        else if (k != xScaleKey || mode == 2) {
          if (dataLen == 0 && wsc.from == null) {
            let minMax = wsc.range(self, null, null, k);
            wsc.min = minMax[0];
            wsc.max = minMax[1];
          } else {
            wsc.min = inf;
            wsc.max = -inf;
          }
        }
      }
    }
    if (dataLen > 0) {
      series.forEach((s, i) => {
        if (mode == 1) {
          let k = s.scale;
          let psc = pendScales[k];
          if (psc == null)
            return;
          let wsc = wipScales[k];
          if (i == 0) {
            let minMax = wsc.range(self, wsc.min, wsc.max, k);
            wsc.min = minMax[0];
            wsc.max = minMax[1];
            i0 = closestIdx(wsc.min, data[0]);
            i1 = closestIdx(wsc.max, data[0]);
            if (i1 - i0 > 1) {
              if (data[0][i0] < wsc.min)
                i0++;
              if (data[0][i1] > wsc.max)
                i1--;
            }
            s.min = data0[i0];
            s.max = data0[i1];
          } else if (s.show && s.auto)
            accScale(wsc, psc, s, data[i], s.sorted);
          s.idxs[0] = i0;
          s.idxs[1] = i1;
        } else {
          if (i > 0) {
            if (s.show && s.auto) {
              let [xFacet, yFacet] = s.facets;
              let xScaleKey2 = xFacet.scale;
              let yScaleKey = yFacet.scale;
              let [xData, yData] = data[i];
              let wscx = wipScales[xScaleKey2];
              let wscy = wipScales[yScaleKey];
              wscx != null && accScale(wscx, pendScales[xScaleKey2], xFacet, xData, xFacet.sorted);
              wscy != null && accScale(wscy, pendScales[yScaleKey], yFacet, yData, yFacet.sorted);
              s.min = yFacet.min;
              s.max = yFacet.max;
            }
          }
        }
      });
      for (let k in wipScales) {
        let wsc = wipScales[k];
        let psc = pendScales[k];
        if (wsc.from == null && (psc == null || psc.min == null)) {
          let minMax = wsc.range(
            self,
            wsc.min == inf ? null : wsc.min,
            wsc.max == -inf ? null : wsc.max,
            k
          );
          wsc.min = minMax[0];
          wsc.max = minMax[1];
        }
      }
    }
    for (let k in wipScales) {
      let wsc = wipScales[k];
      if (wsc.from != null) {
        let base2 = wipScales[wsc.from];
        if (base2.min == null)
          wsc.min = wsc.max = null;
        else {
          let minMax = wsc.range(self, base2.min, base2.max, k);
          wsc.min = minMax[0];
          wsc.max = minMax[1];
        }
      }
    }
    let changed = {};
    let anyChanged = false;
    for (let k in wipScales) {
      let wsc = wipScales[k];
      let sc = scales[k];
      if (sc.min != wsc.min || sc.max != wsc.max) {
        sc.min = wsc.min;
        sc.max = wsc.max;
        let distr = sc.distr;
        sc._min = distr == 3 ? log10(sc.min) : distr == 4 ? asinh(sc.min, sc.asinh) : distr == 100 ? sc.fwd(sc.min) : sc.min;
        sc._max = distr == 3 ? log10(sc.max) : distr == 4 ? asinh(sc.max, sc.asinh) : distr == 100 ? sc.fwd(sc.max) : sc.max;
        changed[k] = anyChanged = true;
      }
    }
    if (anyChanged) {
      series.forEach((s, i) => {
        if (mode == 2) {
          if (i > 0 && changed.y)
            s._paths = null;
        } else {
          if (changed[s.scale])
            s._paths = null;
        }
      });
      for (let k in changed) {
        shouldConvergeSize = true;
        fire("setScale", k);
      }
      if (showCursor && cursor.left >= 0)
        shouldSetCursor = shouldSetLegend = true;
    }
    for (let k in pendScales)
      pendScales[k] = null;
  }
  function getOuterIdxs(ydata) {
    let _i0 = clamp(i0 - 1, 0, dataLen - 1);
    let _i1 = clamp(i1 + 1, 0, dataLen - 1);
    while (ydata[_i0] == null && _i0 > 0)
      _i0--;
    while (ydata[_i1] == null && _i1 < dataLen - 1)
      _i1++;
    return [_i0, _i1];
  }
  function drawSeries() {
    if (dataLen > 0) {
      let shouldAlpha = series.some((s) => s._focus) && ctxAlpha != focus.alpha;
      if (shouldAlpha)
        ctx.globalAlpha = ctxAlpha = focus.alpha;
      series.forEach((s, i) => {
        if (i > 0 && s.show) {
          cacheStrokeFill(i, false);
          cacheStrokeFill(i, true);
          if (s._paths == null) {
            let _ctxAlpha = ctxAlpha;
            if (ctxAlpha != s.alpha)
              ctx.globalAlpha = ctxAlpha = s.alpha;
            let _idxs = mode == 2 ? [0, data[i][0].length - 1] : getOuterIdxs(data[i]);
            s._paths = s.paths(self, i, _idxs[0], _idxs[1]);
            if (ctxAlpha != _ctxAlpha)
              ctx.globalAlpha = ctxAlpha = _ctxAlpha;
          }
        }
      });
      series.forEach((s, i) => {
        if (i > 0 && s.show) {
          let _ctxAlpha = ctxAlpha;
          if (ctxAlpha != s.alpha)
            ctx.globalAlpha = ctxAlpha = s.alpha;
          s._paths != null && drawPath(i, false);
          {
            let _gaps = s._paths != null ? s._paths.gaps : null;
            let show = s.points.show(self, i, i0, i1, _gaps);
            let idxs2 = s.points.filter(self, i, show, _gaps);
            if (show || idxs2) {
              s.points._paths = s.points.paths(self, i, i0, i1, idxs2);
              drawPath(i, true);
            }
          }
          if (ctxAlpha != _ctxAlpha)
            ctx.globalAlpha = ctxAlpha = _ctxAlpha;
          fire("drawSeries", i);
        }
      });
      if (shouldAlpha)
        ctx.globalAlpha = ctxAlpha = 1;
    }
  }
  function cacheStrokeFill(si, _points) {
    let s = _points ? series[si].points : series[si];
    s._stroke = s.stroke(self, si);
    s._fill = s.fill(self, si);
  }
  function drawPath(si, _points) {
    let s = _points ? series[si].points : series[si];
    let {
      stroke,
      fill: fill2,
      clip: gapsClip,
      flags,
      _stroke: strokeStyle = s._stroke,
      _fill: fillStyle = s._fill,
      _width: width2 = s.width
    } = s._paths;
    width2 = roundDec(width2 * pxRatio, 3);
    let boundsClip = null;
    let offset = width2 % 2 / 2;
    if (_points && fillStyle == null)
      fillStyle = width2 > 0 ? "#fff" : strokeStyle;
    let _pxAlign = s.pxAlign == 1 && offset > 0;
    _pxAlign && ctx.translate(offset, offset);
    if (!_points) {
      let lft = plotLft - width2 / 2, top = plotTop - width2 / 2, wid = plotWid + width2, hgt = plotHgt + width2;
      boundsClip = new Path2D();
      boundsClip.rect(lft, top, wid, hgt);
    }
    if (_points)
      strokeFill(strokeStyle, width2, s.dash, s.cap, fillStyle, stroke, fill2, flags, gapsClip);
    else
      fillStroke(si, strokeStyle, width2, s.dash, s.cap, fillStyle, stroke, fill2, flags, boundsClip, gapsClip);
    _pxAlign && ctx.translate(-offset, -offset);
  }
  function fillStroke(si, strokeStyle, lineWidth, lineDash, lineCap, fillStyle, strokePath, fillPath, flags, boundsClip, gapsClip) {
    let didStrokeFill = false;
    flags != 0 && bands.forEach((b, bi) => {
      if (b.series[0] == si) {
        let lowerEdge = series[b.series[1]];
        let lowerData = data[b.series[1]];
        let bandClip = (lowerEdge._paths || EMPTY_OBJ).band;
        if (isArr(bandClip))
          bandClip = b.dir == 1 ? bandClip[0] : bandClip[1];
        let gapsClip2;
        let _fillStyle = null;
        if (lowerEdge.show && bandClip && hasData(lowerData, i0, i1)) {
          _fillStyle = b.fill(self, bi) || fillStyle;
          gapsClip2 = lowerEdge._paths.clip;
        } else
          bandClip = null;
        strokeFill(strokeStyle, lineWidth, lineDash, lineCap, _fillStyle, strokePath, fillPath, flags, boundsClip, gapsClip, gapsClip2, bandClip);
        didStrokeFill = true;
      }
    });
    if (!didStrokeFill)
      strokeFill(strokeStyle, lineWidth, lineDash, lineCap, fillStyle, strokePath, fillPath, flags, boundsClip, gapsClip);
  }
  const CLIP_FILL_STROKE = BAND_CLIP_FILL | BAND_CLIP_STROKE;
  function strokeFill(strokeStyle, lineWidth, lineDash, lineCap, fillStyle, strokePath, fillPath, flags, boundsClip, gapsClip, gapsClip2, bandClip) {
    setCtxStyle(strokeStyle, lineWidth, lineDash, lineCap, fillStyle);
    if (boundsClip || gapsClip || bandClip) {
      ctx.save();
      boundsClip && ctx.clip(boundsClip);
      gapsClip && ctx.clip(gapsClip);
    }
    if (bandClip) {
      if ((flags & CLIP_FILL_STROKE) == CLIP_FILL_STROKE) {
        ctx.clip(bandClip);
        gapsClip2 && ctx.clip(gapsClip2);
        doFill(fillStyle, fillPath);
        doStroke(strokeStyle, strokePath, lineWidth);
      } else if (flags & BAND_CLIP_STROKE) {
        doFill(fillStyle, fillPath);
        ctx.clip(bandClip);
        doStroke(strokeStyle, strokePath, lineWidth);
      } else if (flags & BAND_CLIP_FILL) {
        ctx.save();
        ctx.clip(bandClip);
        gapsClip2 && ctx.clip(gapsClip2);
        doFill(fillStyle, fillPath);
        ctx.restore();
        doStroke(strokeStyle, strokePath, lineWidth);
      }
    } else {
      doFill(fillStyle, fillPath);
      doStroke(strokeStyle, strokePath, lineWidth);
    }
    if (boundsClip || gapsClip || bandClip)
      ctx.restore();
  }
  function doStroke(strokeStyle, strokePath, lineWidth) {
    if (lineWidth > 0) {
      if (strokePath instanceof Map) {
        strokePath.forEach((strokePath2, strokeStyle2) => {
          ctx.strokeStyle = ctxStroke = strokeStyle2;
          ctx.stroke(strokePath2);
        });
      } else
        strokePath != null && strokeStyle && ctx.stroke(strokePath);
    }
  }
  function doFill(fillStyle, fillPath) {
    if (fillPath instanceof Map) {
      fillPath.forEach((fillPath2, fillStyle2) => {
        ctx.fillStyle = ctxFill = fillStyle2;
        ctx.fill(fillPath2);
      });
    } else
      fillPath != null && fillStyle && ctx.fill(fillPath);
  }
  function getIncrSpace(axisIdx, min2, max2, fullDim) {
    let axis = axes[axisIdx];
    let incrSpace;
    if (fullDim <= 0)
      incrSpace = [0, 0];
    else {
      let minSpace = axis._space = axis.space(self, axisIdx, min2, max2, fullDim);
      let incrs = axis._incrs = axis.incrs(self, axisIdx, min2, max2, fullDim, minSpace);
      incrSpace = findIncr(min2, max2, incrs, fullDim, minSpace);
    }
    return axis._found = incrSpace;
  }
  function drawOrthoLines(offs, filts, ori, side, pos0, len, width2, stroke, dash, cap) {
    let offset = width2 % 2 / 2;
    pxAlign == 1 && ctx.translate(offset, offset);
    setCtxStyle(stroke, width2, dash, cap, stroke);
    ctx.beginPath();
    let x0, y0, x1, y1, pos1 = pos0 + (side == 0 || side == 3 ? -len : len);
    if (ori == 0) {
      y0 = pos0;
      y1 = pos1;
    } else {
      x0 = pos0;
      x1 = pos1;
    }
    for (let i = 0; i < offs.length; i++) {
      if (filts[i] != null) {
        if (ori == 0)
          x0 = x1 = offs[i];
        else
          y0 = y1 = offs[i];
        ctx.moveTo(x0, y0);
        ctx.lineTo(x1, y1);
      }
    }
    ctx.stroke();
    pxAlign == 1 && ctx.translate(-offset, -offset);
  }
  function axesCalc(cycleNum) {
    let converged = true;
    axes.forEach((axis, i) => {
      if (!axis.show)
        return;
      let scale = scales[axis.scale];
      if (scale.min == null) {
        if (axis._show) {
          converged = false;
          axis._show = false;
          resetYSeries(false);
        }
        return;
      } else {
        if (!axis._show) {
          converged = false;
          axis._show = true;
          resetYSeries(false);
        }
      }
      let side = axis.side;
      let ori = side % 2;
      let { min: min2, max: max2 } = scale;
      let [_incr, _space] = getIncrSpace(i, min2, max2, ori == 0 ? plotWidCss : plotHgtCss);
      if (_space == 0)
        return;
      let forceMin = scale.distr == 2;
      let _splits = axis._splits = axis.splits(self, i, min2, max2, _incr, _space, forceMin);
      let splits = scale.distr == 2 ? _splits.map((i2) => data0[i2]) : _splits;
      let incr = scale.distr == 2 ? data0[_splits[1]] - data0[_splits[0]] : _incr;
      let values = axis._values = axis.values(self, axis.filter(self, splits, i, _space, incr), i, _space, incr);
      axis._rotate = side == 2 ? axis.rotate(self, values, i, _space) : 0;
      let oldSize = axis._size;
      axis._size = ceil(axis.size(self, values, i, cycleNum));
      if (oldSize != null && axis._size != oldSize)
        converged = false;
    });
    return converged;
  }
  function paddingCalc(cycleNum) {
    let converged = true;
    padding.forEach((p, i) => {
      let _p = p(self, i, sidesWithAxes, cycleNum);
      if (_p != _padding[i])
        converged = false;
      _padding[i] = _p;
    });
    return converged;
  }
  function drawAxesGrid() {
    for (let i = 0; i < axes.length; i++) {
      let axis = axes[i];
      if (!axis.show || !axis._show)
        continue;
      let side = axis.side;
      let ori = side % 2;
      let x, y;
      let fillStyle = axis.stroke(self, i);
      let shiftDir = side == 0 || side == 3 ? -1 : 1;
      let [_incr, _space] = axis._found;
      if (axis.label != null) {
        let shiftAmt2 = axis.labelGap * shiftDir;
        let baseLpos = round((axis._lpos + shiftAmt2) * pxRatio);
        setFontStyle(axis.labelFont[0], fillStyle, "center", side == 2 ? TOP : BOTTOM);
        ctx.save();
        if (ori == 1) {
          x = y = 0;
          ctx.translate(
            baseLpos,
            round(plotTop + plotHgt / 2)
          );
          ctx.rotate((side == 3 ? -PI : PI) / 2);
        } else {
          x = round(plotLft + plotWid / 2);
          y = baseLpos;
        }
        let _label = isFn(axis.label) ? axis.label(self, i, _incr, _space) : axis.label;
        ctx.fillText(_label, x, y);
        ctx.restore();
      }
      if (_space == 0)
        continue;
      let scale = scales[axis.scale];
      let plotDim = ori == 0 ? plotWid : plotHgt;
      let plotOff = ori == 0 ? plotLft : plotTop;
      let _splits = axis._splits;
      let splits = scale.distr == 2 ? _splits.map((i2) => data0[i2]) : _splits;
      let incr = scale.distr == 2 ? data0[_splits[1]] - data0[_splits[0]] : _incr;
      let ticks2 = axis.ticks;
      let border2 = axis.border;
      let _tickSize = ticks2.show ? ticks2.size : 0;
      let tickSize = round(_tickSize * pxRatio);
      let axisGap = round((axis.alignTo == 2 ? axis._size - _tickSize - axis.gap : axis.gap) * pxRatio);
      let angle = axis._rotate * -PI / 180;
      let basePos = pxRound(axis._pos * pxRatio);
      let shiftAmt = (tickSize + axisGap) * shiftDir;
      let finalPos = basePos + shiftAmt;
      y = ori == 0 ? finalPos : 0;
      x = ori == 1 ? finalPos : 0;
      let font2 = axis.font[0];
      let textAlign = axis.align == 1 ? LEFT : axis.align == 2 ? RIGHT : angle > 0 ? LEFT : angle < 0 ? RIGHT : ori == 0 ? "center" : side == 3 ? RIGHT : LEFT;
      let textBaseline = angle || ori == 1 ? "middle" : side == 2 ? TOP : BOTTOM;
      setFontStyle(font2, fillStyle, textAlign, textBaseline);
      let lineHeight = axis.font[1] * axis.lineGap;
      let canOffs = _splits.map((val) => pxRound(getPos(val, scale, plotDim, plotOff)));
      let _values = axis._values;
      for (let i2 = 0; i2 < _values.length; i2++) {
        let val = _values[i2];
        if (val != null) {
          if (ori == 0)
            x = canOffs[i2];
          else
            y = canOffs[i2];
          val = "" + val;
          let _parts = val.indexOf("\n") == -1 ? [val] : val.split(/\n/gm);
          for (let j = 0; j < _parts.length; j++) {
            let text2 = _parts[j];
            if (angle) {
              ctx.save();
              ctx.translate(x, y + j * lineHeight);
              ctx.rotate(angle);
              ctx.fillText(text2, 0, 0);
              ctx.restore();
            } else
              ctx.fillText(text2, x, y + j * lineHeight);
          }
        }
      }
      if (ticks2.show) {
        drawOrthoLines(
          canOffs,
          ticks2.filter(self, splits, i, _space, incr),
          ori,
          side,
          basePos,
          tickSize,
          roundDec(ticks2.width * pxRatio, 3),
          ticks2.stroke(self, i),
          ticks2.dash,
          ticks2.cap
        );
      }
      let grid2 = axis.grid;
      if (grid2.show) {
        drawOrthoLines(
          canOffs,
          grid2.filter(self, splits, i, _space, incr),
          ori,
          ori == 0 ? 2 : 1,
          ori == 0 ? plotTop : plotLft,
          ori == 0 ? plotHgt : plotWid,
          roundDec(grid2.width * pxRatio, 3),
          grid2.stroke(self, i),
          grid2.dash,
          grid2.cap
        );
      }
      if (border2.show) {
        drawOrthoLines(
          [basePos],
          [1],
          ori == 0 ? 1 : 0,
          ori == 0 ? 1 : 2,
          ori == 1 ? plotTop : plotLft,
          ori == 1 ? plotHgt : plotWid,
          roundDec(border2.width * pxRatio, 3),
          border2.stroke(self, i),
          border2.dash,
          border2.cap
        );
      }
    }
    fire("drawAxes");
  }
  function resetYSeries(minMax) {
    series.forEach((s, i) => {
      if (i > 0) {
        s._paths = null;
        if (minMax) {
          if (mode == 1) {
            s.min = null;
            s.max = null;
          } else {
            s.facets.forEach((f) => {
              f.min = null;
              f.max = null;
            });
          }
        }
      }
    });
  }
  let queuedCommit = false;
  let deferHooks = false;
  let hooksQueue = [];
  function flushHooks() {
    deferHooks = false;
    for (let i = 0; i < hooksQueue.length; i++)
      fire(...hooksQueue[i]);
    hooksQueue.length = 0;
  }
  function commit() {
    if (!queuedCommit) {
      microTask(_commit);
      queuedCommit = true;
    }
  }
  function batch(fn, _deferHooks = false) {
    queuedCommit = true;
    deferHooks = _deferHooks;
    fn(self);
    _commit();
    if (_deferHooks && hooksQueue.length > 0)
      queueMicrotask(flushHooks);
  }
  self.batch = batch;
  function _commit() {
    if (shouldSetScales) {
      setScales();
      shouldSetScales = false;
    }
    if (shouldConvergeSize) {
      convergeSize();
      shouldConvergeSize = false;
    }
    if (shouldSetSize) {
      setStylePx(under, LEFT, plotLftCss);
      setStylePx(under, TOP, plotTopCss);
      setStylePx(under, WIDTH, plotWidCss);
      setStylePx(under, HEIGHT, plotHgtCss);
      setStylePx(over, LEFT, plotLftCss);
      setStylePx(over, TOP, plotTopCss);
      setStylePx(over, WIDTH, plotWidCss);
      setStylePx(over, HEIGHT, plotHgtCss);
      setStylePx(wrap, WIDTH, fullWidCss);
      setStylePx(wrap, HEIGHT, fullHgtCss);
      can.width = round(fullWidCss * pxRatio);
      can.height = round(fullHgtCss * pxRatio);
      axes.forEach(({ _el, _show, _size, _pos, side }) => {
        if (_el != null) {
          if (_show) {
            let posOffset = side === 3 || side === 0 ? _size : 0;
            let isVt = side % 2 == 1;
            setStylePx(_el, isVt ? "left" : "top", _pos - posOffset);
            setStylePx(_el, isVt ? "width" : "height", _size);
            setStylePx(_el, isVt ? "top" : "left", isVt ? plotTopCss : plotLftCss);
            setStylePx(_el, isVt ? "height" : "width", isVt ? plotHgtCss : plotWidCss);
            remClass(_el, OFF);
          } else
            addClass(_el, OFF);
        }
      });
      ctxStroke = ctxFill = ctxWidth = ctxJoin = ctxCap = ctxFont = ctxAlign = ctxBaseline = ctxDash = null;
      ctxAlpha = 1;
      syncRect(true);
      if (plotLftCss != _plotLftCss || plotTopCss != _plotTopCss || plotWidCss != _plotWidCss || plotHgtCss != _plotHgtCss) {
        resetYSeries(false);
        let pctWid = plotWidCss / _plotWidCss;
        let pctHgt = plotHgtCss / _plotHgtCss;
        if (showCursor && !shouldSetCursor && cursor.left >= 0) {
          cursor.left *= pctWid;
          cursor.top *= pctHgt;
          vCursor && elTrans(vCursor, round(cursor.left), 0, plotWidCss, plotHgtCss);
          hCursor && elTrans(hCursor, 0, round(cursor.top), plotWidCss, plotHgtCss);
          for (let i = 0; i < cursorPts.length; i++) {
            let pt = cursorPts[i];
            if (pt != null) {
              cursorPtsLft[i] *= pctWid;
              cursorPtsTop[i] *= pctHgt;
              elTrans(pt, ceil(cursorPtsLft[i]), ceil(cursorPtsTop[i]), plotWidCss, plotHgtCss);
            }
          }
        }
        if (select.show && !shouldSetSelect && select.left >= 0 && select.width > 0) {
          select.left *= pctWid;
          select.width *= pctWid;
          select.top *= pctHgt;
          select.height *= pctHgt;
          for (let prop in _hideProps)
            setStylePx(selectDiv, prop, select[prop]);
        }
        _plotLftCss = plotLftCss;
        _plotTopCss = plotTopCss;
        _plotWidCss = plotWidCss;
        _plotHgtCss = plotHgtCss;
      }
      fire("setSize");
      shouldSetSize = false;
    }
    if (fullWidCss > 0 && fullHgtCss > 0) {
      ctx.clearRect(0, 0, can.width, can.height);
      fire("drawClear");
      drawOrder.forEach((fn) => fn());
      fire("draw");
    }
    if (select.show && shouldSetSelect) {
      setSelect(select);
      shouldSetSelect = false;
    }
    if (showCursor && shouldSetCursor) {
      updateCursor(null, true, false);
      shouldSetCursor = false;
    }
    if (legend.show && legend.live && shouldSetLegend) {
      setLegend();
      shouldSetLegend = false;
    }
    if (!ready) {
      ready = true;
      self.status = 1;
      fire("ready");
    }
    viaAutoScaleX = false;
    queuedCommit = false;
  }
  self.redraw = (rebuildPaths, recalcAxes) => {
    shouldConvergeSize = recalcAxes || false;
    if (rebuildPaths !== false)
      _setScale(xScaleKey, scaleX.min, scaleX.max);
    else
      commit();
  };
  function setScale(key2, opts2) {
    let sc = scales[key2];
    if (sc.from == null) {
      if (dataLen == 0) {
        let minMax = sc.range(self, opts2.min, opts2.max, key2);
        opts2.min = minMax[0];
        opts2.max = minMax[1];
      }
      if (opts2.min > opts2.max) {
        let _min = opts2.min;
        opts2.min = opts2.max;
        opts2.max = _min;
      }
      if (dataLen > 1 && opts2.min != null && opts2.max != null && opts2.max - opts2.min < 1e-16)
        return;
      if (key2 == xScaleKey) {
        if (sc.distr == 2 && dataLen > 0) {
          opts2.min = closestIdx(opts2.min, data[0]);
          opts2.max = closestIdx(opts2.max, data[0]);
          if (opts2.min == opts2.max)
            opts2.max++;
        }
      }
      pendScales[key2] = opts2;
      shouldSetScales = true;
      commit();
    }
  }
  self.setScale = setScale;
  let xCursor;
  let yCursor;
  let vCursor;
  let hCursor;
  let rawMouseLeft0;
  let rawMouseTop0;
  let mouseLeft0;
  let mouseTop0;
  let rawMouseLeft1;
  let rawMouseTop1;
  let mouseLeft1;
  let mouseTop1;
  let dragging = false;
  const drag = cursor.drag;
  let dragX = drag.x;
  let dragY = drag.y;
  if (showCursor) {
    if (cursor.x)
      xCursor = placeDiv(CURSOR_X, over);
    if (cursor.y)
      yCursor = placeDiv(CURSOR_Y, over);
    if (scaleX.ori == 0) {
      vCursor = xCursor;
      hCursor = yCursor;
    } else {
      vCursor = yCursor;
      hCursor = xCursor;
    }
    mouseLeft1 = cursor.left;
    mouseTop1 = cursor.top;
  }
  const select = self.select = assign({
    show: true,
    over: true,
    left: 0,
    width: 0,
    top: 0,
    height: 0
  }, opts.select);
  const selectDiv = select.show ? placeDiv(SELECT, select.over ? over : under) : null;
  function setSelect(opts2, _fire) {
    if (select.show) {
      for (let prop in opts2) {
        select[prop] = opts2[prop];
        if (prop in _hideProps)
          setStylePx(selectDiv, prop, opts2[prop]);
      }
      _fire !== false && fire("setSelect");
    }
  }
  self.setSelect = setSelect;
  function toggleDOM(i) {
    let s = series[i];
    if (s.show)
      showLegend && remClass(legendRows[i], OFF);
    else {
      showLegend && addClass(legendRows[i], OFF);
      if (showCursor) {
        let pt = cursorOnePt ? cursorPts[0] : cursorPts[i];
        pt != null && elTrans(pt, -10, -10, plotWidCss, plotHgtCss);
      }
    }
  }
  function _setScale(key2, min2, max2) {
    setScale(key2, { min: min2, max: max2 });
  }
  function setSeries(i, opts2, _fire, _pub) {
    if (opts2.focus != null)
      setFocus(i);
    if (opts2.show != null) {
      series.forEach((s, si) => {
        if (si > 0 && (i == si || i == null)) {
          s.show = opts2.show;
          toggleDOM(si);
          if (mode == 2) {
            _setScale(s.facets[0].scale, null, null);
            _setScale(s.facets[1].scale, null, null);
          } else
            _setScale(s.scale, null, null);
          commit();
        }
      });
    }
    _fire !== false && fire("setSeries", i, opts2);
    _pub && pubSync("setSeries", self, i, opts2);
  }
  self.setSeries = setSeries;
  function setBand(bi, opts2) {
    assign(bands[bi], opts2);
  }
  function addBand(opts2, bi) {
    opts2.fill = fnOrSelf(opts2.fill || null);
    opts2.dir = ifNull(opts2.dir, -1);
    bi = bi == null ? bands.length : bi;
    bands.splice(bi, 0, opts2);
  }
  function delBand(bi) {
    if (bi == null)
      bands.length = 0;
    else
      bands.splice(bi, 1);
  }
  self.addBand = addBand;
  self.setBand = setBand;
  self.delBand = delBand;
  function setAlpha(i, value) {
    series[i].alpha = value;
    if (showCursor && cursorPts[i] != null)
      cursorPts[i].style.opacity = value;
    if (showLegend && legendRows[i])
      legendRows[i].style.opacity = value;
  }
  let closestDist;
  let closestSeries;
  let focusedSeries;
  const FOCUS_TRUE = { focus: true };
  function setFocus(i) {
    if (i != focusedSeries) {
      let allFocused = i == null;
      let _setAlpha = focus.alpha != 1;
      series.forEach((s, i2) => {
        if (mode == 1 || i2 > 0) {
          let isFocused = allFocused || i2 == 0 || i2 == i;
          s._focus = allFocused ? null : isFocused;
          _setAlpha && setAlpha(i2, isFocused ? 1 : focus.alpha);
        }
      });
      focusedSeries = i;
      _setAlpha && commit();
    }
  }
  if (showLegend && cursorFocus) {
    onMouse(mouseleave, legendTable, (e) => {
      if (cursor._lock)
        return;
      setCursorEvent(e);
      if (focusedSeries != null)
        setSeries(null, FOCUS_TRUE, true, syncOpts.setSeries);
    });
  }
  function posToVal(pos, scale, can2) {
    let sc = scales[scale];
    if (can2)
      pos = pos / pxRatio - (sc.ori == 1 ? plotTopCss : plotLftCss);
    let dim = plotWidCss;
    if (sc.ori == 1) {
      dim = plotHgtCss;
      pos = dim - pos;
    }
    if (sc.dir == -1)
      pos = dim - pos;
    let _min = sc._min, _max = sc._max, pct = pos / dim;
    let sv = _min + (_max - _min) * pct;
    let distr = sc.distr;
    return distr == 3 ? pow(10, sv) : distr == 4 ? sinh(sv, sc.asinh) : distr == 100 ? sc.bwd(sv) : sv;
  }
  function closestIdxFromXpos(pos, can2) {
    let v = posToVal(pos, xScaleKey, can2);
    return closestIdx(v, data[0], i0, i1);
  }
  self.valToIdx = (val) => closestIdx(val, data[0]);
  self.posToIdx = closestIdxFromXpos;
  self.posToVal = posToVal;
  self.valToPos = (val, scale, can2) => scales[scale].ori == 0 ? getHPos(
    val,
    scales[scale],
    can2 ? plotWid : plotWidCss,
    can2 ? plotLft : 0
  ) : getVPos(
    val,
    scales[scale],
    can2 ? plotHgt : plotHgtCss,
    can2 ? plotTop : 0
  );
  self.setCursor = (opts2, _fire, _pub) => {
    mouseLeft1 = opts2.left;
    mouseTop1 = opts2.top;
    updateCursor(null, _fire, _pub);
  };
  function setSelH(off2, dim) {
    setStylePx(selectDiv, LEFT, select.left = off2);
    setStylePx(selectDiv, WIDTH, select.width = dim);
  }
  function setSelV(off2, dim) {
    setStylePx(selectDiv, TOP, select.top = off2);
    setStylePx(selectDiv, HEIGHT, select.height = dim);
  }
  let setSelX = scaleX.ori == 0 ? setSelH : setSelV;
  let setSelY = scaleX.ori == 1 ? setSelH : setSelV;
  function syncLegend() {
    if (showLegend && legend.live) {
      for (let i = mode == 2 ? 1 : 0; i < series.length; i++) {
        if (i == 0 && multiValLegend)
          continue;
        let vals = legend.values[i];
        let j = 0;
        for (let k in vals)
          legendCells[i][j++].firstChild.nodeValue = vals[k];
      }
    }
  }
  function setLegend(opts2, _fire) {
    if (opts2 != null) {
      if (opts2.idxs) {
        opts2.idxs.forEach((didx, sidx) => {
          activeIdxs[sidx] = didx;
        });
      } else if (!isUndef(opts2.idx))
        activeIdxs.fill(opts2.idx);
      legend.idx = activeIdxs[0];
    }
    if (showLegend && legend.live) {
      for (let sidx = 0; sidx < series.length; sidx++) {
        if (sidx > 0 || mode == 1 && !multiValLegend)
          setLegendValues(sidx, activeIdxs[sidx]);
      }
      syncLegend();
    }
    shouldSetLegend = false;
    _fire !== false && fire("setLegend");
  }
  self.setLegend = setLegend;
  function setLegendValues(sidx, idx) {
    let s = series[sidx];
    let src = sidx == 0 && xScaleDistr == 2 ? data0 : data[sidx];
    let val;
    if (multiValLegend)
      val = s.values(self, sidx, idx) ?? NULL_LEGEND_VALUES;
    else {
      val = s.value(self, idx == null ? null : src[idx], sidx, idx);
      val = val == null ? NULL_LEGEND_VALUES : { _: val };
    }
    legend.values[sidx] = val;
  }
  function updateCursor(src, _fire, _pub) {
    rawMouseLeft1 = mouseLeft1;
    rawMouseTop1 = mouseTop1;
    [mouseLeft1, mouseTop1] = cursor.move(self, mouseLeft1, mouseTop1);
    cursor.left = mouseLeft1;
    cursor.top = mouseTop1;
    if (showCursor) {
      vCursor && elTrans(vCursor, round(mouseLeft1), 0, plotWidCss, plotHgtCss);
      hCursor && elTrans(hCursor, 0, round(mouseTop1), plotWidCss, plotHgtCss);
    }
    let idx;
    let noDataInRange = i0 > i1;
    closestDist = inf;
    closestSeries = null;
    let xDim = scaleX.ori == 0 ? plotWidCss : plotHgtCss;
    let yDim = scaleX.ori == 1 ? plotWidCss : plotHgtCss;
    if (mouseLeft1 < 0 || dataLen == 0 || noDataInRange) {
      idx = cursor.idx = null;
      for (let i = 0; i < series.length; i++) {
        let pt = cursorPts[i];
        pt != null && elTrans(pt, -10, -10, plotWidCss, plotHgtCss);
      }
      if (cursorFocus)
        setSeries(null, FOCUS_TRUE, true, src == null && syncOpts.setSeries);
      if (legend.live) {
        activeIdxs.fill(idx);
        shouldSetLegend = true;
      }
    } else {
      let mouseXPos, valAtPosX, xPos;
      if (mode == 1) {
        mouseXPos = scaleX.ori == 0 ? mouseLeft1 : mouseTop1;
        valAtPosX = posToVal(mouseXPos, xScaleKey);
        idx = cursor.idx = closestIdx(valAtPosX, data[0], i0, i1);
        xPos = valToPosX(data[0][idx], scaleX, xDim, 0);
      }
      let _ptLft = -10;
      let _ptTop = -10;
      let _ptWid = 0;
      let _ptHgt = 0;
      let _centered = true;
      let _ptFill = "";
      let _ptStroke = "";
      for (let i = mode == 2 ? 1 : 0; i < series.length; i++) {
        let s = series[i];
        let idx1 = activeIdxs[i];
        let yVal1 = idx1 == null ? null : mode == 1 ? data[i][idx1] : data[i][1][idx1];
        let idx2 = cursor.dataIdx(self, i, idx, valAtPosX);
        let yVal2 = idx2 == null ? null : mode == 1 ? data[i][idx2] : data[i][1][idx2];
        shouldSetLegend = shouldSetLegend || yVal2 != yVal1 || idx2 != idx1;
        activeIdxs[i] = idx2;
        if (i > 0 && s.show) {
          let xPos2 = idx2 == null ? -10 : idx2 == idx ? xPos : valToPosX(mode == 1 ? data[0][idx2] : data[i][0][idx2], scaleX, xDim, 0);
          let yPos = yVal2 == null ? -10 : valToPosY(yVal2, mode == 1 ? scales[s.scale] : scales[s.facets[1].scale], yDim, 0);
          if (cursorFocus && yVal2 != null) {
            let mouseYPos = scaleX.ori == 1 ? mouseLeft1 : mouseTop1;
            let dist = abs(focus.dist(self, i, idx2, yPos, mouseYPos));
            if (dist < closestDist) {
              let bias = focus.bias;
              if (bias != 0) {
                let mouseYVal = posToVal(mouseYPos, s.scale);
                let seriesYValSign = yVal2 >= 0 ? 1 : -1;
                let mouseYValSign = mouseYVal >= 0 ? 1 : -1;
                if (mouseYValSign == seriesYValSign && (mouseYValSign == 1 ? bias == 1 ? yVal2 >= mouseYVal : yVal2 <= mouseYVal : (
                  // >= 0
                  bias == 1 ? yVal2 <= mouseYVal : yVal2 >= mouseYVal
                ))) {
                  closestDist = dist;
                  closestSeries = i;
                }
              } else {
                closestDist = dist;
                closestSeries = i;
              }
            }
          }
          if (shouldSetLegend || cursorOnePt) {
            let hPos, vPos;
            if (scaleX.ori == 0) {
              hPos = xPos2;
              vPos = yPos;
            } else {
              hPos = yPos;
              vPos = xPos2;
            }
            let ptWid, ptHgt, ptLft, ptTop, ptStroke, ptFill, centered = true, getBBox = points2.bbox;
            if (getBBox != null) {
              centered = false;
              let bbox = getBBox(self, i);
              ptLft = bbox.left;
              ptTop = bbox.top;
              ptWid = bbox.width;
              ptHgt = bbox.height;
            } else {
              ptLft = hPos;
              ptTop = vPos;
              ptWid = ptHgt = points2.size(self, i);
            }
            ptFill = points2.fill(self, i);
            ptStroke = points2.stroke(self, i);
            if (cursorOnePt) {
              if (i == closestSeries && closestDist <= focus.prox) {
                _ptLft = ptLft;
                _ptTop = ptTop;
                _ptWid = ptWid;
                _ptHgt = ptHgt;
                _centered = centered;
                _ptFill = ptFill;
                _ptStroke = ptStroke;
              }
            } else {
              let pt = cursorPts[i];
              if (pt != null) {
                cursorPtsLft[i] = ptLft;
                cursorPtsTop[i] = ptTop;
                elSize(pt, ptWid, ptHgt, centered);
                elColor(pt, ptFill, ptStroke);
                elTrans(pt, ceil(ptLft), ceil(ptTop), plotWidCss, plotHgtCss);
              }
            }
          }
        }
      }
      if (cursorOnePt) {
        let p = focus.prox;
        let focusChanged = focusedSeries == null ? closestDist <= p : closestDist > p || closestSeries != focusedSeries;
        if (shouldSetLegend || focusChanged) {
          let pt = cursorPts[0];
          if (pt != null) {
            cursorPtsLft[0] = _ptLft;
            cursorPtsTop[0] = _ptTop;
            elSize(pt, _ptWid, _ptHgt, _centered);
            elColor(pt, _ptFill, _ptStroke);
            elTrans(pt, ceil(_ptLft), ceil(_ptTop), plotWidCss, plotHgtCss);
          }
        }
      }
    }
    if (select.show && dragging) {
      if (src != null) {
        let [xKey, yKey] = syncOpts.scales;
        let [matchXKeys, matchYKeys] = syncOpts.match;
        let [xKeySrc, yKeySrc] = src.cursor.sync.scales;
        let sdrag = src.cursor.drag;
        dragX = sdrag._x;
        dragY = sdrag._y;
        if (dragX || dragY) {
          let { left, top, width: width2, height } = src.select;
          let sori = src.scales[xKeySrc].ori;
          let sPosToVal = src.posToVal;
          let sOff, sDim, sc, a, b;
          let matchingX = xKey != null && matchXKeys(xKey, xKeySrc);
          let matchingY = yKey != null && matchYKeys(yKey, yKeySrc);
          if (matchingX && dragX) {
            if (sori == 0) {
              sOff = left;
              sDim = width2;
            } else {
              sOff = top;
              sDim = height;
            }
            sc = scales[xKey];
            a = valToPosX(sPosToVal(sOff, xKeySrc), sc, xDim, 0);
            b = valToPosX(sPosToVal(sOff + sDim, xKeySrc), sc, xDim, 0);
            setSelX(min(a, b), abs(b - a));
          } else
            setSelX(0, xDim);
          if (matchingY && dragY) {
            if (sori == 1) {
              sOff = left;
              sDim = width2;
            } else {
              sOff = top;
              sDim = height;
            }
            sc = scales[yKey];
            a = valToPosY(sPosToVal(sOff, yKeySrc), sc, yDim, 0);
            b = valToPosY(sPosToVal(sOff + sDim, yKeySrc), sc, yDim, 0);
            setSelY(min(a, b), abs(b - a));
          } else
            setSelY(0, yDim);
        } else
          hideSelect();
      } else {
        let rawDX = abs(rawMouseLeft1 - rawMouseLeft0);
        let rawDY = abs(rawMouseTop1 - rawMouseTop0);
        if (scaleX.ori == 1) {
          let _rawDX = rawDX;
          rawDX = rawDY;
          rawDY = _rawDX;
        }
        dragX = drag.x && rawDX >= drag.dist;
        dragY = drag.y && rawDY >= drag.dist;
        let uni = drag.uni;
        if (uni != null) {
          if (dragX && dragY) {
            dragX = rawDX >= uni;
            dragY = rawDY >= uni;
            if (!dragX && !dragY) {
              if (rawDY > rawDX)
                dragY = true;
              else
                dragX = true;
            }
          }
        } else if (drag.x && drag.y && (dragX || dragY))
          dragX = dragY = true;
        let p0, p1;
        if (dragX) {
          if (scaleX.ori == 0) {
            p0 = mouseLeft0;
            p1 = mouseLeft1;
          } else {
            p0 = mouseTop0;
            p1 = mouseTop1;
          }
          setSelX(min(p0, p1), abs(p1 - p0));
          if (!dragY)
            setSelY(0, yDim);
        }
        if (dragY) {
          if (scaleX.ori == 1) {
            p0 = mouseLeft0;
            p1 = mouseLeft1;
          } else {
            p0 = mouseTop0;
            p1 = mouseTop1;
          }
          setSelY(min(p0, p1), abs(p1 - p0));
          if (!dragX)
            setSelX(0, xDim);
        }
        if (!dragX && !dragY) {
          setSelX(0, 0);
          setSelY(0, 0);
        }
      }
    }
    drag._x = dragX;
    drag._y = dragY;
    if (src == null) {
      if (_pub) {
        if (syncKey != null) {
          let [xSyncKey, ySyncKey] = syncOpts.scales;
          syncOpts.values[0] = xSyncKey != null ? posToVal(scaleX.ori == 0 ? mouseLeft1 : mouseTop1, xSyncKey) : null;
          syncOpts.values[1] = ySyncKey != null ? posToVal(scaleX.ori == 1 ? mouseLeft1 : mouseTop1, ySyncKey) : null;
        }
        pubSync(mousemove, self, mouseLeft1, mouseTop1, plotWidCss, plotHgtCss, idx);
      }
      if (cursorFocus) {
        let shouldPub = _pub && syncOpts.setSeries;
        let p = focus.prox;
        if (focusedSeries == null) {
          if (closestDist <= p)
            setSeries(closestSeries, FOCUS_TRUE, true, shouldPub);
        } else {
          if (closestDist > p)
            setSeries(null, FOCUS_TRUE, true, shouldPub);
          else if (closestSeries != focusedSeries)
            setSeries(closestSeries, FOCUS_TRUE, true, shouldPub);
        }
      }
    }
    if (shouldSetLegend) {
      legend.idx = idx;
      setLegend();
    }
    _fire !== false && fire("setCursor");
  }
  let rect2 = null;
  Object.defineProperty(self, "rect", {
    get() {
      if (rect2 == null)
        syncRect(false);
      return rect2;
    }
  });
  function syncRect(defer = false) {
    if (defer)
      rect2 = null;
    else {
      rect2 = over.getBoundingClientRect();
      fire("syncRect", rect2);
    }
  }
  function mouseMove(e, src, _l, _t, _w, _h, _i) {
    if (cursor._lock)
      return;
    if (dragging && e != null && e.movementX == 0 && e.movementY == 0)
      return;
    cacheMouse(e, src, _l, _t, _w, _h, _i, false, e != null);
    if (e != null)
      updateCursor(null, true, true);
    else
      updateCursor(src, true, false);
  }
  function cacheMouse(e, src, _l, _t, _w, _h, _i, initial, snap) {
    if (rect2 == null)
      syncRect(false);
    setCursorEvent(e);
    if (e != null) {
      _l = e.clientX - rect2.left;
      _t = e.clientY - rect2.top;
    } else {
      if (_l < 0 || _t < 0) {
        mouseLeft1 = -10;
        mouseTop1 = -10;
        return;
      }
      let [xKey, yKey] = syncOpts.scales;
      let syncOptsSrc = src.cursor.sync;
      let [xValSrc, yValSrc] = syncOptsSrc.values;
      let [xKeySrc, yKeySrc] = syncOptsSrc.scales;
      let [matchXKeys, matchYKeys] = syncOpts.match;
      let rotSrc = src.axes[0].side % 2 == 1;
      let xDim = scaleX.ori == 0 ? plotWidCss : plotHgtCss, yDim = scaleX.ori == 1 ? plotWidCss : plotHgtCss, _xDim = rotSrc ? _h : _w, _yDim = rotSrc ? _w : _h, _xPos = rotSrc ? _t : _l, _yPos = rotSrc ? _l : _t;
      if (xKeySrc != null)
        _l = matchXKeys(xKey, xKeySrc) ? getPos(xValSrc, scales[xKey], xDim, 0) : -10;
      else
        _l = xDim * (_xPos / _xDim);
      if (yKeySrc != null)
        _t = matchYKeys(yKey, yKeySrc) ? getPos(yValSrc, scales[yKey], yDim, 0) : -10;
      else
        _t = yDim * (_yPos / _yDim);
      if (scaleX.ori == 1) {
        let __l = _l;
        _l = _t;
        _t = __l;
      }
    }
    if (snap && (src == null || src.cursor.event.type == mousemove)) {
      if (_l <= 1 || _l >= plotWidCss - 1)
        _l = incrRound(_l, plotWidCss);
      if (_t <= 1 || _t >= plotHgtCss - 1)
        _t = incrRound(_t, plotHgtCss);
    }
    if (initial) {
      rawMouseLeft0 = _l;
      rawMouseTop0 = _t;
      [mouseLeft0, mouseTop0] = cursor.move(self, _l, _t);
    } else {
      mouseLeft1 = _l;
      mouseTop1 = _t;
    }
  }
  const _hideProps = {
    width: 0,
    height: 0,
    left: 0,
    top: 0
  };
  function hideSelect() {
    setSelect(_hideProps, false);
  }
  let downSelectLeft;
  let downSelectTop;
  let downSelectWidth;
  let downSelectHeight;
  function mouseDown(e, src, _l, _t, _w, _h, _i) {
    dragging = true;
    dragX = dragY = drag._x = drag._y = false;
    cacheMouse(e, src, _l, _t, _w, _h, _i, true, false);
    if (e != null) {
      onMouse(mouseup, doc, mouseUp, false);
      pubSync(mousedown, self, mouseLeft0, mouseTop0, plotWidCss, plotHgtCss, null);
    }
    let { left, top, width: width2, height } = select;
    downSelectLeft = left;
    downSelectTop = top;
    downSelectWidth = width2;
    downSelectHeight = height;
  }
  function mouseUp(e, src, _l, _t, _w, _h, _i) {
    dragging = drag._x = drag._y = false;
    cacheMouse(e, src, _l, _t, _w, _h, _i, false, true);
    let { left, top, width: width2, height } = select;
    let hasSelect = width2 > 0 || height > 0;
    let chgSelect = downSelectLeft != left || downSelectTop != top || downSelectWidth != width2 || downSelectHeight != height;
    hasSelect && chgSelect && setSelect(select);
    if (drag.setScale && hasSelect && chgSelect) {
      let xOff = left, xDim = width2, yOff = top, yDim = height;
      if (scaleX.ori == 1) {
        xOff = top, xDim = height, yOff = left, yDim = width2;
      }
      if (dragX) {
        _setScale(
          xScaleKey,
          posToVal(xOff, xScaleKey),
          posToVal(xOff + xDim, xScaleKey)
        );
      }
      if (dragY) {
        for (let k in scales) {
          let sc = scales[k];
          if (k != xScaleKey && sc.from == null && sc.min != inf) {
            _setScale(
              k,
              posToVal(yOff + yDim, k),
              posToVal(yOff, k)
            );
          }
        }
      }
      hideSelect();
    } else if (cursor.lock) {
      cursor._lock = !cursor._lock;
      updateCursor(src, true, e != null);
    }
    if (e != null) {
      offMouse(mouseup, doc);
      pubSync(mouseup, self, mouseLeft1, mouseTop1, plotWidCss, plotHgtCss, null);
    }
  }
  function mouseLeave(e, src, _l, _t, _w, _h, _i) {
    if (cursor._lock)
      return;
    setCursorEvent(e);
    let _dragging = dragging;
    if (dragging) {
      let snapH = true;
      let snapV = true;
      let snapProx = 10;
      let dragH, dragV;
      if (scaleX.ori == 0) {
        dragH = dragX;
        dragV = dragY;
      } else {
        dragH = dragY;
        dragV = dragX;
      }
      if (dragH && dragV) {
        snapH = mouseLeft1 <= snapProx || mouseLeft1 >= plotWidCss - snapProx;
        snapV = mouseTop1 <= snapProx || mouseTop1 >= plotHgtCss - snapProx;
      }
      if (dragH && snapH)
        mouseLeft1 = mouseLeft1 < mouseLeft0 ? 0 : plotWidCss;
      if (dragV && snapV)
        mouseTop1 = mouseTop1 < mouseTop0 ? 0 : plotHgtCss;
      updateCursor(null, true, true);
      dragging = false;
    }
    mouseLeft1 = -10;
    mouseTop1 = -10;
    activeIdxs.fill(null);
    updateCursor(null, true, true);
    if (_dragging)
      dragging = _dragging;
  }
  function dblClick(e, src, _l, _t, _w, _h, _i) {
    if (cursor._lock)
      return;
    setCursorEvent(e);
    autoScaleX();
    hideSelect();
    if (e != null)
      pubSync(dblclick, self, mouseLeft1, mouseTop1, plotWidCss, plotHgtCss, null);
  }
  function syncPxRatio() {
    axes.forEach(syncFontSize);
    _setSize(self.width, self.height, true);
  }
  on(dppxchange, win, syncPxRatio);
  const events = {};
  events.mousedown = mouseDown;
  events.mousemove = mouseMove;
  events.mouseup = mouseUp;
  events.dblclick = dblClick;
  events["setSeries"] = (e, src, idx, opts2) => {
    let seriesIdxMatcher2 = syncOpts.match[2];
    idx = seriesIdxMatcher2(self, src, idx);
    idx != -1 && setSeries(idx, opts2, true, false);
  };
  if (showCursor) {
    onMouse(mousedown, over, mouseDown);
    onMouse(mousemove, over, mouseMove);
    onMouse(mouseenter, over, (e) => {
      setCursorEvent(e);
      syncRect(false);
    });
    onMouse(mouseleave, over, mouseLeave);
    onMouse(dblclick, over, dblClick);
    cursorPlots.add(self);
    self.syncRect = syncRect;
  }
  const hooks = self.hooks = opts.hooks || {};
  function fire(evName, a1, a2) {
    if (deferHooks)
      hooksQueue.push([evName, a1, a2]);
    else {
      if (evName in hooks) {
        hooks[evName].forEach((fn) => {
          fn.call(null, self, a1, a2);
        });
      }
    }
  }
  (opts.plugins || []).forEach((p) => {
    for (let evName in p.hooks)
      hooks[evName] = (hooks[evName] || []).concat(p.hooks[evName]);
  });
  const seriesIdxMatcher = (self2, src, srcSeriesIdx) => srcSeriesIdx;
  const syncOpts = assign({
    key: null,
    setSeries: false,
    filters: {
      pub: retTrue,
      sub: retTrue
    },
    scales: [xScaleKey, series[1] ? series[1].scale : null],
    match: [retEq, retEq, seriesIdxMatcher],
    values: [null, null]
  }, cursor.sync);
  if (syncOpts.match.length == 2)
    syncOpts.match.push(seriesIdxMatcher);
  cursor.sync = syncOpts;
  const syncKey = syncOpts.key;
  const sync = _sync(syncKey);
  function pubSync(type, src, x, y, w, h2, i) {
    if (syncOpts.filters.pub(type, src, x, y, w, h2, i))
      sync.pub(type, src, x, y, w, h2, i);
  }
  sync.sub(self);
  function pub(type, src, x, y, w, h2, i) {
    if (syncOpts.filters.sub(type, src, x, y, w, h2, i))
      events[type](null, src, x, y, w, h2, i);
  }
  self.pub = pub;
  function destroy() {
    sync.unsub(self);
    cursorPlots.delete(self);
    mouseListeners.clear();
    off(dppxchange, win, syncPxRatio);
    root.remove();
    legendTable?.remove();
    fire("destroy");
  }
  self.destroy = destroy;
  function _init() {
    fire("init", opts, data);
    setData(data || opts.data, false);
    if (pendScales[xScaleKey])
      setScale(xScaleKey, pendScales[xScaleKey]);
    else
      autoScaleX();
    shouldSetSelect = select.show && (select.width > 0 || select.height > 0);
    shouldSetCursor = shouldSetLegend = true;
    _setSize(opts.width, opts.height);
  }
  series.forEach(initSeries);
  axes.forEach(initAxis);
  if (then) {
    if (then instanceof HTMLElement) {
      then.appendChild(root);
      _init();
    } else
      then(self, _init);
  } else
    _init();
  return self;
}
uPlot.assign = assign;
uPlot.fmtNum = fmtNum;
uPlot.rangeNum = rangeNum;
uPlot.rangeLog = rangeLog;
uPlot.rangeAsinh = rangeAsinh;
uPlot.orient = orient;
uPlot.pxRatio = pxRatio;
{
  uPlot.join = join;
}
{
  uPlot.fmtDate = fmtDate;
  uPlot.tzDate = tzDate;
}
uPlot.sync = _sync;
{
  uPlot.addGap = addGap;
  uPlot.clipGaps = clipGaps;
  let paths = uPlot.paths = {
    points
  };
  paths.linear = linear;
  paths.stepped = stepped;
  paths.bars = bars;
  paths.spline = monotoneCubic;
}

// src/history.ts
var DAYS = 90;
var RUNS = 30;
var STATUSES = ["subscribed", "unsubscribed", "pending", "bounced", "cleaned"];
var COLOURS = {
  subscribed: "#2f7d4f",
  unsubscribed: "#b4572e",
  pending: "#c59a1a",
  bounced: "#8a3ca8",
  cleaned: "#6b7785"
};
var VOLUME = [
  ["created", "#2f7d4f"],
  ["updated", "#3569b5"],
  ["deleted", "#b4572e"]
];
function element(tag, text2 = "") {
  const made = document.createElement(tag);
  made.textContent = text2;
  return made;
}
function figure(root, id, title) {
  const box = element("figure");
  box.id = id;
  const caption = element("figcaption");
  const plot = element("div");
  plot.className = "plot";
  box.append(element("h3", title), plot, caption);
  root.append(box);
  return { plot, caption };
}
function width(of) {
  return Math.max(280, Math.min(of.clientWidth || 640, 960));
}
function day(iso) {
  return Date.parse(`${iso}T00:00:00Z`) / 1e3;
}
function number(value) {
  return value.toLocaleString("en-US");
}
function statusChart(target, history3) {
  const data = [history3.days.map(day), ...STATUSES.map((status) => history3[status])];
  return new uPlot(
    {
      width: width(target),
      height: 260,
      tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1e3), "Etc/UTC"),
      series: [
        { label: "day", value: "{YYYY}-{MM}-{DD}" },
        ...STATUSES.map((status) => ({ label: status, stroke: COLOURS[status], width: 2 }))
      ],
      axes: [{}, { size: 60 }]
    },
    data,
    target
  );
}
function volumeChart(target, runs) {
  const order = Array.from(runs.keys());
  const stacked = VOLUME.map(
    (_2, i) => runs.map((run) => VOLUME.slice(i).reduce((sum, [field]) => sum + run[field], 0))
  );
  const bars2 = uPlot.paths.bars?.({ size: [0.7, 40] });
  const label = (index) => {
    const run = runs[index];
    return run?.finishedAt ? new Date(run.finishedAt).toLocaleString() : "";
  };
  return new uPlot(
    {
      width: width(target),
      height: 220,
      scales: { x: { time: false, range: [-0.5, Math.max(runs.length - 0.5, 0.5)] } },
      series: [
        { label: "run", value: (_u, index) => index == null ? "" : label(Math.round(index)) },
        ...VOLUME.map(([field, colour]) => ({
          label: field,
          fill: colour,
          stroke: colour,
          paths: bars2,
          points: { show: false },
          // The legend tells the run's own count, not the stacked height.
          value: (_u, _v, _s, index) => index == null ? "" : number(runs[index]?.[field] ?? 0)
        }))
      ],
      axes: [
        { values: (_u, ticks2) => ticks2.map((t) => Number.isInteger(t) ? label(t).split(",")[0] ?? "" : "") },
        { size: 60 }
      ]
    },
    [order, ...stacked],
    target
  );
}
function emptyState(caption, text2) {
  caption.textContent = text2;
  caption.classList.add("empty");
}
function mountHistory(root, team, onError) {
  root.replaceChildren(element("h2", "History"));
  const subscribers2 = figure(root, "history-subscribers", `Subscribers by status, last ${DAYS} days`);
  const volume = figure(root, "history-volume", "Sync volume per run");
  let charts = [];
  let loading2 = null;
  async function load() {
    root.setAttribute("aria-busy", "true");
    try {
      const [history3, runs] = await Promise.all([
        team.subscribers.history({ days: DAYS }),
        team.syncRuns.list({ limit: RUNS })
      ]);
      for (const chart of charts) chart.destroy();
      charts = [];
      drawSubscribers(history3);
      drawVolume(runs.items.filter((run) => run.status === "succeeded").reverse());
    } finally {
      root.removeAttribute("aria-busy");
    }
  }
  function drawSubscribers(history3) {
    const { plot, caption } = subscribers2;
    plot.dataset.points = String(history3.days.length);
    plot.dataset.first = history3.days[0] ?? "";
    plot.dataset.last = history3.days[history3.days.length - 1] ?? "";
    caption.classList.remove("empty");
    if (history3.days.length === 0) {
      emptyState(caption, "No history yet: subscribers are counted every five minutes and after each sync.");
      return;
    }
    charts.push(statusChart(plot, history3));
    const last = history3.days.length - 1;
    const now = history3.subscribed[last] ?? 0;
    const then = history3.subscribed[0] ?? 0;
    const change2 = now - then;
    caption.textContent = `${number(now)} subscribed on ${history3.days[last]} (${change2 >= 0 ? "+" : "\u2212"}${number(Math.abs(change2))} since ${history3.days[0]}), ${number(history3.unsubscribed[last] ?? 0)} unsubscribed.`;
  }
  function drawVolume(runs) {
    const { plot, caption } = volume;
    plot.dataset.points = String(runs.length);
    caption.classList.remove("empty");
    if (runs.length === 0) {
      emptyState(caption, "No finished sync yet: press \u201CSync now\u201D on a connection.");
      return;
    }
    charts.push(volumeChart(plot, runs));
    const latest = runs[runs.length - 1];
    if (latest) {
      caption.textContent = `Latest run: ${number(latest.rowsSeen)} rows listed, ${number(latest.created)} created, ${number(latest.updated)} updated, ${number(latest.deleted)} deleted, ${number(latest.conflicts)} conflicts.`;
    }
  }
  const resize2 = () => {
    for (const chart of charts) chart.setSize({ width: width(chart.root.parentElement ?? root), height: chart.height });
  };
  window.addEventListener("resize", resize2);
  return {
    // Calls while one is loading wait for it, then load once more (what changed meanwhile).
    async refresh() {
      const previous = loading2;
      const next = (async () => {
        await previous?.catch(() => void 0);
        await load();
      })();
      loading2 = next;
      try {
        await next;
      } catch (err) {
        onError(err);
      } finally {
        if (loading2 === next) loading2 = null;
      }
    },
    destroy() {
      window.removeEventListener("resize", resize2);
      for (const chart of charts) chart.destroy();
      charts = [];
      root.replaceChildren();
    }
  };
}

// src/pages/history.ts
var FINISHED = /* @__PURE__ */ new Set(["succeeded", "failed", "needs_review"]);
var history2 = {
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
        (c) => c.table === "sync_runs" && c.op === "upsert" && FINISHED.has(String(c.row.status))
      );
      if (ended && ctx.alive()) void charts.refresh();
    });
  }
};

// src/pages/keys.ts
var SCOPES = [
  ["read", "read"],
  ["write", "write (and read)"],
  ["admin", "admin (everything)"]
];
var keys = {
  path: "keys",
  title: "API keys",
  mount(root, ctx) {
    const list = table("keys", ["Name", "Key", "Scopes", "Expires", "Last used", "Status", ""], "No API key yet: create one below for your scripts and servers.");
    const listError = h("p", { class: "action-error", role: "alert", hidden: true });
    const created = h("div", { id: "created-key" });
    const keyRow = (key) => row(
      { "data-key": key.id },
      key.name,
      h("code", {}, `${key.prefix}\u2026`),
      key.scopes.join(", "),
      key.expiresAt ? when(key.expiresAt) : "never",
      when(key.lastUsedAt),
      key.revokedAt ? `revoked ${when(key.revokedAt)}` : "active",
      key.revokedAt ? "" : confirmButton("Revoke", "Really revoke?", async () => {
        await ctx.team.apiKeys.revoke({ id: key.id });
        await load();
      })
    );
    const load = async () => {
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
        { name: "expiresInDays", label: "Expires in (days)", type: "number", hint: "Leave empty for a key that does not expire." }
      ],
      submit: "Create the key",
      onSubmit: async (data, node) => {
        const days2 = text(data, "expiresInDays");
        const scopes = data.getAll("scopes").map(String);
        const made = await ctx.team.apiKeys.create({
          name: text(data, "name"),
          scopes: scopes.length ? scopes : null,
          expiresInDays: days2 ? Number(days2) : null
        });
        node.reset();
        created.replaceChildren(secretOnce(`The key "${made.apiKey.name}"`, made.key));
        created.querySelector("button")?.focus();
        await load();
      }
    });
    root.append(section("API keys", h("div", { class: "scroll" }, list), listError), created, section("Create a key", creating));
    loading(list);
    void load();
  }
};

// src/pages/members.ts
var ROLES = [
  ["member", "member"],
  ["admin", "admin"],
  ["owner", "owner"]
];
var members = {
  path: "members",
  title: "Members",
  mount(root, ctx) {
    const people = table("members", ["Email", "Name", "Role", "Joined", ""], "Only you so far: invite someone below.");
    const invited = table("invitations", ["Email", "Role", "Expires", ""], "No invitation waiting.");
    const error = h("p", { class: "action-error", role: "alert", hidden: true });
    const roleSelect = (m) => {
      const select = h("select", { "aria-label": `Role of ${m.email}` }, ...ROLES.map(([v, l]) => h("option", { value: v, selected: v === m.role }, l)));
      const status = h("span", { class: "action-error", role: "alert", hidden: true });
      select.addEventListener("change", () => {
        status.hidden = true;
        void ctx.team.members.setRole({ userId: m.userId, role: select.value }).then(load, (err) => {
          select.value = m.role;
          showIn(status, err);
        });
      });
      return h("span", {}, select, status);
    };
    const memberRow = (m) => row(
      { "data-member": m.userId },
      m.email,
      m.name,
      roleSelect(m),
      when(m.joinedAt),
      confirmButton("Remove", "Really remove?", async () => {
        await ctx.team.members.remove({ userId: m.userId });
        await load();
      })
    );
    const invitationRow = (i) => row(
      { "data-invitation": i.id },
      i.email,
      i.role,
      when(i.expiresAt),
      confirmButton("Revoke", "Really revoke?", async () => {
        await ctx.team.invitations.revoke({ id: i.id });
        await load();
      })
    );
    const load = async () => {
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
        { name: "role", label: "Role", type: "select", options: ROLES, value: "member" }
      ],
      submit: "Send the invitation",
      onSubmit: async (data, node) => {
        await ctx.team.members.add({ email: text(data, "email"), role: text(data, "role") });
        node.reset();
        await load();
      }
    });
    root.append(
      section("Members", error, h("div", { class: "scroll" }, people)),
      section("Invitations", h("div", { class: "scroll" }, invited), h("h3", {}, "Invite someone"), inviting)
    );
    loading(people);
    loading(invited);
    void load();
  }
};

// src/pages/usage.ts
var ALERT_PERCENT = 90;
var LABEL = {
  synced_subscribers: "Synced subscribers",
  api_requests: "API requests"
};
function meter(metric) {
  const label = LABEL[metric.metric] ?? metric.metric;
  const over = metric.percent !== null && metric.percent >= ALERT_PERCENT;
  const limit = metric.limit === null ? "no limit" : `of ${metric.limit.toLocaleString()}`;
  return h(
    "div",
    { class: `metric${over ? " over" : ""}`, "data-metric": metric.metric },
    h("span", { class: "metric-label" }, label),
    metric.limit === null ? null : h("meter", { min: 0, max: metric.limit, value: Math.min(metric.used, metric.limit), high: metric.limit * ALERT_PERCENT / 100, "aria-label": label }),
    h("span", {}, `${metric.used.toLocaleString()} ${limit}${metric.percent === null ? "" : ` (${metric.percent}%)`}`)
  );
}
function usageAlerts(shown) {
  return shown.metrics.filter((m) => m.percent !== null && m.percent >= ALERT_PERCENT).map(
    (m) => h(
      "p",
      { class: "alert", role: "alert" },
      `${LABEL[m.metric] ?? m.metric}: ${m.percent}% of the plan's limit is used. Upgrade the plan or reduce use before it runs out.`
    )
  );
}
var usage = {
  path: "usage",
  title: "Usage",
  mount(root, ctx) {
    const body = h("div", { id: "usage", "aria-busy": "true" }, "Loading\u2026");
    const alerts = h("div", { id: "usage-alerts" });
    root.append(section("Usage this period", alerts, body));
    const load = async () => {
      const shown = await ctx.team.usage.get();
      if (!ctx.alive()) return;
      body.removeAttribute("aria-busy");
      const period = `${new Date(shown.periodStart).toLocaleDateString()} \u2013 ${new Date(shown.periodEnd).toLocaleDateString()}`;
      body.replaceChildren(h("p", {}, `Plan ${shown.plan}, ${period}.`), ...shown.metrics.map(meter));
      alerts.replaceChildren(...usageAlerts(shown));
    };
    let timer;
    ctx.onChange((batch) => {
      if (!batch.some((c) => c.table === "subscribers")) return;
      window.clearTimeout(timer);
      timer = window.setTimeout(() => void load().catch((err) => showIn(body, err)), 500);
    });
    void load().catch((err) => showIn(body, err));
  }
};

// src/pages/overview.ts
var RECENT = 20;
var STATUSES2 = ["subscribed", "unsubscribed", "pending", "bounced", "cleaned", "deleted", "total"];
function describe(change2) {
  switch (change2.table) {
    case "subscribers": {
      const { email, firstName, lastName } = change2.row;
      const name = [firstName, lastName].filter(Boolean).join(" ");
      return `${email}${name ? ` (${name})` : ""}`;
    }
    case "sync_runs":
      return `sync ${change2.row.status}`;
    case "exports":
      return `export ${change2.row.status}`;
    case "esp_connections":
      return change2.row.name;
  }
}
var overview = {
  path: "overview",
  title: "Overview",
  mount(root, ctx) {
    const counts = h("dl", { id: "counts", "aria-busy": "true" }, "Loading\u2026");
    const changes = table("changes", ["Table", "Change", "What"], "Nothing has changed since you opened the page: changes appear here as they happen.");
    fill(changes, []);
    const alerts = h("div", { id: "usage-alerts" });
    root.append(alerts, section("Subscribers", counts), section("Recent changes", changes));
    void ctx.team.usage.get().then((shown) => alerts.replaceChildren(...usageAlerts(shown)), () => void 0);
    const loadCounts = async () => {
      const shown = await ctx.team.subscribers.counts();
      if (!ctx.alive()) return;
      counts.removeAttribute("aria-busy");
      counts.replaceChildren(
        ...STATUSES2.map(
          (status) => h("div", { class: "count" }, h("dt", {}, status), h("dd", { "data-count": status }, String(shown[status] ?? 0)))
        )
      );
    };
    let timer;
    const recent = [];
    ctx.onChange((batch) => {
      for (const change2 of batch) {
        recent.unshift(row({}, change2.table, change2.op, describe(change2)));
        if (change2.table === "subscribers") {
          window.clearTimeout(timer);
          timer = window.setTimeout(() => void loadCounts().catch((err) => showIn(counts, err)), 250);
        }
      }
      recent.splice(RECENT);
      fill(changes, recent);
    });
    void loadCounts().catch((err) => showIn(counts, err));
  }
};

// src/pages/subscribers.ts
var PAGE_SIZE = 25;
var STATUSES3 = ["subscribed", "unsubscribed", "pending", "bounced", "cleaned"];
function fullName(s) {
  return [s.firstName, s.lastName].filter(Boolean).join(" ");
}
var subscribers = {
  path: "subscribers",
  title: "Subscribers",
  mount(root, ctx) {
    let filter = {};
    let cursors = [null];
    let nextAfter = null;
    let items = [];
    let open = null;
    const names = /* @__PURE__ */ new Map();
    const list = table("subscribers", ["Email", "Name", "Status", "Connection", "Added"], "");
    const listError = h("p", { class: "action-error", role: "alert", hidden: true });
    const pageInfo = h("span", { id: "page-info", role: "status" });
    const previous = h("button", { type: "button", id: "previous", disabled: true }, "Previous page");
    const next = h("button", { type: "button", id: "next", disabled: true }, "Next page");
    const detail = h("section", { id: "subscriber", hidden: true, "aria-live": "polite" });
    const exportStatus = h("span", { id: "export-status", role: "status" });
    const fresh = /* @__PURE__ */ new Set();
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
        h("select", { name: "status", id: "filter-status" }, h("option", { value: "" }, "any"), ...STATUSES3.map((s) => h("option", { value: s }, s)))
      ),
      h("label", {}, "Connection ", connectionSelect),
      h("label", {}, h("input", { type: "checkbox", name: "deleted" }), " deleted ones"),
      h("button", { type: "submit" }, "Filter")
    );
    const emptyText = () => filter.search || filter.status || filter.connectionId || filter.deleted ? "No subscriber matches these filters: change or clear them." : "No subscriber yet: add a connection and sync it, or create some with subscribers.create.";
    const draw = () => {
      list.dataset.empty = emptyText();
      fill(list, items.map(subscriberRow));
      const page = cursors.length;
      pageInfo.textContent = items.length ? `Page ${page} \xB7 ${items.length} shown` : "";
      previous.disabled = page <= 1;
      next.disabled = nextAfter === null;
    };
    const subscriberRow = (s) => row(
      { "data-subscriber": s.id, class: s.id === open ? "selected" : void 0 },
      h("button", { type: "button", class: "link", onclick: () => void show(s.id) }, s.email),
      fullName(s),
      s.deletedAt ? "deleted" : s.status,
      s.connectionId ? names.get(s.connectionId) ?? "" : "local",
      when(s.createdAt)
    );
    const reload = () => {
      cursors = [null];
      return load();
    };
    const load = async () => {
      fresh.clear();
      freshNote.hidden = true;
      const after = cursors[cursors.length - 1] ?? null;
      const input = { ...filter, after, limit: PAGE_SIZE };
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
    const show = async (id) => {
      open = id;
      draw();
      detail.hidden = false;
      detail.replaceChildren(h("p", { "aria-busy": "true" }, "Loading\u2026"));
      try {
        renderDetail(await ctx.team.subscribers.get({ id }));
      } catch (err) {
        showIn(detail, err);
      }
    };
    const renderDetail = (s) => {
      if (!ctx.alive() || open !== s.id) return;
      const fields = [
        { name: "firstName", label: "First name", value: s.firstName ?? "" },
        { name: "lastName", label: "Last name", value: s.lastName ?? "" },
        { name: "status", label: "Status", type: "select", options: STATUSES3.map((x) => [x, x]), value: s.status },
        {
          name: "localFields",
          label: "Local fields (JSON)",
          type: "textarea",
          value: JSON.stringify(s.localFields, null, 2),
          hint: "Yours alone: a sync never overwrites them."
        }
      ];
      const editing = form({
        id: "edit-subscriber",
        fields,
        submit: "Save",
        onSubmit: async (data) => {
          let localFields;
          try {
            localFields = JSON.parse(text(data, "localFields") || "{}");
          } catch {
            throw new FieldError("localFields", 'Local fields must be a JSON object, e.g. {"plan": "gold"}.');
          }
          const saved = await ctx.team.subscribers.update({
            id: s.id,
            firstName: text(data, "firstName"),
            lastName: text(data, "lastName"),
            status: text(data, "status"),
            localFields
          });
          replace(saved);
          status.textContent = "Saved.";
        }
      });
      const status = h("span", { role: "status", class: "saved" });
      const synced = s.connectionId ? h("p", { class: "hint" }, `Synced from ${names.get(s.connectionId) ?? "a connection"}: its next sync overwrites names and status (a conflict), never local fields.`) : null;
      const actions = s.deletedAt ? button("Restore", async () => replace(await ctx.team.subscribers.restore({ id: s.id }))) : confirmButton("Delete", "Really delete?", async () => {
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
          h("dd", {}, h("code", {}, JSON.stringify(s.customFields)))
        ),
        synced ?? "",
        s.deletedAt ? h("p", { class: "hint" }, "Deleted: restore it to edit it.") : editing,
        status,
        h("div", { class: "actions" }, actions, h("button", { type: "button", onclick: () => close() }, "Close"))
      );
    };
    const close = () => {
      open = null;
      detail.hidden = true;
      draw();
    };
    const replace = (s) => {
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
    const isFresh = (s) => cursors.length === 1 && !s.deletedAt && !filter.deleted && !filter.search && // words are matched by the server: it is not guessed here
    (!filter.status || s.status === filter.status) && (!filter.connectionId || s.connectionId === filter.connectionId) && Date.parse(s.createdAt) > Date.parse(items[0]?.createdAt ?? "1970-01-01T00:00:00Z");
    const exportAs = async (format) => {
      let current = await ctx.team.exports.create({ format, filter });
      exportStatus.textContent = `export ${current.status}\u2026`;
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
        status: text(data, "status") || null,
        connectionId: text(data, "connection") || null,
        deleted: data.get("deleted") !== null
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
          exportStatus
        )
      ),
      detail
    );
    ctx.onChange((batch) => {
      for (const change2 of batch) if (change2.table === "subscribers") replace(change2.row);
    });
    void ctx.team.espConnections.list().then(({ items: all }) => {
      for (const c of all) {
        names.set(c.id, c.name);
        connectionSelect.append(h("option", { value: c.id }, c.name));
      }
      if (items.length) draw();
    });
    void load();
  }
};

// src/pages/webhooks.ts
var EVENTS = [
  "subscriber.created",
  "subscriber.deleted",
  "sync.completed",
  "sync.failed",
  "export.ready",
  "usage.threshold",
  "webhook.disabled"
];
function attempts(delivery) {
  return h(
    "ol",
    { class: "attempts" },
    ...delivery.log.map(
      (a) => h("li", {}, `${a.responseStatus ?? "no answer"}${a.error ? ` (${a.error})` : ""} in ${Math.round(a.durationMs)} ms, ${when(a.at)}`)
    )
  );
}
var webhooks = {
  path: "webhooks",
  title: "Webhooks",
  mount(root, ctx) {
    const list = table("webhooks", ["URL", "Events", "Status", "Actions"], "No webhook yet: create one below to be told of changes.");
    const deliveries = table("deliveries", ["Event", "Status", "Attempts", "Created", "Next attempt", "Log"], 'No delivery yet: press "Test" on a webhook to send one.');
    const listError = h("p", { class: "action-error", role: "alert", hidden: true });
    const created = h("div", { id: "created-webhook" });
    let endpoints = [];
    let pending = false;
    const hookRow = (hook) => {
      const disabled = hook.status === "disabled";
      return row(
        { "data-webhook": hook.id },
        h("code", {}, hook.url),
        hook.events.join(", "),
        disabled ? `disabled: ${hook.disabledReason ?? "after failures"}` : `active${hook.consecutiveFailures ? ` \xB7 ${hook.consecutiveFailures} failures in a row` : ""}`,
        h(
          "span",
          { class: "buttons" },
          button("Test", async () => {
            await ctx.team.webhooks.test({ id: hook.id });
            await loadDeliveries();
          }),
          disabled ? button("Re-enable", async () => {
            await ctx.team.webhooks.update({ id: hook.id, status: "active" });
            await load();
          }) : null,
          confirmButton("Delete", "Really delete?", async () => {
            await ctx.team.webhooks.delete({ id: hook.id });
            await load();
          })
        )
      );
    };
    const deliveryRow = (d) => row(
      { "data-delivery": d.id, "data-status": d.status },
      d.eventType,
      h("span", { class: `status ${d.status}` }, d.status),
      String(d.attempts),
      when(d.createdAt),
      d.nextAttemptAt ? when(d.nextAttemptAt) : "",
      d.log.length ? attempts(d) : "not sent yet"
    );
    const load = async () => {
      try {
        endpoints = (await ctx.team.webhooks.list()).items;
        if (ctx.alive()) fill(list, endpoints.map(hookRow));
      } catch (err) {
        fill(list, []);
        showIn(listError, err);
      }
    };
    const loadDeliveries = async () => {
      const { items } = await ctx.team.webhooks.deliveries({ limit: 50 });
      if (!ctx.alive()) return;
      pending = items.some((d) => d.status === "pending");
      fill(deliveries, items.map(deliveryRow));
    };
    const creating = form({
      id: "create-webhook",
      fields: [
        { name: "url", label: "URL", type: "url", required: true, placeholder: "https://example.com/hooks/subnest" },
        { name: "events", label: "Events", type: "checks", options: EVENTS.map((e) => [e, e]), checked: ["subscriber.created", "sync.completed"] }
      ],
      submit: "Create the webhook",
      fieldOf: (err) => isApiError(err, "WEBHOOK_URL_REFUSED") ? "url" : byPath(err),
      onSubmit: async (data, node) => {
        const made = await ctx.team.webhooks.create({
          url: text(data, "url"),
          events: data.getAll("events").map(String)
        });
        node.reset();
        created.replaceChildren(secretOnce(`The signing secret of ${made.webhook.url}`, made.secret));
        created.querySelector("button")?.focus();
        await load();
      }
    });
    root.append(
      section("Webhooks", h("div", { class: "scroll" }, list), listError),
      created,
      section("Create a webhook", creating),
      section("Deliveries", h("div", { class: "scroll" }, deliveries))
    );
    ctx.every(2e3, async () => {
      if (pending) await loadDeliveries();
    });
    loading(list);
    loading(deliveries);
    void load();
    void loadDeliveries().catch((err) => showIn(listError, err));
  }
};

// ../sdk/ts/node_modules/eventsource-parser/dist/index.js
var ParseError = class extends Error {
  constructor(message2, options) {
    super(message2), this.name = "ParseError", this.type = options.type, this.field = options.field, this.value = options.value, this.line = options.line;
  }
};
var LF = 10;
var CR = 13;
var SPACE = 32;
function noop2(_arg) {
}
function createParser(config) {
  if (typeof config == "function")
    throw new TypeError(
      "`config` must be an object, got a function instead. Did you mean `createParser({onEvent: fn})`?"
    );
  const { onEvent = noop2, onError = noop2, onRetry = noop2, onComment, maxBufferSize } = config, pendingFragments = [];
  let pendingFragmentsLength = 0, isFirstChunk = true, id, data = "", dataLines = 0, eventType, terminated = false;
  function feed(chunk) {
    if (terminated)
      throw new Error(
        "Cannot feed parser: it was terminated after exceeding the configured max buffer size. Call `reset()` to resume parsing."
      );
    if (isFirstChunk && (isFirstChunk = false, chunk.charCodeAt(0) === 239 && chunk.charCodeAt(1) === 187 && chunk.charCodeAt(2) === 191 && (chunk = chunk.slice(3))), pendingFragments.length === 0) {
      const trailing2 = processLines(chunk);
      trailing2 !== "" && (pendingFragments.push(trailing2), pendingFragmentsLength = trailing2.length), checkBufferSize();
      return;
    }
    if (chunk.indexOf(`
`) === -1 && chunk.indexOf("\r") === -1) {
      pendingFragments.push(chunk), pendingFragmentsLength += chunk.length, checkBufferSize();
      return;
    }
    pendingFragments.push(chunk);
    const input = pendingFragments.join("");
    pendingFragments.length = 0, pendingFragmentsLength = 0;
    const trailing = processLines(input);
    trailing !== "" && (pendingFragments.push(trailing), pendingFragmentsLength = trailing.length), checkBufferSize();
  }
  function checkBufferSize() {
    maxBufferSize !== void 0 && (pendingFragmentsLength + data.length <= maxBufferSize || (terminated = true, pendingFragments.length = 0, pendingFragmentsLength = 0, id = void 0, data = "", dataLines = 0, eventType = void 0, onError(
      new ParseError(`Buffered data exceeded max buffer size of ${maxBufferSize} characters`, {
        type: "max-buffer-size-exceeded"
      })
    )));
  }
  function processLines(chunk) {
    let searchIndex = 0;
    if (chunk.indexOf("\r") === -1) {
      let lfIndex = chunk.indexOf(`
`, searchIndex);
      for (; lfIndex !== -1; ) {
        if (searchIndex === lfIndex) {
          dataLines > 0 && onEvent({ id, event: eventType, data }), id = void 0, data = "", dataLines = 0, eventType = void 0, searchIndex = lfIndex + 1, lfIndex = chunk.indexOf(`
`, searchIndex);
          continue;
        }
        const firstCharCode = chunk.charCodeAt(searchIndex);
        if (isDataPrefix(chunk, searchIndex, firstCharCode)) {
          const valueStart = chunk.charCodeAt(searchIndex + 5) === SPACE ? searchIndex + 6 : searchIndex + 5, value = chunk.slice(valueStart, lfIndex);
          if (dataLines === 0 && chunk.charCodeAt(lfIndex + 1) === LF) {
            onEvent({ id, event: eventType, data: value }), id = void 0, data = "", eventType = void 0, searchIndex = lfIndex + 2, lfIndex = chunk.indexOf(`
`, searchIndex);
            continue;
          }
          data = dataLines === 0 ? value : `${data}
${value}`, dataLines++;
        } else isEventPrefix(chunk, searchIndex, firstCharCode) ? eventType = chunk.slice(
          chunk.charCodeAt(searchIndex + 6) === SPACE ? searchIndex + 7 : searchIndex + 6,
          lfIndex
        ) || void 0 : parseLine(chunk, searchIndex, lfIndex);
        searchIndex = lfIndex + 1, lfIndex = chunk.indexOf(`
`, searchIndex);
      }
      return chunk.slice(searchIndex);
    }
    for (; searchIndex < chunk.length; ) {
      const crIndex = chunk.indexOf("\r", searchIndex), lfIndex = chunk.indexOf(`
`, searchIndex);
      let lineEnd = -1;
      if (crIndex !== -1 && lfIndex !== -1 ? lineEnd = crIndex < lfIndex ? crIndex : lfIndex : crIndex !== -1 ? crIndex === chunk.length - 1 ? lineEnd = -1 : lineEnd = crIndex : lfIndex !== -1 && (lineEnd = lfIndex), lineEnd === -1)
        break;
      parseLine(chunk, searchIndex, lineEnd), searchIndex = lineEnd + 1, chunk.charCodeAt(searchIndex - 1) === CR && chunk.charCodeAt(searchIndex) === LF && searchIndex++;
    }
    return chunk.slice(searchIndex);
  }
  function parseLine(chunk, start2, end) {
    if (start2 === end) {
      dispatchEvent();
      return;
    }
    const firstCharCode = chunk.charCodeAt(start2);
    if (isDataPrefix(chunk, start2, firstCharCode)) {
      const valueStart = chunk.charCodeAt(start2 + 5) === SPACE ? start2 + 6 : start2 + 5, value2 = chunk.slice(valueStart, end);
      data = dataLines === 0 ? value2 : `${data}
${value2}`, dataLines++;
      return;
    }
    if (isEventPrefix(chunk, start2, firstCharCode)) {
      eventType = chunk.slice(chunk.charCodeAt(start2 + 6) === SPACE ? start2 + 7 : start2 + 6, end) || void 0;
      return;
    }
    if (firstCharCode === 105 && chunk.charCodeAt(start2 + 1) === 100 && chunk.charCodeAt(start2 + 2) === 58) {
      const value2 = chunk.slice(chunk.charCodeAt(start2 + 3) === SPACE ? start2 + 4 : start2 + 3, end);
      value2.includes("\0") || (id = value2);
      return;
    }
    if (firstCharCode === 58) {
      if (onComment) {
        const line2 = chunk.slice(start2, end);
        onComment(line2.slice(chunk.charCodeAt(start2 + 1) === SPACE ? 2 : 1));
      }
      return;
    }
    const line = chunk.slice(start2, end), fieldSeparatorIndex = line.indexOf(":");
    if (fieldSeparatorIndex === -1) {
      processField(line, "", line);
      return;
    }
    const field = line.slice(0, fieldSeparatorIndex), offset = line.charCodeAt(fieldSeparatorIndex + 1) === SPACE ? 2 : 1, value = line.slice(fieldSeparatorIndex + offset);
    processField(field, value, line);
  }
  function processField(field, value, line) {
    switch (field) {
      case "event":
        eventType = value || void 0;
        break;
      case "data":
        data = dataLines === 0 ? value : `${data}
${value}`, dataLines++;
        break;
      case "id":
        value.includes("\0") || (id = value);
        break;
      case "retry":
        /^\d+$/.test(value) ? onRetry(parseInt(value, 10)) : onError(
          new ParseError(`Invalid \`retry\` value: "${value}"`, {
            type: "invalid-retry",
            value,
            line
          })
        );
        break;
      default:
        onError(
          new ParseError(
            `Unknown field "${field.length > 20 ? `${field.slice(0, 20)}\u2026` : field}"`,
            { type: "unknown-field", field, value, line }
          )
        );
        break;
    }
  }
  function dispatchEvent() {
    dataLines > 0 && onEvent({
      id,
      event: eventType,
      data
    }), id = void 0, data = "", dataLines = 0, eventType = void 0;
  }
  function reset(options = {}) {
    if (options.consume && pendingFragments.length > 0) {
      const incompleteLine = pendingFragments.join("");
      parseLine(incompleteLine, 0, incompleteLine.length);
    }
    isFirstChunk = true, id = void 0, data = "", dataLines = 0, eventType = void 0, pendingFragments.length = 0, pendingFragmentsLength = 0, terminated = false;
  }
  return { feed, reset };
}
function isDataPrefix(chunk, i, firstCharCode) {
  return firstCharCode === 100 && chunk.charCodeAt(i + 1) === 97 && chunk.charCodeAt(i + 2) === 116 && chunk.charCodeAt(i + 3) === 97 && chunk.charCodeAt(i + 4) === 58;
}
function isEventPrefix(chunk, i, firstCharCode) {
  return firstCharCode === 101 && chunk.charCodeAt(i + 1) === 118 && chunk.charCodeAt(i + 2) === 101 && chunk.charCodeAt(i + 3) === 110 && chunk.charCodeAt(i + 4) === 116 && chunk.charCodeAt(i + 5) === 58;
}

// ../sdk/ts/src/sync.ts
var warned = /* @__PURE__ */ new Set();
function known(change2) {
  if (isKnownChangeOut(change2)) {
    return true;
  }
  if (!warned.has(change2.table)) {
    warned.add(change2.table);
    console.warn(`skipping changes of table ${JSON.stringify(change2.table)}: newer than this SDK`);
  }
  return false;
}
var StreamRevokedError = class extends Error {
  reason;
  constructor(reason) {
    super(`the stream ended: ${reason}`);
    this.name = "StreamRevokedError";
    this.reason = reason;
  }
};
function streamUrl(baseUrl, filter) {
  const query2 = [];
  const add = (name, values) => {
    if (values?.length) query2.push(`${name}=${values.map(encodeURIComponent).join(",")}`);
  };
  add("tables", filter?.tables);
  add("connectionId", filter?.connectionId ? [filter.connectionId] : void 0);
  add("status", filter?.status);
  const search = query2.length ? `?${query2.join("&")}` : "";
  return `${baseUrl.replace(/\/+$/, "")}/realtime/stream${search}`;
}
async function* streamBatches(options) {
  const doFetch = options.fetch ?? fetch;
  const headers = { Accept: "text/event-stream", ...options.headers };
  if (options.cursor) {
    headers["Last-Event-ID"] = options.cursor;
  }
  const init = { headers };
  if (options.signal) {
    init.signal = options.signal;
  }
  const response = await doFetch(streamUrl(options.baseUrl, options.filter), init);
  if (!response.ok) {
    await readAnswer(response);
  }
  if (!response.body) {
    throw new UnexpectedResponse(response.status, "the stream has no body", "", null);
  }
  let batch = [];
  const end = { event: null };
  const parser = createParser({
    onRetry: (ms) => batch.push({ type: "retry", ms }),
    onEvent: (message2) => {
      end.event ??= toEvent(message2, batch);
    }
  });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (; ; ) {
      const { value, done } = await reader.read();
      if (done) {
        if (batch.length) yield batch;
        return;
      }
      parser.feed(value);
      const ended = end.event;
      if (ended !== null && !(ended instanceof StreamRevokedError)) {
        batch.push(ended);
      }
      if (batch.length) {
        const out = batch;
        batch = [];
        yield out;
      }
      if (ended instanceof StreamRevokedError) {
        throw ended;
      }
      if (ended !== null) {
        return;
      }
    }
  } finally {
    await reader.cancel().catch(() => void 0);
  }
}
function toEvent(message2, batch) {
  const data = message2.data;
  switch (message2.event) {
    case "change": {
      const change2 = JSON.parse(data);
      if (known(change2)) {
        batch.push({ type: "change", cursor: message2.id ?? "", change: change2 });
      }
      return null;
    }
    case "up-to-date":
      batch.push({ type: "up-to-date", cursor: JSON.parse(data).cursor });
      return null;
    case "progress":
      batch.push({ type: "progress", data: JSON.parse(data) });
      return null;
    case "must-refetch":
      return { type: "must-refetch" };
    case "unavailable": {
      const { retryAfter } = JSON.parse(data);
      return { type: "unavailable", retryAfter };
    }
    case "revoked":
      return new StreamRevokedError(JSON.parse(data).reason);
    default:
      return null;
  }
}

// ../sdk/ts/src/replica.ts
var NO_ROWS = /* @__PURE__ */ new Map();
var MemoryStore = class {
  tables = /* @__PURE__ */ new Map();
  position;
  get cursor() {
    return this.position;
  }
  apply(changes, cursor) {
    let tables = null;
    const touched = /* @__PURE__ */ new Map();
    for (const change2 of changes) {
      const current = this.tables.get(change2.table);
      if (change2.op === "delete" && !current?.has(change2.id)) continue;
      let rows = touched.get(change2.table);
      if (rows === void 0) {
        rows = new Map(current ?? NO_ROWS);
        touched.set(change2.table, rows);
        tables ??= new Map(this.tables);
        tables.set(change2.table, rows);
      }
      if (change2.op === "delete") rows.delete(change2.id);
      else rows.set(change2.id, change2.row);
    }
    if (tables !== null) this.tables = tables;
    this.position = cursor;
  }
  clear() {
    if (this.tables.size) this.tables = /* @__PURE__ */ new Map();
    this.position = void 0;
  }
  snapshot() {
    return this.tables;
  }
};
var MustRefetch = class extends Error {
};
var SyncClient = class {
  store;
  client;
  options;
  headers;
  listeners = /* @__PURE__ */ new Set();
  statusListeners = /* @__PURE__ */ new Set();
  changeListeners = /* @__PURE__ */ new Set();
  abort = new AbortController();
  state = "stopped";
  failure = void 0;
  running = null;
  hintMs = 0;
  wake = null;
  initial = true;
  constructor(options) {
    this.options = options;
    this.store = options.store ?? new MemoryStore();
    const { baseUrl, apiKey, sessionToken, teamId } = options;
    const transport = { baseUrl, ...options.fetch ? { fetch: options.fetch } : {} };
    this.client = new Client({ ...transport, apiKey, sessionToken, teamId });
    this.headers = {};
    if (apiKey) this.headers["X-API-Key"] = apiKey;
    if (sessionToken) this.headers["Authorization"] = `Bearer ${sessionToken}`;
    if (teamId) this.headers["X-Team-Id"] = teamId;
  }
  /** Call `listener` after each change of the rows; returns the unsubscribe function. */
  subscribe = (listener) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  /** The rows now: the same object until a row changes. */
  getSnapshot = () => this.store.snapshot();
  /** Call `listener` after each change of `getStatus()`; returns the unsubscribe function. */
  subscribeStatus = (listener) => {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  };
  getStatus = () => this.state;
  /** Call `listener` with each batch of changes applied (see `ChangeListener`). */
  subscribeChanges(listener) {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }
  /** One table's rows by id: the same map until that table changes. */
  rows(table2) {
    return this.store.snapshot().get(table2) ?? NO_ROWS;
  }
  /** The cursor of the last change applied. */
  get cursor() {
    return this.store.cursor;
  }
  /** Why the client stopped by itself (`StreamRevokedError`, or an error answer such as 401
   * that a retry cannot fix); `undefined` while it runs or after `stop()`. */
  get error() {
    return this.failure;
  }
  /**
   * Start following (once; later calls return the same promise). The promise resolves after
   * `stop()` and rejects when the client stops by itself: `StreamRevokedError` (the access
   * ended: it never reconnects with refused credentials) or an `ApiError` no retry can fix.
   */
  start() {
    this.running ??= this.run();
    return this.running;
  }
  /** Stop for good: the open stream is closed, listeners stay. */
  stop() {
    this.abort.abort();
    this.wake?.();
  }
  async run() {
    const backoff = { initialMs: 500, maxMs: 3e4, ...this.options.backoff };
    let attempt = 0;
    let pulled = false;
    this.initial = this.store.cursor === void 0;
    this.setStatus("connecting");
    try {
      while (!this.abort.signal.aborted) {
        try {
          if (!pulled) {
            await this.pull();
            pulled = true;
          }
          if (await this.follow()) attempt = 0;
        } catch (err) {
          if (this.abort.signal.aborted) break;
          if (err instanceof MustRefetch || isMustRefetch(err)) {
            const before = this.store.snapshot();
            await this.store.clear();
            if (this.store.snapshot() !== before) this.notify();
            this.initial = true;
            pulled = false;
            continue;
          }
          if (!retryable2(err)) throw err;
          this.hintMs = Math.max(this.hintMs, retryAfterMs(err));
        }
        if (this.abort.signal.aborted) break;
        this.setStatus("reconnecting");
        const ms = Math.min(backoff.maxMs, backoff.initialMs * 2 ** attempt);
        attempt += 1;
        await this.sleep(Math.max(this.hintMs, ms * (0.5 + Math.random() / 2)));
      }
    } catch (err) {
      this.failure = err;
      throw err;
    } finally {
      this.setStatus("stopped");
    }
  }
  /** `sync.pull` pages from the store's cursor until the last. */
  async pull() {
    const filter = this.options.filter;
    for (; ; ) {
      const input = {
        cursor: this.store.cursor ?? null,
        limit: this.options.pageSize ?? 500,
        ...filter ? { filter: pullFilter(filter) } : {}
      };
      const page = await this.client.sync.pull(input);
      this.setStatus("catching-up");
      await this.applied(
        page.changes.filter(known).map(({ table: table2, op, id, row: row2 }) => ({ table: table2, op, id, row: row2 })),
        page.cursor
      );
      if (!page.hasMore) return;
    }
  }
  /** One stream from the cursor until it ends; whether it got as far as `up-to-date`. */
  async follow() {
    let live2 = false;
    this.hintMs = 0;
    const cursor = this.store.cursor;
    const batches = streamBatches({
      baseUrl: this.options.baseUrl,
      headers: this.headers,
      signal: this.abort.signal,
      ...cursor ? { cursor } : {},
      ...this.options.filter ? { filter: this.options.filter } : {},
      ...this.options.fetch ? { fetch: this.options.fetch } : {}
    });
    for await (const batch of batches) {
      const changes = [];
      let position;
      for (const event of batch) {
        position = this.handle(event, changes) ?? position;
      }
      if (position !== void 0) await this.applied(changes, position);
      if (batch.some((event) => event.type === "up-to-date")) {
        live2 = true;
        this.initial = false;
        this.setStatus("live");
      } else if (!live2) {
        this.setStatus("catching-up");
      }
    }
    return live2;
  }
  /** Collect `event`'s change into `changes`; the cursor it moves to, if any. */
  handle(event, changes) {
    switch (event.type) {
      case "change":
        changes.push(event.change);
        return event.cursor;
      case "up-to-date":
        return event.cursor;
      case "retry":
        this.hintMs = event.ms;
        return void 0;
      case "unavailable":
        this.hintMs = event.retryAfter * 1e3;
        return void 0;
      case "must-refetch":
        throw new MustRefetch("the server asked for a refetch");
      default:
        return void 0;
    }
  }
  async applied(changes, cursor) {
    const before = this.store.snapshot();
    await this.store.apply(changes, cursor);
    if (this.store.snapshot() !== before) this.notify();
    if (changes.length) {
      for (const listener of [...this.changeListeners]) listener(changes, this.initial);
    }
  }
  notify() {
    for (const listener of [...this.listeners]) listener();
  }
  setStatus(status) {
    if (status === this.state) return;
    this.state = status;
    for (const listener of [...this.statusListeners]) listener();
  }
  sleep(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
};
function isMustRefetch(err) {
  return err instanceof ApiError && err.body.code === "MUST_REFETCH";
}
function retryable2(err) {
  if (err instanceof StreamRevokedError) return false;
  if (err instanceof ApiError) return err.status === 429 || err.status >= 500;
  return true;
}
function retryAfterMs(err) {
  if (!(err instanceof ApiError)) return 0;
  const data = err.body.data;
  return typeof data?.retryAfter === "number" ? data.retryAfter * 1e3 : 0;
}
function pullFilter(filter) {
  return {
    ...filter.tables ? { tables: [...filter.tables] } : {},
    ...filter.connectionId ? { connectionId: filter.connectionId } : {},
    ...filter.status ? { status: [...filter.status] } : {}
  };
}

// src/live.ts
var CursorOnly = class {
  cursor;
  empty = /* @__PURE__ */ new Map();
  apply(_changes, cursor) {
    this.cursor = cursor;
  }
  clear() {
    this.cursor = void 0;
  }
  snapshot() {
    return this.empty;
  }
};
var BADGE = {
  connecting: "connecting\u2026",
  "catching-up": "catching up\u2026",
  live: "live",
  reconnecting: "reconnecting\u2026",
  stopped: "stopped"
};
function follow(baseUrl, sessionToken, teamId) {
  const sync = new SyncClient({ baseUrl, sessionToken, teamId, store: new CursorOnly() });
  const listeners = /* @__PURE__ */ new Set();
  sync.subscribeChanges((changes, initial) => {
    if (initial) return;
    for (const listener of listeners) listener(changes);
  });
  return { sync, listeners };
}

// src/shell.ts
var TOKEN_KEY = "subnest.session";
var INVITE_KEY = "subnest.invitation";
var base = window.location.origin;
var client = new Client({ baseUrl: base });
var pages = [];
var live = null;
var unmount = null;
function $(selector) {
  const found = document.querySelector(selector);
  if (!found) throw new Error(`missing ${selector}`);
  return found;
}
function showError(err) {
  showIn($("#error"), err);
}
function clearError() {
  $("#error").hidden = true;
}
function notice(text2) {
  const box = $("#notice");
  box.textContent = text2;
  box.hidden = false;
}
async function guarded(action) {
  try {
    clearError();
    await action();
  } catch (err) {
    showError(err);
  }
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
    const form2 = $("#reset");
    form2.hidden = false;
    form2.addEventListener("submit", (event) => {
      event.preventDefault();
      const newPassword = String(new FormData(form2).get("password"));
      void guarded(async () => {
        await client.auth.resetPassword({ token, newPassword });
        form2.hidden = true;
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
    const joined = await client.invitations.accept({ token });
    notice(`You joined ${joined.name} as ${joined.role}.`);
  } catch (err) {
    showError(err);
  }
}
async function forgotPassword(form2) {
  const email = String(new FormData(form2).get("email") ?? "");
  if (!email) throw new Error("enter your email address first");
  await client.auth.requestPasswordReset({ email });
  notice("If an account has this address, a link to reset its password is on its way.");
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
  unmount?.();
  unmount = null;
  live?.sync.stop();
  live = null;
  sessionStorage.removeItem(TOKEN_KEY);
  client.sessionToken = void 0;
  $("#dashboard").hidden = true;
  $("#sign-in").hidden = false;
  $("#sign-in input[name=email]").focus();
}
async function signIn(form2) {
  const data = new FormData(form2);
  const signed = await client.auth.signIn({
    email: String(data.get("email")),
    password: String(data.get("password"))
  });
  sessionStorage.setItem(TOKEN_KEY, signed.session.token);
  await enter(signed.session.token);
}
async function signOut() {
  try {
    await client.auth.signOut();
  } finally {
    signedOut();
  }
}
function signInAgain2() {
  const email = $("#who").textContent ?? "";
  void signOut().then(() => {
    $("#sign-in input[name=email]").value = email;
    $("#sign-in input[name=password]").focus();
    notice("Sign in again to confirm it is you: owner actions need a recent sign-in.");
  });
}
async function enter(token) {
  client.sessionToken = token;
  await acceptPendingInvitation();
  const me = await client.auth.me();
  $("#who").textContent = me.user.email;
  const teams = (await client.teams.list()).items;
  $("#team").replaceChildren(...teams.map((t) => h("option", { value: t.id }, t.name)));
  $("#sign-in").hidden = true;
  $("#dashboard").hidden = false;
  if (teams[0]) openTeam(teams[0].id);
  else $("#page").replaceChildren(h("p", { class: "empty" }, "You are in no team yet: create one with teams.create, or accept an invitation."));
}
function openTeam(teamId) {
  live?.sync.stop();
  const following = follow(base, client.sessionToken, teamId);
  live = following;
  const badge = $("#live");
  following.sync.subscribeStatus(() => {
    const status = following.sync.getStatus();
    badge.textContent = BADGE[status];
    badge.classList.toggle("live", status === "live");
  });
  following.sync.start().catch((err) => {
    if (live !== following) return;
    if (err instanceof StreamRevokedError) {
      signedOut();
      showError(new Error(`${ENDED[err.reason] ?? "Your access ended."} Sign in again.`));
    } else if (err instanceof ApiError && err.status === 401) {
      signedOut();
      showError(err);
    } else {
      showError(err);
    }
  });
  route();
}
function currentPage() {
  const path = /^#\/([a-z-]+)/.exec(window.location.hash)?.[1];
  return pages.find((p) => p.path === path) ?? pages[0];
}
function route() {
  const teamId = $("#team").value;
  if (!live || !teamId) return;
  unmount?.();
  const page = currentPage();
  for (const link of document.querySelectorAll("#nav a")) {
    if (link.getAttribute("href") === `#/${page.path}`) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.title = `${page.title} \xB7 SubscriberNest`;
  const listeners = /* @__PURE__ */ new Set();
  const timers = [];
  const cleanups = [];
  let alive = true;
  const feed = live.listeners;
  const ctx = {
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
    alive: () => alive
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
function start(list) {
  pages = list;
  onSessionTooOld(signInAgain2);
  $("#nav").replaceChildren(...pages.map((p) => h("a", { href: `#/${p.path}` }, p.title)));
  $("#sign-in").addEventListener("submit", (event) => {
    event.preventDefault();
    void guarded(() => signIn(event.currentTarget));
  });
  $("#team").addEventListener("change", (event) => {
    clearError();
    openTeam(event.currentTarget.value);
  });
  $("#sign-out").addEventListener("click", () => void guarded(signOut));
  $("#forgot").addEventListener("click", () => void guarded(() => forgotPassword($("#sign-in"))));
  window.addEventListener("hashchange", () => {
    if (/^#(verify|reset|invite)=/.test(window.location.hash)) {
      fromMailedLink();
      return;
    }
    clearError();
    route();
    $("#page").focus();
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

// src/main.ts
var PAGES = [
  overview,
  connections,
  subscribers,
  history2,
  keys,
  webhooks,
  members,
  usage
];
start(PAGES);
