import type { TranslationBundle } from '@jupyterlab/translation';
import { UUID } from '@lumino/coreutils';
import type { IDeliveryResult, ILmkNotification } from '../tokens';
import { backoffDelay, DEFAULT_BACKOFF, type IBackoffPolicy } from './backoff';
import type { ILockManager, ISharedStorage } from './crossTab';
import { DeliveryError } from './deliveryError';

/** Deliveries kept waiting at most; past it the oldest are given up. */
export const OUTBOX_CAPACITY = 500;
/** How long deliveries are retried by default. */
export const DEFAULT_RETRY_MS = 60 * 60_000;
/** Deliveries per channel per minute by default. */
export const DEFAULT_PER_MINUTE = 10;

/**
 * Retries of a delivery that failed as "CORS refused or connection
 * dropped", before it counts as a CORS refusal.
 */
export const CORS_RETRIES = 2;
/**
 * How long a delivery marked "being sent" belongs to the tab sending it.
 * Longer than any request may take (`DEFAULT_TIMEOUT_MS` is 15 s); after
 * it, a tab closed mid-send has its delivery tried again by another tab.
 */
export const IN_FLIGHT_LEASE_MS = 60_000;
/** Longest timer set at once (timers overflow past 2^31 ms; clocks jump). */
const MAX_TIMER_MS = 10 * 60_000;
const MINUTE_MS = 60_000;

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
}

/**
 * Everything the outbox keeps in storage, one JSON value per lab.
 */
interface IOutboxState {
  entries: IOutboxEntry[];
  /** The notifications the entries refer to, once each. */
  notifications: { [id: string]: ILmkNotification };
  /** Attempt times per channel in the last minute, for the rate limit. */
  attempts: { [channelId: string]: number[] };
}

/**
 * The outbox of remote deliveries: each one is written to storage before
 * it is sent, retried with exponential backoff and jitter while its
 * failure may pass (network, timeout, 408, 429 after `Retry-After`, 5xx),
 * given up after a bounded time, and picked up again after a reload.
 *
 * Tabs of one lab share it: every change happens under one lock, and an
 * entry is marked as being sent (by which tab, until when) before it
 * goes out, so two tabs never send the same entry. The one window where a
 * message may go out twice: a tab closed or reloaded while its request is
 * on the wire leaves an entry marked as being sent, and it is tried again
 * when that mark expires (`IN_FLIGHT_LEASE_MS`), although the service may
 * have received it. Channels send the notification id along (webhook
 * header `X-Lmk-Event-Id`, Matrix transaction id) so that services which
 * can de-duplicate do.
 *
 * Each channel has its own rate limit and its own entries and backoff: a
 * failing or slow channel never delays another. One timer serves the
 * whole outbox (the next due time).
 */
