import type { TranslationBundle } from '@jupyterlab/translation';
import { DeliveryError } from './deliveryError';

/**
 * How long a request to a service may take before it counts as timed out.
 */
export const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * How long a notification's request may take: more than a minute, so that
 * a slow service that answers within a minute gets it once (a request
 * that timed out may have been received, and is not sent again to a
 * service that cannot drop copies).
 */
export const DELIVERY_TIMEOUT_MS = 75_000;

/**
 * Longest piece of a service's error answer quoted to the user.
 */
const MAX_QUOTED = 200;

/**
 * One request to a remote service.
 */
export interface IServiceRequest {
  /** Full address; may hold a secret (webhook path, `auth` parameter). */
  url: string;
  init: RequestInit;
  /** Name of the service in messages: "ntfy", "Slack", "Matrix", ... */
  service: string;
  trans: TranslationBundle;
  /** Default `DEFAULT_TIMEOUT_MS`. */
  timeoutMs?: number;
  /** Strings to blank out if the service quotes them back in an error. */
  secrets?: readonly string[];
  /** The clock, for `Retry-After` dates (default `Date.now`). */
  now?: () => number;
  /**
   * Tell a failure without an answer apart by a probe even when the host
   * answered this page before (for a server that lets only some requests
   * be read, like jupyter_server without `allow_origin`). Default: a host
   * that answered before dropped the connection.
   */
  probeAlways?: boolean;
}

/**
 * One request to a remote service as plain data: what a channel sends for
 * a notification. Built by pure functions, so that the kernel-side relay
 * (`src/relay/kernel/lmk_formats.py`) can be checked to build the same.
 */
export interface IHttpRequest {
  method: string;
  /** May hold a secret (a webhook's path, a token parameter). */
  url: string;
  headers: { [name: string]: string };
  body?: string;
  /** What to blank out of an error message that quotes the service. */
  secrets: string[];
}

/**
 * Send a request and return the response if the service accepted it (2xx,
 * or an opaque answer to a `no-cors` request). Anything else throws a
 * `DeliveryError` whose message names the cause and holds no secret.
 */
export async function fetchService(
  request: IServiceRequest
): Promise<Response> {
  const { trans, service } = request;
  const host = hostOf(request.url);
  const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  // The caller's own signal (a long poll given up) aborts the request too.
  const given = request.init.signal;
  const giveUp = () => controller.abort();
  given?.addEventListener('abort', giveUp);
  let response: Response;
  try {
    if (given?.aborted) {
      throw given.reason;
    }
    response = await fetch(request.url, {
      ...request.init,
      signal: controller.signal
    });
  } catch (reason) {
    if (given?.aborted) {
      throw reason instanceof Error ? reason : new Error('Aborted');
    }
    if (controller.signal.aborted) {
      throw new DeliveryError(
        'timeout',
        trans.__(
          '%1 at %2 did not answer within %3 s.',
          service,
          host,
          Math.round(timeoutMs / 1000)
        )
      );
    }
    throw await networkFailure(request, host);
  } finally {
    clearTimeout(timer);
    given?.removeEventListener('abort', giveUp);
  }
  if (response.type === 'opaque' || response.ok) {
    Private.answered(host);
    return response;
  }
  throw await httpFailure(request, response);
}

/**
 * The host part of an address, safe to show (a webhook's secret is in its
 * path or query, never in its host). Empty if the address is invalid.
 */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

/**
 * Milliseconds to wait from a `Retry-After` header (seconds or an HTTP
 * date), or null if there is none or it cannot be read.
 */
export function parseRetryAfter(
  value: string | null,
  now: number = Date.now()
): number | null {
  if (!value) {
    return null;
  }
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    return Math.round(parseFloat(trimmed) * 1000);
  }
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/**
 * Check that a string is an http(s) address; returns a message for the
 * user, or null if it is fine.
 */
export function checkHttpUrl(
  value: string,
  trans: TranslationBundle
): string | null {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return trans.__(
      'This is not a web address (it should start with https://).'
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return trans.__('The address must start with https:// or http://.');
  }
  return null;
}

/**
 * Forget which hosts answered this page (for tests that start over).
 */
export function forgetAnsweredHosts(): void {
  Private.forget();
}

/**
 * Check, before a channel is saved, that its service's host answers at all
 * (a `no-cors` HEAD, which sends nothing to the hook itself). Returns a
 * message for the user, or null if it answers (or cannot be checked here).
 */
export async function checkReachable(
  url: string,
  service: string,
  trans: TranslationBundle
): Promise<string | null> {
  if (typeof window === 'undefined' || checkHttpUrl(url, trans)) {
    return null;
  }
  const origin = new URL(url.trim()).origin;
  return (await answersWithoutCors(origin))
    ? null
    : trans.__(
        '%1 at %2 could not be reached (no network, wrong address, or the server is down).',
        service,
        hostOf(url)
      );
}

