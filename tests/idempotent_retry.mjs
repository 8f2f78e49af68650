// The compiled TypeScript SDK through a proxy that loses the first answer; prints one JSON line.
// Usage: node idempotent_retry.mjs <compiled index.js> <proxy url> <session token> <team id>
// (tests/test_idempotency.py runs it).
import { pathToFileURL } from "node:url";

const [modulePath, baseUrl, sessionToken, teamId] = process.argv.slice(2);
const sdk = await import(pathToFileURL(modulePath).href);
const fast = { maxAttempts: 3, backoffMs: 0, maxDelayMs: 0 };
const client = new sdk.Client({ baseUrl, sessionToken, teamId, retry: fast });

// The first answer is lost: the SDK sends the same key again and gets the kept answer.
const created = await client.subscribers.create({ email: "lost-ts@example.com" });
// The caller's own key: a second call with it replays the first call's answer.
const own = { idempotencyKey: "ts-own-key" };
const first = await client.subscribers.create({ email: "own-ts@example.com" }, own);
const replayed = await client.subscribers.create({ email: "own-ts@example.com" }, own);

// A quota used up answers 429 QUOTA_EXCEEDED: raised at once, not waited through.
let attempts = 0;
const quota = new sdk.Client({
  baseUrl,
  sessionToken,
  teamId,
  retry: fast,
  fetch: async () => {
    attempts += 1;
    const data = { quota: "exportBytes", limit: 1, used: 1, retryAfter: 60 };
    const body = { code: "QUOTA_EXCEEDED", message: "used up", data };
    return new Response(JSON.stringify(body), { status: 429, headers: { "retry-after": "60" } });
  },
});
let code = null;
try {
  await quota.exports.create({ format: "csv" });
} catch (err) {
  code = sdk.isApiError(err) ? err.body.code : String(err);
}

console.log(
  JSON.stringify({
    created: created.id,
    own: [first.id, replayed.id],
    quota: { attempts, code },
  }),
);
