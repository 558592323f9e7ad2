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

/**
 * Hands notifications to the configured channels.
 *
 * Channels are sent to concurrently and each in isolation: a channel that
 * throws or is slow never stops the others from delivering.
 */
export class Notifier implements ILmkNotifier {
  constructor(options: Notifier.IOptions) {
    this._channels = options.channels;
    this._trans = options.trans;
    this._waitsForAway = options.waitsForAway ?? (() => false);
  }

  get delivered(): ISignal<
    this,
    { notification: ILmkNotification; results: IDeliveryResult[] }
  > {
    return this._delivered;
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
      wanted ? wanted.includes(config.id) : config.enabled
    );
    const results = await Promise.all(
      configs.map(config =>
        !options.evenIfPresent && this._waitsForAway(config)
          ? {
              channelId: config.id,
              status: 'skipped' as const,
              detail: this._trans.__(
                'You were in the lab (this channel delivers only when you are away).'
              )
            }
          : this._sendOne(notification, config)
      )
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
    return results;
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
  }
}
