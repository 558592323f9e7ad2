import type { TranslationBundle } from '@jupyterlab/translation';
import { DeliveryError } from '../../delivery/deliveryError';
import { fetchService, hostOf } from '../../delivery/http';

/**
 * What a hub server is doing, as the list shows it.
 */
export type HubServerState = 'running' | 'starting' | 'stopping' | 'stopped';

/**
 * One of the user's servers on a hub (the default one has the name '').
 */
export interface IHubServer {
  /** '' for the default server. */
  name: string;
  /** What the hub shows (JupyterHub 6 display names), else the name. */
  displayName: string;
  state: HubServerState;
  /** The hub's raw `pending` value (`spawn`, `stop`, ...), or null. */
  pending: string | null;
  /** The server's base URL, absolute (hub origin + `/user/<name>/<server>/`). */
  url: string;
  /** ISO date the server started, or null. */
  started: string | null;
  /** ISO date of the last activity the hub saw, or null. */
  lastActivity: string | null;
}

/**
 * The token's owner, as the hub sees them.
 */
export interface IHubUser {
  name: string;
  admin: boolean;
  /** The token's scopes (JupyterHub 3+), empty if the hub does not say. */
  scopes: string[];
  /** The user's servers, default first, then by name. */
  servers: IHubServer[];
}

/**
 * One event of a spawn's progress stream.
 */
export interface ISpawnEvent {
  /** 0-100. */
  progress: number;
  message: string;
  ready: boolean;
  failed: boolean;
  /** The server's absolute URL, on the ready event. */
  url?: string;
}

/**
 * How to browse a running server as a Jupyter server.
 */
export interface IHubServerConnection {
  url: string;
  token: string;
}

/**
 * The name rule of JupyterHub 6 for new named servers: 1-30 characters,
 * lower-case letters, digits and single hyphens, starting with a letter and
 * ending with a letter or digit. Older hubs accept more, so this rule is
 * safe for all of them.
 */
export const SERVER_NAME_PATTERN = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*$/;

/** Longest server name JupyterHub 6 accepts. */
export const MAX_SERVER_NAME_LENGTH = 30;

/**
 * Check a name for a new server; returns a message for the user, or null.
 */
export function checkServerName(
  name: string,
  trans: TranslationBundle,
  existing: readonly string[] = []
): string | null {
  if (!name) {
    return trans.__('Give the server a name.');
  }
  if (name.length > MAX_SERVER_NAME_LENGTH) {
    return trans.__(
      'A server name has at most %1 characters.',
      MAX_SERVER_NAME_LENGTH
    );
  }
  if (!SERVER_NAME_PATTERN.test(name)) {
    return trans.__(
      'Use lower-case letters, digits and single hyphens, starting with a letter and ending with a letter or digit.'
    );
  }
  if (existing.includes(name)) {
    return trans.__('There is already a server named %1.', name);
  }
  return null;
}

/**
 * A client of the JupyterHub REST API for one user, authenticated by an API
 * token (`Authorization: token ...`). Every failure is a `DeliveryError`
 * whose message says what to do and never holds the token.
 */
export class HubClient {
  constructor(options: HubClient.IOptions) {
    this.baseUrl = HubClient.normalizeUrl(options.url);
    this._token = options.token;
    this._trans = options.trans;
    this._timeoutMs = options.timeoutMs;
  }

  /**
   * The hub's base URL with a trailing slash (`https://host/prefix/`), without
   * the `hub/` part.
   */
  readonly baseUrl: string;

  /** The hub's origin, for the servers' absolute URLs. */
  get origin(): string {
    return new URL(this.baseUrl).origin;
  }

  /**
   * The token's owner and their servers (stopped named servers included).
   */
  async whoAmI(): Promise<IHubUser> {
    const user = await this._userModel();
    return {
      name: user.name,
      admin: !!user.admin,
      scopes: Array.isArray(user.scopes) ? user.scopes : [],
      servers: this._servers(user)
    };
  }

