import type { TranslationBundle } from '@jupyterlab/translation';
import { boundEvent } from '../../messages/boundEvent';
import {
  neutralizeMarkdown,
  neutralizeText
} from '../../messages/chatMarkdown';
import type {
  IChannelConfig,
  IChannelType,
  IDeliveryResult,
  ILmkEvent,
  ILmkNotification
} from '../../tokens';
import { DeliveryError } from '../deliveryError';
import {
  checkReachable,
  DELIVERY_TIMEOUT_MS,
  hostOf,
  type IHttpRequest
} from '../http';
import type { IChannelDescription } from './channelDescription';
import {
  checkWebhookUrl,
  configString,
  fetchRequest,
  type IRemoteChannelOptions,
  requireUrl,
  urlSecrets,
  webhookSummary
} from './webhookCommon';

/** Header holding the id of the notification, the same on every retry. */
export const EVENT_ID_HEADER = 'X-Lmk-Event-Id';

/** Header holding `sha256=<hex HMAC-SHA256 of the body>`. */
export const SIGNATURE_HEADER = 'X-Lmk-Signature-256';

/**
 * The generic webhook: POSTs the version 1 event as JSON (the public
 * contract in docs/contracts.md), with the notification id in `X-Lmk-Event-Id`
 * so that receivers can drop retries they already have, and, when a secret
 * is set, an HMAC-SHA256 signature of the exact body in
 * `X-Lmk-Signature-256`.
 *
 * The receiver must allow the lab's origin (CORS), since a JSON body and
 * these headers make the browser ask first.
 */
export class WebhookChannel implements IChannelType {
  readonly type = 'webhook';
  readonly remote = true;
  readonly deduplicates = true;

  constructor(options: IRemoteChannelOptions) {
    this._trans = options.trans;
    this._timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  }

  async send(
    notification: ILmkNotification,
    config: IChannelConfig
  ): Promise<IDeliveryResult> {
    const trans = this._trans;
    const service = trans.__('The webhook receiver');
    const request = await webhookRequest(notification, config, trans);
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
            'The webhook receiver at %1 does not allow requests from this page (CORS). It must answer the preflight (OPTIONS) with "Access-Control-Allow-Origin: %2" (or *), "Access-Control-Allow-Methods: POST" and "Access-Control-Allow-Headers: %3", and send the same Access-Control-Allow-Origin with its answer to the POST.',
            hostOf(request.url),
            typeof location === 'undefined' ? '*' : location.origin,
            Object.keys(request.headers).join(', ')
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
 * The request that POSTs a notification's event to a webhook: the bounded
 * event as JSON, its texts neutralised (`neutralizeEvent`), its id in
 * `X-Lmk-Event-Id` and, with a secret, the signature of the exact body.
 */
export async function webhookRequest(
  notification: ILmkNotification,
  config: IChannelConfig,
  trans: TranslationBundle
): Promise<IHttpRequest> {
  const url = requireUrl(config, 'url', trans.__('webhook'), trans);
  const secret = configString(config, 'secret');
  const body = JSON.stringify(neutralizeEvent(boundEvent(notification.event)));
  const headers: { [name: string]: string } = {
    'Content-Type': 'application/json',
    [EVENT_ID_HEADER]: notification.id
  };
  if (secret) {
    headers[SIGNATURE_HEADER] =
      'sha256=' + (await hmacSha256Hex(secret, body, trans));
  }
  return {
    method: 'POST',
    url,
    headers,
    body,
    secrets: [...(secret ? [secret] : []), ...urlSecrets(url)]
  };
}

/**
 * The event with its texts made harmless for receivers that show them in a
 * chat: links only to http(s) and mailto, no mention reaching anyone
 * (`neutralizeMarkdown`). The other fields are data and stay as they are.
 */
export function neutralizeEvent(event: ILmkEvent): ILmkEvent {
  return {
    ...event,
    title: neutralizeText(event.title),
    message: neutralizeMarkdown(event.message),
    text: neutralizeText(event.text)
  };
}

/**
 * The hex HMAC-SHA256 of a text (as UTF-8) with a secret, through the
 * browser's Web Crypto (only available on secure pages).
 */
export async function hmacSha256Hex(
  secret: string,
  text: string,
  trans: TranslationBundle
): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    throw new DeliveryError(
      'invalid-config',
      trans.__(
        'The webhook secret cannot be used here: signing needs a secure page (JupyterLab over https, or on localhost).'
      )
    );
  }
  const encoder = new TextEncoder();
  const key = await subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign']
  );
  const signature = await subtle.sign('HMAC', key, encoder.encode(text));
  return Array.from(new Uint8Array(signature))
    .map(byte => byte.toString(16).padStart(2, '0'))
    .join('');
}

/**
 * The generic webhook in the channel form.
 */
export const webhookDescription: IChannelDescription = {
  type: 'webhook',
  label: trans => trans.__('Webhook (JSON)'),
  fields: trans => [
    {
      name: 'url',
      label: trans.__('Receiver address'),
      kind: 'url',
      secret: true,
      required: true,
      placeholder: trans.__('https://example.org/hooks/lmk'),
      help: trans.__(
        'Receives a POST of the event as JSON. It must allow this page in its CORS headers.'
      )
    },
    {
      name: 'secret',
      label: trans.__('Signing secret'),
      kind: 'text',
      secret: true,
      help: trans.__(
        'Optional. Each request then carries X-Lmk-Signature-256: sha256=<HMAC-SHA256 of the body>, so the receiver can check it came from you.'
      )
    }
  ],
  validate: (config, trans) => {
    const problems: { [field: string]: string } = {};
    const url = checkWebhookUrl(config.url, trans);
    if (url) {
      problems.url = url;
    }
    const secret = config.secret;
    if (secret !== undefined && typeof secret !== 'string') {
      problems.secret = trans.__('The secret must be text.');
    }
    return problems;
  },
  summary: webhookSummary,
  check: (config, trans) =>
    checkReachable(
      configString(config, 'url'),
      trans.__('The webhook receiver'),
      trans
    )
};
