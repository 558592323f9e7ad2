import { type ISignal, Signal } from '@lumino/signaling';
import type {
  IDeliveryResult,
  ILmkEvent,
  ILmkNotification,
  INotificationTarget
} from '../tokens';

/** Notifications kept. */
export const HISTORY_SIZE = 200;
/** Traceback lines and body characters kept per entry, to bound storage. */
const KEPT_TRACEBACK_LINES = 10;
const KEPT_BODY_CHARS = 2000;

/**
 * One notification as the history remembers it.
 */
export interface IHistoryEntry {
  /** The notification's id; a resend updates the same entry. */
  id: string;
  /** ISO-8601 time it was (last) handed to the channels. */
  time: string;
  event: ILmkEvent;
  target: INotificationTarget | null;
  /** What each channel did with it. */
  results: IDeliveryResult[];
}

/**
 * Where the history is kept (`window.localStorage` in the lab).
 */
export interface IHistoryStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * The last notifications, newest first, kept across reloads.
 *
 * Stored is the event (bounded), where it leads, and per-channel delivery
 * results; never a channel's configuration, so no secret. Reading storage
 * is put off until the history is first used.
 */
export class NotificationHistory {
  constructor(options: NotificationHistory.IOptions) {
    this._storage = options.storage;
    this._key = options.key;
    this._size = options.size ?? HISTORY_SIZE;
  }

  /** Emitted when entries are added, updated or cleared. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The entries, newest first. */
  get entries(): readonly IHistoryEntry[] {
    return this._load();
  }

  /** Find an entry by notification id. */
  get(id: string): IHistoryEntry | undefined {
    return this._load().find(entry => entry.id === id);
  }

  /**
   * Remember a notification and what the channels did with it, merged per
   * channel into what is known of it already. The outcome of a delivery
   * that was pending (a retry from the outbox, perhaps in another tab)
   * updates the entry where it is; anything else (a resend) moves it to
   * the top with the new time.
   */
  record(
    notification: ILmkNotification,
    results: IDeliveryResult[],
    time: Date = new Date()
  ): void {
    // Another tab may have written since this page last read.
    if (this._storage) {
      this._entries = null;
    }
    const entries = [...this._load()];
    const index = entries.findIndex(e => e.id === notification.id);
    const existing = index >= 0 ? entries[index] : null;
    const merged = Private.merge(existing?.results ?? [], results);
    const update =
      !!existing &&
      results.length > 0 &&
      results.every(
        result =>
          existing.results.find(r => r.channelId === result.channelId)
            ?.status === 'pending'
      );
    if (existing && update) {
      entries[index] = { ...existing, results: merged };
    } else {
      if (existing) {
        entries.splice(index, 1);
      }
      entries.unshift({
        id: notification.id,
        time: time.toISOString(),
        event: Private.bounded(notification.event),
        target: notification.target,
        results: merged
      });
    }
    entries.length = Math.min(entries.length, this._size);
    this._entries = entries;
    this._save();
    this._changed.emit();
  }

  /** Forget every entry. */
  clear(): void {
    this._entries = [];
    try {
      this._storage?.removeItem(this._key);
    } catch {
      // Storage refused: the history is empty for this page anyway.
    }
    this._changed.emit();
  }

  /**
   * Another tab changed the stored history: read it again.
   */
  reload(): void {
    this._entries = null;
    this._changed.emit();
  }

  private _load(): IHistoryEntry[] {
    if (this._entries) {
      return this._entries;
    }
    let entries: IHistoryEntry[] = [];
    try {
      const raw = this._storage?.getItem(this._key);
      const parsed: unknown = raw ? JSON.parse(raw) : [];
      if (Array.isArray(parsed)) {
        entries = parsed.filter(Private.isEntry).slice(0, this._size);
      }
    } catch {
      // Unreadable history (storage off, or edited by hand): start afresh.
    }
    this._entries = entries;
    return entries;
  }

  private _save(): void {
    try {
      this._storage?.setItem(this._key, JSON.stringify(this._entries));
    } catch {
      // Quota exceeded or storage off: keep the history for this page only.
    }
  }

  private _storage: IHistoryStorage | null;
  private _key: string;
  private _size: number;
  private _entries: IHistoryEntry[] | null = null;
  private _changed = new Signal<this, void>(this);
}

/**
 * The namespace for `NotificationHistory` statics.
 */
export namespace NotificationHistory {
  export interface IOptions {
    /** `null` keeps the history for this page only. */
    storage: IHistoryStorage | null;
    /** Storage key, one per lab (base URL). */
    key: string;
    /** Entries kept (default 200). */
    size?: number;
  }
}

namespace Private {
  /** Results per channel: the new ones replace those of the same channel. */
  export function merge(
    known: IDeliveryResult[],
    fresh: IDeliveryResult[]
  ): IDeliveryResult[] {
    const merged = known.map(result => ({ ...result }));
    for (const result of fresh) {
      const at = merged.findIndex(r => r.channelId === result.channelId);
      if (at >= 0) {
        merged[at] = { ...result };
      } else {
        merged.push({ ...result });
      }
    }
    return merged;
  }

  export function isEntry(value: unknown): value is IHistoryEntry {
    const entry = value as Partial<IHistoryEntry> | null;
    return (
      !!entry &&
      typeof entry === 'object' &&
      typeof entry.id === 'string' &&
      typeof entry.time === 'string' &&
      !!entry.event &&
      typeof entry.event === 'object' &&
      typeof entry.event.title === 'string' &&
      typeof entry.event.text === 'string' &&
      Array.isArray(entry.results)
    );
  }

  export function bounded(event: ILmkEvent): ILmkEvent {
    const cut = (text: string) =>
      text.length > KEPT_BODY_CHARS
        ? text.slice(0, KEPT_BODY_CHARS - 1) + '…'
        : text;
    return {
      ...event,
      message: cut(event.message),
      text: cut(event.text),
      error: event.error
        ? {
            ...event.error,
            traceback: event.error.traceback.slice(-KEPT_TRACEBACK_LINES)
          }
        : null
    };
  }
}
