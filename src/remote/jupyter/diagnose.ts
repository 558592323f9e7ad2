import type { TranslationBundle } from '@jupyterlab/translation';
import { DeliveryError } from '../../delivery/deliveryError';
import { fetchService, hostOf } from '../../delivery/http';
import { normaliseServerUrl } from './jupyterConnection';

/**
 * How long one diagnosis step may take.
 */
const STEP_TIMEOUT_MS = 8000;

/**
 * Find out why a Jupyter server cannot be used from this lab, in one
 * sentence that says what to do; null when it can be used.
 *
 * 1. `GET api/status` and `GET api` with the token: when they answer, the
 *    server is usable from here (jupyter_server 2 answers token-authenticated
 *    requests from any origin, `allow_origin` or not), and only websockets
 *    are left to check (4). Otherwise, to say why:
 * 2. `GET api` without the token: unreachable, not a Jupyter server, or
 *    CORS (told apart with a `no-cors` probe, which `fetchService` does).
 *    CORS here means the server only lets other origins in with a right
 *    token, so the token is wrong or the server needs `allow_origin`: the
 *    message says both, and which setting to add;
 * 3. `GET api/status` with the token again: 401/403 — or a network failure,
 *    since jupyter_server answers a refused token without CORS headers —
 *    means a wrong token;
 * 4. a websocket to `api/events/subscribe`: kernels only work over
 *    websockets, and a proxy in front of the server may not pass them.
 *    This endpoint needs no kernel (starting one to test would cost the
 *    user resources) and exists in every jupyter_server 2; it is skipped
 *    for older servers (whose `version` is below 2).
 *
 * The token is never part of a message.
 */
export async function diagnoseJupyterServer(
  url: string,
  token: string,
  trans: TranslationBundle,
  options: IDiagnoseOptions = {}
): Promise<string | null> {
  const normalised = normaliseServerUrl(url);
  if (!normalised) {
    return trans.__(
      'This is not a Jupyter server address: it should look like http://host:8888/ (copy it from the server’s start-up message).'
    );
  }
  const base = normalised.baseUrl;
  const host = hostOf(base);
  const secret = token || normalised.token || '';
  const origin = typeof location === 'undefined' ? '' : location.origin;
  const timeoutMs = options.timeoutMs ?? STEP_TIMEOUT_MS;

  // 1. With the token. When this works the server can be used: jupyter_server
  //    2 answers token-authenticated requests from any origin, with or
  //    without allow_origin.
  const version = await Private.versionWithToken(
    base,
    secret,
    trans,
    timeoutMs
  );
  if (version === null) {
    return await Private.whyNot(base, host, origin, secret, trans, timeoutMs);
  }

  // 4. Websockets.
  const major = parseInt(version.split('.')[0], 10);
  const WebSocketClass =
    options.WebSocket ??
    (typeof WebSocket === 'undefined' ? undefined : WebSocket);
  if (!WebSocketClass || !(major >= 2)) {
    return null;
  }
  const wsUrl =
    'ws' +
    base.slice('http'.length) +
    'api/events/subscribe' +
    (secret ? `?token=${encodeURIComponent(secret)}` : '');
  if (!(await Private.opens(WebSocketClass, wsUrl, timeoutMs))) {
    return trans.__(
      'The server at %1 answers requests but refused a websocket connection, which kernels need: if it is behind a proxy, the proxy must pass websockets through.',
      host
    );
  }
  return null;
}

/**
 * Options of a diagnosis (for tests).
 */
export interface IDiagnoseOptions {
  /** Longest wait of each step (default 8 s). */
  timeoutMs?: number;
  /** The WebSocket class (default: the page's). */
  WebSocket?: typeof WebSocket;
}

namespace Private {
  /**
   * One step's request: what every step shares.
   */
  interface IStep {
    base: string;
    secret: string;
    trans: TranslationBundle;
    timeoutMs: number;
  }

