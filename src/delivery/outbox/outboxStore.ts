import type { ILmkNotification } from '../../tokens';
import type { ISharedStorage } from '../crossTab';

/**
 * Most characters the outbox keeps in storage (one JSON value per lab).
 * Its own budget, apart from the history's: what must survive never
 * competes with what may be dropped.
 */
export const OUTBOX_BUDGET_CHARS = 1_500_000;

/** Attempts remembered per channel, for its rate limit. */
const ATTEMPTS_WINDOW_MS = 60_000;

/**
 * One delivery waiting in the outbox: a notification for one channel. The
 * channel's settings are not stored (they may hold secrets); they are read
 * from the live settings at each attempt.
 */
export interface IOutboxEntry {
  /** `<notification id>\n<channel id>`. */
  key: string;
  notificationId: string;
  channelId: string;
  /** When it was queued (ms since epoch): retries stop a bounded time after. */
  created: number;
  /** No attempt before this time (ms since epoch). */
  due: number;
  /** Failed attempts so far. */
  failures: number;
  /** The cause of the last failure, for the user. */
  lastError: string | null;
  /** Set while a tab sends it: which tab, and until when that holds. */
  inFlight: { owner: string; until: number } | null;
  /**
   * Attempts that may have reached the service without an answer saying
   * so (a dropped connection, a tab closed mid-send): a service that
   * cannot drop copies is sent one at most twice.
   */
  unconfirmed: number;
  /**
   * Since when every attempt failed in the way a CORS refusal would (ms
   * since epoch), or null: the refusal is concluded only when that lasts.
   */
  corsSince: number | null;
}

/**
 * Everything the outbox keeps in storage, one JSON value per lab.
 */
export interface IOutboxState {
  entries: IOutboxEntry[];
  /**
   * The notifications the entries refer to, once each, as they are sent:
   * long texts already cut (`boundEvent`), or shorter (`compactEvent`) when
   * storage is short of room.
   */
  notifications: { [id: string]: ILmkNotification };
  /** Attempt times per channel in the last minute, for the rate limit. */
  attempts: { [channelId: string]: number[] };
}

/**
 * Where the outbox state lives: the browser's shared storage, within its
 * budget; when storage refuses (full, or off), this page's memory, and the
 * outbox says so.
 */
export class OutboxStore {
  constructor(options: OutboxStore.IOptions) {
    this._storage = options.storage;
    this._key = options.key;
    this._budget = options.budgetChars ?? OUTBOX_BUDGET_CHARS;
    this._compact = options.compact;
    this._makeRoom = options.makeRoom ?? (() => false);
  }

  /**
   * Whether the last write stayed in this page (storage full or off): a
   * reload or a closed tab loses what waits.
   */
  get inPageOnly(): boolean {
    return this._volatile !== null;
  }

  /** The state as stored (a copy to change and write back). */
  read(): IOutboxState {
    if (this._volatile) {
      return Private.copy(this._volatile);
    }
    if (!this._storage) {
      return empty();
    }
    try {
      return Private.parse(this._storage.getItem(this._key));
    } catch {
      return empty();
    }
  }

  /**
   * Store the state, within the budget: the largest notifications are
   * stored shorter until it fits. Where storage is full, the history is
   * asked to make room first (`makeRoom`), then everything is stored
   * shorter; where it still refuses, the state stays in this page.
   */
  write(state: IOutboxState, now: number): void {
    Private.prune(state, now);
    if (!this._storage) {
      this._volatile = Private.copy(state);
      return;
    }
    const storage = this._storage;
    const store = (): boolean => {
      try {
        if (state.entries.length || Object.keys(state.attempts).length) {
          storage.setItem(this._key, this._fit(state));
        } else {
          storage.removeItem(this._key);
        }
        return true;
      } catch {
        return false;
      }
    };
    if (store() || (this._makeRoom() && store())) {
      this._volatile = null;
      return;
    }
    this._compactAll(state);
    if (store()) {
      this._volatile = null;
      return;
    }
    this._volatile = Private.copy(state);
  }

