// The change feed, live: GET /realtime/stream as typed events, over fetch streaming (so auth
// headers can be sent; EventSource cannot), parsed by eventsource-parser. Hand-written: edit
// app/sdkgen/templates/ts/sync.ts.tmpl.

import { createParser, type EventSourceMessage } from "eventsource-parser";

import { isKnownChangeOut, type ChangeOut } from "./index.js";
import { UnexpectedResponse, readAnswer } from "./runtime.js";

/** One change of the feed, typed by table (`table: "subscribers"` has a `SubscriberOut` row);
 * `op: "delete"` is a tombstone. A table this SDK does not know is skipped, with a warning. */
export type ChangeEvent = ChangeOut;

const warned = new Set<string>();

/** Whether `change` is of a table this SDK knows; the feed's readers skip one of a newer
 * server's tables, with one warning per table. */
export function known(change: { table: string }): change is ChangeEvent {
  if (isKnownChangeOut(change)) {
    return true;
  }
  if (!warned.has(change.table)) {
    warned.add(change.table);
    console.warn(`skipping changes of table ${JSON.stringify(change.table)}: newer than this SDK`);
  }
  return false;
}

/** Why the server ended a stream for good: its credentials no longer reach the team. */
export type RevokedReason =
  | "keyRevoked"
  | "keyExpired"
  | "memberRemoved"
  | "signedOut"
  | "sessionExpired"
  | "teamDeleted";

/** Thrown by `streamChanges` on the stream's final `revoked` event: do not reconnect with the
 * same credentials (they are refused); sign in again or use another key. */
export class StreamRevokedError extends Error {
  readonly reason: RevokedReason;

  constructor(reason: RevokedReason) {
    super(`the stream ended: ${reason}`);
    this.name = "StreamRevokedError";
    this.reason = reason;
  }
}

/** What the stream says, in order: catch-up changes, `up-to-date`, then live changes. The last
 * event of a stream that ends by itself is `must-refetch` (drop the replica, start over) or
 * `unavailable` (the server's database went away: reconnect after `retryAfter` seconds);
 * `retry` is the server's reconnection delay hint (the SSE `retry:` field). */
export type StreamEvent =
  | { type: "change"; cursor: string; change: ChangeEvent }
  | { type: "up-to-date"; cursor: string }
  | { type: "progress"; data: Record<string, unknown> }
  | { type: "retry"; ms: number }
  | { type: "unavailable"; retryAfter: number }
  | { type: "must-refetch" };

/** A subset of the feed (all of it without one). Sent as the stream's query parameters
 * `tables=a,b&connectionId=…&status=a,b` and as `sync.pull`'s `filter`. */
export interface ChangeFilter {
  tables?: readonly ChangeEvent["table"][];
  connectionId?: string;
  /** Subscriber statuses (`subscribed`, `unsubscribed` …). */
  status?: readonly string[];
}

export interface StreamOptions {
  baseUrl: string;
  /** `{"X-API-Key": key}`, or `{"Authorization": "Bearer <session>", "X-Team-Id": id}`. */
  headers: Readonly<Record<string, string>>;
  /** Resume after this cursor (the last change's); from the beginning without one. */
  cursor?: string;
  filter?: ChangeFilter;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

/** The stream's URL: `/realtime/stream` with the filter's query parameters. */
export function streamUrl(baseUrl: string, filter?: ChangeFilter): string {
  const query: string[] = [];
  const add = (name: string, values: readonly string[] | undefined) => {
    if (values?.length) query.push(`${name}=${values.map(encodeURIComponent).join(",")}`);
  };
  add("tables", filter?.tables);
  add("connectionId", filter?.connectionId ? [filter.connectionId] : undefined);
  add("status", filter?.status);
  const search = query.length ? `?${query.join("&")}` : "";
  return `${baseUrl.replace(/\/+$/, "")}/realtime/stream${search}`;
}

/** The team's changes as they happen, one event at a time (see `streamBatches`). */
export async function* streamChanges(options: StreamOptions): AsyncGenerator<StreamEvent> {
  for await (const batch of streamBatches(options)) {
    yield* batch;
  }
}

/**
 * The team's changes as they happen, in batches: the events of one chunk read from the network,
 * so that a replica applies (and a UI renders) a burst once. Ends after `must-refetch` or
 * `unavailable`, or when the server closes the stream; throws `StreamRevokedError` when the
 * access it was opened with ends (do not reconnect), and `ApiError` when the stream is refused
 * before it starts (401, 403, 409 `MUST_REFETCH`, 429, 503 …).
 */
export async function* streamBatches(options: StreamOptions): AsyncGenerator<StreamEvent[]> {
  const doFetch = options.fetch ?? fetch;
  const headers: Record<string, string> = { Accept: "text/event-stream", ...options.headers };
  if (options.cursor) {
    headers["Last-Event-ID"] = options.cursor;
  }
  const init: RequestInit = { headers };
  if (options.signal) {
    init.signal = options.signal;
  }
  const response = await doFetch(streamUrl(options.baseUrl, options.filter), init);
  if (!response.ok) {
    await readAnswer(response); // a refusal is an error answer like any call's: it throws ApiError
  }
  if (!response.body) {
    throw new UnexpectedResponse(response.status, "the stream has no body", "", null);
  }
  let batch: StreamEvent[] = [];
  const end: { event: StreamEvent | StreamRevokedError | null } = { event: null };
  const parser = createParser({
    onRetry: (ms) => batch.push({ type: "retry", ms }),
    onEvent: (message) => {
      end.event ??= toEvent(message, batch); // nothing after a final event
    },
  });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
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
    await reader.cancel().catch(() => undefined);
  }
}

/** Push `message`'s event onto `batch`; a final event (or the revocation) is returned instead. */
function toEvent(
  message: EventSourceMessage,
  batch: StreamEvent[],
): StreamEvent | StreamRevokedError | null {
  const data = message.data;
  switch (message.event) {
    case "change": {
      const change = JSON.parse(data) as { table: string };
      if (known(change)) {
        batch.push({ type: "change", cursor: message.id ?? "", change });
      }
      return null;
    }
    case "up-to-date":
      batch.push({ type: "up-to-date", cursor: (JSON.parse(data) as { cursor: string }).cursor });
      return null;
    case "progress":
      batch.push({ type: "progress", data: JSON.parse(data) as Record<string, unknown> });
      return null;
    case "must-refetch":
      return { type: "must-refetch" };
    case "unavailable": {
      const { retryAfter } = JSON.parse(data) as { retryAfter: number };
      return { type: "unavailable", retryAfter };
    }
    case "revoked":
      return new StreamRevokedError((JSON.parse(data) as { reason: RevokedReason }).reason);
    default:
      return null; // an event this SDK does not know yet
  }
}