export class Outbox {
  constructor(options: Outbox.IOptions) {
    this._storage = options.storage;
    this._key = options.key;
    this._locks = options.locks;
    this._deliver = options.deliver;
    this._onOutcome = options.onOutcome;
    this._trans = options.trans;
    this._retryMs = options.retryMs ?? (() => DEFAULT_RETRY_MS);
    this._perMinute = options.perMinute ?? (() => DEFAULT_PER_MINUTE);
    this._backoff = options.backoff ?? DEFAULT_BACKOFF;
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
    return this._read().entries;
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
    const queued = await this._locks.request(this._key, async () => {
      const state = this._read();
      const now = this._now();
      const results = new Map<string, IDeliveryResult>();
      const keys = new Set<string>();
      state.notifications[notification.id] = notification;
      for (const channelId of channelIds) {
        const key = Private.keyOf(notification.id, channelId);
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
          Object.assign(existing, {
            created: now,
            due: now,
            failures: 0,
            lastError: null,
            inFlight: null
          });
        } else {
          state.entries.push({
            key,
            notificationId: notification.id,
            channelId,
            created: now,
            due: now,
            failures: 0,
            lastError: null,
            inFlight: null
          });
        }
      }
      const evicted = this._evict(state, keys);
      const picked = this._pick(state, now, keys);
      for (const channelId of channelIds) {
        const key = Private.keyOf(notification.id, channelId);
        if (!results.has(channelId) && !picked.some(e => e.key === key)) {
          results.set(channelId, this._waiting(state, channelId, now));
        }
      }
      this._write(state);
      this._schedule(state, now);
      return { results, picked, evicted };
    });
    this._emitEvicted(queued.evicted);
    await Promise.all(
      queued.picked.map(async entry => {
        const result = await this._attempt(entry, notification, false);
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
    return channelIds.map(id => queued.results.get(id)!);
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
      this._schedule(this._read(), this._now());
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
    const due = await this._locks.request(this._key, async () => {
      const state = this._read();
      const now = this._now();
      const picked = this._pick(state, now, null);
      this._write(state);
      this._schedule(state, now);
      return picked.map(entry => ({
        entry,
        notification: state.notifications[entry.notificationId]
      }));
    });
    for (const { entry, notification } of due) {
      void this._attempt(entry, notification, true);
    }
  }

  /**
   * Mark the due entries (all, or those in `only`) as being sent by this
   * tab, within each channel's rate limit; returns copies of them.
   */
  private _pick(
    state: IOutboxState,
    now: number,
    only: Set<string> | null
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
                      Private.duration(this._attemptMs(), this._trans)
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
      const state = this._read();
      const now = this._now();
      const stored = state.entries.find(e => e.key === entry.key) ?? null;
      const ours = stored?.inFlight?.owner === this._owner;
      let final: IDeliveryResult | null;
      if (result) {
        final = result;
        Private.remove(state, entry.key);
      } else if (stored && !ours) {
        // Taken over by another tab, which will report.
        final = null;
      } else {
        final = this._afterFailure(state, stored, entry, failure, now);
      }
      this._write(state);
      this._schedule(state, now);
      return final;
    });
    if (outcome && emit && !this._isDisposed) {
      this._onOutcome(notification, outcome);
    }
    return outcome;
  }

  /**
   * What a failed attempt leads to: a retry later (`pending`), or the end
   * (`failed`): a cause retrying cannot fix, or the retry time is over.
   */
  private _afterFailure(
    state: IOutboxState,
    stored: IOutboxEntry | null,
    entry: IOutboxEntry,
    reason: unknown,
    now: number
  ): IDeliveryResult {
    const failures = (stored?.failures ?? entry.failures) + 1;
    const { retryable, retryAfterMs, cause } = this._classify(reason, failures);
    const channelId = entry.channelId;
    if (!retryable) {
      Private.remove(state, entry.key);
      return { channelId, status: 'failed', detail: cause };
    }
    const delay = backoffDelay(
      failures,
      retryAfterMs,
      this._backoff,
      this._random
    );
    if (!stored || now + delay - entry.created > this._retryMs()) {
      Private.remove(state, entry.key);
      return {
        channelId,
        status: 'failed',
        detail: this._trans.__(
          'Gave up after %1: %2',
          Private.duration(now - entry.created, this._trans),
          cause
        )
      };
    }
    Object.assign(stored, {
      failures,
      due: now + delay,
      lastError: cause,
      inFlight: null
    });
    return {
      channelId,
      status: 'pending',
      detail: this._trans.__(
        'Will retry in %1 (at %2): %3',
        Private.duration(delay, this._trans),
        new Date(now + delay).toLocaleTimeString(),
        cause
      )
    };
  }

