import type { TranslationBundle } from '@jupyterlab/translation';
import { DeliveryError } from '../delivery/deliveryError';
import { checkHttpUrl, hostOf } from '../delivery/http';
import {
  authorizedRequest,
  errcode,
  type IMatrixSession,
  MATRIX_SERVICE,
  matrixRequest,
  trimBase
} from './matrixApi';

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
  const typed = trimBase(
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
  const answer = await matrixRequest<{ flows?: unknown }>(trans, {
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
  return Private.logIn(
    baseUrl,
    {
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user: user.trim() },
      password,
      initial_device_display_name: deviceName
    },
    password,
    trans,
    () => trans.__('Matrix at %1: wrong username or password.', hostOf(baseUrl))
  );
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
    `${trimBase(baseUrl)}/_matrix/client/v3/login/sso/redirect` +
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
  return Private.logIn(
    baseUrl,
    {
      type: 'm.login.token',
      token: loginToken,
      initial_device_display_name: deviceName
    },
    loginToken,
    trans,
    () =>
      trans.__(
        'Matrix at %1 did not accept the sign-in: it expired or was already used. Sign in again.',
        hostOf(baseUrl)
      )
  );
}

/**
 * Who the session belongs to (`GET /account/whoami`); a revoked session
 * fails with an `unauthorized` error.
 */
export async function whoami(
  session: IMatrixSession,
  trans: TranslationBundle
): Promise<{ userId: string; deviceId: string | null }> {
  const answer = await authorizedRequest<{
    user_id?: unknown;
    device_id?: unknown;
  }>(session, trans, { path: '/_matrix/client/v3/account/whoami' });
  return {
    userId: typeof answer.user_id === 'string' ? answer.user_id : '',
    deviceId: typeof answer.device_id === 'string' ? answer.device_id : null
  };
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
    await authorizedRequest(session, trans, {
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
   * Log in (`POST /login` with `body`, whose `secret` never shows in an
   * error) and make the session; refused credentials say `refused()`.
   */
  export async function logIn(
    baseUrl: string,
    body: { [key: string]: unknown },
    secret: string,
    trans: TranslationBundle,
    refused: () => string
  ): Promise<IMatrixSession> {
    try {
      const answer = await matrixRequest(trans, {
        baseUrl,
        path: '/_matrix/client/v3/login',
        method: 'POST',
        body,
        secrets: [secret]
      });
      return session(baseUrl, answer, trans);
    } catch (reason) {
      throw loginError(reason, baseUrl, trans, refused);
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
          MATRIX_SERVICE,
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
   * The base URL the origin's `/.well-known/matrix/client` announces, or
   * null if it announces none (missing, unreachable, not JSON).
   */
  export async function wellKnownBase(
    origin: string,
    trans: TranslationBundle
  ): Promise<string | null> {
    try {
      const answer = await matrixRequest<{ [key: string]: any }>(trans, {
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
      answer = await matrixRequest(trans, {
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
}
