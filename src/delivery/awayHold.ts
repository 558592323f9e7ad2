import { UUID } from '@lumino/coreutils';
import type { ILmkNotification } from '../tokens';
import type { ILockManager, ISharedStorage } from './crossTab';

/** Notifications held at most; past it the oldest are dropped. */
export const HOLD_CAPACITY = 50;
/**
 * How long a tab's hold on its notifications lasts without being renewed.
 * A tab renews it while it holds something (it is then shown and used:
 * hidden or idle, it would have released them); a tab closed or reloaded
 * stops renewing, and another page takes its notifications over.
 */
export const HOLD_LEASE_MS = 30_000;

/**
 * A notification held back from the channels that deliver only when the
 * user is away, while the user is in the lab.
 */
export interface IHeldEntry {
  /** The notification id. */
  id: string;
  notification: ILmkNotification;
  /** The channels it waits for. */
  channelIds: string[];
  /** When it was held (ms since epoch): it is dropped a bounded time after. */
  created: number;
  /** The tab holding it: the one that showed it in the lab. */
  owner: string;
  /** Until when that holds, unless renewed (ms since epoch). */
  until: number;
}

/**
 * What is held, kept in the browser's storage so that it survives a
 * reload and is shared by the tabs of one lab; every change happens under
 * one lock.
 *
 * A tab delivers what it holds when its user goes away from it (its tab is
 * hidden or idle: the in-lab toast it showed was not seen). A tab that
 * closed or reloaded holds nothing any more once its lease runs out: the
 * next page or another tab adopts its notifications while its user is
 * present, or delivers them if its user is away.
 */
export class AwayHold {
  constructor(options: AwayHold.IOptions) {
    this._storage = options.storage;
    this._key = options.key;
    this._locks = options.locks;
    this._owner = options.owner ?? UUID.uuid4();
    this._now = options.now ?? Date.now;
    this._leaseMs = options.leaseMs ?? HOLD_LEASE_MS;
    this._capacity = options.capacity ?? HOLD_CAPACITY;
  }

  /** This tab's id in the stored entries. */
  get owner(): string {
    return this._owner;
  }

  /** What is held now, by every tab of this lab. */
  get entries(): readonly IHeldEntry[] {
    return this._read();
  }

  /**
   * Hold a notification for these channels (merged with what is held for
   * it already). Resolves to the entries dropped to stay within capacity.
   */
  hold(
    notification: ILmkNotification,
    channelIds: readonly string[]
  ): Promise<IHeldEntry[]> {
    return this._change(entries => {
      const now = this._now();
      const existing = entries.find(entry => entry.id === notification.id);
      if (existing) {
        existing.channelIds = [
          ...new Set([...existing.channelIds, ...channelIds])
        ];
        existing.owner = this._owner;
        existing.until = now + this._leaseMs;
        return [];
      }
      entries.push({
        id: notification.id,
        notification,
        channelIds: [...channelIds],
        created: now,
        owner: this._owner,
        until: now + this._leaseMs
      });
      const excess = entries.length - this._capacity;
      return excess > 0
        ? entries.sort((a, b) => a.created - b.created).splice(0, excess)
        : [];
    });
  }

  /**
   * Forget a notification (the user saw it, or asked to send it again).
   * Resolves to what was held for it, or null.
   */
  async forget(id: string): Promise<IHeldEntry | null> {
    const [removed] = await this._change(entries => {
      const at = entries.findIndex(entry => entry.id === id);
      return at >= 0 ? entries.splice(at, 1) : [];
    });
    return removed ?? null;
  }

