import type { TranslationBundle } from '@jupyterlab/translation';
import type { IDeliveryResult } from '../tokens';

/**
 * What a channel did with a notification, in a word or two: "sent",
 * "sent, not confirmed", "waiting" (held until you are away, or retried
 * later), "not sent" (with a reason: you saw it, the browser blocks it…),
 * "failed". The same words in the history, the channel list and a test's
 * report.
 */
export function deliveryStatus(
  result: IDeliveryResult,
  trans: TranslationBundle
): string {
  switch (result.status) {
    case 'sent':
      return result.confirmed === false
        ? trans.__('sent, not confirmed')
        : trans.__('sent');
    case 'pending':
      return trans.__('waiting');
    case 'skipped':
      return trans.__('not sent');
    default:
      return trans.__('failed');
  }
}
