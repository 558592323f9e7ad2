import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import type { ILmkSettings } from './lmkSettings';

/**
 * What the server extension says of the user settings file (a browser
 * cannot see file modes): `GET <base url>lmk/api/settings-file`.
 */
export interface ISettingsFileState {
  /** The file, on the server's machine. */
  path: string;
  folder: string;
  exists: boolean;
  /** Octal, e.g. "0644"; null where modes mean nothing (Windows). */
  mode: string | null;
  folderMode: string | null;
  /** Whether another user of that machine can read it. */
  othersCanRead: boolean | null;
  /** The shell command that makes file and folder private. */
  fix: string;
}

/**
 * Ask the server about the settings file; null when it cannot say (its
 * extension is not enabled, or the request failed).
 */
export async function fetchSettingsFileState(
  serverSettings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<ISettingsFileState | null> {
  try {
    const response = await ServerConnection.makeRequest(
      URLExt.join(serverSettings.baseUrl, 'lmk/api/settings-file'),
      {},
      serverSettings
    );
    if (!response.ok) {
      return null;
    }
    const state = (await response.json()) as ISettingsFileState;
    return typeof state?.path === 'string' ? state : null;
  } catch {
    return null;
  }
}

/**
 * Whether the settings hold a secret: a webhook address, a token, a
 * signing secret, a login, a remote server's token.
 */
export function holdsSecrets(settings: ILmkSettings): boolean {
  return (
    settings.channels.some(channel =>
      ['url', 'token', 'secret'].some(
        key => typeof channel[key] === 'string' && !!channel[key]
      )
    ) ||
    !!settings.accounts.matrix ||
    !!settings.accounts.ntfy ||
    settings.remoteServers.some(server => !!server.token)
  );
}

/**
 * Warns when the settings file holds secrets that other users of the
 * server's machine can read: once at start (and not again for the same
 * file and mode, across reloads), and whenever secrets are first saved in
 * this page (a channel with a token added, a login).
 */
export class SettingsFileWatch {
  constructor(options: SettingsFileWatch.IOptions) {
    this._fetch = options.fetch;
    this._warn = options.warn;
    this._storage = options.storage;
  }

  /**
   * The settings were read (at start, or after a change).
   */
  async settingsRead(settings: ILmkSettings): Promise<void> {
    const secrets = holdsSecrets(settings);
    const first = !this._started;
    const saved = this._started && secrets && !this._hadSecrets;
    this._started = true;
    this._hadSecrets = secrets;
    if (!secrets || !(first || saved)) {
      return;
    }
    const state = await this._fetch();
    if (!state?.othersCanRead) {
      return;
    }
    const key = `jupyterlab-lmk:settings-file-warned:${state.path}`;
    const seen = this._read(key) === state.mode;
    if (first && seen) {
      return;
    }
    this._write(key, state.mode ?? '');
    this._warn(state);
  }

  private _read(key: string): string | null {
    try {
      return this._storage?.getItem(key) ?? null;
    } catch {
      return null;
    }
  }

  private _write(key: string, value: string): void {
    try {
      this._storage?.setItem(key, value);
    } catch {
      // Storage off: warned again at the next start.
    }
  }

  private _fetch: () => Promise<ISettingsFileState | null>;
  private _warn: (state: ISettingsFileState) => void;
  private _storage: SettingsFileWatch.IStorage | null;
  private _started = false;
  private _hadSecrets = false;
}

/**
 * The namespace for `SettingsFileWatch` statics.
 */
export namespace SettingsFileWatch {
  /**
   * Where "already warned" is remembered (`localStorage`).
   */
  export interface IStorage {
    getItem(key: string): string | null;
    setItem(key: string, value: string): void;
  }

  /**
   * Options of the watch.
   */
  export interface IOptions {
    /** Ask the server (`fetchSettingsFileState`). */
    fetch: () => Promise<ISettingsFileState | null>;
    /** Tell the user. */
    warn: (state: ISettingsFileState) => void;
    storage: IStorage | null;
  }
}
