import {
  KernelManager,
  ServerConnection,
  SessionManager
} from '@jupyterlab/services';
import type { Kernel, Session } from '@jupyterlab/services';
import type { IDisposable } from '@lumino/disposable';
import type { Poll } from '@lumino/polling';
import type { IRemoteServerConfig } from '../remoteServer';
import { LOCAL_SERVER_ID } from '../remoteServer';

/**
 * A Jupyter server address as the user may paste it, split into the base
 * URL the REST API lives under and the token the address carried.
 */
export interface INormalisedServerUrl {
  /** `http(s)://host[:port]/base/`, always with a trailing slash. */
  baseUrl: string;
  /** The `?token=` of a pasted address, or null when it had none. */
  token: string | null;
}

/**
 * Turn what the user pasted (a lab address with `/lab/tree/x.ipynb`,
 * `?token=...`, `#...`, no trailing slash) into the server's base URL.
 * Returns null when it is not an http(s) address.
 */
export function normaliseServerUrl(raw: string): INormalisedServerUrl | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return null;
  }
  const token = url.searchParams.get('token');
  // Everything from the first front-end route on is a page, not the base.
  let path = url.pathname.replace(
    /\/(?:lab|tree|notebooks|edit|doc|terminals|consoles)(?:\/.*)?$/,
    '/'
  );
  if (!path.endsWith('/')) {
    path += '/';
  }
  return { baseUrl: `${url.origin}${path}`, token: token || null };
}

/**
 * Options of `remoteServerSettings`.
 */
export interface IRemoteSettingsOptions {
  /** The fetch to use (tests give one that applies the browser's CORS rules). */
  fetch?: typeof fetch;
  /** The WebSocket class to use (default: the page's). */
  WebSocket?: typeof WebSocket;
}

/**
 * Connection settings for a configured Jupyter server: its own base and
 * websocket URLs, and its token sent as a header (REST) and appended to
 * websocket URLs (browsers cannot set headers on websockets). Never the
 * lab's default settings, which carry this lab's token and XSRF cookie.
 *
 * Throws when the configured URL is not an http(s) address.
 */
export function remoteServerSettings(
  config: Pick<IRemoteServerConfig, 'url' | 'token'>,
  options: IRemoteSettingsOptions = {}
): ServerConnection.ISettings {
  const normalised = normaliseServerUrl(config.url);
  if (!normalised) {
    throw new Error('Invalid Jupyter server URL');
  }
  const baseUrl = normalised.baseUrl;
  const wsUrl = 'ws' + baseUrl.slice('http'.length);
  return ServerConnection.makeSettings({
    baseUrl,
    wsUrl,
    token: config.token || normalised.token || '',
    appendToken: true,
    // A remote server's cookies are of no use; the token is the credential.
    init: { cache: 'no-store', credentials: 'omit' },
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.WebSocket ? { WebSocket: options.WebSocket } : {})
  });
}

/**
 * The settings for a server id: this lab's own server gets the default
 * settings, a configured server its own; null when the id is unknown or
 * its URL is invalid.
 */
export function settingsForServer(
  serverId: string,
  configs: readonly IRemoteServerConfig[],
  options: IRemoteSettingsOptions = {}
): ServerConnection.ISettings | null {
  if (serverId === LOCAL_SERVER_ID) {
    return ServerConnection.makeSettings();
  }
  const config = configs.find(
    item => item.id === serverId && item.kind === 'jupyter'
  );
  if (!config) {
    return null;
  }
  try {
    return remoteServerSettings(config, options);
  } catch {
    return null;
  }
}

/**
 * The kernel and session managers of one remote Jupyter server, whose
 * polls stand by while the section cannot be seen. Dispose it with the
 * view that made it.
 */
export class JupyterRemote implements IDisposable {
  constructor(options: JupyterRemote.IOptions) {
    this.serverSettings = options.serverSettings;
    const standby = options.standby ?? 'when-hidden';
    this.kernels = new KernelManager({
      serverSettings: this.serverSettings,
      standby
    });
    this.sessions = new SessionManager({
      serverSettings: this.serverSettings,
      kernelManager: this.kernels as KernelManager,
      standby
    });
    // Disposing before the first poll rejects `ready`: nobody is waiting.
    this.kernels.ready.catch(() => undefined);
    this.sessions.ready.catch(() => undefined);
  }

  /** The settings every request of this server uses. */
  readonly serverSettings: ServerConnection.ISettings;

  /** The server's kernels. */
  readonly kernels: Kernel.IManager;

  /** The server's sessions. */
  readonly sessions: Session.IManager;

  /** Whether it has been disposed. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Stop polling and close every connection made through the managers. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this.sessions.dispose();
    this.kernels.dispose();
  }

  private _isDisposed = false;
}

/**
 * The namespace for `JupyterRemote` statics.
 */
export namespace JupyterRemote {
  /**
   * Options of a remote server's managers.
   */
  export interface IOptions {
    serverSettings: ServerConnection.ISettings;
    /** When the managers' polls stand by (default `when-hidden`). */
    standby?: Poll.Standby | (() => boolean | Poll.Standby);
  }
}
