import type { TranslationBundle } from '@jupyterlab/translation';
import { DeliveryError } from '../delivery/deliveryError';
import {
  checkHttpUrl,
  fetchService,
  hostOf,
  type IHttpRequest
} from '../delivery/http';
import {
  type IMatrixNoticeContent,
  matrixNoticeContent
} from '../messages/matrixFormat';
import type { ILmkEvent } from '../tokens';

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
 * The ways a homeserver lets users log in.
 */
export interface IMatrixLoginFlows {
  /** `m.login.password`. */
  password: boolean;
  /** Single sign-on identity providers (`m.login.sso`); empty if none. */
  sso: { id: string; name: string }[];
  /** `m.login.token`, the second step of single sign-on. */
  token: boolean;
}

/**
 * A room the user has joined.
 */
export interface IMatrixRoom {
  roomId: string;
  /** The room's name, else its canonical alias, else its id. */
  name: string;
}

/**
 * Name of the service in error messages.
 */
const SERVICE = 'Matrix';

/**
 * Name of the device the lab logs in as, shown in the user's session list.
 */
export const DEFAULT_DEVICE_NAME = 'JupyterLab (jupyterlab-lmk)';

/**
 * Find the homeserver for what a user typed: a server name (`matrix.org`),
 * a user id (`@alice:matrix.org`), a web address or the API's base URL.
 * `/.well-known/matrix/client` on that origin is asked first (it may point
 * elsewhere); the address itself is the fallback. Resolves to the base URL
 * (no trailing slash) once it answers `GET /_matrix/client/versions`.
 */
export async function discoverHomeserver(
  input: string,
  trans: TranslationBundle
): Promise<string> {
  const address = Private.inputAddress(input);
  const invalid = address === null ? null : checkHttpUrl(address, trans);
  if (address === null || invalid !== null) {
    throw new DeliveryError(
      'invalid-config',
      invalid ??
        trans.__(
          'Enter the address of your Matrix homeserver, such as matrix.org or https://matrix.example.org.'
        )
    );
  }
  const url = new URL(address);
  const typed = Private.trimBase(
    url.origin + url.pathname.replace(/\/_matrix(\/.*)?$/, '')
  );
  const candidates: string[] = [];
  const announced = await Private.wellKnownBase(url.origin, trans);
  if (announced !== null) {
    candidates.push(announced);
  }
  if (!candidates.includes(typed)) {
    candidates.push(typed);
  }
  let firstError: unknown = null;
  for (const candidate of candidates) {
    try {
      await Private.checkVersions(candidate, trans);
      return candidate;
    } catch (reason) {
      firstError = firstError ?? reason;
    }
  }
  throw firstError;
}

/**
 * The login methods a homeserver offers (`GET /_matrix/client/v3/login`).
 */
export async function loginFlows(
  baseUrl: string,
  trans: TranslationBundle
): Promise<IMatrixLoginFlows> {
  const answer = await Private.request<{ flows?: unknown }>(trans, {
    baseUrl,
    path: '/_matrix/client/v3/login'
  });
  const flows = Array.isArray(answer.flows) ? answer.flows : [];
  const result: IMatrixLoginFlows = { password: false, sso: [], token: false };
  for (const flow of flows) {
    const type = typeof flow?.type === 'string' ? flow.type : '';
    if (type === 'm.login.password') {
      result.password = true;
    } else if (type === 'm.login.token') {
      result.token = true;
    } else if (type === 'm.login.sso') {
      const providers = Array.isArray(flow.identity_providers)
        ? flow.identity_providers
        : [];
      for (const provider of providers) {
        if (typeof provider?.id === 'string') {
          result.sso.push({
            id: provider.id,
            name:
              typeof provider.name === 'string' ? provider.name : provider.id
          });
        }
      }
      if (providers.length === 0) {
        result.sso.push({ id: '', name: trans.__('Single sign-on') });
      }
    }
  }
  return result;
}

/**
 * Log in with a user name (`alice` or `@alice:example.org`) and password.
 * A wrong user name or password is a `forbidden` error that says so.
 */
export async function passwordLogin(
  baseUrl: string,
  user: string,
  password: string,
  trans: TranslationBundle,
  deviceName: string = DEFAULT_DEVICE_NAME
): Promise<IMatrixSession> {
  try {
    const answer = await Private.request(trans, {
      baseUrl,
      path: '/_matrix/client/v3/login',
      method: 'POST',
      body: {
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: user.trim() },
        password,
        initial_device_display_name: deviceName
      },
      secrets: [password]
    });
    return Private.session(baseUrl, answer, trans);
  } catch (reason) {
    throw Private.loginError(reason, baseUrl, trans, () =>
      trans.__('Matrix at %1: wrong username or password.', hostOf(baseUrl))
    );
  }
}

