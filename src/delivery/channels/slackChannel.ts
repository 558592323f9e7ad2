import type { TranslationBundle } from '@jupyterlab/translation';
import { slackPayload } from '../../messages/chatFormats';
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
  formPostRequest,
  type IRemoteChannelOptions,
  postWithoutCors,
  requireUrl,
  webhookSummary,
  webhookUrlField
} from './webhookCommon';

/** Slack's own hosts, which only take https. */
const SLACK_HOSTS = /(^|\.)slack\.com$/;

/**
 * A Slack incoming webhook.
 *
 * Slack sends no CORS headers, so the message goes as a form post
 * (`payload=<json>`, which Slack documents) that needs no preflight, in
 * `no-cors` mode: it arrives, but the browser hides Slack's answer, and the
 * result says so (`confirmed: false`).
 */
export class SlackChannel implements IChannelType {
  readonly type = 'slack';
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
    return postWithoutCors(
      {
        http: slackRequest(notification.event, config, trans),
        service: 'Slack',
        trans,
        timeoutMs: this._timeoutMs
      },
      config.id
    );
  }

  private _trans: TranslationBundle;
  private _timeoutMs: number;
}

/**
 * The request that posts an event to a Slack incoming webhook: the message
 * as JSON in the form field `payload`.
 */
export function slackRequest(
  event: ILmkEvent,
  config: IChannelConfig,
  trans: TranslationBundle
): IHttpRequest {
  const url = requireUrl(config, 'url', 'Slack', trans);
  return formPostRequest(url, {
    payload: JSON.stringify(slackPayload(event, trans))
  });
}

/**
 * Slack in the channel form.
 */
export const slackDescription: IChannelDescription = {
  type: 'slack',
  label: trans => trans.__('Slack'),
  fields: trans => [
    webhookUrlField(
      trans,
      'https://hooks.slack.com/services/…',
      trans.__(
        'An incoming webhook of a Slack app. Slack does not let the browser read its answer: deliveries show as sent, not confirmed.'
      )
    )
  ],
  validate: (config, trans) => {
    const problem = checkWebhookUrl(config.url, trans, SLACK_HOSTS, 'Slack');
    const problems: { [field: string]: string } = {};
    if (problem) {
      problems.url = problem;
    }
    return problems;
  },
  summary: webhookSummary,
  check: (config, trans) =>
    checkReachable(configString(config, 'url'), 'Slack', trans)
};
