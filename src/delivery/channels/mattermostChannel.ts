import type { TranslationBundle } from '@jupyterlab/translation';
import { mattermostPayload } from '../../messages/chatFormats';
import type {
  IChannelConfig,
  IChannelType,
  IDeliveryResult,
  ILmkEvent,
  ILmkNotification
} from '../../tokens';
import { DeliveryError } from '../deliveryError';
import {
  hostOf,
  checkReachable,
  type IHttpRequest,
  DELIVERY_TIMEOUT_MS
} from '../http';
import type { IChannelDescription } from './channelDescription';
import {
  checkWebhookUrl,
  configString,
  fetchRequest,
  formPostRequest,
  type IRemoteChannelOptions,
  jsonPostRequest,
  postWithoutCors,
  requireUrl,
  webhookSummary,
  webhookUrlField
} from './webhookCommon';

/**
 * A Mattermost incoming webhook.
 *
 * Mattermost sends CORS headers only for the origins its administrator
 * allowed (`AllowCorsFrom`). The post goes as JSON first, which is
 * confirmed; if the browser refuses it (the preflight failed, so nothing
 * was posted), it goes again as a form post (`payload=<json>`, documented
 * by Mattermost) that needs no preflight and whose answer stays hidden:
 * sent, not confirmed. Hosts found without CORS skip the JSON attempt
 * from then on.
 */
export class MattermostChannel implements IChannelType {
  readonly type = 'mattermost';
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
    const request = mattermostRequest(notification.event, config, trans);
    const host = hostOf(request.url);
    if (!this._withoutCors.has(host)) {
      try {
        await fetchRequest(request, {
          mode: 'cors',
          service: 'Mattermost',
          trans,
          timeoutMs: this._timeoutMs
        });
        return { channelId: config.id, status: 'sent', confirmed: true };
      } catch (reason) {
        if (!(reason instanceof DeliveryError) || reason.kind !== 'cors') {
          throw reason;
        }
        this._withoutCors.add(host);
      }
    }
    return postWithoutCors(
      {
        http: formPostRequest(request.url, { payload: request.body ?? '' }),
        service: 'Mattermost',
        trans,
        timeoutMs: this._timeoutMs
      },
      config.id
    );
  }

  private _trans: TranslationBundle;
  private _timeoutMs: number;
  /** Hosts that refused a JSON post for CORS (this session). */
  private _withoutCors = new Set<string>();
}

/**
 * The request that posts an event to a Mattermost incoming webhook, as
 * JSON (the form post without CORS carries the same JSON).
 */
export function mattermostRequest(
  event: ILmkEvent,
  config: IChannelConfig,
  trans: TranslationBundle
): IHttpRequest {
  const url = requireUrl(config, 'url', 'Mattermost', trans);
  return jsonPostRequest(
    url,
    mattermostPayload(event, {
      channel: configString(config, 'channel'),
      username: configString(config, 'username')
    })
  );
}

/**
 * Mattermost in the channel form.
 */
export const mattermostDescription: IChannelDescription = {
  type: 'mattermost',
  label: trans => trans.__('Mattermost'),
  fields: trans => [
    webhookUrlField(
      trans,
      'https://mattermost.example.org/hooks/…',
      trans.__('Integrations → Incoming Webhooks → Add Incoming Webhook.')
    ),
    {
      name: 'channel',
      label: trans.__('Channel'),
      kind: 'text',
      help: trans.__(
        "Optional: post to this channel (its name in the address, e.g. town-square) instead of the webhook's own, if the webhook allows it."
      )
    },
    {
      name: 'username',
      label: trans.__('Post as'),
      kind: 'text',
      help: trans.__(
        'Optional: the name shown on the posts, if the server allows webhooks to choose one.'
      )
    }
  ],
  validate: (config, trans) => {
    const problems: { [field: string]: string } = {};
    const url = checkWebhookUrl(config.url, trans);
    if (url) {
      problems.url = url;
    }
    const channel = config.channel;
    if (
      typeof channel === 'string' &&
      channel.trim() &&
      !/^@?[a-z0-9][a-z0-9._-]{0,63}$/.test(channel.trim())
    ) {
      problems.channel = trans.__(
        'Use the channel name from its address (lower-case letters, digits, - _ .), or @user for a direct message.'
      );
    }
    return problems;
  },
  summary: config => {
    const host = webhookSummary(config);
    const channel = configString(config, 'channel');
    return channel ? `${host} · ${channel}` : host;
  },
  check: (config, trans) =>
    checkReachable(configString(config, 'url'), 'Mattermost', trans)
};
