// What a page of the dashboard is: a route, a title, and a mount that draws it into the shell's
// <main> for the open team. Everything a page registers through its context ends on unmount.

import type { Client } from "../../sdk/ts/src/index.js";
import type { ChangeEvent } from "../../sdk/ts/src/sync.js";

export type ChangeListener = (changes: readonly ChangeEvent[]) => void;

export interface PageContext {
  /** Calls in the open team (the generated client with `X-Team-Id`). */
  readonly team: Client;
  /** The team's live changes (after the replica's first fill), until the page unmounts. */
  onChange(listener: ChangeListener): void;
  /** `action` every `ms` while the page is shown (for what the change feed does not carry). */
  every(ms: number, action: () => Promise<void>): void;
  /** `cleanup` once the page unmounts (what the page made outside its root: charts, listeners). */
  onUnmount(cleanup: () => void): void;
  /** False once the page is gone: an answer arriving later is dropped. */
  readonly alive: () => boolean;
}

export interface Page {
  /** Its route: `#/<path>`. */
  readonly path: string;
  readonly title: string;
  mount(root: HTMLElement, ctx: PageContext): void;
}
