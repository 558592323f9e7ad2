import type { TranslationBundle } from '@jupyterlab/translation';
import { isNotifyMode, type NotifyMode } from '../rules/notifyMode';
import {
  type IRemoteServerConfig,
  LOCAL_SERVER_ID
} from '../remote/remoteServer';
import type { IChannelConfig } from '../tokens';

/**
 * The settings of `jupyterlab-lmk:plugin`, checked and with defaults filled in.
 */
export interface ILmkSettings {
  /** Runs shorter than this many seconds are not reported (modes `default`, `still-running`). */
  threshold: number;
  /** Which runs notify, unless a notebook or cell says otherwise. */
  mode: NotifyMode;
  /** Delay of the "still running" notification, in minutes. */
  stillRunningMinutes: number;
  /** Whether channels marked "only when away" wait for the user to be away. */
  awayOnly: boolean;
  /** Seconds without keyboard or mouse activity that count as away. */
  awaySeconds: number;
  /** Add the failing cell's source to failure notifications. */
  includeSource: boolean;
  /** Last lines of output to add to notifications (0: none). */
  outputLines: number;
  /** Configured channels, in order. */
  channels: IChannelConfig[];
  /** How long the outbox keeps retrying a remote delivery, in minutes. */
  retryMinutes: number;
  /** Notifications per notebook per minute before the rest are summed up (0: no limit). */
  floodLimit: number;
  /** Logins to services that have accounts (secrets: see docs/security.md). */
  accounts: ILmkAccounts;
  /** Servers listed under Remote sessions (tokens are secrets). */
  remoteServers: IRemoteServerConfig[];
}

/**
 * A Matrix login, as kept in the settings.
 */
export interface IMatrixAccount {
  /** Base URL of the homeserver's client-server API. */
  homeserver: string;
  userId: string;
  deviceId: string;
  /** Secret. */
  accessToken: string;
}

/**
 * An ntfy login: the token ntfy's account API gave for a username.
 */
export interface INtfyAccount {
  server: string;
  username: string;
  /** Secret. */
  token: string;
}

/**
 * The logins kept in the settings.
 */
export interface ILmkAccounts {
  matrix?: IMatrixAccount;
  ntfy?: INtfyAccount;
}

/**
 * The embedded default: in-lab toast and desktop notification, nothing
 * leaves the browser.
 */
export const DEFAULT_SETTINGS: ILmkSettings = {
  threshold: 30,
  mode: 'default',
  stillRunningMinutes: 10,
  awayOnly: true,
  awaySeconds: 120,
  includeSource: false,
  outputLines: 0,
  channels: [
    { id: 'lab', type: 'toast', enabled: true },
    { id: 'desktop', type: 'desktop', enabled: true }
  ],
  retryMinutes: 60,
  floodLimit: 3,
  accounts: {},
  remoteServers: []
};

/**
 * Whether a channel is used for notebooks that did not choose their own
 * channels: enabled, and not taken out of the defaults.
 */
export function isDefaultChannel(config: IChannelConfig): boolean {
  return config.enabled && config.default !== false;
}

/**
 * Whether a channel delivers only when the user is away: its own
 * `awayOnly`, else on for every type but the in-lab toast.
 */
export function isAwayOnlyChannel(config: IChannelConfig): boolean {
  return typeof config.awayOnly === 'boolean'
    ? config.awayOnly
    : config.type !== 'toast';
}

/**
 * Options of `readSettings`.
 */
export interface IReadSettingsOptions {
  /**
   * Whether a channel type is known (registered by this or another
   * extension); channels of other types are named. Without it, types are
   * not checked (before every extension has registered its types).
   */
  isKnownType?: (type: string) => boolean;
}

/**
 * Read settings defensively: whatever is malformed is replaced by its
 * default or left out, and named in `problems` so the user can be told.
 * Nothing is ever removed from the document itself (see `settingsEdits`):
 * a value ignored here stays in the file for the user to fix.
 */