  /**
   * The state as JSON within the budget: the largest notifications are
   * made shorter, one by one, until it fits (sizes are added up rather
   * than the whole state serialised again at each step).
   */
  private _fit(state: IOutboxState): string {
    const text = JSON.stringify(state);
    let length = text.length;
    if (length <= this._budget) {
      return text;
    }
    const bySize = Object.entries(state.notifications)
      .map(([id, notification]) => ({
        id,
        size: JSON.stringify(notification).length
      }))
      .sort((a, b) => b.size - a.size);
    for (const { id, size } of bySize) {
      const shorter = {
        ...state.notifications[id],
        event: this._compact(state.notifications[id].event)
      };
      state.notifications[id] = shorter;
      length += JSON.stringify(shorter).length - size;
      if (length <= this._budget) {
        break;
      }
    }
    return JSON.stringify(state);
  }

  private _compactAll(state: IOutboxState): void {
    for (const [id, notification] of Object.entries(state.notifications)) {
      state.notifications[id] = {
        ...notification,
        event: this._compact(notification.event)
      };
    }
  }

  private _storage: ISharedStorage | null;
  private _key: string;
  private _budget: number;
  private _compact: OutboxStore.IOptions['compact'];
  private _makeRoom: () => boolean;
  private _volatile: IOutboxState | null = null;
}

/**
 * The namespace for `OutboxStore` statics.
 */
export namespace OutboxStore {
  /**
   * Options of an outbox store.
   */
  export interface IOptions {
    /** Shared storage (`localStorage`); `null` keeps the outbox in this page. */
    storage: ISharedStorage | null;
    /** Storage key, one per lab. */
    key: string;
    /** See `OUTBOX_BUDGET_CHARS`. */
    budgetChars?: number;
    /** A shorter version of an event, for when room is short. */
    compact: (event: ILmkNotification['event']) => ILmkNotification['event'];
    /**
     * Free some of the shared storage (the history gives way); true if
     * anything was freed.
     */
    makeRoom?: () => boolean;
  }
}

/**
 * The key of the entry of one notification for one channel.
 */
export function entryKey(notificationId: string, channelId: string): string {
  return `${notificationId}\n${channelId}`;
}

/**
 * An empty outbox.
 */
export function empty(): IOutboxState {
  return { entries: [], notifications: {}, attempts: {} };
}

/**
 * Take an entry out of the state.
 */
export function removeEntry(state: IOutboxState, key: string): void {
  state.entries = state.entries.filter(entry => entry.key !== key);
}

namespace Private {
  export function copy(state: IOutboxState): IOutboxState {
    return JSON.parse(JSON.stringify(state));
  }

  /** Drop what nothing refers to any more, and attempts older than a minute. */
  export function prune(state: IOutboxState, now: number): void {
    const used = new Set(state.entries.map(entry => entry.notificationId));
    for (const id of Object.keys(state.notifications)) {
      if (!used.has(id)) {
        delete state.notifications[id];
      }
    }
    for (const [channelId, times] of Object.entries(state.attempts)) {
      const recent = times.filter(time => time > now - ATTEMPTS_WINDOW_MS);
      if (recent.length) {
        state.attempts[channelId] = recent;
      } else {
        delete state.attempts[channelId];
      }
    }
  }

  /** Read stored state, dropping whatever is malformed. */
  export function parse(raw: string | null): IOutboxState {
    const state = empty();
    if (!raw) {
      return state;
    }
    const parsed = JSON.parse(raw) as Partial<IOutboxState> | null;
    if (!parsed || typeof parsed !== 'object') {
      return state;
    }
    if (parsed.notifications && typeof parsed.notifications === 'object') {
      state.notifications = parsed.notifications;
    }
    if (parsed.attempts && typeof parsed.attempts === 'object') {
      for (const [channelId, times] of Object.entries(parsed.attempts)) {
        if (Array.isArray(times)) {
          state.attempts[channelId] = times.filter(
            (time): time is number => typeof time === 'number'
          );
        }
      }
    }
    if (Array.isArray(parsed.entries)) {
      state.entries = parsed.entries.filter(
        (entry): entry is IOutboxEntry =>
          !!entry &&
          typeof entry.key === 'string' &&
          typeof entry.channelId === 'string' &&
          typeof entry.notificationId === 'string' &&
          typeof entry.created === 'number' &&
          typeof entry.due === 'number' &&
          typeof entry.failures === 'number' &&
          !!state.notifications[entry.notificationId]
      );
      for (const entry of state.entries) {
        entry.lastError ??= null;
        entry.inFlight ??= null;
        entry.unconfirmed ??= 0;
        entry.corsSince ??= null;
      }
    }
    return state;
  }
}
