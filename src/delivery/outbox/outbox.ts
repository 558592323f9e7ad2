import type { TranslationBundle } from '@jupyterlab/translation';
import { UUID } from '@lumino/coreutils';
import type {
  IDeliveryResult,
  ILmkEvent,
  ILmkNotification
} from '../../tokens';
import type { ILockManager, ISharedStorage } from '../crossTab';
import { DeliveryError } from '../deliveryError';
import { DEFAULT_BACKOFF, type IBackoffPolicy } from './backoff';
import {
  entryKey,
  type IOutboxEntry,
  type IOutboxState,
  OutboxStore,
  removeEntry
} from './outboxStore';
import { rateFreeAt, rateLimitOf } from './rateLimit';
import {
  decideAfterFailure,
  delayText,
  type IRetryTimes,
  MAX_UNCONFIRMED
} from './retryPolicy';

export type { IOutboxEntry } from './outboxStore';

/** Deliveries kept waiting at most; past it the oldest are given up. */
export const OUTBOX_CAPACITY = 500;
/** How long deliveries are retried by default. */
export const DEFAULT_RETRY_MS = 60 * 60_000;
/** Deliveries per channel per minute by default. */
export const DEFAULT_PER_MINUTE = 10;

/**
 * How long a delivery marked "being sent" belongs to the tab sending it.
 * Longer than any attempt may take (a request 75 s, `DELIVERY_TIMEOUT_MS`,
 * and a reachability probe after it); after it, a tab closed mid-send has
 * its delivery tried again by another tab.
 */
export const IN_FLIGHT_LEASE_MS = 120_000;
/** Longest timer set at once (timers overflow past 2^31 ms; clocks jump). */
const MAX_TIMER_MS = 10 * 60_000;

/**
 * The outbox of remote deliveries: each one is written to storage before
 * it is sent, retried while its failure may pass (`retryPolicy`), given up
 * after a bounded time, and picked up again after a reload.
 *
 * What is stored is what will be sent (long texts already cut), within its
 * own budget (`outboxStore`); where the browser's storage refuses, the
 * deliveries go on in this page and their results say that a reload would
 * lose them.
 *
 * Tabs of one lab share it: every change happens under one lock, and an
 * entry is marked as being sent (by which tab, until when) before it
 * goes out, so two tabs never send the same entry. A tab closed or
 * reloaded while its request is on the wire leaves an entry marked as
 * being sent, and it is tried again when that mark expires
 * (`IN_FLIGHT_LEASE_MS`), although the service may have received it: a
 * service that drops copies (webhook receivers by `X-Lmk-Event-Id`, Matrix
 * by transaction id) drops it; any other is sent a notification at most
 * twice.
 *
 * Each channel has its own rate limit (`rateLimit`) and its own entries
 * and backoff: a failing or slow channel never delays another. One timer
 * serves the whole outbox (the next due time).
 */
export class Outbox {
  constructor(options: Outbox.IOptions) {
    this._store = new OutboxStore({
      storage: options.storage,
      key: options.key,
      budgetChars: options.budgetChars,
      compact: options.compact ?? (event => event),
      makeRoom: options.makeRoom
    });
    this._key = options.key;
    this._locks = options.locks;
    this._deliver = options.deliver;
    this._onOutcome = options.onOutcome;
    this._trans = options.trans;
    this._bound = options.bound ?? (event => event);
    this._retryMs = options.retryMs ?? (() => DEFAULT_RETRY_MS);
    this._perMinute = options.perMinute ?? (() => DEFAULT_PER_MINUTE);
    this._deduplicates = options.deduplicates ?? (() => false);
    this._backoff = options.backoff ?? DEFAULT_BACKOFF;
    this._times = options.retryTimes;
    this._leaseMs = options.leaseMs ?? IN_FLIGHT_LEASE_MS;
    this._capacity = options.capacity ?? OUTBOX_CAPACITY;
    this._now = options.now ?? Date.now;
    this._random = options.random ?? Math.random;
    this._owner = options.owner ?? UUID.uuid4();
  }

