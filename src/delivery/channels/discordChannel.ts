import type { TranslationBundle } from '@jupyterlab/translation';
import { discordPayload } from '../../messages/chatFormats';
import type {
  IChannelConfig,
  IChannelType,
  IDeliveryResult,
  ILmkEvent,
  ILmkNotification
} from '../../tokens';
import {
  checkReachable,
  type IHttpRequest,
  DELIVERY_TIMEOUT_MS
} from '../http';
import type { IChannelDescription } from './channelDescription';
import {
  configString,
  checkWebhookUrl,
  fetchRequest,
  type IRemoteChannelOptions,
  jsonPostRequest,
  requireUrl,
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
    this._timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  }

  async send(
    notification: ILmkNotification,
    config: IChannelConfig
  ): Promise<IDeliveryResult> {
    const trans = this._trans;
    await fetchRequest(discordRequest(notification.event, config, trans), {
      mode: 'cors',
      service: 'Discord',
      trans,
      timeoutMs: this._timeoutMs
    });
    return { channelId: config.id, status: 'sent', confirmed: true };
  }

  private _trans: TranslationBundle;
  private _timeoutMs: number;
}

/**
 * The request that posts an event to a Discord webhook: one embed as JSON,
 * `?wait=true` so that Discord answers with the message.
 */
export function discordRequest(
  event: ILmkEvent,
  config: IChannelConfig,
  trans: TranslationBundle
): IHttpRequest {
  const url = new URL(requireUrl(config, 'url', 'Discord', trans));
  url.searchParams.set('wait', 'true');
  return jsonPostRequest(url.toString(), discordPayload(event, trans));
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
