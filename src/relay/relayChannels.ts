import type { TranslationBundle } from '@jupyterlab/translation';
import { withNtfyLogin } from '../delivery/channels/channelCatalog';
import type { IChannelField } from '../delivery/channels/channelDescription';
import { channelsForNotebook } from '../rules/notebookChannels';
import { type ILmkAccounts, isDefaultChannel } from '../settings/lmkSettings';
import type { IChannelConfig } from '../tokens';
import type { IRelayChannel } from './relayProtocol';

/**
 * The channel types the kernel can send to itself (the lab's remote
 * channels; toast, desktop and sound need the page).
 */
export const KERNEL_CHANNEL_TYPES: ReadonlySet<string> = new Set([
  'ntfy',
  'webhook',
  'slack',
  'discord',
  'teams',
  'mattermost',
  'matrix',
  // Always sent by a kernel (src/relay/kernel/lmk_email.py).
  'email'
]);

/**
 * Whether a channel lets the kernel send to it while no page is open: a
 * remote channel, enabled, whose "Also when the browser is closed" switch
 * (`whenBrowserClosed`) is not off. A channel that does not mention the
 * switch counts as on.
 */
export function allowsClosedBrowser(config: IChannelConfig): boolean {
  return (
    config.enabled &&
    KERNEL_CHANNEL_TYPES.has(config.type) &&
    config.whenBrowserClosed !== false
  );
}

/**
 * The form's switch "Also when the browser is closed" for the channel
 * types the kernel can send to (`null` for the others).
 */
export function closedBrowserField(
  type: string,
  trans: TranslationBundle
): IChannelField | null {
  if (!KERNEL_CHANNEL_TYPES.has(type)) {
    return null;
  }
  return {
    name: 'whenBrowserClosed',
    label: trans.__('Also when the browser is closed'),
    kind: 'boolean',
    defaultValue: true,
    help: trans.__(
      "For IPython kernels: this channel's address and token are handed to the notebook's kernel for the length of a run, so the kernel can send the notification when no page of the lab is open."
    )
  };
}

/**
 * The channels handed to a notebook's kernel for one run: among those that
 * allow it, the ones its notification goes to (the notebook's choice, else
 * the defaults) and the defaults (for `notify()` calls without channel
 * ids), with the ntfy login filled in. Nothing else: a channel this
 * notebook never uses stays out of its kernel.
 */
export function kernelChannels(
  channels: readonly IChannelConfig[],
  notebookChoice: readonly string[] | null,
  accounts: ILmkAccounts
): IRelayChannel[] {
  const forRun = new Set(channelsForNotebook(channels, notebookChoice));
  const handed: IRelayChannel[] = [];
  for (const config of channels) {
    if (!allowsClosedBrowser(config)) {
      continue;
    }
    const run = forRun.has(config.id);
    const isDefault = isDefaultChannel(config);
    if (run || isDefault) {
      handed.push({
        config: withNtfyLogin(config, accounts) as IRelayChannel['config'],
        run,
        default: isDefault
      });
    }
  }
  return handed;
}

/**
 * The logins the kernel needs for the channels handed, in the settings'
 * shape `lmk_formats` reads (`context.accounts`): the Matrix login only when
 * a Matrix channel is handed (its access token is a secret). The ntfy login
 * is already in the ntfy channels that use it (`kernelChannels`).
 */
export function kernelAccounts(
  handed: readonly IRelayChannel[],
  accounts: ILmkAccounts
): ILmkAccounts {
  const matrix = accounts.matrix;
  return matrix && handed.some(entry => entry.config.type === 'matrix')
    ? { matrix }
    : {};
}