export function readSettings(
  raw: { [key: string]: unknown },
  trans: TranslationBundle,
  options: IReadSettingsOptions = {}
): { settings: ILmkSettings; problems: string[] } {
  const problems: string[] = [];
  for (const key of Object.keys(raw)) {
    if (!(key in DEFAULT_SETTINGS) && !Private.isForeignKey(key)) {
      problems.push(
        trans.__(
          '"%1" is not a setting of this version of jupyterlab-lmk; it is left in the file and has no effect.',
          key
        )
      );
    }
  }
  const number = (
    key:
      | 'threshold'
      | 'stillRunningMinutes'
      | 'awaySeconds'
      | 'outputLines'
      | 'retryMinutes'
      | 'floodLimit',
    valid: (value: number) => boolean,
    problem: string
  ): number => {
    const value = raw[key];
    if (value === undefined) {
      return DEFAULT_SETTINGS[key];
    }
    if (typeof value === 'number' && Number.isFinite(value) && valid(value)) {
      return value;
    }
    problems.push(problem);
    return DEFAULT_SETTINGS[key];
  };
  const flag = (
    key: 'awayOnly' | 'includeSource',
    problem: string
  ): boolean => {
    const value = raw[key];
    if (value === undefined) {
      return DEFAULT_SETTINGS[key];
    }
    if (typeof value === 'boolean') {
      return value;
    }
    problems.push(problem);
    return DEFAULT_SETTINGS[key];
  };

  const threshold = number(
    'threshold',
    value => value >= 0,
    trans.__(
      '"threshold" must be a number of seconds, 0 or more; using %1.',
      DEFAULT_SETTINGS.threshold
    )
  );
  let mode = DEFAULT_SETTINGS.mode;
  if (raw.mode !== undefined) {
    if (isNotifyMode(raw.mode)) {
      mode = raw.mode;
    } else {
      problems.push(
        trans.__(
          '"mode" must be one of default, always, on-error, still-running, never; using %1.',
          DEFAULT_SETTINGS.mode
        )
      );
    }
  }
  const stillRunningMinutes = number(
    'stillRunningMinutes',
    value => value > 0,
    trans.__(
      '"stillRunningMinutes" must be a number of minutes above 0; using %1.',
      DEFAULT_SETTINGS.stillRunningMinutes
    )
  );
  const awayOnly = flag(
    'awayOnly',
    trans.__('"awayOnly" must be true or false; using true.')
  );
  const awaySeconds = number(
    'awaySeconds',
    value => value >= 0,
    trans.__(
      '"awaySeconds" must be a number of seconds, 0 or more; using %1.',
      DEFAULT_SETTINGS.awaySeconds
    )
  );
  const includeSource = flag(
    'includeSource',
    trans.__('"includeSource" must be true or false; using false.')
  );
  const outputLines = Math.floor(
    number(
      'outputLines',
      value => value >= 0 && value <= 50,
      trans.__('"outputLines" must be a whole number from 0 to 50; using 0.')
    )
  );

  const retryMinutes = number(
    'retryMinutes',
    value => value > 0 && value <= 7 * 24 * 60,
    trans.__(
      '"retryMinutes" must be a number of minutes above 0 (at most a week); using %1.',
      DEFAULT_SETTINGS.retryMinutes
    )
  );
  const floodLimit = Math.floor(
    number(
      'floodLimit',
      value => value >= 0,
      trans.__(
        '"floodLimit" must be a whole number, 0 (no limit) or more; using %1.',
        DEFAULT_SETTINGS.floodLimit
      )
    )
  );
  const accounts = Private.readAccounts(raw.accounts, problems, trans);
  const remoteServers = Private.readRemoteServers(
    raw.remoteServers,
    problems,
    trans
  );

  let channels = DEFAULT_SETTINGS.channels.map(c => ({ ...c }));
  if (raw.channels !== undefined) {
    if (!Array.isArray(raw.channels)) {
      problems.push(
        trans.__('"channels" must be a list; using the default channels.')
      );
    } else {
      const seen = new Set<string>();
      channels = [];
      raw.channels.forEach((item: unknown, position: number) => {
        const channel = item as Partial<IChannelConfig> | null;
        if (
          !channel ||
          typeof channel !== 'object' ||
          typeof channel.id !== 'string' ||
          !channel.id ||
          typeof channel.type !== 'string' ||
          !channel.type ||
          typeof channel.enabled !== 'boolean'
        ) {
          problems.push(
            trans.__(
              'Channel %1 needs a non-empty "id" and "type" and a true/false "enabled"; it is ignored.',
              position + 1
            )
          );
          return;
        }
        if (seen.has(channel.id)) {
          problems.push(
            trans.__(
              'Channel id "%1" is used twice; only the first one is kept.',
              channel.id
            )
          );
          return;
        }
        seen.add(channel.id);
        if (options.isKnownType && !options.isKnownType(channel.type)) {
          problems.push(
            trans.__(
              'Channel "%1" has the type "%2", which this lab does not know (a typo, or an extension that is not installed); it sends nothing.',
              channel.id,
              channel.type
            )
          );
        }
        channels.push(
          Private.readChannelOptions(
            { ...(channel as IChannelConfig) },
            problems,
            trans
          )
        );
      });
    }
  }

  return {
    settings: {
      threshold,
      mode,
      stillRunningMinutes,
      awayOnly,
      awaySeconds,
      includeSource,
      outputLines,
      channels,
      retryMinutes,
      floodLimit,
      accounts,
      remoteServers
    },
    problems
  };
}

