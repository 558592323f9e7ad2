import type { TranslationBundle } from '@jupyterlab/translation';
import type { IChannelConfig, IDeliveryResult } from '../../tokens';
import { DeliveryError } from '../deliveryError';
import { checkHttpUrl, fetchService, hostOf, type IHttpRequest } from '../http';
import type { IChannelField } from './channelDescription';

/**
 * Options of the channels that post to a remote service.
 */
export interface IRemoteChannelOptions {
  trans: TranslationBundle;
  /** How long one request may take (default `DELIVERY_TIMEOUT_MS`). */
  timeoutMs?: number;
}

/**
 * What every request to a third-party service carries: no cookies, and no
 * referrer (the lab's address is nobody else's business).
 */
export const PRIVATE_REQUEST: RequestInit = {
  credentials: 'omit',
  referrerPolicy: 'no-referrer'
};

/**
 * A string option of a channel, trimmed; `''` when unset.
 */
export function configString(config: IChannelConfig, name: string): string {
  const value = config[name];
  return typeof value === 'string' ? value.trim() : '';
}

/**
 * The channel's web address, or a `DeliveryError` (invalid-config) naming
 * what is wrong, never the address itself.
 */
export function requireUrl(
  config: IChannelConfig,
  name: string,
  service: string,
  trans: TranslationBundle
): string {
  const url = configString(config, name);
  const problem = url
    ? checkHttpUrl(url, trans)
    : trans.__('No address is set.');
  if (problem) {
    throw new DeliveryError(
      'invalid-config',
      trans.__('The %1 channel cannot send: %2', service, problem)
    );
  }
  // As fetch would parse it: the request as data shows what goes out.
  return new URL(url).toString();
}

/**
 * A JSON POST to a webhook address (whose path is the secret).
 */
export function jsonPostRequest(url: string, body: unknown): IHttpRequest {
  return {
    method: 'POST',
    url,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    secrets: urlSecrets(url)
  };
}

/**
 * A form POST (`application/x-www-form-urlencoded`, one of the bodies that
 * need no preflight) to a webhook address.
 */
export function formPostRequest(
  url: string,
  form: { [name: string]: string }
): IHttpRequest {
  return {
    method: 'POST',
    url,
    // A string with the header, not URLSearchParams: the same bytes in
    // every fetch, and a content type that needs no preflight.
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
    secrets: urlSecrets(url)
  };
}

/**
 * Send a request built as data through `fetchService`, without cookies or
 * referrer.
 */
export function fetchRequest(
  request: IHttpRequest,
  options: {
    mode: RequestMode;
    service: string;
    trans: TranslationBundle;
    timeoutMs?: number;
  }
): Promise<Response> {
  return fetchService({
    url: request.url,
    init: {
      ...PRIVATE_REQUEST,
      method: request.method,
      mode: options.mode,
      headers: request.headers,
      body: request.body
    },
    service: options.service,
    trans: options.trans,
    timeoutMs: options.timeoutMs,
    secrets: request.secrets
  });
}

/**
 * The parts of an address a service may echo back in an error, to blank
 * out: for webhooks the path is the secret (Slack, Discord, Teams,
 * Mattermost), and query values may hold signatures or tokens.
 */
export function urlSecrets(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  const parts = [parsed.pathname + parsed.search, parsed.pathname];
  for (const segment of parsed.pathname.split('/')) {
    parts.push(segment);
    try {
      parts.push(decodeURIComponent(segment));
    } catch {
      // Not valid percent-encoding: the raw segment is enough.
    }
  }
  parsed.searchParams.forEach(value => parts.push(value));
  // Longest first, so that a part is blanked before its pieces.
  return parts
    .filter(part => part.length >= 6)
    .sort((a, b) => b.length - a.length);
}

/**
 * The form field of a webhook address: a secret, since whoever has it can
 * post to the room.
 */
export function webhookUrlField(
  trans: TranslationBundle,
  placeholder: string,
  help: string
): IChannelField {
  return {
    name: 'url',
    label: trans.__('Webhook address'),
    kind: 'url',
    secret: true,
    required: true,
    placeholder,
    help
  };
}

/**
 * Check a webhook address; the service's own hosts must use https.
 * Returns a message for the user, or null if it is fine.
 */
export function checkWebhookUrl(
  value: unknown,
  trans: TranslationBundle,
  serviceHosts?: RegExp,
  service?: string
): string | null {
  if (typeof value !== 'string' || !value.trim()) {
    return trans.__('Enter the webhook address.');
  }
  const problem = checkHttpUrl(value, trans);
  if (problem) {
    return problem;
  }
  const url = new URL(value.trim());
  if (
    serviceHosts &&
    service &&
    serviceHosts.test(url.hostname) &&
    url.protocol !== 'https:'
  ) {
    return trans.__('%1 webhooks only work over https://.', service);
  }
  return null;
}

/**
 * The non-secret part of a webhook channel: its host.
 */
export function webhookSummary(config: IChannelConfig): string {
  return hostOf(configString(config, 'url'));
}

/**
 * What the user reads when a message went out but its answer is hidden.
 */
export function unconfirmedDetail(
  service: string,
  trans: TranslationBundle
): string {
  return trans.__(
    'Sent, but not confirmed: %1 does not let the browser read its answer (no CORS), so the lab cannot tell whether the message arrived. Use "Test" once to check that it does.',
    service
  );
}

/**
 * A POST the browser sends without a preflight and whose answer it hides
 * (`no-cors`), for services that send no CORS headers, as a form (see
 * `formPostRequest`). Network failures and timeouts are still seen; an
 * answer is "confirmed" only where the environment shows it.
 */
export async function postWithoutCors(
  request: {
    http: IHttpRequest;
    service: string;
    trans: TranslationBundle;
    timeoutMs: number;
  },
  channelId: string
): Promise<IDeliveryResult> {
  let response: Response;
  try {
    response = await fetchRequest(request.http, {
      mode: 'no-cors',
      service: request.service,
      trans: request.trans,
      timeoutMs: request.timeoutMs
    });
  } catch (reason) {
    // CORS cannot refuse a no-cors request: the connection failed, after
    // the request may have gone out.
    if (reason instanceof DeliveryError && reason.kind === 'cors') {
      throw new DeliveryError(
        'dropped',
        request.trans.__(
          '%1 at %2 dropped the connection.',
          request.service,
          hostOf(request.http.url)
        )
      );
    }
    throw reason;
  }
  return response.type === 'opaque'
    ? {
        channelId,
        status: 'sent',
        confirmed: false,
        detail: unconfirmedDetail(request.service, request.trans)
      }
    : { channelId, status: 'sent', confirmed: true };
}
