import type { TranslationBundle } from '@jupyterlab/translation';
import { teamsPayload } from '../../messages/chatFormats';
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
  configString,
  checkWebhookUrl,
  fetchRequest,
  type IRemoteChannelOptions,
  jsonPostRequest,
  requireUrl,
  webhookSummary,
  webhookUrlField
} from './webhookCommon';

/** Microsoft's workflow hosts, which only take https. */
const TEAMS_HOSTS =
  /(^|\.)(logic\.azure\.com|powerplatform\.com|powerautomate\.com|office\.com)$/;

/**
 * A Microsoft Teams workflow webhook ("When a Teams webhook request is
 * received"), posted an Adaptive Card as JSON.
 *
 * Only JSON works: the workflow reads the card from a JSON body, and a
 * request without preflight cannot be JSON. So when the browser refuses
 * the request (CORS), nothing was sent and the delivery fails with that
 * reason, instead of going out in a form the workflow would drop silently.
 */
export class TeamsChannel implements IChannelType {
  readonly type = 'teams';
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
    const service = trans.__('Microsoft Teams');
    const request = teamsRequest(notification.event, config, trans);
    try {
      await fetchRequest(request, {
        mode: 'cors',
        service,
        trans,
        timeoutMs: this._timeoutMs
      });
    } catch (reason) {
      if (reason instanceof DeliveryError && reason.kind === 'cors') {
        throw new DeliveryError(
          'cors',
          trans.__(
            'The Teams workflow at %1 does not accept requests from a web page (CORS), so nothing was sent. Check that the address is the one of a "When a Teams webhook request is received" workflow.',
            hostOf(request.url)
          ),
          { pendingMessage: reason.pendingMessage }
        );
      }
      throw reason;
    }
    return { channelId: config.id, status: 'sent', confirmed: true };
  }

  private _trans: TranslationBundle;
  private _timeoutMs: number;
}

/**
 * The request that posts an event to a Teams workflow: an Adaptive Card as
 * JSON.
 */
export function teamsRequest(
  event: ILmkEvent,
  config: IChannelConfig,
  trans: TranslationBundle
): IHttpRequest {
  const url = requireUrl(config, 'url', trans.__('Microsoft Teams'), trans);
  return jsonPostRequest(url, teamsPayload(event, trans));
}

/**
 * Microsoft Teams in the channel form.
 */
export const teamsDescription: IChannelDescription = {
  type: 'teams',
  label: trans => trans.__('Microsoft Teams'),
  fields: trans => [
    webhookUrlField(
      trans,
      'https://…logic.azure.com/workflows/…',
      trans.__(
        'In the channel: Workflows → "Send webhook alerts to a channel" → copy the address it gives.'
      )
    )
  ],
  validate: (config, trans) => {
    const problem = checkWebhookUrl(
      config.url,
      trans,
      TEAMS_HOSTS,
      trans.__('Microsoft Teams')
    );
    const problems: { [field: string]: string } = {};
    if (problem) {
      problems.url = problem;
    }
    return problems;
  },
  summary: webhookSummary,
  check: (config, trans) =>
    checkReachable(configString(config, 'url'), 'Microsoft Teams', trans)
};
