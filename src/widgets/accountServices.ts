import type { TranslationBundle } from '@jupyterlab/translation';
import { SSO_PENDING_KEY, ssoReturnUrl } from '../matrix/ssoReturn';
import type { IMatrixService, INtfyService } from './accountPanel';

/**
 * The Matrix client, as the login forms use it.
 */
export async function matrixService(
  trans: TranslationBundle
): Promise<IMatrixService> {
  const [login, rooms] = await Promise.all([
    import('../matrix/matrixLogin'),
    import('../matrix/matrixRooms')
  ]);
  return {
    discover: input => login.discoverHomeserver(input, trans),
    flows: baseUrl => login.loginFlows(baseUrl, trans),
    login: (baseUrl, user, password) =>
      login.passwordLogin(baseUrl, user, password, trans),
    startSso: (baseUrl, idpId) => {
      window.localStorage.setItem(SSO_PENDING_KEY, baseUrl);
      window.open(
        login.ssoRedirectUrl(baseUrl, ssoReturnUrl(), idpId),
        '_blank',
        'popup,width=600,height=700'
      );
    },
    rooms: account => rooms.joinedRooms(account, trans),
    logout: account => login.logout(account, trans)
  };
}

/**
 * ntfy's account API, as the login forms use it.
 */
export async function ntfyService(
  trans: TranslationBundle
): Promise<INtfyService> {
  const account = await import('../delivery/ntfyAccount');
  return {
    login: async (server, user, password) =>
      (await account.ntfyLogin(server, user, password, trans)).token,
    logout: ntfy => account.ntfyLogout(ntfy.server, ntfy.token, trans)
  };
}
