import { UUID } from '@lumino/coreutils';

/**
 * Key-value storage shared by the tabs of one browser (`localStorage`).
 */
export interface ISharedStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * Mutual exclusion by name, the shape of the Web Locks API
 * (`navigator.locks.request(name, callback)`).
 */
export interface ILockManager {
  /** Run `callback` while holding the lock `name`; resolves to its result. */
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/**
 * Locks inside this page only: callbacks for one name run one after the
 * other. Two objects never exclude each other, so tests that share one
 * `LocalLocks` between two notifiers emulate two tabs under Web Locks.
 */
export class LocalLocks implements ILockManager {
  request<T>(name: string, callback: () => Promise<T>): Promise<T> {
    const before = this._tails.get(name) ?? Promise.resolve();
    const run = before.then(callback);
    const tail = run.then(
      () => undefined,
      () => undefined
    );
    this._tails.set(name, tail);
    void tail.then(() => {
      if (this._tails.get(name) === tail) {
        this._tails.delete(name);
      }
    });
    return run;
  }

  private _tails = new Map<string, Promise<void>>();
}

/**
 * Locks across the tabs of one browser through the Web Locks API; the
 * browser releases a lock when its tab closes.
 */
export class WebLocks implements ILockManager {
  constructor(private _locks: LockManager) {}

  request<T>(name: string, callback: () => Promise<T>): Promise<T> {
    return this._locks.request(name, () => callback()) as Promise<T>;
  }
}

/**
 * Locks across tabs where the Web Locks API is missing (pages served over
 * plain http from another host than localhost are no "secure context" and
 * have no `navigator.locks`): a lease written to shared storage, then read
 * back after a short pause; the tab whose lease is still there holds the
 * lock. Storage gives no atomic compare-and-set, so this excludes well in
 * practice but is not a proof: a tab frozen longer than the lease, or
 * storage slower to propagate than the pause, may let two tabs in. Within
 * one page it excludes exactly.
 */
export class StorageLocks implements ILockManager {
  constructor(options: StorageLocks.IOptions) {
    this._storage = options.storage;
    this._owner = options.owner ?? UUID.uuid4();
    this._leaseMs = options.leaseMs ?? 5000;
    this._settleMs = options.settleMs ?? 30;
    this._now = options.now ?? Date.now;
  }

  request<T>(name: string, callback: () => Promise<T>): Promise<T> {
    return this._local.request(name, async () => {
      const key = `${name}:lock`;
      const held = await this._acquire(key);
      try {
        return await callback();
      } finally {
        if (held) {
          this._release(key);
        }
      }
    });
  }

  /** Wait for the lease; false if storage cannot be used (go on alone). */
  private async _acquire(key: string): Promise<boolean> {
    // Past this, a lease is taken over whatever storage says.
    const deadline = this._now() + 2 * this._leaseMs;
    for (;;) {
      let lease: { owner: string; until: number } | null;
      try {
        lease = Private.readLease(this._storage.getItem(key));
      } catch {
        return false;
      }
      if (
        !lease ||
        lease.owner === this._owner ||
        lease.until <= this._now() ||
        this._now() > deadline
      ) {
        try {
          this._storage.setItem(
            key,
            JSON.stringify({
              owner: this._owner,
              until: this._now() + this._leaseMs
            })
          );
        } catch {
          return false;
        }
        await Private.sleep(this._settleMs);
        if (
          Private.readLease(this._storage.getItem(key))?.owner === this._owner
        ) {
          return true;
        }
      }
      await Private.sleep(this._settleMs * (1 + Math.random() * 2));
    }
  }

  private _release(key: string): void {
    try {
      if (
        Private.readLease(this._storage.getItem(key))?.owner === this._owner
      ) {
        this._storage.removeItem(key);
      }
    } catch {
      // The lease expires by itself.
    }
  }

