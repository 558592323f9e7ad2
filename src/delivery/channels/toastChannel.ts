import { Notification } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import type {
  IChannelConfig,
  IChannelType,
  IDeliveryResult,
  ILmkEvent,
  ILmkNotification,
  INotificationTarget
} from '../../tokens';

/**
 * The in-lab toast, through JupyterLab's Notification API (so it is also
 * kept in the lab's notification centre).
 */
export class ToastChannel implements IChannelType {
  readonly type = 'toast';

  constructor(options: ToastChannel.IOptions) {
    this._trans = options.trans;
    this._goTo = options.goTo;
    this._offerDesktop = options.offerDesktop;
  }

  async send(
    notification: ILmkNotification,
    config: IChannelConfig
  ): Promise<IDeliveryResult> {
    const trans = this._trans;
    const { event, target } = notification;
    const actions: Notification.IAction[] = [];
    if (target) {
      actions.push({
        label: target.cellId
          ? trans.__('Go to cell')
          : trans.__('Open notebook'),
        caption: trans.__('Show %1', target.path),
        displayType: 'accent',
        callback: () => {
          void this._goTo(target);
        }
      });
    }
    const offer = this._offerDesktop();
    if (offer) {
      actions.push({
        label: trans.__('Enable desktop notifications'),
        caption: trans.__(
          'Also get a desktop notification when a run ends while you are in another tab.'
        ),
        displayType: 'link',
        callback: event => {
          // Keep the toast (and its "Go to cell") after the prompt.
          event.preventDefault();
          void offer();
        }
      });
    }
    Notification.emit(Private.toastText(event), Private.toastType(event), {
      autoClose: Private.autoClose(config),
      actions
    });
    return { channelId: config.id, status: 'sent' };
  }

  private _trans: TranslationBundle;
  private _goTo: (target: INotificationTarget) => Promise<void>;
  private _offerDesktop: () => (() => Promise<boolean>) | null;
}

/**
 * The namespace for `ToastChannel` statics.
 */
export namespace ToastChannel {
  /**
   * Options to create the toast channel.
   */
  export interface IOptions {
    trans: TranslationBundle;
    /** Show the notebook and cell a notification is about. */
    goTo: (target: INotificationTarget) => Promise<void>;
    /**
     * A way to turn desktop notifications on, when that is still possible;
     * offered as a button, so the permission prompt follows a user gesture.
     */
    offerDesktop: () => (() => Promise<boolean>) | null;
  }
}

namespace Private {
  /**
   * The toast shows the title, the first lines of the body and the report
   * values on one line (the lab cuts toasts at 140 characters).
   */
  export function toastText(event: ILmkEvent): string {
    const lines = event.text.split('\n');
    const body = event.report
      ? [
          ...lines.slice(0, event.error ? 2 : 1),
          Object.entries(event.report)
            .map(([name, value]) => `${name}: ${value}`)
            .join(', ')
        ]
      : lines.slice(0, 2);
    return [event.title, ...body].join('\n');
  }

  export function toastType(event: ILmkEvent): Notification.TypeOptions {
    switch (event.event) {
      case 'run.finished':
        return 'success';
      case 'run.failed':
      case 'kernel.died':
        return 'error';
      case 'manual':
        return 'info';
      default:
        return 'warning';
    }
  }

  /**
   * Toasts stay until dismissed, unless the channel sets `autoClose` (seconds).
   */
  export function autoClose(config: IChannelConfig): number | false {
    const seconds = config.autoClose;
    return typeof seconds === 'number' && seconds > 0 ? seconds * 1000 : false;
  }
}
