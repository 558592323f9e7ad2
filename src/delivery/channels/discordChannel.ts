import type { TranslationBundle } from '@jupyterlab/translation';
import { discordPayload } from '../../messages/chatFormats';
import type {
  IChannelConfig,
  IChannelType,
  IDeliveryResult,
  ILmkNotification
} from '../../tokens';
import { fetchService, checkReachable } from '../http';
import type { IChannelDescription } from './channelDescription';
import {
  configString,
  checkWebhookUrl,
  type IRemoteChannelOptions,
  PRIVATE_REQUEST,
  requireUrl,
  urlSecrets,
  webhookSummary,
  webhookUrlField
} from './webhookCommon';

/** Discord's own hosts, which only take https. */
const DISCORD_HOSTS = /(^|\.)(discord|discordapp)\.com$/;

/**
 * A Discord webhook: one embed, posted as JSON with `?wait=true` so that
 * Discord answers with the message it created and the delivery is
 * confirmed. Discord allows cross-origin requests to its webhooks.
 */
export class DiscordChannel implements IChannelType {
  readonly type = 'discord';
  readonly remote = true;

  constructor(options: IRemoteChannelOptions) {
    this._trans = options.trans;
    this._timeoutMs = options.timeoutMs;
  }

  async send(
    notification: ILmkNotification,
    config: IChannelConfig
  ): Promise<IDeliveryResult> {
    const trans = this._trans;
    const url = new URL(requireUrl(config, 'url', 'Discord', trans));
    url.searchParams.set('wait', 'true');
    const body = JSON.stringify(discordPayload(notification.event, trans));
    await fetchService({
      url: url.toString(),
      init: {
        ...PRIVATE_REQUEST,
        method: 'POST',
        mode: 'cors',
        headers: { 'Content-Type': 'application/json' },
        body
      },
      service: 'Discord',
      trans,
      timeoutMs: this._timeoutMs,
      secrets: urlSecrets(url.toString())
    });
    return { channelId: config.id, status: 'sent', confirmed: true };
  }

  private _trans: TranslationBundle;
  private _timeoutMs: number | undefined;
}

/**
 * Discord in the channel form.
 */
export const discordDescription: IChannelDescription = {
  type: 'discord',
  label: trans => trans.__('Discord'),
  fields: trans => [
    webhookUrlField(
      trans,
      'https://discord.com/api/webhooks/…',
      trans.__('Channel settings → Integrations → Webhooks → Copy Webhook URL.')
    )
  ],
  validate: (config, trans) => {
    const problem = checkWebhookUrl(
      config.url,
      trans,
      DISCORD_HOSTS,
      'Discord'
    );
    const problems: { [field: string]: string } = {};
    if (problem) {
      problems.url = problem;
    }
    return problems;
  },
  summary: webhookSummary,
  check: (config, trans) =>
    checkReachable(configString(config, 'url'), 'Discord', trans)
};