  /** Whether `dispose` was called. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** The deliveries waiting or being sent, as stored now. */
  get entries(): readonly IOutboxEntry[] {
    return this._store.read().entries;
  }

  /**
   * Queue a notification for remote channels and make the first attempt
   * at once. Resolves, in the order of `channelIds`, to what that attempt
   * gave: `sent`, `failed` (a cause retrying cannot fix), or `pending`
   * (stored, and tried again later; the outcome comes through `onOutcome`).
   */
  async enqueue(
    notification: ILmkNotification,
    channelIds: readonly string[]
  ): Promise<IDeliveryResult[]> {
    this._started = true;
    // What is stored is what is sent, the first time too.
    const sent = { ...notification, event: this._bound(notification.event) };
    const queued = await this._locks.request(this._key, async () => {
      const state = this._store.read();
      const now = this._now();
      const results = new Map<string, IDeliveryResult>();
      const keys = new Set<string>();
      state.notifications[sent.id] = sent;
      for (const channelId of channelIds) {
        const key = entryKey(sent.id, channelId);
        keys.add(key);
        const existing = state.entries.find(entry => entry.key === key);
        if (existing?.inFlight && existing.inFlight.until > now) {
          results.set(channelId, {
            channelId,
            status: 'pending',
            detail: this._trans.__('Already being sent.')
          });
        } else if (existing) {
          // Sent again by hand: retried afresh.
          Object.assign(existing, Private.fresh(now));
        } else {
          state.entries.push({
            key,
            notificationId: sent.id,
            channelId,
            ...Private.fresh(now)
          });
        }
      }
      const ended = this._evict(state, keys);
      const picked = this._pick(state, now, keys, ended);
      for (const channelId of channelIds) {
        const key = entryKey(sent.id, channelId);
        if (!results.has(channelId) && !picked.some(e => e.key === key)) {
          results.set(channelId, this._waiting(state, channelId, now));
        }
      }
      this._write(state, now);
      return { results, picked, ended };
    });
    this._emit(queued.ended);
    await Promise.all(
      queued.picked.map(async entry => {
        const result = await this._attempt(entry, sent, false);
        queued.results.set(
          entry.channelId,
          result ?? {
            channelId: entry.channelId,
            status: 'pending',
            detail: this._trans.__('Being sent by another tab.')
          }
        );
      })
    );
    return channelIds.map(id => this._noteInPage(queued.results.get(id)!));
  }

  /**
   * Start sending what earlier pages (or other tabs) left in the outbox:
   * due entries at once, the others when they are due. Call once the
   * channels' settings are loaded.
   */
  async resume(): Promise<void> {
    this._started = true;
    await this._process();
  }

  /**
   * The stored outbox changed in another tab: set the timer again.
   */
  changed(): void {
    if (this._started && !this._isDisposed) {
      this._schedule(this._store.read(), this._now());
    }
  }

