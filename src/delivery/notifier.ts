import type { TranslationBundle } from '@jupyterlab/translation';
import { DisposableDelegate, type IDisposable } from '@lumino/disposable';
import { type ISignal, Signal } from '@lumino/signaling';
import type {
  IChannelConfig,
  IChannelType,
  IDeliveryResult,
  ILmkNotification,
  ILmkNotifier
} from '../tokens';
import { isDefaultChannel } from '../settings/lmkSettings';
import { boundEvent, compactEvent } from '../messages/boundEvent';
import type { Arbitration, IDeliveryArbiter } from './arbiter';
import type { IBackoffPolicy } from './outbox/backoff';
import type { IRetryTimes } from './outbox/retryPolicy';
import { AwayHold, type IHeldEntry } from './awayHold';
import {
  browserLocks,
  ClaimSet,
  type ILockManager,
  type ISharedStorage,
  LocalLocks
} from './crossTab';
import { DeliveryError } from './deliveryError';
import { DEFAULT_PER_MINUTE, DEFAULT_RETRY_MS, Outbox } from './outbox/outbox';

/**
 * Hands notifications to the configured channels.
 *
 * Channels are sent to concurrently and each in isolation: a channel that
 * throws or is slow never stops the others from delivering. Local channels
 * (toast, desktop, sound) are sent to directly; remote ones go through the
 * outbox (stored first, retried, sent by one tab).
 *
 * Across the tabs of one lab, each notification id is delivered once: the
 * first tab to claim the id delivers it, the others stand down. What the
 * user asks for in a tab (`evenIfPresent`: a test, a resend) is not
 * claimed: it happens in one tab, and a resend reuses its id on purpose.
 *
 * Channels that deliver only when the user is away hold a notification
 * that comes while the user is here (`AwayHold`, kept across reloads):
 * `settleHeld` delivers it once the user is away, `markSeen` drops it
 * when the user saw it in the lab, and it is dropped after the retry time.
 */
export class Notifier implements ILmkNotifier {
  constructor(options: Notifier.IOptions) {
    this._channels = options.channels;
    this._trans = options.trans;
    this._waitsForAway = options.waitsForAway ?? (() => false);
    this._arbiter = options.arbiter ?? (() => null);
    const shared = options.delivery ?? {};
    const storage = shared.storage ?? null;
    const scope = shared.scope ?? '';
    const locks =
      shared.locks ?? (storage ? browserLocks(storage) : new LocalLocks());
    this._claims = new ClaimSet({
      storage,
      key: `jupyterlab-lmk:claims:${scope}`,
      locks,
      now: shared.now
    });
    const retryMinutes = shared.retryMinutes;
    this._outbox = new Outbox({
      storage,
      key: `jupyterlab-lmk:outbox:${scope}`,
      locks,
      deliver: (notification, channelId) =>
        this._deliverRemote(notification, channelId),
      onOutcome: (notification, result) => this._update(notification, result),
      trans: options.trans,
      bound: boundEvent,
      compact: compactEvent,
      makeRoom: shared.makeRoom,
      retryMs: retryMinutes
        ? () =>
            Private.positive(retryMinutes(), DEFAULT_RETRY_MS / 60_000) * 60_000
        : undefined,
      perMinute: channelId =>
        Private.positive(
          this._channels().find(config => config.id === channelId)?.perMinute,
          DEFAULT_PER_MINUTE
        ),
      deduplicates: channelId => {
        const config = this._channels().find(c => c.id === channelId);
        return !!config && !!this._types.get(config.type)?.deduplicates;
      },
      backoff: shared.backoff,
      retryTimes: shared.retryTimes,
      leaseMs: shared.leaseMs,
      now: shared.now,
      random: shared.random,
      owner: shared.owner
    });
    this._now = shared.now ?? Date.now;
    this._retryMs = () =>
      Private.positive(retryMinutes?.(), DEFAULT_RETRY_MS / 60_000) * 60_000;
    this._hold = new AwayHold({
      storage,
      key: `jupyterlab-lmk:held:${scope}`,
      locks,
      owner: shared.owner,
      now: shared.now,
      leaseMs: shared.holdLeaseMs
    });
  }

  /** Whether `dispose` was called. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** The outbox of remote deliveries (for inspection). */
  get outbox(): Outbox {
    return this._outbox;
  }

  /** The notifications held until the user is away (for inspection). */
  get held(): AwayHold {
    return this._hold;
  }

