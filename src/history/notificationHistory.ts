import { type ISignal, Signal } from '@lumino/signaling';
import type {
  IDeliveryResult,
  ILmkEvent,
  ILmkNotification,
  INotificationTarget
} from '../tokens';

/** Notifications kept. */
export const HISTORY_SIZE = 200;
/**
 * Most characters the whole history keeps in storage; the oldest entries
 * go first. Its own budget, apart from the outbox's, which wins when the
 * browser's storage is full (`NotificationHistory.giveWay`).
 */
export const HISTORY_BUDGET_CHARS = 1_000_000;

/**
 * The storage key of the history of one lab (its base URL).
 */
export function historyKey(baseUrl: string): string {
  return `jupyterlab-lmk:history:${baseUrl}`;
}

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
 * Stored is the event, where it leads, and per-channel delivery results,
 * every field bounded and the whole within `HISTORY_BUDGET_CHARS`; never a
 * channel's configuration, so no secret. Reading storage is put off until
 * the history is first used.
 */
export class NotificationHistory {
  constructor(options: NotificationHistory.IOptions) {
    this._storage = options.storage;
    this._key = options.key;
    this._size = options.size ?? HISTORY_SIZE;
    this._budget = options.budgetChars ?? HISTORY_BUDGET_CHARS;
  }

  /**
   * Make room in the browser's storage for what must survive (the
   * outbox): drop the older half of the stored history (all of it if it
   * has one entry). True if anything was freed. A history open in this page
   * reads storage again at its next record.
   */
  static giveWay(storage: IHistoryStorage | null, key: string): boolean {
    try {
      const raw = storage?.getItem(key);
      if (!storage || !raw) {
        return false;
      }
      const parsed: unknown = JSON.parse(raw);
      const entries = Array.isArray(parsed) ? parsed : [];
      if (entries.length <= 1) {
        storage.removeItem(key);
      } else {
        storage.setItem(
          key,
          JSON.stringify(entries.slice(0, Math.floor(entries.length / 2)))
        );
      }
      return true;
    } catch {
      return false;
    }
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
      entries[index] = { ...existing, results: Private.boundedResults(merged) };
    } else {
      if (existing) {
        entries.splice(index, 1);
      }
      entries.unshift({
        id: notification.id,
        time: time.toISOString(),
        event: Private.bounded(notification.event),
        target: Private.boundedTarget(notification.target),
        results: Private.boundedResults(merged)
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

  /**
   * Store the entries within the budget, the oldest dropped first; where
   * storage is full, fewer of them (the newest), else none (the history is
   * then this page's only).
   */
  private _save(): void {
    const storage = this._storage;
    if (!storage || !this._entries) {
      return;
    }
    const entries = this._entries;
    let kept = entries.length;
    const sizes = entries.map(entry => JSON.stringify(entry).length + 1);
    let total = sizes.reduce((sum, size) => sum + size, 2);
    while (kept > 0 && total > this._budget) {
      kept--;
      total -= sizes[kept];
    }
    entries.length = kept;
    for (;;) {
      try {
        storage.setItem(this._key, JSON.stringify(entries.slice(0, kept)));
        return;
      } catch {
        if (kept === 0) {
          return;
        }
        kept = Math.floor(kept / 2);
      }
    }
  }

  private _storage: IHistoryStorage | null;
  private _key: string;
  private _size: number;
  private _budget: number;
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
    /** See `HISTORY_BUDGET_CHARS`. */
    budgetChars?: number;
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

  /**
   * Longest texts kept per entry, in characters: every field is bounded,
   * so that one entry stays within a few kilobytes whatever it holds.
   */
  const KEPT = {
    body: 2000,
    short: 300,
    evalue: 1000,
    tracebackLines: 10,
    tracebackLine: 300,
    path: 1000,
    reportValues: 20,
    reportValue: 200,
    results: 30,
    detail: 600
  };

  export function cut(text: string, max: number): string {
    const value = String(text ?? '');
    return value.length > max ? value.slice(0, max - 1) + '…' : value;
  }

  export function bounded(event: ILmkEvent): ILmkEvent {
    const short = (text: string) => cut(text, KEPT.short);
    return {
      ...event,
      title: short(event.title),
      message: cut(event.message, KEPT.body),
      text: cut(event.text, KEPT.body),
      notebook: event.notebook
        ? {
            path: cut(event.notebook.path, KEPT.path),
            name: short(event.notebook.name),
            url: cut(event.notebook.url, KEPT.path)
          }
        : null,
      error: event.error
        ? {
            ename: short(event.error.ename),
            evalue: cut(event.error.evalue, KEPT.evalue),
            traceback: event.error.traceback
              .slice(-KEPT.tracebackLines)
              .map(line => cut(line, KEPT.tracebackLine))
          }
        : null,
      kernel: event.kernel
        ? { id: short(event.kernel.id), name: short(event.kernel.name) }
        : null,
      report: event.report
        ? Object.fromEntries(
            Object.entries(event.report)
              .slice(0, KEPT.reportValues)
              .map(([name, value]) => [
                short(name),
                cut(String(value), KEPT.reportValue)
              ])
          )
        : null
    };
  }

  export function boundedTarget(
    target: INotificationTarget | null
  ): INotificationTarget | null {
    if (!target) {
      return null;
    }
    return {
      ...target,
      path: cut(target.path, KEPT.path),
      ...(target.cellId !== undefined
        ? { cellId: cut(target.cellId, KEPT.short) }
        : {})
    };
  }

  export function boundedResults(
    results: IDeliveryResult[]
  ): IDeliveryResult[] {
    return results.slice(0, KEPT.results).map(result => ({
      ...result,
      channelId: cut(result.channelId, KEPT.short),
      ...(result.detail !== undefined
        ? { detail: cut(result.detail, KEPT.detail) }
        : {})
    }));
  }
}