  /**
   * The user's servers: the default one and the named ones, running or not.
   * Throws if the token may not read them.
   */
  async listServers(): Promise<IHubServer[]> {
    const user = await this._userModel();
    if (!user.servers) {
      throw new DeliveryError(
        'forbidden',
        this._trans.__(
          'This token may not list the servers of %1: make a token with the scope read:servers on %2.',
          user.name,
          this.tokenPageUrl
        )
      );
    }
    return this._servers(user);
  }

  /**
   * Start a server ('' for the default one; a named one is created if it
   * does not exist). Resolves `running` if the hub says it is up (201),
   * `starting` if it is on its way (202): follow it with `progress()`.
   */
  async startServer(name: string): Promise<'running' | 'starting'> {
    const response = await this._request(
      this._serverPath(await this._user(), name),
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({})
      }
    );
    return response.status === 202 ? 'starting' : 'running';
  }

  /**
   * The progress events of a spawn, read from the hub's event stream until
   * the server is ready or failed (or the stream ends). `signal` stops it.
   * The hub's stream needs the token header, so it is read through fetch
   * (an EventSource cannot send headers).
   */
  async *progress(
    name: string,
    options: { signal?: AbortSignal; timeoutMs?: number } = {}
  ): AsyncGenerator<ISpawnEvent> {
    const path = `${this._serverPath(await this._user(), name)}/progress`;
    const response = await this._request(path, {
      headers: { Accept: 'text/event-stream' }
    });
    if (!response.body) {
      return;
    }
    const reader = response.body.getReader();
    const stop = () => void reader.cancel().catch(() => undefined);
    const timer = setTimeout(stop, options.timeoutMs ?? 5 * 60_000);
    options.signal?.addEventListener('abort', stop);
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          return;
        }
        buffer += decoder.decode(value, { stream: true }).replace(/\r/g, '');
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const event = Private.parseEvent(buffer.slice(0, end), this.origin);
          buffer = buffer.slice(end + 2);
          if (event) {
            yield event;
            if (event.ready || event.failed) {
              return;
            }
          }
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // The stream was cut (or stopped): the caller refreshes the list.
      return;
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', stop);
      stop();
    }
  }

  /**
   * Ask the hub to stop a server, then wait until it says it stopped
   * (polling the list, at most `timeoutMs`). Resolves false on timeout.
   */
  async stopServer(
    name: string,
    options: { pollMs?: number; timeoutMs?: number; remove?: boolean } = {}
  ): Promise<boolean> {
    await this._request(this._serverPath(await this._user(), name), {
      method: 'DELETE',
      ...(options.remove
        ? {
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ remove: true })
          }
        : {})
    });
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    for (;;) {
      const server = (await this.listServers()).find(s => s.name === name);
      if (!server || server.state === 'stopped') {
        return true;
      }
      if (Date.now() >= deadline) {
        return false;
      }
      await new Promise(resolve => setTimeout(resolve, options.pollMs ?? 500));
    }
  }

  /**
   * Stop a named server if it runs and forget it entirely (its name can be
   * used again).
   */
  deleteServer(
    name: string,
    options: { pollMs?: number; timeoutMs?: number } = {}
  ): Promise<boolean> {
    return this.stopServer(name, { ...options, remove: true });
  }

  /**
   * The URL and token to use a running server as a Jupyter server: the
   * hub API token works on the user's own servers (scope access:servers).
   */
  connection(server: IHubServer): IHubServerConnection {
    return { url: server.url, token: this._token };
  }

  /** The hub's page where the user makes API tokens. */
  get tokenPageUrl(): string {
    return `${this.baseUrl}hub/token`;
  }

  private async _userModel(): Promise<Private.IUserModel> {
    const model = await this._json('user?include_stopped_servers=1');
    if (
      !model ||
      typeof model !== 'object' ||
      typeof (model as Private.IUserModel).name !== 'string'
    ) {
      throw this._notAHub();
    }
    const user = model as Private.IUserModel;
    if (user.kind === 'service') {
      throw new DeliveryError(
        'forbidden',
        this._trans.__(
          'This token belongs to the hub service %1, not to a user: use a token made on your Token page (%2).',
          user.name,
          this.tokenPageUrl
        )
      );
    }
    this._userName = user.name;
    return user;
  }

  private async _user(): Promise<string> {
    if (this._userName === null) {
      await this.whoAmI();
    }
    return this._userName!;
  }

  private _serverPath(user: string, name: string): string {
    const encoded = encodeURIComponent(user);
    return name
      ? `users/${encoded}/servers/${encodeURIComponent(name)}`
      : `users/${encoded}/server`;
  }

  private _servers(user: Private.IUserModel): IHubServer[] {
    const servers = Object.entries(user.servers ?? {}).map(([name, model]) =>
      Private.server(name, model, this.origin)
    );
    return servers.sort((a, b) =>
      a.name === b.name ? 0 : a.name < b.name ? -1 : 1
    );
  }

  private async _json(path: string): Promise<unknown> {
    const response = await this._request(path, {
      headers: { Accept: 'application/json' }
    });
    try {
      return await response.json();
    } catch {
      throw this._notAHub();
    }
  }

  /**
   * One API request; failures rephrased for a hub.
   */
  private async _request(path: string, init: RequestInit): Promise<Response> {
    const trans = this._trans;
    const host = hostOf(this.baseUrl);
    try {
      return await fetchService({
        url: `${this.baseUrl}hub/api/${path}`,
        init: {
          ...init,
          headers: {
            ...(init.headers as Record<string, string>),
            Authorization: `token ${this._token}`
          },
          credentials: 'omit',
          cache: 'no-store'
        },
        service: trans.__('JupyterHub'),
        trans,
        timeoutMs: this._timeoutMs,
        secrets: [this._token]
      });
    } catch (error) {
      if (!(error instanceof DeliveryError)) {
        throw error;
      }
      switch (error.kind) {
        case 'unauthorized':
        case 'forbidden':
          if (error.status === 403 && path.startsWith('users/')) {
            // The token is valid (whoAmI worked) but lacks a scope.
            throw new DeliveryError(
              'forbidden',
              trans.__(
                'The hub at %1 refused (403): this token may not start or stop servers. Make a token with the scopes servers and access:servers on %2.',
                host,
                this.tokenPageUrl
              ),
              { status: 403 }
            );
          }
          throw new DeliveryError(
            error.kind,
            trans.__(
              'The hub at %1 refused the token (%2): it is wrong, expired or revoked. Make a new one on %3.',
              host,
              error.status ?? 403,
              this.tokenPageUrl
            ),
            { status: error.status ?? undefined }
          );
        case 'not-found':
          if (path.startsWith('user?')) {
            throw this._notAHub();
          }
          throw error;
        case 'cors':
          throw new DeliveryError(
            'cors',
            trans.__(
              'The hub at %1 answered, but does not allow requests from this lab (CORS). Its administrator can allow %2 with c.JupyterHub.tornado_settings = {"headers": {"Access-Control-Allow-Origin": "%2"}}.',
              host,
              typeof location === 'undefined' ? '' : location.origin
            )
          );
        case 'unreachable':
          throw new DeliveryError(
            'unreachable',
            trans.__(
              'The hub at %1 could not be reached: check the address and your network.',
              host
            )
          );
        case 'rejected':
        case 'server':
          // Keep the hub's own words ("is already running", "Invalid server_name").
          throw new DeliveryError(
            error.kind,
            trans.__('The hub refused: %1', Private.hubReason(error.message)),
            { status: error.status ?? undefined }
          );
        default:
          throw error;
      }
    }
  }

  private _notAHub(): DeliveryError {
    return new DeliveryError(
      'invalid-config',
      this._trans.__(
        '%1 does not look like a JupyterHub (no hub API at %2hub/api/): check the address.',
        hostOf(this.baseUrl),
        this.baseUrl
      )
    );
  }

  private _token: string;
  private _trans: TranslationBundle;
  private _timeoutMs: number | undefined;
  private _userName: string | null = null;
}

