import type { TranslationBundle } from '@jupyterlab/translation';
import type { RemoteServerKind } from '../../remote/remoteServer';

/**
 * What the user calls each kind of remote server.
 */
export function remoteKindLabel(
  kind: RemoteServerKind,
  trans: TranslationBundle
): string {
  switch (kind) {
    case 'hub':
      return trans.__('JupyterHub');
    case 'skaha':
      return trans.__('CANFAR/Skaha platform');
    default:
      return trans.__('Jupyter server');
  }
}
