import type {
  IChannelConfig,
  IDeliveryResult,
  ILmkNotification
} from '../tokens';

/**
 * Who sends a notification the notifier is about to deliver:
 *
 * - `all`: this page, through every channel;
 * - `none`: someone else has it (another page holds it);
 * - `rest`: someone else sent it through some channels (`handled`, with
 *   their results); this page sends through its own channels (toast,
 *   desktop, sound) and, if `remote`, through the remote channels nobody
 *   handled, with `notification` if given (a note added for the page).
 */
export type Arbitration =
  | { send: 'all' }
  | { send: 'none'; detail: string }
  | {
      send: 'rest';
      handled: IDeliveryResult[];
      remote: boolean;
      notification?: ILmkNotification;
    };

/**
 * Decides, outside this page, who delivers what: the notebook's kernel
 * may have sent a notification while no page was open (src/relay).
 */
export interface IDeliveryArbiter {
  /** Before a notification goes to its channels. */
  arbitrate(notification: ILmkNotification): Promise<Arbitration>;
  /**
   * Before each attempt at a remote delivery (the outbox retries, perhaps
   * after a reload): `null` to go on, or the result that replaces it.
   */
  beforeAttempt(
    notification: ILmkNotification,
    config: IChannelConfig
  ): Promise<IDeliveryResult | null>;
  /** What the channels did, as it comes (first results, then each later one). */
  delivered(notification: ILmkNotification, results: IDeliveryResult[]): void;
}