/**
 * Where to send the browser for single sign-on. The homeserver sends it
 * back to `redirectUrl` with a `loginToken` query parameter, which
 * `tokenLogin` exchanges for a session.
 */
export function ssoRedirectUrl(
  baseUrl: string,
  redirectUrl: string,
  idpId?: string
): string {
  const provider = idpId ? `/${encodeURIComponent(idpId)}` : '';
  return (
    `${Private.trimBase(baseUrl)}/_matrix/client/v3/login/sso/redirect` +
    `${provider}?redirectUrl=${encodeURIComponent(redirectUrl)}`
  );
}

/**
 * Log in with a one-time login token (`m.login.token`), as after single
 * sign-on.
 */
export async function tokenLogin(
  baseUrl: string,
  loginToken: string,
  trans: TranslationBundle,
  deviceName: string = DEFAULT_DEVICE_NAME
): Promise<IMatrixSession> {
  try {
    const answer = await Private.request(trans, {
      baseUrl,
      path: '/_matrix/client/v3/login',
      method: 'POST',
      body: {
        type: 'm.login.token',
        token: loginToken,
        initial_device_display_name: deviceName
      },
      secrets: [loginToken]
    });
    return Private.session(baseUrl, answer, trans);
  } catch (reason) {
    throw Private.loginError(reason, baseUrl, trans, () =>
      trans.__(
        'Matrix at %1 did not accept the sign-in: it expired or was already used. Sign in again.',
        hostOf(baseUrl)
      )
    );
  }
}

/**
 * Who the session belongs to (`GET /account/whoami`); a revoked session
 * fails with an `unauthorized` error.
 */
export async function whoami(
  session: IMatrixSession,
  trans: TranslationBundle
): Promise<{ userId: string; deviceId: string | null }> {
  const answer = await Private.authorized<{
    user_id?: unknown;
    device_id?: unknown;
  }>(session, trans, { path: '/_matrix/client/v3/account/whoami' });
  return {
    userId: typeof answer.user_id === 'string' ? answer.user_id : '',
    deviceId: typeof answer.device_id === 'string' ? answer.device_id : null
  };
}

/**
 * The rooms the user has joined, with their names, sorted by name.
 */