namespace Private {
  const REMOTE_KINDS: readonly string[] = ['jupyter', 'hub', 'skaha'];

  /**
   * The options every channel may set, and the type each must have.
   */
  const CHANNEL_OPTIONS: { [key: string]: 'boolean' | 'number' | 'string' } = {
    name: 'string',
    default: 'boolean',
    awayOnly: 'boolean',
    perMinute: 'number',
    autoClose: 'number',
    whenBrowserClosed: 'boolean'
  };

  /**
   * Drop a channel's common options that have the wrong type (the type's
   * default applies), naming each. Numbers must not be negative;
   * `perMinute` must be positive.
   */
  export function readChannelOptions(
    channel: IChannelConfig,
    problems: string[],
    trans: TranslationBundle
  ): IChannelConfig {
    const record = channel as unknown as { [key: string]: unknown };
    for (const [key, type] of Object.entries(CHANNEL_OPTIONS)) {
      const value = record[key];
      if (value === undefined) {
        continue;
      }
      const wrongType =
        typeof value !== type ||
        (type === 'number' &&
          (!Number.isFinite(value) ||
            (value as number) < 0 ||
            (key === 'perMinute' && value === 0)));
      if (wrongType) {
        problems.push(
          type === 'boolean'
            ? trans.__(
                'Channel "%1": "%2" must be true or false; its default applies.',
                channel.id,
                key
              )
            : type === 'number'
              ? trans.__(
                  'Channel "%1": "%2" must be a number (not negative); its default applies.',
                  channel.id,
                  key
                )
              : trans.__(
                  'Channel "%1": "%2" must be text; it is ignored.',
                  channel.id,
                  key
                )
        );
        delete record[key];
      }
    }
    for (const key of ADDRESS_OPTIONS) {
      const value = record[key];
      if (value !== undefined && !isWebAddress(value)) {
        problems.push(
          trans.__(
            'Channel "%1": "%2" is not a web address (http:// or https://), so this channel cannot send.',
            channel.id,
            key
          )
        );
      }
    }
    return channel;
  }

  /**
   * The channel options that hold a service's address (webhooks' `url`,
   * ntfy's `server`).
   */
  const ADDRESS_OPTIONS = ['url', 'server'];

  /**
   * Keys of the settings document that belong to JupyterLab or to JSON
   * tools rather than to this extension: not named as unknown.
   */
  export function isForeignKey(key: string): boolean {
    return key.startsWith('$') || key.startsWith('jupyter.');
  }

  /**
   * Whether a value is an http(s) address (the only kind a channel or a
   * server can use from the lab).
   */
  export function isWebAddress(value: unknown): boolean {
    if (typeof value !== 'string') {
      return false;
    }
    try {
      const protocol = new URL(value.trim()).protocol;
      return protocol === 'http:' || protocol === 'https:';
    } catch {
      return false;
    }
  }

