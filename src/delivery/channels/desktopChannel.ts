import { Notification as LabNotification } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import type {
  IChannelConfig,
  IChannelType,
  IDeliveryResult,
  ILmkNotification,
  INotificationTarget
} from '../../tokens';

/**
 * Longest body shown in a desktop notification; systems cut them anyway.
 */
const MAX_BODY = 300;

/** Where the lab remembers that the user declined desktop notifications. */
const DECLINED_KEY = 'jupyterlab-lmk:desktop-declined';

/**
 * Whether desktop notifications can be shown, as the user should hear it.
 */
export type DesktopAvailability =
  'granted' | 'default' | 'denied' | 'unsupported' | 'insecure';

/**
 * Desktop notifications through the browser's Notification API.
 *
 * Permission is only ever asked from a user gesture (`requestPermission`,
 * called by a command or a toast button), never on load.
 */
export class DesktopChannel implements IChannelType {
  readonly type = 'desktop';

  constructor(options: DesktopChannel.IOptions) {
    this._trans = options.trans;
    this._goTo = options.goTo;
    this._storage = options.storage ?? null;
  }

  /** Whether the browser would show a desktop notification now. */
  get availability(): DesktopAvailability {
    if (typeof window === 'undefined' || !('Notification' in window)) {
      return 'unsupported';
    }
    if (!window.isSecureContext) {
      return 'insecure';
    }
    return window.Notification.permission;
  }

  /** Whether asking for permission could still turn notifications on. */
  get canAsk(): boolean {
    return this.availability === 'default';
  }

  /**
   * Whether the user already turned the browser's question down (closed
   * it, or blocked the site), in this browser: then the lab stops
   * offering to ask.
   */
  get declined(): boolean {
    if (this.availability === 'denied') {
      return true;
    }
    try {
      return this._storage?.getItem(DECLINED_KEY) === 'true';
    } catch {
      return false;
    }
  }

  /** Why a desktop notification cannot be shown now, or null if it can. */
  unavailable(): string | null {
    const availability = this.availability;
    return availability === 'granted' ? null : this._describe(availability);
  }

  /**
   * Ask the browser for permission; must be called from a user gesture.
   * Tells the user, in the lab, what happened and what to do if refused.
   */
  async requestPermission(): Promise<boolean> {
    const trans = this._trans;
    switch (this.availability) {
      case 'unsupported':
        LabNotification.warning(
          trans.__('This browser cannot show desktop notifications.'),
          { autoClose: false }
        );
        return false;
      case 'insecure':
        LabNotification.warning(
          trans.__(
            'Desktop notifications need a secure page: open JupyterLab over https, or on localhost.'
          ),
          { autoClose: false }
        );
        return false;
      case 'granted':
        LabNotification.info(trans.__('Desktop notifications are on.'), {
          autoClose: 5000
        });
        return true;
      default:
        break;
    }
    let permission: NotificationPermission;
    try {
      permission = await window.Notification.requestPermission();
    } catch {
      permission = window.Notification.permission;
    }
    if (permission !== 'granted') {
      try {
        this._storage?.setItem(DECLINED_KEY, 'true');
      } catch {
        // Storage off: the lab may offer once more after a reload.
      }
    }
    if (permission === 'granted') {
      LabNotification.success(trans.__('Desktop notifications are on.'), {
        autoClose: 5000
      });
      return true;
    }
    LabNotification.warning(
      permission === 'denied'
        ? trans.__(
            'The browser blocks notifications from this site. Allow them in the site settings (the icon left of the address), then reload.'
          )
        : trans.__(
            'Desktop notifications stay off: the permission request was dismissed.'
          ),
      { autoClose: false }
    );
    return false;
  }

  async send(
    notification: ILmkNotification,
    config: IChannelConfig
  ): Promise<IDeliveryResult> {
    const availability = this.availability;
    if (availability !== 'granted') {
      return {
        channelId: config.id,
        status: 'skipped',
        detail: this._describe(availability)
      };
    }
    const { event, target } = notification;
    const body =
      event.text.length > MAX_BODY
        ? event.text.slice(0, MAX_BODY - 1) + '…'
        : event.text;
    const shown = new window.Notification(event.title, {
      body,
      tag: notification.id
    });
    shown.onclick = () => {
      window.focus();
      shown.close();
      if (target) {
        void this._goTo(target);
      }
    };
    return { channelId: config.id, status: 'sent' };
  }

  private _describe(availability: DesktopAvailability): string {
    const trans = this._trans;
    switch (availability) {
      case 'unsupported':
        return trans.__('This browser cannot show desktop notifications.');
      case 'insecure':
        return trans.__('The page is not secure (https or localhost).');
      case 'denied':
        return trans.__('The browser blocks notifications from this site.');
      default:
        return trans.__('Desktop notifications have not been enabled yet.');
    }
  }

  private _trans: TranslationBundle;
  private _goTo: (target: INotificationTarget) => Promise<void>;
  private _storage: Pick<Storage, 'getItem' | 'setItem'> | null;
}

/**
 * The namespace for `DesktopChannel` statics.
 */
export namespace DesktopChannel {
  /**
   * Options to create the desktop channel.
   */
  export interface IOptions {
    trans: TranslationBundle;
    /** Show the notebook and cell a notification is about. */
    goTo: (target: INotificationTarget) => Promise<void>;
    /** Where a declined permission is remembered (`localStorage`). */
    storage?: Pick<Storage, 'getItem' | 'setItem'> | null;
  }
}
