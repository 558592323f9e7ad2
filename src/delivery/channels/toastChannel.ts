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
 *
 * Closing a toast (or dismissing it in the notification centre) tells
 * `seen`: the user has seen that notification. "Enable desktop
 * notifications" is offered on one toast per page, and no more once the
 * user declined.
 */
export class ToastChannel implements IChannelType {
  readonly type = 'toast';

  constructor(options: ToastChannel.IOptions) {
    this._trans = options.trans;
    this._goTo = options.goTo;
    this._offerDesktop = options.offerDesktop;
    this._seen = options.seen;
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
          this._seen(notification.id);
          void this._goTo(target);
        }
      });
    }
    const offer = this._offered ? null : this._offerDesktop();
    if (offer) {
      this._offered = true;
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
    const toastId = Notification.emit(
      Private.toastText(event),
      Private.toastType(event),
      { autoClose: Private.autoClose(config), actions }
    );
    this._follow(toastId, notification.id);
    return { channelId: config.id, status: 'sent' };
  }

  /**
   * Tell `seen` when the user closes the toast: hides it with its close
   * button, or dismisses it (its buttons, the notification centre).
   */
  private _follow(toastId: string, notificationId: string): void {
    if (!this._toasts) {
      this._toasts = new Map();
      Notification.manager.changed.connect((_, change) => {
        if (change.type === 'removed') {
          this._closed(change.notification.id);
        }
      });
      // The lab's API says nothing when a toast is only hidden: its close
      // button is known by its class, and the toast element by its id.
      document.addEventListener(
        'click',
        event => {
          const toast = (event.target as Element | null)
            ?.closest?.(CLOSE_BUTTON)
            ?.closest('.Toastify__toast');
          if (toast) {
            this._closed(toast.id);
          }
        },
        true
      );
    }
    this._toasts.set(toastId, notificationId);
    // The notification centre keeps a bounded list: so does this map.
    if (this._toasts.size > MAX_FOLLOWED) {
      const oldest = this._toasts.keys().next().value;
      if (oldest !== undefined) {
        this._toasts.delete(oldest);
      }
    }
  }

  /** A toast of ours was closed: its notification was seen. */
  private _closed(toastId: string): void {
    const id = this._toasts?.get(toastId);
    if (id !== undefined) {
      this._toasts?.delete(toastId);
      this._seen(id);
    }
  }

  private _trans: TranslationBundle;
  private _goTo: (target: INotificationTarget) => Promise<void>;
  private _offerDesktop: () => (() => Promise<boolean>) | null;
  private _seen: (notificationId: string) => void;
  private _offered = false;
  /** Toast id → notification id, for the toasts still in the lab. */
  private _toasts: Map<string, string> | null = null;
}

/** Toasts followed at most (the lab keeps at most that many too). */
const MAX_FOLLOWED = 200;

/** The close button of the lab's toasts. */
const CLOSE_BUTTON = '.jp-Notification-Toast-Close';

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
    /** The user saw a notification: closed its toast or went to its cell. */
    seen: (notificationId: string) => void;
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
