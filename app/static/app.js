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
  const copy = h("button", { type: "button" }, "Copy");
  copy.addEventListener("click", () => {
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
    copy,
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
    const history2 = h("section", { id: "history", hidden: true }, h("h2", {}, "Sync history"), historyTitle, h("div", { class: "scroll" }, runs));
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
      history2.hidden = false;
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
      history2,
      section("Add a connection", adding)
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
      if (reload) void load().catch((err) => showIn(listError, err));
    });
    loading(list);
    void load().catch((err) => showIn(listError, err));
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
        const days = text(data, "expiresInDays");
        const scopes = data.getAll("scopes").map(String);
        const made = await ctx.team.apiKeys.create({
          name: text(data, "name"),
          scopes: scopes.length ? scopes : null,
          expiresInDays: days ? Number(days) : null
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
var STATUSES = ["subscribed", "unsubscribed", "pending", "bounced", "cleaned", "deleted", "total"];
function describe(change) {
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
        ...STATUSES.map(
          (status) => h("div", { class: "count" }, h("dt", {}, status), h("dd", { "data-count": status }, String(shown[status] ?? 0)))
        )
      );
    };
    let timer;
    const recent = [];
    ctx.onChange((batch) => {
      for (const change of batch) {
        recent.unshift(row({}, change.table, change.op, describe(change)));
        if (change.table === "subscribers") {
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
var STATUSES2 = ["subscribed", "unsubscribed", "pending", "bounced", "cleaned"];
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
    const connectionSelect = h("select", { name: "connection", id: "filter-connection" }, h("option", { value: "" }, "any"));
    const filters = h(
      "form",
      { id: "search", class: "filters", role: "search" },
      h("label", {}, "Search ", h("input", { name: "q", type: "search", placeholder: "email or name" })),
      h(
        "label",
        {},
        "Status ",
        h("select", { name: "status", id: "filter-status" }, h("option", { value: "" }, "any"), ...STATUSES2.map((s) => h("option", { value: s }, s)))
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
    const load = async () => {
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
        { name: "status", label: "Status", type: "select", options: STATUSES2.map((x) => [x, x]), value: s.status },
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
      }
      if (open === s.id && !detail.querySelector("form:focus-within")) renderDetail(s);
    };
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
      cursors = [null];
      void load();
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
function noop(_arg) {
}
function createParser(config) {
  if (typeof config == "function")
    throw new TypeError(
      "`config` must be an object, got a function instead. Did you mean `createParser({onEvent: fn})`?"
    );
  const { onEvent = noop, onError = noop, onRetry = noop, onComment, maxBufferSize } = config, pendingFragments = [];
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
function known(change) {
  if (isKnownChangeOut(change)) {
    return true;
  }
  if (!warned.has(change.table)) {
    warned.add(change.table);
    console.warn(`skipping changes of table ${JSON.stringify(change.table)}: newer than this SDK`);
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
  const query = [];
  const add = (name, values) => {
    if (values?.length) query.push(`${name}=${values.map(encodeURIComponent).join(",")}`);
  };
  add("tables", filter?.tables);
  add("connectionId", filter?.connectionId ? [filter.connectionId] : void 0);
  add("status", filter?.status);
  const search = query.length ? `?${query.join("&")}` : "";
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
      const change = JSON.parse(data);
      if (known(change)) {
        batch.push({ type: "change", cursor: message2.id ?? "", change });
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
    for (const change of changes) {
      const current = this.tables.get(change.table);
      if (change.op === "delete" && !current?.has(change.id)) continue;
      let rows = touched.get(change.table);
      if (rows === void 0) {
        rows = new Map(current ?? NO_ROWS);
        touched.set(change.table, rows);
        tables ??= new Map(this.tables);
        tables.set(change.table, rows);
      }
      if (change.op === "delete") rows.delete(change.id);
      else rows.set(change.id, change.row);
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
    alive: () => alive
  };
  unmount = () => {
    alive = false;
    for (const listener of listeners) feed.delete(listener);
    for (const timer of timers) window.clearInterval(timer);
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
var PAGES = [overview, connections, subscribers, keys, webhooks, members, usage];
start(PAGES);