  /**
   * Whether a failure may pass, how long the service asked to wait, and
   * its cause in words. A `DeliveryError` that says so is retried
   * (network, timeout, 408, 429, 5xx) until the retry time is over. A
   * "CORS refused or connection dropped" failure (a browser cannot tell
   * the two apart) is retried `CORS_RETRIES` times only: a dropped
   * connection passes on a retry, a CORS refusal fails again at once (the
   * channels that send without a preflight go to services that allow CORS,
   * so a refused request was not received and a retry cannot double it).
   * Any other exception is a fault retrying does not fix.
   */
  private _classify(
    reason: unknown,
    failures: number
  ): {
    retryable: boolean;
    retryAfterMs: number | null;
    cause: string;
  } {
    const cause =
      reason instanceof Error && reason.message
        ? reason.message
        : this._trans.__('The channel failed for an unknown reason.');
    if (reason instanceof DeliveryError) {
      return {
        retryable:
          reason.retryable ||
          (reason.kind === 'cors' && failures <= CORS_RETRIES),
        retryAfterMs: reason.retryAfterMs,
        cause
      };
    }
    return { retryable: false, retryAfterMs: null, cause };
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
        Math.max(1, Math.floor(this._perMinute(channelId))),
        Private.duration(Math.max(0, freeAt - now), this._trans)
      )
    };
  }

  /** When the channel may take its next attempt (`now` if it may now). */
  private _rateFreeAt(
    state: IOutboxState,
    channelId: string,
    now: number
  ): number {
    const limit = Math.max(1, Math.floor(this._perMinute(channelId)));
    const recent = (state.attempts[channelId] ?? []).filter(
      time => time > now - MINUTE_MS
    );
    return recent.length < limit
      ? now
      : recent[recent.length - limit] + MINUTE_MS;
  }

  /**
   * Keep at most `capacity` entries: give up the oldest waiting ones
   * (never those just queued or being sent).
   */
  private _evict(
    state: IOutboxState,
    keep: Set<string>
  ): { notification: ILmkNotification; result: IDeliveryResult }[] {
    const evicted: {
      notification: ILmkNotification;
      result: IDeliveryResult;
    }[] = [];
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
      Private.remove(state, entry.key);
    }
    return evicted;
  }

  private _emitEvicted(
    evicted: { notification: ILmkNotification; result: IDeliveryResult }[]
  ): void {
    for (const { notification, result } of evicted) {
      this._onOutcome(notification, result);
    }
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

  private _read(): IOutboxState {
    if (this._volatile) {
      return Private.copy(this._volatile);
    }
    if (!this._storage) {
      return Private.empty();
    }
    try {
      return Private.parse(this._storage.getItem(this._key));
    } catch {
      return Private.empty();
    }
  }

  /**
   * Store the state; where storage refuses (full, or off), keep it in this
   * page: retries go on, but a reload loses them.
   */
  private _write(state: IOutboxState): void {
    Private.prune(state, this._now());
    if (this._storage) {
      try {
        if (state.entries.length || Object.keys(state.attempts).length) {
          this._storage.setItem(this._key, JSON.stringify(state));
        } else {
          this._storage.removeItem(this._key);
        }
        this._volatile = null;
        return;
      } catch {
        // Fall through: kept in this page.
      }
    }
    this._volatile = Private.copy(state);
  }

  private _storage: ISharedStorage | null;
  private _key: string;
  private _locks: ILockManager;
  private _deliver: Outbox.IOptions['deliver'];
  private _onOutcome: Outbox.IOptions['onOutcome'];
  private _trans: TranslationBundle;
  private _retryMs: () => number;
  private _perMinute: (channelId: string) => number;
  private _backoff: IBackoffPolicy;
  private _leaseMs: number;
  private _capacity: number;
  private _now: () => number;
  private _random: () => number;
  private _owner: string;
  private _started = false;
  private _isDisposed = false;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _volatile: IOutboxState | null = null;
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
    /** How long to retry, in ms, read at each failure (default 1 hour). */
    retryMs?: () => number;
    /** The rate limit of a channel, per minute (default 10). */
    perMinute?: (channelId: string) => number;
    backoff?: IBackoffPolicy;
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
  export function keyOf(notificationId: string, channelId: string): string {
    return `${notificationId}\n${channelId}`;
  }

  export function empty(): IOutboxState {
    return { entries: [], notifications: {}, attempts: {} };
  }

  export function copy(state: IOutboxState): IOutboxState {
    return JSON.parse(JSON.stringify(state));
  }

  export function remove(state: IOutboxState, key: string): void {
    state.entries = state.entries.filter(entry => entry.key !== key);
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
      const recent = times.filter(time => time > now - MINUTE_MS);
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
      }
    }
    return state;
  }

  /** A duration for the user: "45 s", "3 min", "1 h". */
  export function duration(ms: number, trans: TranslationBundle): string {
    const seconds = Math.max(0, Math.round(ms / 1000));
    if (seconds < 120) {
      return trans.__('%1 s', seconds);
    }
    const minutes = Math.round(seconds / 60);
    if (minutes < 120) {
      return trans.__('%1 min', minutes);
    }
    return trans.__('%1 h', Math.round(minutes / 60));
  }
}
