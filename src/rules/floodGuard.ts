import type { LmkEventKind } from '../tokens';

/**
 * Notifications held back by the flood guard, counted by kind.
 */
export type HeldCounts = Partial<Record<LmkEventKind, number>>;

/**
 * Rate-limits notifications per notebook: at most `limit` in any window of
 * `windowMs`. Whatever comes on top is counted, not sent; the count goes
 * out with the next notification that is let through ("3 more failures"),
 * or on its own once the window has room again (`flush`).
 *
 * Pure: time is passed in. Memory is bounded by `limit` timestamps and one
 * count per kind for each notebook that notified within the window.
 */
export class FloodGuard {
  constructor(options: FloodGuard.IOptions = {}) {
    const limit = options.limit ?? 3;
    this._limit = typeof limit === 'function' ? limit : () => limit;
    this._windowMs = options.windowMs ?? 60_000;
  }

  /**
   * Offer a notification about `key` (a notebook path) at time `now`.
   *
   * @returns `send: true` with the counts held since the last one sent
   *   (to mention in it), or `send: false` with the time a slot frees up.
   */
  offer(key: string, kind: LmkEventKind, now: number): FloodGuard.IVerdict {
    if (this._currentLimit() === Infinity && !this._entries.has(key)) {
      return { send: true, held: null }; // No limit: nothing to remember.
    }
    const entry = this._entry(key, now);
    if (entry.sent.length < this._currentLimit()) {
      entry.sent.push(now);
      const held = entry.held;
      entry.held = null;
      return { send: true, held };
    }
    entry.held ??= {};
    entry.held[kind] = (entry.held[kind] ?? 0) + 1;
    return { send: false, retryAt: entry.sent[0] + this._windowMs };
  }

  /**
   * Take the counts held for `key` if the window has room for a summary
   * now; the summary counts as a notification sent.
   */
  flush(key: string, now: number): FloodGuard.IFlush {
    const entry = this._entries.get(key);
    if (!entry?.held) {
      return { held: null, retryAt: null };
    }
    this._prune(entry, now);
    if (entry.sent.length >= this._currentLimit()) {
      return { held: null, retryAt: entry.sent[0] + this._windowMs };
    }
    entry.sent.push(now);
    const held = entry.held;
    entry.held = null;
    return { held, retryAt: null };
  }

  /** Number of notebooks the guard remembers (for leak checks). */
  get size(): number {
    return this._entries.size;
  }

  private _entry(key: string, now: number): Private.IEntry {
    // Forget notebooks that have been quiet for a whole window.
    for (const [other, entry] of this._entries) {
      this._prune(entry, now);
      if (other !== key && entry.sent.length === 0 && !entry.held) {
        this._entries.delete(other);
      }
    }
    let entry = this._entries.get(key);
    if (!entry) {
      entry = { sent: [], held: null };
      this._entries.set(key, entry);
    }
    return entry;
  }

  private _prune(entry: Private.IEntry, now: number): void {
    while (entry.sent.length && entry.sent[0] + this._windowMs <= now) {
      entry.sent.shift();
    }
  }

  /** The limit now; 0 (or less) means no limit. */
  private _currentLimit(): number {
    const limit = this._limit();
    return limit > 0 ? limit : Infinity;
  }

  private _limit: () => number;
  private _windowMs: number;
  private _entries = new Map<string, Private.IEntry>();
}

/**
 * The namespace for `FloodGuard` statics.
 */
export namespace FloodGuard {
  export interface IOptions {
    /**
     * Notifications allowed per notebook in one window (default 3; 0: no
     * limit); a function is read at each notification (settings apply live).
     */
    limit?: number | (() => number);
    /** The window, in ms (default one minute). */
    windowMs?: number;
  }

  export type IVerdict =
    { send: true; held: HeldCounts | null } | { send: false; retryAt: number };

  export interface IFlush {
    /** What was held, when a summary may go out now. */
    held: HeldCounts | null;
    /** When to try again, if counts are held but the window is still full. */
    retryAt: number | null;
  }
}

namespace Private {
  export interface IEntry {
    /** Times of the notifications sent within the window, oldest first. */
    sent: number[];
    held: HeldCounts | null;
  }
}
