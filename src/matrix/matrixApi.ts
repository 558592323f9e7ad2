import type { TranslationBundle } from '@jupyterlab/translation';
import { DeliveryError } from '../delivery/deliveryError';
import { fetchService, hostOf, type IHttpRequest } from '../delivery/http';

/**
 * A logged-in Matrix device. The access token is a secret: it goes only in
 * the `Authorization` header of requests to `homeserver`, never in a
 * message, a log or an error text.
 */
export interface IMatrixSession {
  /** Base URL of the client-server API, without a trailing slash. */
  homeserver: string;
  /** Full user id, `@alice:example.org`. */
  userId: string;
  deviceId: string;
  accessToken: string;
}

/**
 * Name of the service in error messages.
 */
export const MATRIX_SERVICE = 'Matrix';

/**
 * One call of the client-server API.
 */
export interface IMatrixRequest {
  baseUrl: string;
  path: string;
  method?: 'GET' | 'POST' | 'PUT';
  body?: unknown;
  accessToken?: string;
  secrets?: string[];
  timeoutMs?: number;
  /** Gives up the call when aborted (a long poll that is no longer wanted). */
  signal?: AbortSignal;
}

/**
 * One call of the client-server API as data (the kernel-side relay builds
 * the same requests).
 */
export function matrixHttpRequest(options: IMatrixRequest): IHttpRequest {
  const headers: { [name: string]: string } = {};
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  if (options.accessToken) {
    headers['Authorization'] = `Bearer ${options.accessToken}`;
  }
  return {
    method: options.method ?? 'GET',
    url: trimBase(options.baseUrl) + options.path,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    secrets: [
      ...(options.secrets ?? []),
      ...(options.accessToken ? [options.accessToken] : [])
    ]
  };
}

/**
 * Send a request and read its JSON answer. Failures are `DeliveryError`s
 * from `fetchService`, or a `rejected` one for an unreadable answer.
 */
export async function matrixRequest<T = { [key: string]: unknown }>(
  trans: TranslationBundle,
  options: IMatrixRequest
): Promise<T> {
  const http = matrixHttpRequest(options);
  const response = await fetchService({
    url: http.url,
    init: {
      method: http.method,
      headers: http.headers,
      body: http.body,
      credentials: 'omit',
      cache: 'no-store',
      signal: options.signal
    },
    service: MATRIX_SERVICE,
    trans,
    timeoutMs: options.timeoutMs,
    secrets: http.secrets
  });
  try {
    return (await response.json()) as T;
  } catch {
    throw new DeliveryError(
      'rejected',
      trans.__(
        '%1 at %2 sent an answer that is not Matrix JSON.',
        MATRIX_SERVICE,
        hostOf(options.baseUrl)
      ),
      { status: response.status }
    );
  }
}

/**
 * A request with the session's token. A 401 means the token was revoked
 * or expired, said in those words.
 */
export async function authorizedRequest<T = { [key: string]: unknown }>(
  session: IMatrixSession,
  trans: TranslationBundle,
  options: Omit<IMatrixRequest, 'baseUrl' | 'accessToken'>
): Promise<T> {
  try {
    return await matrixRequest<T>(trans, {
      ...options,
      baseUrl: session.homeserver,
      accessToken: session.accessToken
    });
  } catch (reason) {
    if (reason instanceof DeliveryError && reason.kind === 'unauthorized') {
      throw new DeliveryError(
        'unauthorized',
        trans.__(
          'Matrix at %1 no longer accepts the login of %2 (logged out or expired). Log in to Matrix again in the Notifications sidebar.',
          hostOf(session.homeserver),
          session.userId
        ),
        { status: 401 }
      );
    }
    throw reason;
  }
}

/**
 * The Matrix error code quoted in a `fetchService` error (its message
 * quotes the service's answer, `{"errcode": "M_…", …}`).
 */
export function errcode(error: DeliveryError): string | null {
  const match = /"errcode"\s*:\s*"(M_[A-Z_]+)"/.exec(error.message);
  return match ? match[1] : null;
}

/**
 * Remove trailing slashes from a base URL.
 */
export function trimBase(url: string): string {
  return url.trim().replace(/\/+$/, '');
}