  /**
   * Send what earlier pages or other tabs left in the outbox, and settle
   * what they held. Call once the settings (and so the channels) are
   * loaded.
   */
  async resume(): Promise<void> {
    this._resumed = true;
    await Promise.all([this._outbox.resume(), this.settleHeld()]);
  }

  /**
   * Deliver the held notifications whose channels no longer wait (the
   * user went away, or "only when I'm away" was switched off), drop those
   * past the retry time, and set the timer for the next look. Call when
   * presence changes and when another tab changed what is held.
   */
  async settleHeld(): Promise<void> {
    if (this._isDisposed || !this._resumed) {
      return;
    }
    const { release, expired } = await this._hold.settle(
      entry => this._stillWaits(entry),
      this._retryMs()
    );
    for (const entry of expired) {
      this._reportHeld(
        entry,
        this._trans.__(
          'You did not leave the lab within %1 min of it.',
          Math.round(this._retryMs() / 60_000)
        )
      );
    }
    this._scheduleHold();
    await Promise.all(
      release.map(async entry => {
        const { notification } = entry;
        this._handing.set(notification.id, []);
        const results = await this._handOut(
          notification,
          entry.channelIds.map(
            id =>
              this._channels().find(config => config.id === id) ?? {
                id,
                type: '',
                enabled: false
              }
          ),
          config =>
            config.type && !config.enabled
              ? {
                  channelId: config.id,
                  status: 'skipped',
                  detail: this._trans.__(
                    'The channel was switched off meanwhile.'
                  )
                }
              : null
        );
        this._emit(notification, results);
      })
    );
  }

  markSeen(notificationId: string): void {
    void this._hold.forget(notificationId).then(entry => {
      if (entry) {
        this._reportHeld(entry, this._trans.__('You saw it in the lab.'));
        this._scheduleHold();
      }
    });
  }

  /** Stop the timers; what is stored stays for the next page. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._outbox.dispose();
    if (this._holdTimer !== null) {
      clearTimeout(this._holdTimer);
      this._holdTimer = null;
    }
    Signal.clearData(this);
  }

  get delivered(): ISignal<
    this,
    { notification: ILmkNotification; results: IDeliveryResult[] }
  > {
    return this._delivered;
  }

  /** Whether a channel type is registered. */
  hasChannelType(type: string): boolean {
    return this._types.has(type);
  }

  registerChannelType(channelType: IChannelType): IDisposable {
    if (this._types.has(channelType.type)) {
      throw new Error(
        `Channel type "${channelType.type}" is already registered`
      );
    }
    this._types.set(channelType.type, channelType);
    return new DisposableDelegate(() => {
      if (this._types.get(channelType.type) === channelType) {
        this._types.delete(channelType.type);
      }
    });
  }

  async notify(
    notification: ILmkNotification,
    options: ILmkNotifier.INotifyOptions = {}
  ): Promise<IDeliveryResult[]> {
    const wanted = options.channels;
    let configs = this._channels().filter(config =>
      wanted ? wanted.includes(config.id) : isDefaultChannel(config)
    );
    if (!notification.event.sender) {
      notification = {
        ...notification,
        event: { ...notification.event, sender: 'lab' }
      };
    }
    if (
      !options.evenIfPresent &&
      !(await this._claims.claim(notification.id))
    ) {
      // Another tab has it (and records it in the shared history).
      return configs.map(config => ({
        channelId: config.id,
        status: 'skipped',
        detail: this._trans.__('Delivered by another tab of this lab.')
      }));
    }
    if (options.evenIfPresent) {
      // Sent again by hand: nothing of it is held any more.
      await this._hold.forget(notification.id);
    }
    // What the user asks for right now (a test, a resend) is this page's.
    const arbiter = options.evenIfPresent ? null : this._arbiter();
    const verdict: Arbitration = arbiter
      ? await arbiter.arbitrate(notification)
      : { send: 'all' };
    if (verdict.send === 'none') {
      return configs.map(config => ({
        channelId: config.id,
        status: 'skipped',
        detail: verdict.detail
      }));
    }
    const handled = verdict.send === 'rest' ? verdict.handled : [];
    if (verdict.send === 'rest') {
      const done = new Set(handled.map(result => result.channelId));
      configs = configs.filter(
        config =>
          !done.has(config.id) &&
          (verdict.remote || !this._types.get(config.type)?.remote)
      );
      notification = verdict.notification ?? notification;
    }
    this._handing.set(notification.id, []);
    const held: string[] = [];
    const results = await this._handOut(notification, configs, config => {
      if (options.evenIfPresent || !this._waitsForAway(config)) {
        return null;
      }
      // What keeps the channel from delivering at all comes first.
      const unavailable = this._types.get(config.type)?.unavailable?.(config);
      if (unavailable) {
        return { channelId: config.id, status: 'skipped', detail: unavailable };
      }
      held.push(config.id);
      return {
        channelId: config.id,
        status: 'pending',
        detail: this._trans.__(
          'Waits until you are away from the lab (not sent if you see it here first).'
        )
      };
    });
    if (held.length) {
      const dropped = await this._hold.hold(notification, held);
      for (const entry of dropped) {
        this._reportHeld(
          entry,
          this._trans.__('Too many notifications were waiting.')
        );
      }
      this._scheduleHold();
    }
    if (wanted) {
      for (const id of wanted) {
        if (!configs.some(config => config.id === id)) {
          results.push({
            channelId: id,
            status: 'failed',
            detail: this._trans.__('There is no channel with id "%1".', id)
          });
        }
      }
    }
    results.unshift(...handled);
    this._emit(notification, results);
    return results;
  }