/**
 * Blank out secrets (and the address itself) from a text quoted back by a
 * service, and keep it short.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 4) {
      result = result.split(secret).join('•••');
    }
  }
  result = result.replace(/\s+/g, ' ').trim();
  return result.length > MAX_QUOTED
    ? `${result.slice(0, MAX_QUOTED - 1)}…`
    : result;
}

/**
 * A fetch that threw without an HTTP answer: either nothing answered, or
 * (in a browser) the server answered without the CORS headers that would
 * let the lab read the answer. A `no-cors` probe tells the two apart.
 */
async function networkFailure(
  request: IServiceRequest,
  host: string
): Promise<DeliveryError> {
  const { trans, service } = request;
  if (!request.probeAlways && Private.hasAnswered(host)) {
    // It let this page read its answers before: not CORS, a dropped connection.
    return new DeliveryError(
      'dropped',
      trans.__(
        '%1 at %2 dropped the connection before it answered (it answered this page before).',
        service,
        host
      )
    );
  }
  if (await answersWithoutCors(request.url)) {
    return new DeliveryError(
      'cors',
      trans.__(
        '%1 at %2 answered, but the browser did not let the lab read the answer (CORS): the service does not allow requests from %3, or the connection was dropped.',
        service,
        host,
        typeof location === 'undefined' ? '' : location.origin
      ),
      {
        pendingMessage: trans.__(
          '%1 at %2: the connection failed before an answer came.',
          service,
          host
        )
      }
    );
  }
  return new DeliveryError(
    'unreachable',
    trans.__(
      '%1 at %2 could not be reached (no network, wrong address, or the connection was reset).',
      service,
      host
    )
  );
}

/**
 * Whether the address answers a `no-cors` HEAD request (whose answer the
 * browser hides, but which only resolves when the server answered).
 */
async function answersWithoutCors(url: string): Promise<boolean> {
  if (typeof window === 'undefined' || typeof location === 'undefined') {
    return false;
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 5000);
  try {
    await fetch(url, {
      method: 'HEAD',
      mode: 'no-cors',
      credentials: 'omit',
      signal: controller.signal
    });
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * An HTTP answer that is not a success, as a `DeliveryError`.
 */
async function httpFailure(
  request: IServiceRequest,
  response: Response
): Promise<DeliveryError> {
  const { trans, service } = request;
  const status = response.status;
  let quoted = '';
  try {
    quoted = redact(await response.text(), [
      request.url,
      ...(request.secrets ?? [])
    ]);
  } catch {
    // No body to quote.
  }
  const because = quoted ? ` ${trans.__('It said: %1', quoted)}` : '';
  if (status === 401) {
    return new DeliveryError(
      'unauthorized',
      trans.__(
        '%1 refused the credentials (401): the token or password is wrong or has expired.',
        service
      ) + because,
      { status }
    );
  }
  if (status === 403) {
    return new DeliveryError(
      'forbidden',
      trans.__(
        '%1 refused access (403): these credentials may not do this.',
        service
      ) + because,
      { status }
    );
  }
  if (status === 404) {
    return new DeliveryError(
      'not-found',
      trans.__(
        '%1 says there is nothing at this address (404): check the address, topic or room.',
        service
      ) + because,
      { status }
    );
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(
      response.headers.get('Retry-After'),
      (request.now ?? Date.now)()
    );
    return new DeliveryError(
      'rate-limited',
      retryAfterMs === null
        ? trans.__('%1 is limiting how often we send (429).', service)
        : trans.__(
            '%1 is limiting how often we send (429) and asked to wait %2 s.',
            service,
            Math.ceil(retryAfterMs / 1000)
          ),
      { status, retryAfterMs: retryAfterMs ?? undefined }
    );
  }
  if (status >= 500) {
    return new DeliveryError(
      'server',
      trans.__('%1 had a server error (%2).', service, status) + because,
      { status }
    );
  }
  return new DeliveryError(
    'rejected',
    trans.__('%1 rejected the message (%2).', service, status) + because,
    { status }
  );
}

namespace Private {
  /** Hosts kept (a handful of services in practice). */
  const MAX_HOSTS = 100;

  /** Hosts that accepted a request from this page, oldest first. */
  const hosts = new Set<string>();

  /** Remember that a host accepted a request from this page. */
  export function answered(host: string): void {
    hosts.delete(host);
    hosts.add(host);
    if (hosts.size > MAX_HOSTS) {
      hosts.delete(hosts.values().next().value as string);
    }
  }

  export function forget(): void {
    hosts.clear();
  }

  /** Whether a host accepted a request from this page before. */
  export function hasAnswered(host: string): boolean {
    return hosts.has(host);
  }
}
