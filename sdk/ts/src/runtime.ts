/**
 * What the generated client stands on: requests, credentials, retries, errors.
 *
 * Hand-written: `subnest sdk` copies it from app/sdkgen/templates/ts/runtime.ts.tmpl, so edit it
 * there. The generated index.ts describes the API; this file moves the bytes.
 */

/** The shape of every error answer: `{"code", "message", "data"}`. */
export interface ErrorShape {
  code: string;
  message: string;
  data: unknown;
}

/**
 * An error answer of the API, with the HTTP status of its code. `body` is the parsed answer;
 * narrow it with `isApiError(err, "NOT_FOUND")` or on `err.body.code`.
 */
export class ApiError<B extends ErrorShape = ErrorShape> extends Error {
  readonly status: number;
  readonly body: B;
  readonly requestId: string | null;

  constructor(status: number, body: B, requestId: string | null) {
    super(`${status} ${body.code}: ${body.message}`);
    this.name = "ApiError";
    this.status = status;
    this.body = body;
    this.requestId = requestId;
  }

  get code(): B["code"] {
    return this.body.code;
  }
}

/** An answer the API does not document: not JSON, or an error without a code. */
export class UnexpectedResponse extends Error {
  readonly status: number;
  readonly text: string;
  readonly requestId: string | null;

  constructor(status: number, message: string, text: string, requestId: string | null) {
    super(message);
    this.name = "UnexpectedResponse";
    this.status = status;
    this.text = text;
    this.requestId = requestId;
  }
}

/**
 * Retries of a call the server did not carry out (429 RATE_LIMITED, 503), and for a call safe to
 * repeat (a read, or a write with its Idempotency-Key) also of network errors and 500, 502, 504.
 * Nothing else is ever retried (a 429 QUOTA_EXCEEDED neither). `maxAttempts` counts the first
 * try (1: no retries). Before the n-th retry the client waits what `Retry-After` says, else
 * `backoffMs * 2^(n-1)` with jitter; never more than `maxDelayMs`.
 */
export interface RetryPolicy {
  maxAttempts: number;
  backoffMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, backoffMs: 500, maxDelayMs: 30_000 };

/**
 * The server did not carry the request out: safe to send again. A 429 only when it is a rate
 * limit (RATE_LIMITED, or a proxy's answer without the API's body): a quota used up
 * (QUOTA_EXCEEDED) frees only when the team's own work finishes, not after a wait.
 */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/**
 * The server may have failed half-way: safe to send again only a read, or a write with an
 * Idempotency-Key (which the server answers once).
 */
export const SAFE_RETRY_STATUSES: ReadonlySet<number> = new Set([500, 502, 503, 504]);

export const IDEMPOTENCY_HEADER = "Idempotency-Key";

/** Milliseconds to wait after try number `attempt` failed in a way worth retrying. */
export function retryDelayMs(
  policy: RetryPolicy,
  attempt: number,
  retryAfter: string | null,
): number {
  let ms = parseRetryAfter(retryAfter);
  if (ms === null) {
    ms = policy.backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
  }
  return Math.max(0, Math.min(ms, policy.maxDelayMs));
}

function parseRetryAfter(value: string | null): number | null {
  const text = value?.trim() ?? "";
  if (text === "") {
    return null;
  }
  if (/^\d+(\.\d+)?$/.test(text)) {
    return Number(text) * 1000;
  }
  const when = Date.parse(text);
  return Number.isNaN(when) ? null : when - Date.now();
}

/** How one credential is sent: header `header` with the value `prefix + credential`. */
export interface Scheme {
  credential: string;
  header: string;
  prefix: string;
}

/**
 * Where a procedure is; `security` lists alternatives, each the schemes sent together.
 * `idempotent`: a write that takes an Idempotency-Key; `safe`: a read. Both may be sent again
 * after a network error or a 5xx.
 */
export interface ProcedureInfo {
  path: string;
  security: readonly (readonly string[])[];
  idempotent?: boolean;
  safe?: boolean;
}

/** Options of one call. */
export interface CallOptions {
  /**
   * A write's Idempotency-Key: the same on each retry of this call, a new UUID when not given.
   * Give your own to make a call safe to send again across restarts (e.g. an order's id).
   */
  idempotencyKey?: string;
}

export interface ApiDescription {
  procedures: Readonly<Record<string, ProcedureInfo>>;
  schemes: Readonly<Record<string, Scheme>>;
}

export interface TransportOptions {
  /** Where the API is, e.g. `https://api.example.com` (the procedures are under /rpc). */
  baseUrl: string;
  /** Per attempt, in milliseconds; 30 000 when not given. */
  timeoutMs?: number;
  /** How 429 and 503 answers are retried; the rest of `DEFAULT_RETRY` fills in. */
  retry?: Partial<RetryPolicy>;
  /** Sent with every request. */
  headers?: Readonly<Record<string, string>>;
  /** A `fetch` of your own (tests, proxies); the global one when not given. */
  fetch?: typeof fetch;
}

export type Credentials = Record<string, string | undefined>;

