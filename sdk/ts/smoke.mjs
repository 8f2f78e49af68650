// A few calls of the compiled TypeScript SDK against a live server; prints one JSON line.
// Usage: node smoke.mjs <compiled index.js> <base url>   (tests/test_sdk.py runs it)
import { pathToFileURL } from "node:url";

const [modulePath, baseUrl] = process.argv.slice(2);
if (!modulePath || !baseUrl) {
  console.error("usage: node smoke.mjs <compiled index.js> <base url>");
  process.exit(2);
}
const sdk = await import(pathToFileURL(modulePath).href);

async function failure(promise) {
  try {
    await promise;
    return null;
  } catch (err) {
    if (!sdk.isApiError(err)) {
      throw err;
    }
    return { status: err.status, code: err.body.code, data: err.body.data, requestId: err.requestId };
  }
}

const email = `ts-${Date.now()}@example.com`;
const client = new sdk.Client({ baseUrl });
const signed = await client.auth.signUp({ email, password: "password-123", name: "From TS" });
client.sessionToken = signed.session.token;
const team = await client.teams.create({ name: "TS team" });
const me = await client.auth.me();
const members = await client.withTeam(team.id).members.list();

// A procedure that answers 429 once: the client waits (Retry-After: 0) and sends it again.
let attempts = 0;
const flaky = new sdk.Client({
  baseUrl,
  sessionToken: signed.session.token,
  fetch: async (url, init) => {
    attempts += 1;
    if (attempts === 1) {
      const body = { code: "RATE_LIMITED", message: "slow down", data: { retryAfter: 0 } };
      return new Response(JSON.stringify(body), { status: 429, headers: { "retry-after": "0" } });
    }
    return fetch(url, init);
  },
});
const retried = await flaky.auth.me();

// The live feed: typed events over fetch streaming, with the session and team headers.
const feed = await import(pathToFileURL(modulePath.replace(/index\.js$/, "sync.js")).href);
const streamed = [];
const abort = new AbortController();
const stop = setTimeout(() => abort.abort(), 20000);
for await (const event of feed.streamChanges({
  baseUrl,
  headers: { Authorization: `Bearer ${signed.session.token}`, "X-Team-Id": team.id },
  signal: abort.signal,
})) {
  streamed.push(event.type);
  if (event.type === "up-to-date") {
    abort.abort();
    break;
  }
}
clearTimeout(stop);

// A stream whose session signs out ends with a typed StreamRevokedError, not a reconnect.
const second = await client.auth.signIn({ email, password: "password-123" });
const leaving = new sdk.Client({ baseUrl, sessionToken: second.session.token });
let revoked = null;
try {
  for await (const event of feed.streamChanges({
    baseUrl,
    headers: { Authorization: `Bearer ${second.session.token}`, "X-Team-Id": team.id },
    signal: AbortSignal.timeout(20000),
  })) {
    if (event.type === "up-to-date") {
      await leaving.auth.signOut();
    }
  }
} catch (err) {
  if (!(err instanceof feed.StreamRevokedError)) {
    throw err;
  }
  revoked = err.reason;
}

console.log(
  JSON.stringify({
    userEmail: signed.user.email,
    teamName: team.name,
    teamRole: team.role,
    meTeams: me.teams.map((t) => t.id),
    teamId: team.id,
    members: members.items.map((m) => m.email),
    retried: { attempts, email: retried.user.email },
    wrongPassword: await failure(client.auth.signIn({ email, password: "wrong-password" })),
    invalid: await failure(client.teams.create({ name: "" })),
    noTeam: await failure(client.members.list()),
    streamed,
    revoked,
  }),
);
