import { Notification } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { SettingsStore } from '../settings/settingsStore';

/**
 * The query parameter that marks the lab's address as the end of a Matrix
 * single sign-on (the homeserver adds `loginToken` to it).
 */
export const SSO_MARK = 'lmk-matrix-sso';

/**
 * Where the homeserver of a single sign-on under way is kept (no secret).
 */
export const SSO_PENDING_KEY = 'jupyterlab-lmk:matrix-sso';

/**
 * The address the homeserver sends the browser back to after a single
 * sign-on: this lab page, marked.
 */
export function ssoReturnUrl(): string {
  const url = new URL(window.location.href);
  url.search = '';
  url.hash = '';
  url.searchParams.set(SSO_MARK, '1');
  return url.toString();
}

/**
 * If this page is the end of a Matrix single sign-on, exchange the login
 * token for an access token, keep the login, and take the token out of the
 * address bar. Costs one look at `location.search` otherwise.
 */
export async function finishMatrixSso(
  store: SettingsStore,
  trans: TranslationBundle
): Promise<void> {
  const params = new URLSearchParams(window.location.search);
  const loginToken = params.get('loginToken');
  if (!params.has(SSO_MARK) || !loginToken) {
    return;
  }
  // The login token must not stay in the address bar or the history.
  params.delete('loginToken');
  params.delete(SSO_MARK);
  const clean = new URL(window.location.href);
  clean.search = params.toString();
  window.history.replaceState(null, '', clean.toString());

  const homeserver = window.localStorage.getItem(SSO_PENDING_KEY);
  window.localStorage.removeItem(SSO_PENDING_KEY);
  if (!homeserver) {
    Notification.error(
      trans.__(
        'The Matrix single sign-on came back, but the lab does not know which homeserver it was for. Log in again from the Notifications panel.'
      ),
      { autoClose: false }
    );
    return;
  }
  try {
    const { tokenLogin } = await import('./matrixLogin');
    const session = await tokenLogin(homeserver, loginToken, trans);
    await store.ready;
    await store.setAccount('matrix', session);
    Notification.success(
      trans.__('Logged in to Matrix as %1.', session.userId),
      { autoClose: 5000 }
    );
    if (window.opener) {
      window.close();
    }
  } catch (reason) {
    Notification.error(
      trans.__(
        'The Matrix single sign-on failed: %1',
        reason instanceof Error ? reason.message : String(reason)
      ),
      { autoClose: false }
    );
  }
}
