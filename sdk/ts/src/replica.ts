/**
 * A local replica of a team's data, kept current: pull pages with `sync.pull`, then follow
 * `GET /realtime/stream` from the cursor, reconnecting with jittered exponential backoff.
 *
 * Hand-written: `subnest sdk` copies it from app/sdkgen/templates/ts/replica.ts.tmpl.
 *
 * ```ts
 * const sync = new SyncClient({ baseUrl, apiKey });
 * const unsubscribe = sync.subscribe(() => render(sync.rows("subscribers")));
 * void sync.start().catch(showError); // rejects with StreamRevokedError when access ends
 * // React: useSyncExternalStore(sync.subscribe, sync.getSnapshot)
 * ```
 */

import { ApiError, Client, type FeedFilter } from "./index.js";
import {
  StreamRevokedError,
  known,
  streamBatches,
  type ChangeEvent,
  type ChangeFilter,
  type StreamEvent,
} from "./sync.js";

export { StreamRevokedError, type ChangeEvent, type ChangeFilter } from "./sync.js";

/** A table of the feed. */
export type Table = ChangeEvent["table"];

/** The row of a table's changes (each table's own row type once `ChangeEvent` is a union). */
export type RowOf<T extends Table> = ChangeEvent extends infer C
  ? C extends { table: infer U; row: infer R }
    ? T extends U
      ? R
      : never
    : never
  : never;

/** Told each batch of changes applied: `initial` while the replica fills from empty (the first
 * pull, or after a refetch) until it is first up to date; live and resumed changes are not. */
export type ChangeListener = (changes: readonly ChangeEvent[], initial: boolean) => void;

/** The replica's data: table → id → row. Immutable: a change makes a new snapshot. */
export type Snapshot = ReadonlyMap<string, ReadonlyMap<string, unknown>>;

/**
 * Where a replica lives. `apply` and `clear` may be asynchronous (a persistent store); the
 * client awaits them, one at a time, in order.
 *
 * - `apply(changes, cursor)`: upsert each `upsert` by `id`, remove each `delete` (a tombstone),
 *   in order, then remember `cursor`; atomically if it can. It must be idempotent: delivery is
 *   at-least-once, so a change may come twice. `changes` may be empty (the cursor moved on).
 * - `clear()`: forget every row and the cursor (the server said "must refetch").
 * - `cursor`: where to resume; `undefined` for an empty replica (a persistent store loads it).
 * - `snapshot()`: the rows, as an immutable `Snapshot` that is the same object until a change
 *   alters a row (so a UI can compare by identity), and whose per-table maps keep their
 *   identity while their table is unchanged.
 */
export interface Store {
  readonly cursor: string | undefined;
  apply(changes: readonly ChangeEvent[], cursor: string): void | Promise<void>;
  clear(): void | Promise<void>;
  snapshot(): Snapshot;
}

const NO_ROWS: ReadonlyMap<string, unknown> = new Map<string, unknown>();

/** The replica in memory, copy-on-write: a batch copies the maps of the tables it touches. */
export class MemoryStore implements Store {
  private tables: Map<string, ReadonlyMap<string, unknown>> = new Map();
  private position: string | undefined;

  get cursor(): string | undefined {
    return this.position;
  }