  /**
   * `GET <base><path>`, with the token or without; failures are
   * `DeliveryError`s in plain words, without the token.
   */
  async function get(
    step: IStep,
    path: string,
    withToken: boolean
  ): Promise<{ [key: string]: unknown }> {
    const response = await fetchService({
      url: `${step.base}${path}`,
      init: {
        cache: 'no-store',
        credentials: 'omit',
        headers:
          withToken && step.secret
            ? { Authorization: `token ${step.secret}` }
            : {}
      },
      service: 'Jupyter',
      trans: step.trans,
      timeoutMs: step.timeoutMs,
      secrets: [step.secret]
    });
    return (await response.json()) as { [key: string]: unknown };
  }

  /**
   * The server's version, asked with the token; null when that failed.
   */
  export async function versionWithToken(
    base: string,
    secret: string,
    trans: TranslationBundle,
    timeoutMs: number
  ): Promise<string | null> {
    const step = { base, secret, trans, timeoutMs };
    try {
      await get(step, 'api/status', true);
      const { version } = await get(step, 'api', true);
      return typeof version === 'string' ? version : null;
    } catch {
      return null;
    }
  }

  /**
   * Why the token request failed: the same steps without the token tell an
   * unreachable server, a wrong address, CORS and a refused token apart.
   */
  export async function whyNot(
    base: string,
    host: string,
    origin: string,
    secret: string,
    trans: TranslationBundle,
    timeoutMs: number
  ): Promise<string> {
    const step = { base, secret, trans, timeoutMs };
    const slow = () =>
      trans.__(
        'The server at %1 did not answer within %2 s: check that it is running and that the address is right.',
        host,
        Math.round(timeoutMs / 1000)
      );
    // 2. Reachable, a Jupyter server, and readable from this origin.
    try {
      const { version } = await get(step, 'api', false);
      if (typeof version !== 'string') {
        throw new Error('no version');
      }
    } catch (error) {
      switch (error instanceof DeliveryError ? error.kind : null) {
        case 'cors':
          // A right token would have passed (step 1): either the token is
          // wrong, or the server refuses other origins.
          return secret
            ? trans.__(
                'The server at %1 refused this request and does not allow requests from this lab (CORS): check the token; if it is right, start the server with --ServerApp.allow_origin=%2 (or set c.ServerApp.allow_origin = "%2" in its config).',
                host,
                origin
              )
            : trans.__(
                'The server at %1 does not allow requests from this lab (CORS) without a token: give its token, or start it with --ServerApp.allow_origin=%2 (or set c.ServerApp.allow_origin = "%2" in its config).',
                host,
                origin
              );
        case 'timeout':
          return slow();
        case 'unreachable':
        case 'dropped':
          return trans.__(
            'The server at %1 could not be reached: check that it is running, the address and port, and your network.',
            host
          );
        default:
          return trans.__(
            'The address %1 is not a Jupyter server (check the base URL: it is the part before /lab or /tree).',
            host
          );
      }
    }

    // 3. The token, again, for how it is refused.
    try {
      await get(step, 'api/status', true);
    } catch (error) {
      if (error instanceof DeliveryError && error.kind === 'timeout') {
        return slow();
      }
      if (
        error instanceof DeliveryError &&
        (error.kind === 'server' || error.kind === 'not-found')
      ) {
        return trans.__(
          'The server at %1 is a Jupyter server but its API failed (%2): check its log.',
          host,
          error.status ?? ''
        );
      }
    }
    return secret
      ? trans.__(
          'The server at %1 refused the token: copy it again from the server’s start-up message (the part after ?token=).',
          host
        )
      : trans.__(
          'The server at %1 needs a token: copy it from the server’s start-up message (the part after ?token=).',
          host
        );
  }

  /**
   * Whether a websocket to `url` opens within `timeoutMs` (closed at once).
   */
  export function opens(
    WebSocketClass: typeof WebSocket,
    url: string,
    timeoutMs: number
  ): Promise<boolean> {
    return new Promise(resolve => {
      let socket: WebSocket;
      try {
        socket = new WebSocketClass(url);
      } catch {
        resolve(false);
        return;
      }
      const finish = (opened: boolean) => {
        clearTimeout(timer);
        socket.onopen = socket.onerror = socket.onclose = null;
        try {
          socket.close();
        } catch {
          // Already closed.
        }
        resolve(opened);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      socket.onopen = () => finish(true);
      socket.onerror = () => finish(false);
      socket.onclose = () => finish(false);
    });
  }
}
