// The dashboard: a shell (sign-in, team, live badge, nav) and its pages, each on the generated
// client (sdk/ts) and the team's live feed. A new page is one more line in PAGES.

import { connections } from "./pages/connections.js";
import { history } from "./pages/history.js";
import { keys } from "./pages/keys.js";
import { members } from "./pages/members.js";
import { overview } from "./pages/overview.js";
import { subscribers } from "./pages/subscribers.js";
import { usage } from "./pages/usage.js";
import { webhooks } from "./pages/webhooks.js";
import type { Page } from "./page.js";
import { start } from "./shell.js";

const PAGES: readonly Page[] = [
  overview,
  connections,
  subscribers,
  history,
  keys,
  webhooks,
  members,
  usage,
];

start(PAGES);
