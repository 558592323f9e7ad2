import type { TranslationBundle } from '@jupyterlab/translation';
import type { IKernelRelay } from '../tokens';
import type { WatcherState } from './relayKernels';

/**
 * What decides whether a notebook's kernel can deliver while no page is
 * open.
 */
export interface IRelayStatusInput {
  /** Ids of the channels its kernel would be handed. */
  channels: readonly string[];
  /** The kernel's name, or `null` without a kernel. */
  kernelName: string | null;
  /** Where the kernel stands with the watcher (`null`: not asked yet). */
  watcher: WatcherState | null;
  reason?: string | null;
  detail?: string | null;
}

/**
 * Whether a notebook's kernel can deliver while the browser is closed, and
 * why not, in one sentence for the bell menu and the side panel.
 */
export function relayStatus(
  input: IRelayStatusInput,
  trans: TranslationBundle
): IKernelRelay.IStatus {
  const only = (why: string) => ({
    can: false,
    text: trans.__('Only while a page is open: %1', why)
  });
  if (!input.channels.length) {
    return only(
      trans.__(
        'no channel of this notebook allows delivery with the browser closed.'
      )
    );
  }
  if (input.kernelName === null) {
    return only(trans.__('there is no kernel.'));
  }
  switch (input.watcher ?? 'unknown') {
    case 'unknown':
      return {
        can: false,
        text: trans.__('Checking whether the kernel can deliver…')
      };
    case 'other':
      return only(trans.__('"%1" is not an IPython kernel.', input.kernelName));
    case 'refused':
      return only(
        trans.__('the kernel refused the watcher (%1).', refusal(input, trans))
      );
    case 'silent':
      return only(
        trans.__(
          'the kernel does not answer the lab on its control channel (the server may filter kernel messages).'
        )
      );
    default:
      return {
        can: true,
        text: trans.__(
          'Also when the browser is closed: the kernel sends to %1.',
          input.channels.join(', ')
        )
      };
  }
}

function refusal(input: IRelayStatusInput, trans: TranslationBundle): string {
  switch (input.reason) {
    case 'not-ipykernel':
      return trans.__('it does not run on ipykernel');
    case 'ipykernel-version':
      return trans.__('%1; 6 or newer is needed', input.detail ?? '');
    case 'no-answer':
      return trans.__('no answer');
    default:
      return input.detail
        ? trans.__('error: %1', input.detail)
        : trans.__('an error');
  }
}
