// A TypeScript SyncClient replica of one team, driven by tests/test_replica.py, in a Store of
// its own (asynchronous: a MemoryStore behind a gate that can hold its writes, as a slow disk
// would, which stops the replica reading its stream).
// Usage: node replica.mjs <compiled sdk dir> <base url> <session token> <team id> [page size]
// [filter, as JSON: {} for none]
// Prints one JSON line per happening: {"status": s, "at": ms} on each status change,
// {"stopped": {...}} when start() settles, {"dump": {...}} or {"ids": {...}} when asked. Reads
// commands from stdin, one a line: "dump" (the rows by table, the cursor, the status, and every
// request made to the feed), "ids" (the same with only the rows' ids), "hold" and "release"
// (the store's writes), "stop".
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const [dir, baseUrl, sessionToken, teamId, pageSize = "7", filter = "{}"] = process.argv.slice(2);
if (!dir || !baseUrl || !sessionToken || !teamId) {
  console.error("usage: node replica.mjs <compiled sdk dir> <base url> <session token> <team id>");
  process.exit(2);
}
const { MemoryStore, SyncClient } = await import(pathToFileURL(`${dir}/replica.js`).href);

const say = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

// Every request the replica makes (and when): pulls with their cursor, streams with their
// Last-Event-ID.
const requests = [];
async function recorded(input, init) {
  const url = new URL(String(input));
  if (url.pathname === "/rpc/sync.pull") {
    requests.push({ kind: "pull", cursor: JSON.parse(String(init.body)).cursor ?? null, at: Date.now() });
  } else if (url.pathname === "/realtime/stream") {
    requests.push({ kind: "stream", cursor: init.headers["Last-Event-ID"] ?? null, at: Date.now() });
  }
  return fetch(input, init);
}

const memory = new MemoryStore();
let gate = null; // while held: the promise the writes wait for, and its resolve
const store = {
  get cursor() {
    return memory.cursor;
  },
  async apply(changes, cursor) {
    while (gate) await gate.promise;
    memory.apply(changes, cursor);
  },
  clear() {
    memory.clear();
  },
  snapshot() {
    return memory.snapshot();
  },
};
const sync = new SyncClient({
  baseUrl,
  sessionToken,
  teamId,
  store,
  pageSize: Number(pageSize), // by default several pages even for a small team
  backoff: { initialMs: 100, maxMs: 1000 },
  fetch: recorded,
  ...(filter === "{}" ? {} : { filter: JSON.parse(filter) }),
});

// What a UI binding relies on: a snapshot changes identity exactly when a listener is told.
let snapshot = sync.getSnapshot();
let notified = 0;
let identityKept = true;
sync.subscribe(() => {
  notified += 1;
  const next = sync.getSnapshot();
  if (next === snapshot) identityKept = false; // told, but nothing new to render
  snapshot = next;
});
sync.subscribeStatus(() => say({ status: sync.getStatus(), at: Date.now() }));

sync.start().then(
  () => say({ stopped: { error: null } }),
  (err) => say({ stopped: { error: err.name, reason: err.reason ?? null, message: err.message } }),
);

function dump() {
  const tables = {};
  for (const [table, rows] of sync.getSnapshot()) {
    tables[table] = Object.fromEntries(rows);
  }
  const unchanged = sync.rows("subscribers") === sync.rows("subscribers");
  return {
    tables,
    cursor: sync.cursor ?? null,
    status: sync.getStatus(),
    requests,
    notified,
    identityKept: identityKept && unchanged && sync.getSnapshot() === snapshot,
  };
}

for await (const line of createInterface({ input: process.stdin })) {
  if (line === "dump") say({ dump: dump() });
  if (line === "ids") {
    const { tables, ...rest } = dump();
    const ids = Object.fromEntries(Object.entries(tables).map(([t, rows]) => [t, Object.keys(rows)]));
    say({ ids: { ...rest, tables: ids } });
  }
  if (line === "hold" && !gate) {
    let open;
    gate = { promise: new Promise((resolve) => (open = resolve)), open };
  }
  if (line === "release" && gate) {
    const { open } = gate;
    gate = null;
    open();
  }
  if (line === "stop") {
    sync.stop();
    break;
  }
}
