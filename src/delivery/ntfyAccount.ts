import type { TranslationBundle } from '@jupyterlab/translation';
import { DeliveryError } from './deliveryError';
import { checkHttpUrl, fetchService, hostOf } from './http';

/**
 * The public ntfy server, used when a channel names none.
 */
export const DEFAULT_NTFY_SERVER = 'https://ntfy.sh';

/**
 * An access token obtained by logging in.
 */
export interface INtfyToken {
  /** The token (`tk_…`): a secret. */
  token: string;
  /** When it expires, in Unix seconds; null if it does not. */
  expires: number | null;
}

/**
 * The server's base address without trailing slashes (the default server
 * for an empty value).
 */
export function ntfyServerBase(server: unknown): string {
  const value = typeof server === 'string' ? server.trim() : '';
  return (value || DEFAULT_NTFY_SERVER).replace(/\/+$/, '');
}

/**
 * The value of ntfy's `auth` query parameter for an `Authorization` header
 * value: its UTF-8 bytes in base64 raw URL encoding (no padding). ntfy reads
 * credentials there exactly as from the header, which browsers could only
 * send after a preflight that ntfy's CORS answer does not cover.
 */
export function ntfyAuthParam(authorization: string): string {
  return base64(authorization)
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/**
 * Log in to an ntfy server with a username and password, and obtain an
 * access token through its account API (`POST /v1/account/token`).
 * The password is only sent, never kept.
 */
export async function ntfyLogin(
  server: string,
  username: string,
  password: string,
  trans: TranslationBundle,
  options: { timeoutMs?: number } = {}
): Promise<INtfyToken> {
  const base = checkedBase(server, trans);
  const host = hostOf(base);
  const basic = 'Basic ' + base64(`${username}:${password}`);
  const auth = ntfyAuthParam(basic);
  const url = `${base}/v1/account/token?auth=${auth}`;
  let response: Response;
  try {
    response = await fetchService({
      url,
      init: {
        method: 'POST',
        mode: 'cors',
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
        // No Content-Type: a text body needs no preflight; ntfy reads JSON.
        body: JSON.stringify({ label: trans.__('JupyterLab notifications') })
      },
      service: 'ntfy',
      trans,
      timeoutMs: options.timeoutMs,
      secrets: [password, basic, auth]
    });
  } catch (reason) {
    if (reason instanceof DeliveryError && reason.kind === 'unauthorized') {
      throw new DeliveryError(
        'unauthorized',
        trans.__('ntfy at %1: wrong username or password.', host),
        { status: 401 }
      );
    }
    if (reason instanceof DeliveryError && reason.kind === 'not-found') {
      throw new DeliveryError(
        'not-found',
        trans.__(
          'ntfy at %1 has no accounts (404): logging in is not enabled on this server. Use an access token, or no login.',
          host
        ),
        { status: 404 }
      );
    }
    throw reason;
  }
  let data: { token?: unknown; expires?: unknown } = {};
  try {
    data = await response.json();
  } catch {
    // Handled below.
  }
  if (typeof data.token !== 'string' || !data.token) {
    throw new DeliveryError(
      'rejected',
      trans.__('%1 did not give an access token: is this an ntfy server?', host)
    );
  }
  const expires =
    typeof data.expires === 'number' && data.expires > 0 ? data.expires : null;
  return { token: data.token, expires };
}

/**
 * Revoke an access token (`DELETE /v1/account/token`, authenticated with
 * that token). A token the server no longer knows (401) counts as revoked.
 */
export async function ntfyLogout(
  server: string,
  token: string,
  trans: TranslationBundle,
  options: { timeoutMs?: number } = {}
): Promise<void> {
  const base = checkedBase(server, trans);
  const auth = ntfyAuthParam(`Bearer ${token}`);
  try {
    await fetchService({
      url: `${base}/v1/account/token?auth=${auth}`,
      init: {
        method: 'DELETE',
        mode: 'cors',
        credentials: 'omit',
        referrerPolicy: 'no-referrer'
      },
      service: 'ntfy',
      trans,
      timeoutMs: options.timeoutMs,
      secrets: [token, auth]
    });
  } catch (reason) {
    if (reason instanceof DeliveryError && reason.kind === 'unauthorized') {
      return;
    }
    throw reason;
  }
}

/**
 * Check that an address is a working ntfy server (`GET /v1/health`).
 * Returns a message for the user, or null if it is fine.
 */
export async function checkNtfyServer(
  server: string,
  trans: TranslationBundle,
  options: { timeoutMs?: number } = {}
): Promise<string | null> {
  let base: string;
  try {
    base = checkedBase(server, trans);
  } catch (reason) {
    return (reason as Error).message;
  }
  try {
    const response = await fetchService({
      url: `${base}/v1/health`,
      init: {
        method: 'GET',
        credentials: 'omit',
        referrerPolicy: 'no-referrer'
      },
      service: 'ntfy',
      trans,
      timeoutMs: options.timeoutMs ?? 5000
    });
    const data = await response.json();
    if (data && data.healthy === true) {
      return null;
    }
  } catch (reason) {
    if (reason instanceof DeliveryError && reason.kind !== 'not-found') {
      return reason.message;
    }
  }
  return trans.__(
    '%1 answered, but it does not look like a working ntfy server.',
    hostOf(base)
  );
}

function checkedBase(server: string, trans: TranslationBundle): string {
  const base = ntfyServerBase(server);
  const problem = checkHttpUrl(base, trans);
  if (problem) {
    throw new DeliveryError('invalid-config', problem);
  }
  return base;
}

/**
 * Standard base64 of a text's UTF-8 bytes.
 */
function base64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) {
    binary += String.fromCharCode(byte);
  }
  return btoa(binary);
}