  /**
   * Hand a notification to channels: local ones directly, remote ones
   * through the outbox; `before` may answer for a channel instead.
   */
  private async _handOut(
    notification: ILmkNotification,
    configs: readonly IChannelConfig[],
    before: (config: IChannelConfig) => IDeliveryResult | null = () => null
  ): Promise<IDeliveryResult[]> {
    const remote: IChannelConfig[] = [];
    const direct = configs.map(config => {
      const answered = before(config);
      if (answered) {
        return answered;
      }
      if (!config.type) {
        return {
          channelId: config.id,
          status: 'failed' as const,
          detail: this._trans.__(
            'The channel was removed before the notification could be delivered.'
          )
        };
      }
      if (this._types.get(config.type)?.remote) {
        remote.push(config);
        return null;
      }
      return this._sendOne(notification, config);
    });
    const queued = remote.length
      ? this._outbox.enqueue(
          notification,
          remote.map(config => config.id)
        )
      : Promise.resolve([]);
    const [settled, remoteResults] = await Promise.all([
      Promise.all(direct),
      queued
    ]);
    return settled.map(
      (result, i) => result ?? remoteResults[remote.indexOf(configs[i])]
    );
  }

  /** Report what the channels did, then outcomes that came meanwhile. */
  private _emit(
    notification: ILmkNotification,
    results: IDeliveryResult[]
  ): void {
    this._delivered.emit({ notification, results });
    this._arbiter()?.delivered(notification, results);
    const later = this._handing.get(notification.id) ?? [];
    this._handing.delete(notification.id);
    for (const result of later) {
      this.record(notification, [result]);
    }
  }

  /** Whether a held notification must go on waiting. */
  private _stillWaits(entry: IHeldEntry): boolean {
    return entry.channelIds.some(id => {
      const config = this._channels().find(c => c.id === id);
      return !!config && this._waitsForAway(config);
    });
  }

  /** Report held channels as not sent, with why. */
  private _reportHeld(entry: IHeldEntry, detail: string): void {
    if (this._isDisposed) {
      return;
    }
    this.record(
      entry.notification,
      entry.channelIds.map(channelId => ({
        channelId,
        status: 'skipped',
        detail
      }))
    );
  }

  /** Set the one timer for the next look at what is held. */
  private _scheduleHold(): void {
    if (this._holdTimer !== null) {
      clearTimeout(this._holdTimer);
      this._holdTimer = null;
    }
    if (this._isDisposed || !this._resumed) {
      return;
    }
    const next = this._hold.nextCheck(this._retryMs());
    if (next === null) {
      return;
    }
    const delay = Math.min(MAX_HOLD_TIMER_MS, Math.max(0, next - this._now()));
    this._holdTimer = setTimeout(() => {
      this._holdTimer = null;
      void this.settleHeld();
    }, delay);
  }

  /**
   * Report what channels did with a notification without sending it: a
   * later outcome, or a delivery made outside this page (by the kernel).
   */
  record(notification: ILmkNotification, results: IDeliveryResult[]): void {
    if (this._isDisposed) {
      return;
    }
    this._delivered.emit({ notification, results });
    this._arbiter()?.delivered(notification, results);
  }

  /** A later outcome of a remote delivery: reported per channel. */
  private _update(notification: ILmkNotification, result: IDeliveryResult) {
    const waiting = this._handing.get(notification.id);
    if (waiting) {
      waiting.push(result);
    } else {
      this.record(notification, [result]);
    }
  }