/**
 * The namespace for `HubClient` statics.
 */
export namespace HubClient {
  /**
   * Options of a hub client.
   */
  export interface IOptions {
    /** The hub's address, as the user gives it (`https://hub.example.org/`). */
    url: string;
    /** An API token of the user (secret). */
    token: string;
    trans: TranslationBundle;
    /** Per request (default that of `fetchService`). */
    timeoutMs?: number;
  }

  /**
   * The hub's base URL with a trailing slash, from what a user may paste:
   * the hub's home (`.../hub/home`), its API (`.../hub/api`), a server
   * (`.../user/alice/`) or its root.
   */
  export function normalizeUrl(url: string): string {
    const parsed = new URL(url.trim());
    let path = parsed.pathname.replace(/\/+$/, '');
    path = path.replace(/\/(hub(\/.*)?|user\/[^/]+(\/.*)?)$/, '');
    return `${parsed.origin}${path}/`;
  }
}

namespace Private {
  /** The part of a JupyterHub server model the client reads. */
  export interface IServerModel {
    name?: string;
    display_name?: string;
    ready?: boolean;
    pending?: string | null;
    stopped?: boolean;
    url?: string;
    full_url?: string | null;
    started?: string | null;
    last_activity?: string | null;
  }

  /** The part of a JupyterHub user model the client reads. */
  export interface IUserModel {
    kind?: string;
    name: string;
    admin?: boolean;
    scopes?: string[];
    servers?: { [name: string]: IServerModel };
  }