/** Settings, credentials and the request/answer logic under the generated client. */
export class Transport {
  readonly credentials: Credentials;
  private readonly api: ApiDescription;
  private readonly options: TransportOptions;
  private readonly retry: RetryPolicy;
  private readonly send: typeof fetch;

  constructor(api: ApiDescription, options: TransportOptions, credentials: Credentials) {
    this.api = api;
    this.options = options;
    this.credentials = { ...credentials };
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.send = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** A transport with the same settings and some credentials changed. */
  derive(changes: Credentials): Transport {
    return new Transport(this.api, this.options, { ...this.credentials, ...changes });
  }

  /**
   * The headers of the first alternative the credentials satisfy. When none is, those of every
   * scheme the procedure names that has a credential, so that the server says what is missing.
   */
  authHeaders(security: readonly (readonly string[])[]): Record<string, string> {
    const values = new Map<string, string>();
    for (const [name, scheme] of Object.entries(this.api.schemes)) {
      const value = this.credentials[scheme.credential];
      if (value) {
        values.set(name, scheme.prefix + value);
      }
    }
    const chosen = security.find((alt) => alt.every((name) => values.has(name)));
    const names = chosen ?? security.flat();
    const headers: Record<string, string> = {};
    for (const name of names) {
      const value = values.get(name);
      const scheme = this.api.schemes[name];
      if (value !== undefined && scheme !== undefined) {
        headers[scheme.header] = value;
      }
    }
    return headers;
  }

  /** Send `input` to `procedure`; the parsed answer, or a thrown ApiError. */
  async call<O>(procedure: string, input: unknown, options: CallOptions = {}): Promise<O> {
    const info = this.api.procedures[procedure];
    if (info === undefined) {
      throw new Error(`unknown procedure ${procedure}`);
    }
    const url = this.options.baseUrl.replace(/\/+$/, "") + info.path;
    const headers: Record<string, string> = {
      ...this.options.headers,
      "content-type": "application/json",
      accept: "application/json",
      ...this.authHeaders(info.security),
    };
    if (info.idempotent === true) {
      headers[IDEMPOTENCY_HEADER] = options.idempotencyKey ?? newIdempotencyKey();
    }
    const safe = info.idempotent === true || info.safe === true;
    const init = { method: "POST", headers, body: JSON.stringify(input ?? {}) };
    for (let attempt = 1; ; attempt++) {
      const signal = AbortSignal.timeout(this.options.timeoutMs ?? 30_000);
      let response: Response;
      try {
        response = await this.send(url, { ...init, signal });
      } catch (err) {
        // Sending failed or the answer was lost (fetch cannot say which): only a call safe to
        // repeat goes again.
        if (!safe || attempt >= this.retry.maxAttempts) {
          throw err;
        }
        await sleep(retryDelayMs(this.retry, attempt, null));
        continue;
      }
      if (attempt >= this.retry.maxAttempts || !(await retryable(response, safe))) {
        return this.result<O>(response);
      }
      await response.arrayBuffer();
      await sleep(retryDelayMs(this.retry, attempt, response.headers.get("retry-after")));
    }
  }

  private async result<O>(response: Response): Promise<O> {
    return (await readAnswer(response)) as O;
  }
}

/**
 * A random UUID v4. From `getRandomValues`, which a page served over plain HTTP has too
 * (`crypto.randomUUID` is only in secure contexts).
 */
function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  const parts = [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20)];
  return [...parts, hex.slice(20)].join("-");
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether to send again after `response` (see RetryPolicy). */
async function retryable(response: Response, safe: boolean): Promise<boolean> {
  if (response.status === 429) {
    // A copy: the answer is still read whole if it is taken.
    const text = await response.clone().text();
    let parsed: unknown = undefined;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not the API's body: a proxy's rate limit
    }
    return !isErrorShape(parsed) || parsed.code === "RATE_LIMITED";
  }
  return RETRY_STATUSES.has(response.status) || (safe && SAFE_RETRY_STATUSES.has(response.status));
}

/**
 * The parsed JSON of a 2xx answer; for an error answer, the ApiError it describes (or an
 * UnexpectedResponse when the body is not the documented one), thrown.
 */
export async function readAnswer(response: Response): Promise<unknown> {
  const requestId = response.headers.get("x-request-id");
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    // left undefined: not JSON
  }
  if (response.ok && parsed !== undefined) {
    return parsed;
  }
  if (!response.ok && isErrorShape(parsed)) {
    throw new ApiError(response.status, parsed, requestId);
  }
  const what = response.ok ? "not JSON" : "an error without the documented body";
  const message = `HTTP ${response.status}: ${what}`;
  throw new UnexpectedResponse(response.status, message, text, requestId);
}

/** Base of the generated groups of procedures (`client.teams` …). */
export class Group {
  protected readonly transport: Transport;

  constructor(transport: Transport) {
    this.transport = transport;
  }
}

function isErrorShape(value: unknown): value is ErrorShape {
  if (typeof value !== "object" || value === null) {
    return false;
  }
  const body = value as Record<string, unknown>;
  return typeof body["code"] === "string" && typeof body["message"] === "string" && "data" in body;
}