  /**
   * One attempt through a remote channel, with its settings as they are
   * now: a channel removed meanwhile fails for good.
   */
  private async _deliverRemote(
    notification: ILmkNotification,
    channelId: string
  ): Promise<IDeliveryResult> {
    const config = this._channels().find(c => c.id === channelId);
    if (!config) {
      throw new DeliveryError(
        'invalid-config',
        this._trans.__(
          'The channel was removed before the notification could be delivered.'
        )
      );
    }
    const channelType = this._types.get(config.type);
    if (!channelType) {
      throw new DeliveryError(
        'invalid-config',
        this._trans.__('Unknown channel type "%1".', config.type)
      );
    }
    const instead = await this._arbiter()?.beforeAttempt(notification, config);
    return instead ?? channelType.send(notification, config);
  }

  private async _sendOne(
    notification: ILmkNotification,
    config: IChannelConfig
  ): Promise<IDeliveryResult> {
    const channelType = this._types.get(config.type);
    if (!channelType) {
      return {
        channelId: config.id,
        status: 'failed',
        detail: this._trans.__('Unknown channel type "%1".', config.type)
      };
    }
    try {
      return await channelType.send(notification, config);
    } catch (reason) {
      return {
        channelId: config.id,
        status: 'failed',
        detail:
          reason instanceof Error && reason.message
            ? reason.message
            : this._trans.__('The channel failed for an unknown reason.')
      };
    }
  }

  private _hold: AwayHold;
  private _holdTimer: ReturnType<typeof setTimeout> | null = null;
  private _resumed = false;
  private _retryMs: () => number;
  private _now: () => number;
  private _channels: () => readonly IChannelConfig[];
  private _waitsForAway: (config: IChannelConfig) => boolean;
  private _arbiter: () => IDeliveryArbiter | null;
  private _trans: TranslationBundle;
  private _types = new Map<string, IChannelType>();
  private _claims: ClaimSet;
  private _outbox: Outbox;
  /** Notifications being handed out, with outcomes to report after. */
  private _handing = new Map<string, IDeliveryResult[]>();
  private _isDisposed = false;
  private _delivered = new Signal<
    this,
    { notification: ILmkNotification; results: IDeliveryResult[] }
  >(this);
}

/**
 * The namespace for `Notifier` statics.
 */
export namespace Notifier {
  /**
   * Options to create a notifier.
   */
  export interface IOptions {
    /** The configured channels, read at each notification (settings apply live). */
    channels: () => readonly IChannelConfig[];
    /**
     * Whether a channel must hold back now because it delivers only when
     * the user is away and the user is here (default: never).
     */
    waitsForAway?: (config: IChannelConfig) => boolean;
    /**
     * Who else may deliver (the notebook's kernel, src/relay), asked
     * before each notification and each remote attempt; `null`: nobody.
     */
    arbiter?: () => IDeliveryArbiter | null;
    trans: TranslationBundle;
    /**
     * Where the outbox and the claims of notification ids are shared
     * between the tabs of this lab. Without it, both live in this page.
     */
    delivery?: IDeliveryOptions;
  }

  /**
   * How deliveries are shared between tabs and retried.
   */
  export interface IDeliveryOptions {
    /** `localStorage` in the lab; `null` keeps everything in this page. */
    storage?: ISharedStorage | null;
    /** Tells labs apart in storage: the lab's base URL. */
    scope?: string;
    /** Cross-tab locks (default: Web Locks, else leases in `storage`). */
    locks?: ILockManager;
    /** How long to retry a remote delivery, in minutes (default 60). */
    retryMinutes?: () => number;
    /**
     * Free some shared storage when the outbox has no room (the history
     * gives way): true if anything was freed.
     */
    makeRoom?: () => boolean;
    backoff?: IBackoffPolicy;
    /** The retry policy's waits (`DEFAULT_RETRY_TIMES`). */
    retryTimes?: IRetryTimes;
    /** See `IN_FLIGHT_LEASE_MS`. */
    leaseMs?: number;
    now?: () => number;
    random?: () => number;
    /** This tab's id in the outbox and the held notifications (default: random). */
    owner?: string;
    /** See `HOLD_LEASE_MS`. */
    holdLeaseMs?: number;
  }
}

/** Longest hold timer set at once (clocks jump; timers overflow). */
const MAX_HOLD_TIMER_MS = 10 * 60_000;

namespace Private {
  /** A positive number from the settings, or the default. */
  export function positive(value: unknown, fallback: number): number {
    return typeof value === 'number' && Number.isFinite(value) && value > 0
      ? value
      : fallback;
  }
}
