import type { TranslationBundle } from '@jupyterlab/translation';
import type { IDeliveryResult, ILmkEvent } from '../tokens';
import type { IKernelResult } from './relayProtocol';

/**
 * "02:13": a time as the lab's messages show it.
 */
export function clockTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/**
 * What the kernel did with one channel, in the history's words. The kernel
 * reports kinds and status codes only (never an address or a token).
 */
export function kernelResult(
  result: IKernelResult,
  trans: TranslationBundle
): IDeliveryResult {
  const at = result.at ? clockTime(result.at) : '';
  if (result.status === 'sent' && result.confirmed === false) {
    return {
      channelId: result.channelId,
      status: 'sent',
      confirmed: false,
      detail: trans.__(
        'Sent from the kernel at %1, but not confirmed: the service did not answer in time. It is not sent again: this channel cannot drop copies, and the message may have arrived.',
        at
      )
    };
  }
  if (result.status === 'sent') {
    return {
      channelId: result.channelId,
      status: 'sent',
      confirmed: true,
      detail: trans.__('Sent from the kernel at %1.', at)
    };
  }
  if (result.status === 'skipped') {
    return {
      channelId: result.channelId,
      status: 'skipped',
      detail: trans.__(
        'The kernel held it back: this notebook had sent as many notifications as allowed in a minute.'
      )
    };
  }
  return {
    channelId: result.channelId,
    status: 'failed',
    detail: trans.__(
      'The kernel gave up at %1: %2',
      at,
      failureWords(result.failure, trans)
    )
  };
}

/**
 * A delivery the kernel is making now.
 */
export function kernelSending(
  channelId: string,
  trans: TranslationBundle
): IDeliveryResult {
  return {
    channelId,
    status: 'pending',
    detail: trans.__('Being sent from the kernel (no page was open in time).')
  };
}

/**
 * The line a notification's toast gets when the kernel sent it.
 */
export function kernelNote(
  results: readonly IKernelResult[],
  sending: boolean,
  trans: TranslationBundle
): string {
  if (sending) {
    return trans.__(
      'The kernel is sending it to your other channels: no page was open in time.'
    );
  }
  const sent = results.filter(result => result.status === 'sent');
  const at = results.find(result => result.at)?.at;
  if (!sent.length) {
    return trans.__(
      'The kernel tried to send it while no page was open, and failed: see the history.'
    );
  }
  return trans.__(
    'Sent from the kernel at %1 to %2, while no page was open.',
    at ? clockTime(at) : '',
    sent.map(result => result.channelId).join(', ')
  );
}

/**
 * The event with a note leading its body (for the lab's own channels): the
 * toast shows only the body's first lines, and the note is the news.
 */
export function withNote(event: ILmkEvent, note: string): ILmkEvent {
  return {
    ...event,
    text: `${note}\n${event.text}`,
    message: `${note}\n\n${event.message}`
  };
}

/**
 * Why the kernel's attempts at a channel failed, in words.
 */
export function failureWords(
  failure: IKernelResult['failure'],
  trans: TranslationBundle
): string {
  const status = failure?.status;
  switch (failure?.kind) {
    case 'timeout':
      return trans.__('the service did not answer in time.');
    case 'unreachable':
      return trans.__(
        'the service could not be reached from the kernel (no network, wrong address, or a proxy in the way).'
      );
    case 'unauthorized':
      return trans.__(
        'the credentials were refused (401): the token is wrong or has expired.'
      );
    case 'forbidden':
      return trans.__('access was refused (403).');
    case 'not-found':
      return trans.__(
        'there is nothing at this address (404): check the address, topic or room.'
      );
    case 'rate-limited':
      return trans.__('the service kept limiting how often we send (429).');
    case 'server':
      return trans.__('the service had a server error (%1).', status ?? '');
    case 'rejected':
      return trans.__('the service rejected the message (%1).', status ?? '');
    case 'invalid-config':
      return trans.__("the channel's settings cannot work.");
    default:
      return trans.__('the message could not be built.');
  }
}