  /**
   * Stop the timer. Stored entries stay for the next page; an attempt
   * still under way records only a success.
   */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }

  /**
   * Send what is due now (under the lock, marking it first), then set the
   * timer for what is due next.
   */
  private async _process(): Promise<void> {
    if (this._isDisposed) {
      return;
    }
    const { due, ended } = await this._locks.request(this._key, async () => {
      const state = this._store.read();
      const now = this._now();
      const ended: Private.IEnded[] = [];
      const picked = this._pick(state, now, null, ended);
      this._write(state, now);
      return {
        ended,
        due: picked.map(entry => ({
          entry,
          notification: state.notifications[entry.notificationId]
        }))
      };
    });
    this._emit(ended);
    for (const { entry, notification } of due) {
      void this._attempt(entry, notification, true);
    }
  }

  /**
   * Mark the due entries (all, or those in `only`) as being sent by this
   * tab, within each channel's rate limit; returns copies of them. An
   * entry taken over from a tab that closed mid-send may have arrived: for
   * a service that keeps copies, that counts, and past the limit the
   * delivery ends (in `ended`) instead of going out again.
   */
  private _pick(
    state: IOutboxState,
    now: number,
    only: Set<string> | null,
    ended: Private.IEnded[]
  ): IOutboxEntry[] {
    const picked: IOutboxEntry[] = [];
    const ordered = [...state.entries].sort(
      (a, b) => a.due - b.due || a.created - b.created
    );
    for (const entry of ordered) {
      if (
        (only && !only.has(entry.key)) ||
        this._sending.has(entry.key) ||
        entry.due > now ||
        (entry.inFlight && entry.inFlight.until > now) ||
        this._rateFreeAt(state, entry.channelId, now) > now
      ) {
        continue;
      }
      if (entry.inFlight && !this._deduplicates(entry.channelId)) {
        entry.unconfirmed += 1;
        if (entry.unconfirmed >= MAX_UNCONFIRMED) {
          removeEntry(state, entry.key);
          ended.push({
            notification: state.notifications[entry.notificationId],
            result: {
              channelId: entry.channelId,
              status: 'failed',
              detail: this._trans.__(
                'A tab closed while sending this, twice: it may have arrived, and it is not sent again (this channel cannot drop copies).'
              )
            }
          });
          continue;
        }
      }
      entry.inFlight = { owner: this._owner, until: now + this._leaseMs };
      (state.attempts[entry.channelId] ??= []).push(now);
      picked.push({ ...entry });
    }
    return picked;
  }

  /**
   * Send one entry and store what came of it. Returns the result, or null
   * if the entry is no longer this tab's (another tab took it over after
   * the mark expired). `emit`: report it through `onOutcome`.
   */
  private async _attempt(
    entry: IOutboxEntry,
    notification: ILmkNotification,
    emit: boolean
  ): Promise<IDeliveryResult | null> {
    let result: IDeliveryResult | null = null;
    let failure: unknown = null;
    this._sending.add(entry.key);
    // An attempt must end before its mark does, or another tab may send
    // the same entry: a channel that hangs counts as timed out.
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    try {
      result = {
        ...(await Promise.race([
          this._deliver(notification, entry.channelId),
          new Promise<never>((_, reject) => {
            watchdog = setTimeout(
              () =>
                reject(
                  new DeliveryError(
                    'timeout',
                    this._trans.__(
                      'The channel did not finish within %1.',
                      delayText(this._attemptMs(), this._trans)
                    )
                  )
                ),
              this._attemptMs()
            );
          })
        ])),
        channelId: entry.channelId
      };
    } catch (reason) {
      failure = reason ?? new Error();
    } finally {
      clearTimeout(watchdog);
      this._sending.delete(entry.key);
    }
    if (this._isDisposed && !result) {
      // This page is going away: leave the entry marked; once the mark
      // expires another page tries again, as if this one had closed.
      return null;
    }
    const outcome = await this._locks.request(this._key, async () => {
      const state = this._store.read();
      const now = this._now();
      const stored = state.entries.find(e => e.key === entry.key) ?? null;
      const ours = stored?.inFlight?.owner === this._owner;
      let final: IDeliveryResult | null;
      if (result) {
        final = result;
        removeEntry(state, entry.key);
      } else if (stored && !ours) {
        // Taken over by another tab, which will report.
        final = null;
      } else {
        final = this._afterFailure(state, stored, entry, failure, now);
      }
      this._write(state, now);
      return final;
    });
    if (outcome && emit && !this._isDisposed) {
      this._onOutcome(notification, this._noteInPage(outcome));
    }
    return outcome;
  }

  /**
   * Apply the retry policy to a failed attempt: the entry waits for its
   * next attempt, or is taken out.
   */
  private _afterFailure(
    state: IOutboxState,
    stored: IOutboxEntry | null,
    entry: IOutboxEntry,
    reason: unknown,
    now: number
  ): IDeliveryResult {
    const decision = decideAfterFailure({
      entry: stored ?? entry,
      reason,
      now,
      retryMs: this._retryMs(),
      deduplicates: this._deduplicates(entry.channelId),
      backoff: this._backoff,
      times: this._times,
      random: this._random,
      trans: this._trans
    });
    if (decision.retryAt === null) {
      removeEntry(state, entry.key);
      return decision.result;
    }
    if (!stored) {
      // Taken out meanwhile (given up on by another tab): nothing to retry.
      return {
        channelId: entry.channelId,
        status: 'failed',
        detail: decision.result.detail
      };
    }
    Object.assign(stored, {
      failures: stored.failures + 1,
      due: decision.retryAt,
      lastError: decision.result.detail ?? null,
      inFlight: null,
      unconfirmed: decision.unconfirmed,
      corsSince: decision.corsSince
    });
    return decision.result;
  }

  /** Longest an attempt may take: well within the in-flight mark. */
  private _attemptMs(): number {
    return Math.round(this._leaseMs * 0.75);
  }

  /** Result of an entry held back by its channel's rate limit. */
  private _waiting(
    state: IOutboxState,
    channelId: string,
    now: number
  ): IDeliveryResult {
    const freeAt = this._rateFreeAt(state, channelId, now);
    return {
      channelId,
      status: 'pending',
      detail: this._trans.__(
        'Waiting: this channel takes at most %1 messages a minute; next in %2.',
        rateLimitOf(this._perMinute(channelId)),
        delayText(Math.max(0, freeAt - now), this._trans)
      )
    };
  }

  /** When the channel may take its next attempt (`now` if it may now). */
  private _rateFreeAt(
    state: IOutboxState,
    channelId: string,
    now: number
  ): number {
    return rateFreeAt(
      state.attempts[channelId],
      this._perMinute(channelId),
      now
    );
  }

  /**
   * A pending result while the outbox lives in this page only says that a
   * reload or a closed tab would lose it.
   */
  private _noteInPage(result: IDeliveryResult): IDeliveryResult {
    if (result.status !== 'pending' || !this._store.inPageOnly) {
      return result;
    }
    return {
      ...result,
      detail: `${result.detail ?? ''} ${this._trans.__(
        'Not saved: this browser’s storage for the lab is full (or off), so closing or reloading the page loses this retry.'
      )}`.trim()
    };
  }

  /**
   * Keep at most `capacity` entries: give up the oldest waiting ones
   * (never those just queued or being sent).
   */
  private _evict(state: IOutboxState, keep: Set<string>): Private.IEnded[] {
    const evicted: Private.IEnded[] = [];
    const excess = state.entries.length - this._capacity;
    if (excess <= 0) {
      return evicted;
    }
    const now = this._now();
    const candidates = state.entries
      .filter(
        entry =>
          !keep.has(entry.key) &&
          !(entry.inFlight && entry.inFlight.until > now)
      )
      .sort((a, b) => a.created - b.created)
      .slice(0, excess);
    for (const entry of candidates) {
      evicted.push({
        notification: state.notifications[entry.notificationId],
        result: {
          channelId: entry.channelId,
          status: 'failed',
          detail: this._trans.__(
            'Given up: more than %1 messages were waiting to be sent.',
            this._capacity
          )
        }
      });
      removeEntry(state, entry.key);
    }
    return evicted;
  }

  /** Report deliveries that ended without an attempt. */
  private _emit(ended: Private.IEnded[]): void {
    for (const { notification, result } of ended) {
      this._onOutcome(notification, result);
    }
  }

  /** Store the state, and set the timer for what is due next. */
  private _write(state: IOutboxState, now: number): void {
    this._store.write(state, now);
    this._schedule(state, now);
  }

  /** Set the one timer for the next entry due (after its rate limit). */
  private _schedule(state: IOutboxState, now: number): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
    if (!this._started || this._isDisposed) {
      return;
    }
    let next = Infinity;
    for (const entry of state.entries) {
      if (this._sending.has(entry.key)) {
        // Its attempt sets the timer again when it ends.
        continue;
      }
      const at = Math.max(
        entry.due,
        entry.inFlight?.until ?? 0,
        this._rateFreeAt(state, entry.channelId, now)
      );
      next = Math.min(next, at);
    }
    if (next === Infinity) {
      return;
    }
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, next - now));
    this._timer = setTimeout(() => {
      this._timer = null;
      void this._process();
    }, delay);
  }

  private _store: OutboxStore;
  private _key: string;
  private _locks: ILockManager;
  private _deliver: Outbox.IOptions['deliver'];
  private _onOutcome: Outbox.IOptions['onOutcome'];
  private _trans: TranslationBundle;
  private _bound: (event: ILmkEvent) => ILmkEvent;
  private _retryMs: () => number;
  private _perMinute: (channelId: string) => number;
  private _deduplicates: (channelId: string) => boolean;
  private _backoff: IBackoffPolicy;
  private _times: IRetryTimes | undefined;
  private _leaseMs: number;
  private _capacity: number;
  private _now: () => number;
  private _random: () => number;
  private _owner: string;
  private _started = false;
  private _isDisposed = false;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  /** Keys this page is sending now (even if their mark has expired). */
  private _sending = new Set<string>();
}