  private _storage: ISharedStorage;
  private _owner: string;
  private _leaseMs: number;
  private _settleMs: number;
  private _now: () => number;
  private _local = new LocalLocks();
}

/**
 * The namespace for `StorageLocks` statics.
 */
export namespace StorageLocks {
  /**
   * Options of storage locks.
   */
  export interface IOptions {
    storage: ISharedStorage;
    /** This tab's id (default: a random one). */
    owner?: string;
    /** How long a lease lasts if its tab dies holding it (default 5 s). */
    leaseMs?: number;
    /** Pause between writing a lease and reading it back (default 30 ms). */
    settleMs?: number;
    now?: () => number;
  }
}

/**
 * The best cross-tab locks this browser offers: Web Locks, else leases in
 * `storage`, else (no storage either) locks inside this page only.
 */
export function browserLocks(storage: ISharedStorage | null): ILockManager {
  if (typeof navigator !== 'undefined' && navigator.locks) {
    return new WebLocks(navigator.locks);
  }
  return storage ? new StorageLocks({ storage }) : new LocalLocks();
}

/** How long a claim on a notification id is remembered. */
export const CLAIM_TTL_MS = 60 * 60_000;
/** Most claims remembered; the oldest are forgotten first. */
export const CLAIMS_KEPT = 1000;

/**
 * Which notification ids a tab of this lab has taken on. Two tabs that
 * produce the same notification (both see the kernel's output, or a
 * collaborative session) both ask; the first one gets it, the other one
 * stands down. Remembered in shared storage for an hour, at most 1000 ids.
 */
export class ClaimSet {
  constructor(options: ClaimSet.IOptions) {
    this._storage = options.storage;
    this._key = options.key;
    this._locks = options.locks;
    this._ttlMs = options.ttlMs ?? CLAIM_TTL_MS;
    this._size = options.size ?? CLAIMS_KEPT;
    this._now = options.now ?? Date.now;
  }

  /**
   * Claim a notification id: true if this tab is the first to claim it.
   * When storage cannot be read or written, every claim is granted:
   * better twice than never.
   */
  claim(id: string): Promise<boolean> {
    return this._locks.request(this._key, async () => {
      const now = this._now();
      const claims = this._read();
      if (claims === null) {
        return true;
      }
      const kept = Object.entries(claims).filter(([, until]) => until > now);
      if (kept.some(([claimed]) => claimed === id)) {
        return false;
      }
      kept.push([id, now + this._ttlMs]);
      kept.sort((a, b) => a[1] - b[1]);
      const bounded = kept.slice(Math.max(0, kept.length - this._size));
      this._write(Object.fromEntries(bounded));
      return true;
    });
  }

  private _read(): { [id: string]: number } | null {
    if (!this._storage) {
      return this._memory;
    }
    let raw: string | null;
    try {
      raw = this._storage.getItem(this._key);
    } catch {
      return null;
    }
    const claims: { [id: string]: number } = {};
    try {
      const parsed: unknown = JSON.parse(raw ?? '{}');
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        for (const [id, until] of Object.entries(parsed)) {
          if (typeof until === 'number') {
            claims[id] = until;
          }
        }
      }
    } catch {
      // Unreadable (edited by hand): start afresh rather than stand down.
    }
    return claims;
  }

  private _write(claims: { [id: string]: number }): void {
    if (!this._storage) {
      this._memory = claims;
      return;
    }
    try {
      this._storage.setItem(this._key, JSON.stringify(claims));
    } catch {
      // Full storage: this claim is not shared; the delivery goes on.
    }
  }

  private _storage: ISharedStorage | null;
  private _key: string;
  private _locks: ILockManager;
  private _ttlMs: number;
  private _size: number;
  private _now: () => number;
  private _memory: { [id: string]: number } = {};
}

/**
 * The namespace for `ClaimSet` statics.
 */
export namespace ClaimSet {
  /**
   * Options of a claim set.
   */
  export interface IOptions {
    /** `null`: claims are kept in this page only. */
    storage: ISharedStorage | null;
    /** Storage key and lock name, one per lab (base URL). */
    key: string;
    locks: ILockManager;
    ttlMs?: number;
    size?: number;
    now?: () => number;
  }
}

namespace Private {
  export function readLease(
    raw: string | null
  ): { owner: string; until: number } | null {
    if (!raw) {
      return null;
    }
    try {
      const lease = JSON.parse(raw) as { owner?: unknown; until?: unknown };
      return typeof lease.owner === 'string' && typeof lease.until === 'number'
        ? { owner: lease.owner, until: lease.until }
        : null;
    } catch {
      return null;
    }
  }

  export function sleep(ms: number): Promise<void> {
    return new Promise(resolve => setTimeout(resolve, ms));
  }
}
