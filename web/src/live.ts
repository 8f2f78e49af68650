// The team's replica (sdk/ts SyncClient): it pulls, follows the stream, reconnects from its
// cursor and starts over on must-refetch. The pages list rows through procedures (a page at a
// time), so the replica keeps no rows, only where it is in the feed: a Store of its own.

import { SyncClient, type Snapshot, type Store, type SyncStatus } from "../../sdk/ts/src/replica.js";
import type { ChangeEvent } from "../../sdk/ts/src/sync.js";
import type { ChangeListener } from "./page.js";

class CursorOnly implements Store {
  cursor: string | undefined;
  private readonly empty: Snapshot = new Map();

  apply(_changes: readonly ChangeEvent[], cursor: string): void {
    this.cursor = cursor;
  }

  clear(): void {
    this.cursor = undefined;
  }

  snapshot(): Snapshot {
    return this.empty;
  }
}

export const BADGE: Record<SyncStatus, string> = {
  connecting: "connecting…",
  "catching-up": "catching up…",
  live: "live",
  reconnecting: "reconnecting…",
  stopped: "stopped",
};

export interface Live {
  readonly sync: SyncClient;
  readonly listeners: Set<ChangeListener>;
}

/** Follows the team's feed; each batch after the first fill goes to every listener. */
export function follow(baseUrl: string, sessionToken: string | undefined, teamId: string): Live {
  const sync = new SyncClient({ baseUrl, sessionToken, teamId, store: new CursorOnly() });
  const listeners = new Set<ChangeListener>();
  sync.subscribeChanges((changes, initial) => {
    if (initial) return; // what the pages already listed
    for (const listener of listeners) listener(changes);
  });
  return { sync, listeners };
}