/**
 * The namespace for `Outbox` statics.
 */
export namespace Outbox {
  /**
   * Options to create an outbox.
   */
  export interface IOptions {
    /** Shared storage (`localStorage`); `null` keeps the outbox in this page. */
    storage: ISharedStorage | null;
    /** Storage key and lock name, one per lab: `jupyterlab-lmk:outbox:<baseUrl>`. */
    key: string;
    /** Cross-tab locks (Web Locks in the lab). */
    locks: ILockManager;
    /**
     * Make one attempt through one channel, read from the live settings.
     * A failure is thrown (a `DeliveryError` says whether it may pass).
     */
    deliver: (
      notification: ILmkNotification,
      channelId: string
    ) => Promise<IDeliveryResult>;
    /**
     * How a delivery went after its first attempt (retried, given up,
     * or sent at last): one result for one channel.
     */
    onOutcome: (
      notification: ILmkNotification,
      result: IDeliveryResult
    ) => void;
    trans: TranslationBundle;
    /**
     * The event as it is sent and stored, long texts cut (`boundEvent`);
     * default: as it is.
     */
    bound?: (event: ILmkEvent) => ILmkEvent;
    /**
     * A shorter event, for when storage is short of room (`compactEvent`);
     * default: as it is.
     */
    compact?: (event: ILmkEvent) => ILmkEvent;
    /** See `OUTBOX_BUDGET_CHARS`. */
    budgetChars?: number;
    /** Free shared storage when it is full (the history gives way). */
    makeRoom?: () => boolean;
    /** How long to retry, in ms, read at each failure (default 1 hour). */
    retryMs?: () => number;
    /** The rate limit of a channel, per minute (default 10). */
    perMinute?: (channelId: string) => number;
    /**
     * Whether a channel's service drops a repeated delivery of the same
     * notification (default: no).
     */
    deduplicates?: (channelId: string) => boolean;
    backoff?: IBackoffPolicy;
    /** The retry policy's waits (default `DEFAULT_RETRY_TIMES`). */
    retryTimes?: IRetryTimes;
    /** See `IN_FLIGHT_LEASE_MS`. */
    leaseMs?: number;
    /** See `OUTBOX_CAPACITY`. */
    capacity?: number;
    now?: () => number;
    random?: () => number;
    /** This tab's id (default: a random one). */
    owner?: string;
  }
}

namespace Private {
  /**
   * A delivery that ended without an attempt (evicted, or not to be sent
   * again), to report once the lock is released.
   */
  export interface IEnded {
    notification: ILmkNotification;
    result: IDeliveryResult;
  }

  /** The counters of an entry queued (or queued again by hand) now. */
  export function fresh(
    now: number
  ): Omit<IOutboxEntry, 'key' | 'notificationId' | 'channelId'> {
    return {
      created: now,
      due: now,
      failures: 0,
      lastError: null,
      inFlight: null,
      unconfirmed: 0,
      corsSince: null
    };
  }
}