  apply(changes: readonly ChangeEvent[], cursor: string): void {
    let tables: Map<string, ReadonlyMap<string, unknown>> | null = null;
    const touched = new Map<string, Map<string, unknown>>();
    for (const change of changes) {
      const current = this.tables.get(change.table);
      if (change.op === "delete" && !current?.has(change.id)) continue; // nothing to remove
      let rows = touched.get(change.table);
      if (rows === undefined) {
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

  clear(): void {
    if (this.tables.size) this.tables = new Map();
    this.position = undefined;
  }

  snapshot(): Snapshot {
    return this.tables;
  }
}

/** Where the replica is: `connecting` (first request), `catching-up` (pulling pages, or the
 * stream's catch-up), `live` (up to date, following), `reconnecting` (waiting to retry after
 * a lost connection), `stopped` (`stop()`, or a final error: see `error`). */
export type SyncStatus = "connecting" | "catching-up" | "live" | "reconnecting" | "stopped";

export interface SyncClientOptions {
  baseUrl: string;
  /** A team API key (`X-API-Key`), or a session token with `teamId`. */
  apiKey?: string;
  sessionToken?: string;
  teamId?: string;
  /** Where the rows go; a new `MemoryStore` when not given. */
  store?: Store;
  /** Follow a subset of the feed (all of it when not given). */
  filter?: ChangeFilter;
  /** Changes per `sync.pull` page (1–1000, default 500). */
  pageSize?: number;
  /** Reconnection delays: `initialMs · 2ⁿ` with jitter (50–100 %), at most `maxMs`, and never
   * less than the server's `retry:` hint or an `unavailable` event's `retryAfter`. */
  backoff?: { initialMs?: number; maxMs?: number };
  fetch?: typeof fetch;
}

/** A `must-refetch` event or a 409 `MUST_REFETCH`: start over from an empty replica. */
class MustRefetch extends Error {}

/**
 * Keeps `store` current with the team's changes, and tells listeners when its rows or its
 * status change. `subscribe`/`getSnapshot` (and `subscribeStatus`/`getStatus`) are bound, so
 * they can be passed as they are to `useSyncExternalStore` or a framework's store adapter.
 */
export class SyncClient {
  readonly store: Store;
  private readonly client: Client;
  private readonly options: SyncClientOptions;
  private readonly headers: Record<string, string>;
  private readonly listeners = new Set<() => void>();
  private readonly statusListeners = new Set<() => void>();
  private readonly changeListeners = new Set<ChangeListener>();
  private readonly abort = new AbortController();
  private state: SyncStatus = "stopped";
  private failure: unknown = undefined;
  private running: Promise<void> | null = null;
  private hintMs = 0;
  private wake: (() => void) | null = null;
  private initial = true;

  constructor(options: SyncClientOptions) {
    this.options = options;
    this.store = options.store ?? new MemoryStore();
    const { baseUrl, apiKey, sessionToken, teamId } = options;
    const transport = { baseUrl, ...(options.fetch ? { fetch: options.fetch } : {}) };
    this.client = new Client({ ...transport, apiKey, sessionToken, teamId });
    this.headers = {};
    if (apiKey) this.headers["X-API-Key"] = apiKey;
    if (sessionToken) this.headers["Authorization"] = `Bearer ${sessionToken}`;
    if (teamId) this.headers["X-Team-Id"] = teamId;
  }

  /** Call `listener` after each change of the rows; returns the unsubscribe function. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The rows now: the same object until a row changes. */
  readonly getSnapshot = (): Snapshot => this.store.snapshot();

  /** Call `listener` after each change of `getStatus()`; returns the unsubscribe function. */
  readonly subscribeStatus = (listener: () => void): (() => void) => {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  };

  readonly getStatus = (): SyncStatus => this.state;

  /** Call `listener` with each batch of changes applied (see `ChangeListener`). */
  subscribeChanges(listener: ChangeListener): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** One table's rows by id: the same map until that table changes. */
  rows<T extends Table>(table: T): ReadonlyMap<string, RowOf<T>> {
    return (this.store.snapshot().get(table) ?? NO_ROWS) as ReadonlyMap<string, RowOf<T>>;
  }

  /** The cursor of the last change applied. */
  get cursor(): string | undefined {
    return this.store.cursor;
  }

  /** Why the client stopped by itself (`StreamRevokedError`, or an error answer such as 401
   * that a retry cannot fix); `undefined` while it runs or after `stop()`. */
  get error(): unknown {
    return this.failure;
  }

  /**
   * Start following (once; later calls return the same promise). The promise resolves after
   * `stop()` and rejects when the client stops by itself: `StreamRevokedError` (the access
   * ended: it never reconnects with refused credentials) or an `ApiError` no retry can fix.
   */
  start(): Promise<void> {
    this.running ??= this.run();
    return this.running;
  }

  /** Stop for good: the open stream is closed, listeners stay. */
  stop(): void {
    this.abort.abort();
    this.wake?.();
  }

  private async run(): Promise<void> {
    const backoff = { initialMs: 500, maxMs: 30_000, ...this.options.backoff };
    let attempt = 0;
    let pulled = false;
    this.initial = this.store.cursor === undefined;
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
          if (!retryable(err)) throw err;
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
  private async pull(): Promise<void> {
    const filter = this.options.filter;
    for (;;) {
      const input = {
        cursor: this.store.cursor ?? null,
        limit: this.options.pageSize ?? 500,
        ...(filter ? { filter: pullFilter(filter) } : {}),
      };
      const page = await this.client.sync.pull(input);
      this.setStatus("catching-up");
      await this.applied(
        page.changes.filter(known).map(({ table, op, id, row }) => ({ table, op, id, row }) as ChangeEvent),
        page.cursor,
      );
      if (!page.hasMore) return;
    }
  }

  /** One stream from the cursor until it ends; whether it got as far as `up-to-date`. */
  private async follow(): Promise<boolean> {
    let live = false;
    this.hintMs = 0;
    const cursor = this.store.cursor;
    const batches = streamBatches({
      baseUrl: this.options.baseUrl,
      headers: this.headers,
      signal: this.abort.signal,
      ...(cursor ? { cursor } : {}),
      ...(this.options.filter ? { filter: this.options.filter } : {}),
      ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
    });
    for await (const batch of batches) {
      const changes: ChangeEvent[] = [];
      let position: string | undefined;
      for (const event of batch) {
        position = this.handle(event, changes) ?? position;
      }
      if (position !== undefined) await this.applied(changes, position);
      if (batch.some((event) => event.type === "up-to-date")) {
        live = true;
        this.initial = false;
        this.setStatus("live");
      } else if (!live) {
        this.setStatus("catching-up");
      }
    }
    return live;
  }

  /** Collect `event`'s change into `changes`; the cursor it moves to, if any. */
  private handle(event: StreamEvent, changes: ChangeEvent[]): string | undefined {
    switch (event.type) {
      case "change":
        changes.push(event.change);
        return event.cursor;
      case "up-to-date":
        return event.cursor;
      case "retry":
        this.hintMs = event.ms;
        return undefined;
      case "unavailable":
        this.hintMs = event.retryAfter * 1000;
        return undefined;
      case "must-refetch":
        throw new MustRefetch("the server asked for a refetch");
      default:
        return undefined;
    }
  }

  private async applied(changes: readonly ChangeEvent[], cursor: string): Promise<void> {
    const before = this.store.snapshot();
    await this.store.apply(changes, cursor);
    if (this.store.snapshot() !== before) this.notify();
    if (changes.length) {
      for (const listener of [...this.changeListeners]) listener(changes, this.initial);
    }
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private setStatus(status: SyncStatus): void {
    if (status === this.state) return;
    this.state = status;
    for (const listener of [...this.statusListeners]) listener();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

function isMustRefetch(err: unknown): boolean {
  return err instanceof ApiError && err.body.code === "MUST_REFETCH";
}

/** Network failures, a server stopping or restarting (5xx), too many streams (429). */
function retryable(err: unknown): boolean {
  if (err instanceof StreamRevokedError) return false;
  if (err instanceof ApiError) return err.status === 429 || err.status >= 500;
  return true;
}

function retryAfterMs(err: unknown): number {
  if (!(err instanceof ApiError)) return 0;
  const data = err.body.data as { retryAfter?: unknown } | null;
  return typeof data?.retryAfter === "number" ? data.retryAfter * 1000 : 0;
}

/** The filter as `sync.pull` takes it (its lists are the generated input's mutable arrays). */
function pullFilter(filter: ChangeFilter): FeedFilter {
  return {
    ...(filter.tables ? { tables: [...filter.tables] } : {}),
    ...(filter.connectionId ? { connectionId: filter.connectionId } : {}),
    ...(filter.status ? { status: [...filter.status] as FeedFilter["status"] } : {}),
  };
}
