// The change feed through the TypeScript SDK, read through its types: every page of sync.pull,
// then the stream until up-to-date (or its end), then a SyncClient until it is live. Prints one
// JSON line.
// Usage: node feed.mjs <base url> <session token> <team id>   (tests/test_feed_types.py)
import { Client, isKnownChangeOut, type ChangeOut } from "../../sdk/ts/src/index.js";
import { SyncClient } from "../../sdk/ts/src/replica.js";
import { streamChanges } from "../../sdk/ts/src/sync.js";

declare const process: { argv: string[] };

const [baseUrl = "", sessionToken = "", teamId = ""] = process.argv.slice(2);

/** A few fields of each table's row, read by name: a field the types lack fails to compile. */
function typed(change: ChangeOut): Record<string, unknown> {
  switch (change.table) {
    case "subscribers":
      return { email: change.row.email, status: change.row.status, deletedAt: change.row.deletedAt };
    case "esp_connections":
      return { name: change.row.name, provider: change.row.provider, deletedAt: change.row.deletedAt };
    case "sync_runs":
      return { connectionId: change.row.connectionId, status: change.row.status };
    case "exports":
      return { format: change.row.format, status: change.row.status, filter: change.row.filter };
  }
}

function seen(change: ChangeOut): Record<string, unknown> {
  return { table: change.table, op: change.op, id: change.id, row: change.row, typed: typed(change) };
}

const client = new Client({ baseUrl, sessionToken, teamId });
const pulled: Record<string, unknown>[] = [];
let cursor: string | undefined;
for (;;) {
  const page = await client.sync.pull(cursor === undefined ? {} : { cursor });
  // Typed with the tables this SDK knows; a newer server may send others.
  const changes: readonly { table: string }[] = page.changes;
  for (const change of changes) {
    pulled.push(isKnownChangeOut(change) ? seen(change) : { table: change.table, unknown: true });
  }
  cursor = page.cursor;
  if (!page.hasMore) break;
}

const streamed: Record<string, unknown>[] = [];
const controller = new AbortController();
const headers = { Authorization: `Bearer ${sessionToken}`, "X-Team-Id": teamId };
for await (const event of streamChanges({ baseUrl, headers, signal: controller.signal })) {
  if (event.type === "change") {
    streamed.push({ ...seen(event.change), cursor: event.cursor });
  } else if (event.type === "up-to-date") {
    controller.abort();
    break;
  }
}
// The replica: what it holds once live, by table (its subscribers' statuses read typed).
const sync = new SyncClient({ baseUrl, sessionToken, teamId });
const live = new Promise<void>((resolve) => {
  sync.subscribeStatus(() => {
    if (sync.getStatus() === "live") resolve();
  });
});
void sync.start();
await live;
sync.stop();
const replica: Record<string, string[]> = {};
for (const [table, rows] of sync.getSnapshot()) {
  replica[table] = [...rows.keys()].sort();
}
const statuses = [...sync.rows("subscribers").values()].map((row) => row.status);
console.log(JSON.stringify({ pulled, streamed, cursor, replica, statuses }));