  /**
   * Read the remote servers; a malformed or repeated one is dropped and named.
   */
  export function readRemoteServers(
    value: unknown,
    problems: string[],
    trans: TranslationBundle
  ): IRemoteServerConfig[] {
    if (value === undefined) {
      return [];
    }
    if (!Array.isArray(value)) {
      problems.push(trans.__('"remoteServers" must be a list; ignoring it.'));
      return [];
    }
    const seen = new Set<string>();
    const servers: IRemoteServerConfig[] = [];
    value.forEach((item: unknown, position: number) => {
      const server = item as Partial<IRemoteServerConfig> | null;
      if (
        !server ||
        typeof server !== 'object' ||
        typeof server.id !== 'string' ||
        !server.id ||
        typeof server.kind !== 'string' ||
        !REMOTE_KINDS.includes(server.kind) ||
        typeof server.url !== 'string' ||
        !server.url
      ) {
        problems.push(
          trans.__(
            'Remote server %1 needs an "id", a "kind" (jupyter, hub or skaha) and a "url"; it is ignored.',
            position + 1
          )
        );
        return;
      }
      if (!isWebAddress(server.url)) {
        problems.push(
          trans.__(
            'Remote server "%1": "url" is not a web address (http:// or https://); it is ignored.',
            server.id
          )
        );
        return;
      }
      if (seen.has(server.id) || server.id === LOCAL_SERVER_ID) {
        problems.push(
          trans.__(
            'Remote server id "%1" is taken; that entry is ignored.',
            server.id
          )
        );
        return;
      }
      seen.add(server.id);
      servers.push({
        id: server.id,
        kind: server.kind,
        name:
          typeof server.name === 'string' && server.name
            ? server.name
            : server.url,
        url: server.url,
        token: typeof server.token === 'string' ? server.token : ''
      });
    });
    return servers;
  }

  /**
   * Read the logins; a malformed one is dropped (the user logs in again).
   */
  export function readAccounts(
    value: unknown,
    problems: string[],
    trans: TranslationBundle
  ): ILmkAccounts {
    if (value === undefined) {
      return {};
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      problems.push(trans.__('"accounts" must be an object; ignoring it.'));
      return {};
    }
    const raw = value as { [key: string]: unknown };
    const accounts: ILmkAccounts = {};
    for (const kind of Object.keys(raw)) {
      if (kind !== 'matrix' && kind !== 'ntfy') {
        problems.push(
          trans.__(
            'The saved login "%1" is not one this version knows; it is left in the file and not used.',
            kind
          )
        );
      }
    }
    const matrix = raw.matrix as Partial<IMatrixAccount> | undefined;
    if (matrix !== undefined) {
      if (
        allStrings(matrix, [
          'homeserver',
          'userId',
          'deviceId',
          'accessToken'
        ]) &&
        isWebAddress(matrix.homeserver)
      ) {
        accounts.matrix = { ...(matrix as IMatrixAccount) };
      } else {
        problems.push(
          trans.__(
            'The saved Matrix login is incomplete (or its homeserver is not a web address); log in again.'
          )
        );
      }
    }
    const ntfy = raw.ntfy as Partial<INtfyAccount> | undefined;
    if (ntfy !== undefined) {
      if (
        allStrings(ntfy, ['server', 'username', 'token']) &&
        isWebAddress(ntfy.server)
      ) {
        accounts.ntfy = { ...(ntfy as INtfyAccount) };
      } else {
        problems.push(
          trans.__(
            'The saved ntfy login is incomplete (or its server is not a web address); log in again.'
          )
        );
      }
    }
    return accounts;
  }

  function allStrings(value: unknown, keys: string[]): boolean {
    return (
      !!value &&
      typeof value === 'object' &&
      keys.every(key => {
        const item = (value as { [key: string]: unknown })[key];
        return typeof item === 'string' && item.length > 0;
      })
    );
  }
}