export async function joinedRooms(
  session: IMatrixSession,
  trans: TranslationBundle
): Promise<IMatrixRoom[]> {
  const answer = await Private.authorized<{ joined_rooms?: unknown }>(
    session,
    trans,
    { path: '/_matrix/client/v3/joined_rooms' }
  );
  const ids = Array.isArray(answer.joined_rooms)
    ? answer.joined_rooms.filter((id): id is string => typeof id === 'string')
    : [];
  const rooms = await Private.mapLimited(ids, 6, async roomId => ({
    roomId,
    name: (await Private.roomName(session, roomId, trans)) ?? roomId
  }));
  return rooms.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The room id an alias (`#room:example.org`) points to; a room id is
 * returned as it is.
 */
export async function resolveRoom(
  session: IMatrixSession,
  room: string,
  trans: TranslationBundle
): Promise<string> {
  if (!room.startsWith('#')) {
    return room;
  }
  try {
    const answer = await Private.authorized<{ room_id?: unknown }>(
      session,
      trans,
      {
        path: `/_matrix/client/v3/directory/room/${encodeURIComponent(room)}`
      }
    );
    if (typeof answer.room_id === 'string') {
      return answer.room_id;
    }
  } catch (reason) {
    if (!(reason instanceof DeliveryError && reason.kind === 'not-found')) {
      throw reason;
    }
  }
  throw new DeliveryError(
    'not-found',
    trans.__(
      'Matrix at %1 knows no room called %2.',
      hostOf(session.homeserver),
      room
    ),
    { status: 404 }
  );
}

/**
 * The transaction id of one notification in one room. The homeserver
 * ignores a second send with the same transaction id from the same device,
 * so a retried notification is posted once.
 */
export function matrixTxnId(notificationId: string, roomId: string): string {
  const safe = notificationId.replace(/[^A-Za-z0-9._~-]/g, char =>
    char === '_' ? '__' : `_${char.charCodeAt(0).toString(16)}`
  );
  const id = safe.length > 160 ? Private.hash(notificationId) : safe;
  return `lmk.${id}.${Private.hash(roomId)}`;
}

/**
 * The request that posts a notice to a room with a transaction id (pure:
 * the kernel-side relay builds the same one).
 */
export function noticeRequest(
  session: IMatrixSession,
  roomId: string,
  txnId: string,
  content: IMatrixNoticeContent
): IHttpRequest {
  // What `Private.authorized` adds to the options `sendNotice` gives it.
  return Private.httpRequest({
    ...Private.noticeOptions(roomId, txnId, content),
    baseUrl: session.homeserver,
    accessToken: session.accessToken
  });
}

/**
 * Post an event to a room as an `m.notice` (plain text and sanitised HTML
 * from the event's markdown). Resolves to the id of the Matrix event.
 */
export async function sendNotice(
  session: IMatrixSession,
  roomId: string,
  event: ILmkEvent,
  txnId: string,
  trans: TranslationBundle
): Promise<{ eventId: string }> {
  const content = await matrixNoticeContent(event);
  try {
    const answer = await Private.authorized<{ event_id?: unknown }>(
      session,
      trans,
      Private.noticeOptions(roomId, txnId, content)
    );
    return {
      eventId: typeof answer.event_id === 'string' ? answer.event_id : ''
    };
  } catch (reason) {
    if (
      reason instanceof DeliveryError &&
      (reason.kind === 'forbidden' || reason.kind === 'not-found')
    ) {
      throw new DeliveryError(
        reason.kind,
        trans.__(
          'Matrix at %1 did not post to room %2: %3 is not a member of it, or may not post there.',
          hostOf(session.homeserver),
          roomId,
          session.userId
        ),
        { status: reason.status ?? undefined }
      );
    }
    throw reason;
  }
}

/**
 * Log out: the homeserver revokes the access token (and the device). A
 * session that was already revoked counts as logged out.
 */
export async function logout(
  session: IMatrixSession,
  trans: TranslationBundle
): Promise<void> {
  try {
    await Private.authorized(session, trans, {
      path: '/_matrix/client/v3/logout',
      method: 'POST',
      body: {}
    });
  } catch (reason) {
    if (reason instanceof DeliveryError && reason.kind === 'unauthorized') {
      return;
    }
    throw reason;
  }
}

namespace Private {
  /**
   * One call of the client-server API.
   */
  export interface IRequest {
    baseUrl: string;
    path: string;
    method?: 'GET' | 'POST' | 'PUT';
    body?: unknown;
    accessToken?: string;
    secrets?: string[];
    timeoutMs?: number;
  }

  /**
   * The call that sends a notice to a room.
   */
  export function noticeOptions(
    roomId: string,
    txnId: string,
    content: IMatrixNoticeContent
  ): Omit<IRequest, 'baseUrl' | 'accessToken'> {
    return {
      path:
        `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}` +
        `/send/m.room.message/${encodeURIComponent(txnId)}`,
      method: 'PUT',
      body: content
    };
  }

  /**
   * One call of the client-server API as data.
   */
  export function httpRequest(options: IRequest): IHttpRequest {
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
      body:
        options.body === undefined ? undefined : JSON.stringify(options.body),
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
  export async function request<T = { [key: string]: unknown }>(
    trans: TranslationBundle,
    options: IRequest
  ): Promise<T> {
    const http = httpRequest(options);
    const response = await fetchService({
      url: http.url,
      init: {
        method: http.method,
        headers: http.headers,
        body: http.body,
        credentials: 'omit',
        cache: 'no-store'
      },
      service: SERVICE,
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
          SERVICE,
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
  export async function authorized<T = { [key: string]: unknown }>(
    session: IMatrixSession,
    trans: TranslationBundle,
    options: Omit<IRequest, 'baseUrl' | 'accessToken'>
  ): Promise<T> {
    try {
      return await request<T>(trans, {
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
   * A session from a login answer; the homeserver may name a better base
   * URL in `well_known`.
   */
  export function session(
    baseUrl: string,
    answer: { [key: string]: any },
    trans: TranslationBundle
  ): IMatrixSession {
    const { user_id, device_id, access_token } = answer;
    if (
      typeof user_id !== 'string' ||
      typeof access_token !== 'string' ||
      typeof device_id !== 'string'
    ) {
      throw new DeliveryError(
        'rejected',
        trans.__(
          '%1 at %2 answered the login without a session.',
          SERVICE,
          hostOf(baseUrl)
        )
      );
    }
    const announced = answer.well_known?.['m.homeserver']?.base_url;
    const homeserver =
      typeof announced === 'string' && checkHttpUrl(announced, trans) === null
        ? trimBase(announced)
        : trimBase(baseUrl);
    return {
      homeserver,
      userId: user_id,
      deviceId: device_id,
      accessToken: access_token
    };
  }

  /**
   * A failed login in words: 403 (and 401) mean the credentials were
   * refused; a deactivated account or rate limit says so.
   */
  export function loginError(
    reason: unknown,
    baseUrl: string,
    trans: TranslationBundle,
    refused: () => string
  ): unknown {
    if (
      !(reason instanceof DeliveryError) ||
      (reason.kind !== 'forbidden' && reason.kind !== 'unauthorized')
    ) {
      return reason;
    }
    const message =
      errcode(reason) === 'M_USER_DEACTIVATED'
        ? trans.__(
            'Matrix at %1: this account has been deactivated.',
            hostOf(baseUrl)
          )
        : refused();
    return new DeliveryError(reason.kind, message, {
      status: reason.status ?? undefined
    });
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
   * What the user typed as an address to try, or null if it is empty.
   */
  export function inputAddress(input: string): string | null {
    let text = input.trim();
    if (!text) {
      return null;
    }
    // A user id names its server after the first colon.
    const userId = /^@[^:]+:(.+)$/.exec(text);
    if (userId) {
      text = userId[1];
    }
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  }

  /**
   * Remove trailing slashes from a base URL.
   */
  export function trimBase(url: string): string {
    return url.trim().replace(/\/+$/, '');
  }

  /**
   * The base URL the origin's `/.well-known/matrix/client` announces, or
   * null if it announces none (missing, unreachable, not JSON).
   */
  export async function wellKnownBase(
    origin: string,
    trans: TranslationBundle
  ): Promise<string | null> {
    try {
      const answer = await request<{ [key: string]: any }>(trans, {
        baseUrl: origin,
        path: '/.well-known/matrix/client',
        timeoutMs: 8000
      });
      const base = answer?.['m.homeserver']?.base_url;
      return typeof base === 'string' && checkHttpUrl(base, trans) === null
        ? trimBase(base)
        : null;
    } catch {
      return null;
    }
  }

  /**
   * Check that a base URL serves the Matrix client-server API.
   */
  export async function checkVersions(
    baseUrl: string,
    trans: TranslationBundle
  ): Promise<void> {
    const notMatrix = () =>
      new DeliveryError(
        'invalid-config',
        trans.__(
          '%1 answered, but it is not a Matrix homeserver (it does not serve the Matrix client API). Check the address.',
          hostOf(baseUrl)
        )
      );
    let answer: { versions?: unknown };
    try {
      answer = await request(trans, {
        baseUrl,
        path: '/_matrix/client/versions'
      });
    } catch (reason) {
      if (
        reason instanceof DeliveryError &&
        (reason.kind === 'not-found' ||
          reason.kind === 'rejected' ||
          reason.kind === 'forbidden' ||
          reason.kind === 'unauthorized')
      ) {
        throw notMatrix();
      }
      if (reason instanceof DeliveryError && reason.kind === 'cors') {
        // Homeservers allow any origin, so this is rarely one.
        throw new DeliveryError(
          'cors',
          trans.__(
            '%1 answered, but the browser did not let the lab read the answer (CORS): it is not a Matrix homeserver, or it does not allow requests from other sites. Check the address.',
            hostOf(baseUrl)
          )
        );
      }
      throw reason;
    }
    if (!Array.isArray(answer?.versions)) {
      throw notMatrix();
    }
  }

  /**
   * A room's display name from its state: name, else canonical alias.
   */
  export async function roomName(
    session: IMatrixSession,
    roomId: string,
    trans: TranslationBundle
  ): Promise<string | null> {
    const state = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state`;
    const read = async (type: string, key: string): Promise<string | null> => {
      try {
        const content = await authorized<{ [key: string]: unknown }>(
          session,
          trans,
          { path: `${state}/${type}/` }
        );
        const value = content[key];
        return typeof value === 'string' && value.trim() ? value : null;
      } catch (reason) {
        // No such state (404), or no right to read it: fall back.
        if (reason instanceof DeliveryError && reason.kind === 'unauthorized') {
          throw reason;
        }
        return null;
      }
    };
    return (
      (await read('m.room.name', 'name')) ??
      (await read('m.room.canonical_alias', 'alias'))
    );
  }

  /**
   * Map over items with at most `limit` calls in flight.
   */
  export async function mapLimited<T, R>(
    items: readonly T[],
    limit: number,
    fn: (item: T) => Promise<R>
  ): Promise<R[]> {
    const results: R[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await fn(items[index]);
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(limit, items.length) }, worker)
    );
    return results;
  }

  /**
   * A short, stable hash (FNV-1a, 32 bits) in base 36.
   */
  export function hash(text: string): string {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    return (h >>> 0).toString(36);
  }
}
