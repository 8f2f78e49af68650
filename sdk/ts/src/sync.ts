// The change feed, live: GET /realtime/stream as typed events, over fetch streaming (so auth
// headers can be sent; EventSource cannot). Hand-written: edit app/sdkgen/templates/ts/sync.ts.tmpl.

import { isKnownChangeOut, type ChangeOut } from "./index.js";
import { UnexpectedResponse, readAnswer } from "./runtime.js";

/** One change of the feed, typed by table (`table: "subscribers"` has a `SubscriberOut` row);
 * `op: "delete"` is a tombstone. A table this SDK does not know is skipped, with a warning. */
export type ChangeEvent = ChangeOut;

const warned = new Set<string>();

/** Whether `change` is of a table this SDK knows; a newer server's new table is skipped, with
 * one warning per table. */
function known(change: { table: string }): change is ChangeEvent {
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

/** What the stream says, in order: catch-up changes, `up-to-date`, then live changes. */
export type StreamEvent =
  | { type: "change"; cursor: string; change: ChangeEvent }
  | { type: "up-to-date"; cursor: string }
  | { type: "progress"; data: Record<string, unknown> }
  | { type: "must-refetch" };

export interface StreamOptions {
  baseUrl: string;
  /** `{"X-API-Key": key}`, or `{"Authorization": "Bearer <session>", "X-Team-Id": id}`. */
  headers: Readonly<Record<string, string>>;
  /** Resume after this cursor (the last change's); from the beginning without one. */
  cursor?: string;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

/** The team's changes as they happen. Ends on `must-refetch` (drop the replica, start over);
 * throws `StreamRevokedError` when the access it was opened with ends (do not reconnect). */
export async function* streamChanges(options: StreamOptions): AsyncGenerator<StreamEvent> {
  const doFetch = options.fetch ?? fetch;
  const headers: Record<string, string> = { Accept: "text/event-stream", ...options.headers };
  if (options.cursor) {
    headers["Last-Event-ID"] = options.cursor;
  }
  const init: RequestInit = { headers };
  if (options.signal) {
    init.signal = options.signal;
  }
  const response = await doFetch(`${options.baseUrl.replace(/\/$/, "")}/realtime/stream`, init);
  if (!response.ok) {
    await readAnswer(response); // a refusal is an error answer like any call's: it throws ApiError
  }
  if (!response.body) {
    throw new UnexpectedResponse(response.status, "the stream has no body", "", null);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let event = "message";
  let id = "";
  let data: string[] = [];
  for (;;) {
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
        const change = JSON.parse(payload) as { table: string };
        if (known(change)) {
          yield { type: "change", cursor: id, change };
        }
      } else if (event === "up-to-date") {
        yield { type: "up-to-date", cursor: (JSON.parse(payload) as { cursor: string }).cursor };
      } else if (event === "progress") {
        yield { type: "progress", data: JSON.parse(payload) as Record<string, unknown> };
      } else if (event === "must-refetch") {
        yield { type: "must-refetch" };
        await reader.cancel();
        return;
      } else if (event === "revoked") {
        await reader.cancel();
        throw new StreamRevokedError((JSON.parse(payload) as { reason: RevokedReason }).reason);
      }
      event = "message";
      id = "";
      data = [];
    }
  }
}