  /**
   * Settle what this tab may settle now, in one step under the lock:
   *
   * - entries older than `maxAgeMs` are dropped (`expired`);
   * - this tab's own entries, and those of tabs whose lease ran out, are
   *   taken out for delivery (`release`) unless `waiting` says they must
   *   still wait (the user is here, in this tab);
   * - those that wait become this tab's, and its lease is renewed.
   */
  async settle(
    waiting: (entry: IHeldEntry) => boolean,
    maxAgeMs: number
  ): Promise<{ release: IHeldEntry[]; expired: IHeldEntry[] }> {
    const release: IHeldEntry[] = [];
    const expired: IHeldEntry[] = [];
    await this._change(entries => {
      const now = this._now();
      for (let i = entries.length - 1; i >= 0; i--) {
        const entry = entries[i];
        if (now - entry.created >= maxAgeMs) {
          expired.unshift(...entries.splice(i, 1));
        } else if (entry.owner !== this._owner && entry.until > now) {
          // Another open tab holds it.
        } else if (!waiting(entry)) {
          release.unshift(...entries.splice(i, 1));
        } else {
          entry.owner = this._owner;
          entry.until = now + this._leaseMs;
        }
      }
    });
    return { release, expired };
  }

  /**
   * When this tab should next settle: its lease's renewal, another tab's
   * lease running out, or the oldest entry's age limit; null if nothing
   * is held.
   */
  nextCheck(maxAgeMs: number): number | null {
    let next = Infinity;
    for (const entry of this._read()) {
      next = Math.min(
        next,
        entry.created + maxAgeMs,
        entry.owner === this._owner
          ? entry.until - this._leaseMs / 3
          : entry.until
      );
    }
    return next === Infinity ? null : next;
  }

  /** Change the stored entries under the lock; resolves to `change`'s result. */
  private _change<T>(change: (entries: IHeldEntry[]) => T): Promise<T> {
    return this._locks.request(this._key, async () => {
      const entries = this._read();
      const result = change(entries);
      this._write(entries);
      return result;
    });
  }

  private _read(): IHeldEntry[] {
    if (this._volatile) {
      return this._volatile.map(entry => ({ ...entry }));
    }
    try {
      const raw = this._storage?.getItem(this._key);
      const parsed: unknown = raw ? JSON.parse(raw) : [];
      return Array.isArray(parsed) ? parsed.filter(Private.isEntry) : [];
    } catch {
      return [];
    }
  }

  /** Store the entries; where storage refuses, keep them in this page. */
  private _write(entries: IHeldEntry[]): void {
    if (this._storage) {
      try {
        if (entries.length) {
          this._storage.setItem(this._key, JSON.stringify(entries));
        } else {
          this._storage.removeItem(this._key);
        }
        this._volatile = null;
        return;
      } catch {
        // Fall through: kept in this page.
      }
    }
    this._volatile = entries.map(entry => ({ ...entry }));
  }

  private _storage: ISharedStorage | null;
  private _key: string;
  private _locks: ILockManager;
  private _owner: string;
  private _now: () => number;
  private _leaseMs: number;
  private _capacity: number;
  private _volatile: IHeldEntry[] | null = null;
}

/**
 * The namespace for `AwayHold` statics.
 */
export namespace AwayHold {
  /**
   * Options to create the store of held notifications.
   */
  export interface IOptions {
    /** Shared storage (`localStorage`); `null` keeps them in this page. */
    storage: ISharedStorage | null;
    /** Storage key and lock name: `jupyterlab-lmk:held:<baseUrl>`. */
    key: string;
    locks: ILockManager;
    /** This tab's id (default: a random one). */
    owner?: string;
    now?: () => number;
    /** See `HOLD_LEASE_MS`. */
    leaseMs?: number;
    /** See `HOLD_CAPACITY`. */
    capacity?: number;
  }
}

namespace Private {
  export function isEntry(value: unknown): value is IHeldEntry {
    const entry = value as Partial<IHeldEntry> | null;
    return (
      !!entry &&
      typeof entry === 'object' &&
      typeof entry.id === 'string' &&
      !!entry.notification &&
      typeof entry.notification === 'object' &&
      typeof entry.notification.id === 'string' &&
      Array.isArray(entry.channelIds) &&
      entry.channelIds.every(id => typeof id === 'string') &&
      typeof entry.created === 'number' &&
      typeof entry.owner === 'string' &&
      typeof entry.until === 'number'
    );
  }
}
