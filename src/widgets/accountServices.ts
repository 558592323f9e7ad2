import type { TranslationBundle } from '@jupyterlab/translation';
import { SSO_PENDING_KEY, ssoReturnUrl } from '../matrix/ssoReturn';
import type { IMatrixService, INtfyService } from './accountPanel';

/**
 * The Matrix client, as the Account section uses it.
 */
export async function matrixService(
  trans: TranslationBundle
): Promise<IMatrixService> {
  const client = await import('../matrix/matrixClient');
  return {
    discover: input => client.discoverHomeserver(input, trans),
    flows: baseUrl => client.loginFlows(baseUrl, trans),
    login: (baseUrl, user, password) =>
      client.passwordLogin(baseUrl, user, password, trans),
    startSso: (baseUrl, idpId) => {
      window.localStorage.setItem(SSO_PENDING_KEY, baseUrl);
      window.open(
        client.ssoRedirectUrl(baseUrl, ssoReturnUrl(), idpId),
        '_blank',
        'popup,width=600,height=700'
      );
    },
    rooms: account => client.joinedRooms(account, trans),
    logout: account => client.logout(account, trans)
  };
}

/**
 * ntfy's account API, as the Account section uses it.
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