  export function server(
    name: string,
    model: IServerModel,
    origin: string
  ): IHubServer {
    let state: HubServerState;
    if (model.pending === 'stop') {
      state = 'stopping';
    } else if (model.pending) {
      state = 'starting';
    } else if (model.ready) {
      state = 'running';
    } else if (model.stopped === false) {
      // Neither ready nor pending nor stopped: on its way up.
      state = 'starting';
    } else {
      state = 'stopped';
    }
    return {
      name,
      displayName: model.display_name || name,
      state,
      pending: model.pending ?? null,
      url: absolute(model.full_url || model.url || '', origin),
      started: model.started ?? null,
      lastActivity: model.last_activity ?? null
    };
  }

  function absolute(url: string, origin: string): string {
    try {
      return new URL(url, origin).href;
    } catch {
      return '';
    }
  }

  /**
   * One server-sent event block as a spawn event, or null for keep-alive
   * lines and comments.
   */
  export function parseEvent(
    block: string,
    origin: string
  ): ISpawnEvent | null {
    const data = block
      .split('\n')
      .filter(line => line.startsWith('data:'))
      .map(line => line.slice(5).trimStart())
      .join('\n');
    if (!data) {
      return null;
    }
    let raw: {
      progress?: number;
      message?: string;
      ready?: boolean;
      failed?: boolean;
      url?: string;
    };
    try {
      raw = JSON.parse(data);
    } catch {
      return null;
    }
    return {
      progress: Math.max(0, Math.min(100, Number(raw.progress) || 0)),
      message: typeof raw.message === 'string' ? raw.message : '',
      ready: !!raw.ready,
      failed: !!raw.failed,
      ...(raw.url ? { url: absolute(raw.url, origin) } : {})
    };
  }

  /**
   * The hub's reason from a rephrased error ("... It said: {"status": 400,
   * "message": "..."}"), or the whole message.
   */
  export function hubReason(message: string): string {
    const match = /\{.*\}/.exec(message);
    if (match) {
      try {
        const body = JSON.parse(match[0]);
        if (typeof body.message === 'string') {
          return body.message;
        }
      } catch {
        // Quoted text cut short: keep the message.
      }
    }
    return message;
  }
}
