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
import type { IBackoffPolicy } from './outbox/backoff';
import type { IRetryTimes } from './outbox/retryPolicy';
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
 */
export class Notifier implements ILmkNotifier {
  constructor(options: Notifier.IOptions) {
    this._channels = options.channels;
    this._trans = options.trans;
    this._waitsForAway = options.waitsForAway ?? (() => false);
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
  }

  /** Whether `dispose` was called. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** The outbox of remote deliveries (for inspection). */
  get outbox(): Outbox {
    return this._outbox;
  }

  /**
   * Send what earlier pages or other tabs left in the outbox. Call once
   * the settings (and so the channels) are loaded.
   */
  resume(): Promise<void> {
    return this._outbox.resume();
  }

  /** Stop the outbox's timer; what is stored stays for the next page. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._outbox.dispose();
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
    const configs = this._channels().filter(config =>
      wanted ? wanted.includes(config.id) : isDefaultChannel(config)
    );
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
    this._handing.set(notification.id, []);
    const remote: IChannelConfig[] = [];
    const direct = configs.map(config => {
      if (!options.evenIfPresent && this._waitsForAway(config)) {
        return {
          channelId: config.id,
          status: 'skipped' as const,
          detail: this._trans.__(
            'You were in the lab (this channel delivers only when you are away).'
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
    const results = settled.map(
      (result, i) => result ?? remoteResults[remote.indexOf(configs[i])]
    );
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
    this._delivered.emit({ notification, results });
    // Outcomes of retries that came in meanwhile follow the first report.
    const later = this._handing.get(notification.id) ?? [];
    this._handing.delete(notification.id);
    for (const result of later) {
      this._delivered.emit({ notification, results: [result] });
    }
    return results;
  }

  /** A later outcome of a remote delivery: reported per channel. */
  private _update(notification: ILmkNotification, result: IDeliveryResult) {
    const waiting = this._handing.get(notification.id);
    if (waiting) {
      waiting.push(result);
    } else if (!this._isDisposed) {
      this._delivered.emit({ notification, results: [result] });
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
    return channelType.send(notification, config);
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

  private _channels: () => readonly IChannelConfig[];
  private _waitsForAway: (config: IChannelConfig) => boolean;
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
    /** This tab's id in the outbox (default: a random one). */
    owner?: string;
  }
}

namespace Private {
  /** A positive number from the settings, or the default. */
  export function positive(value: unknown, fallback: number): number {
    return typeof value === 'number' && Number.isFinite(value) && value > 0
      ? value
      : fallback;
  }
}
