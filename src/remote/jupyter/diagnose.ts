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
 * 1. `GET api/status` and `GET api` with the token, as the lab's kernel and
 *    session managers send it (an `Authorization` header): when they
 *    answer, the server is usable from here, and only websockets are left
 *    to check (4). The header makes the browser ask the server first (a
 *    CORS preflight), and jupyter_server 2 grants that only to the origins
 *    in its `allow_origin`: without it, a browser cannot use the server
 *    with any token. Otherwise, to say why:
 * 2. `GET api/status?token=…`, which needs no preflight: jupyter_server lets
 *    a request authenticated that way be read from any origin. Read, the
 *    token is right and the server only lacks `allow_origin`; refused with a
 *    readable answer, the token is wrong.
 * 3. `GET api` without the token: unreachable, slow, not a Jupyter server,
 *    or a server whose answers this lab may not read (CORS) — a Jupyter
 *    server without `allow_origin` and a page that is no Jupyter server at
 *    all look the same here, and the message says both.
 * 4. A websocket to `api/events/subscribe`: kernels only work over
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

  // 1. With the token, as the lab's managers send it.
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
      secrets: [step.secret],
      // Some of its answers may be readable (with the token in the
      // address) and others not: each failure is probed on its own.
      probeAlways: true
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
   * Why the token request failed: a request with the token in its address
   * (no preflight) and one without any token tell an unreachable server, a
   * wrong address, a missing `allow_origin` and a refused token apart.
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
    const unreachable = () =>
      trans.__(
        'The server at %1 could not be reached: check that it is running, the address and port, and your network.',
        host
      );
    const allowOrigin = trans.__(
      'start it with --ServerApp.allow_origin=%1 (or set c.ServerApp.allow_origin = "%1" in its config)',
      origin
    );

    // 2. The token in the address: no preflight.
    if (secret) {
      try {
        await get(
          step,
          `api/status?token=${encodeURIComponent(secret)}`,
          false
        );
        return trans.__(
          'The server at %1 accepts the token, but does not allow this lab to use it (CORS: it answers the browser’s preflight only for the origins it allows): %2.',
          host,
          allowOrigin
        );
      } catch (error) {
        const kind = error instanceof DeliveryError ? error.kind : null;
        if (kind === 'timeout') {
          return slow();
        }
        if (kind === 'unreachable' || kind === 'dropped') {
          return unreachable();
        }
        if (kind === 'unauthorized' || kind === 'forbidden') {
          return refusedToken(host, trans);
        }
        // 'cors' or another answer: step 3 tells what the server is.
      }
    }

    // 3. Reachable, a Jupyter server, and readable from this origin.
    try {
      const { version } = await get(step, 'api', false);
      if (typeof version !== 'string') {
        throw new Error('no version');
      }
    } catch (error) {
      switch (error instanceof DeliveryError ? error.kind : null) {
        case 'cors':
          return secret
            ? trans.__(
                'The server at %1 answers, but does not let this lab read its answers: it is not a Jupyter server (check the address), or it is one that refuses requests from this lab (CORS) — then check the token, and %2.',
                host,
                allowOrigin
              )
            : trans.__(
                'The server at %1 answers, but does not let this lab read its answers: it is not a Jupyter server (check the address), or it is one that refuses requests from this lab (CORS) — then give its token, and %2.',
                host,
                allowOrigin
              );
        case 'timeout':
          return slow();
        case 'unreachable':
        case 'dropped':
          return unreachable();
        default:
          return trans.__(
            'The address %1 is not a Jupyter server (check the base URL: it is the part before /lab or /tree).',
            host
          );
      }
    }

    // 4. A Jupyter server this lab may read: the token, again, for how it
    //    is refused.
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
      ? refusedToken(host, trans)
      : trans.__(
          'The server at %1 needs a token: copy it from the server’s start-up message (the part after ?token=).',
          host
        );
  }

  function refusedToken(host: string, trans: TranslationBundle): string {
    return trans.__(
      'The server at %1 refused the token: copy it again from the server’s start-up message (the part after ?token=).',
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
