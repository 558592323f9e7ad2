import type { TranslationBundle } from '@jupyterlab/translation';
import type {
  IChannelConfig,
  IChannelType,
  IDeliveryResult,
  ILmkNotification
} from '../../tokens';
import type { ILmkAccounts } from '../../settings/lmkSettings';
import type { IChannelDescription } from './channelDescription';

/**
 * The in-lab toast in the sidebar's channel form.
 */
export const toastDescription: IChannelDescription = {
  type: 'toast',
  label: trans => trans.__('In-lab toast'),
  fields: trans => [
    {
      name: 'autoClose',
      label: trans.__('Close after (seconds, 0 = keep)'),
      kind: 'number',
      placeholder: trans.__('automatic')
    }
  ],
  validate: (config, trans) => {
    const problems: { [field: string]: string } = {};
    const value = config.autoClose;
    if (value !== undefined && !(typeof value === 'number' && value >= 0)) {
      problems.autoClose = trans.__('Use a number of seconds, 0 or more.');
    }
    return problems;
  },
  summary: () => ''
};

/**
 * The desktop notification in the sidebar's channel form.
 */
export const desktopDescription: IChannelDescription = {
  type: 'desktop',
  label: trans => trans.__('Desktop notification'),
  fields: () => [],
  validate: () => ({}),
  summary: () => ''
};

/**
 * Every channel type's description, for the sidebar (loaded with it).
 */
export async function loadChannelDescriptions(): Promise<
  IChannelDescription[]
> {
  const [
    sound,
    ntfy,
    webhook,
    slack,
    discord,
    teams,
    mattermost,
    matrix,
    email
  ] = await Promise.all([
    import('./soundChannel'),
    import('./ntfyChannel'),
    import('./webhookChannel'),
    import('./slackChannel'),
    import('./discordChannel'),
    import('./teamsChannel'),
    import('./mattermostChannel'),
    import('./matrixChannel'),
    import('./emailChannel')
  ]);
  return [
    ntfy.ntfyDescription,
    matrix.matrixDescription,
    email.emailDescription,
    slack.slackDescription,
    discord.discordDescription,
    teams.teamsDescription,
    mattermost.mattermostDescription,
    webhook.webhookDescription,
    sound.soundDescription,
    toastDescription,
    desktopDescription
  ];
}

/**
 * A channel type whose code is loaded the first time it delivers, so the
 * lab does not load every service's code at start.
 */
export function lazyChannelType(
  type: string,
  remote: boolean,
  load: () => Promise<IChannelType>,
  deduplicates = false
): IChannelType {
  let loaded: Promise<IChannelType> | null = null;
  return {
    type,
    remote,
    deduplicates,
    send: async (
      notification: ILmkNotification,
      config: IChannelConfig
    ): Promise<IDeliveryResult> => {
      loaded = loaded ?? load();
      return (await loaded).send(notification, config);
    }
  };
}

/**
 * Register every channel type that is not built in, each loaded lazily.
 * Logins come from the settings at each delivery (a logout applies at once).
 */
export function registerChannelTypes(
  register: (channelType: IChannelType) => void,
  options: {
    trans: TranslationBundle;
    accounts: () => ILmkAccounts;
  }
): void {
  const { trans, accounts } = options;
  register(
    lazyChannelType(
      'sound',
      false,
      async () => new (await import('./soundChannel')).SoundChannel({ trans })
    )
  );
  register(
    lazyChannelType('ntfy', true, async () => {
      const channel = new (await import('./ntfyChannel')).NtfyChannel({
        trans
      });
      return {
        type: channel.type,
        remote: true,
        send: (notification, config) =>
          channel.send(notification, withNtfyLogin(config, accounts()))
      };
    })
  );
  // Receivers de-duplicate by X-Lmk-Event-Id (the README asks them to).
  register(
    lazyChannelType(
      'webhook',
      true,
      async () =>
        new (await import('./webhookChannel')).WebhookChannel({ trans }),
      true
    )
  );
  register(
    lazyChannelType(
      'slack',
      true,
      async () => new (await import('./slackChannel')).SlackChannel({ trans })
    )
  );
  register(
    lazyChannelType(
      'discord',
      true,
      async () =>
        new (await import('./discordChannel')).DiscordChannel({ trans })
    )
  );
  register(
    lazyChannelType(
      'teams',
      true,
      async () => new (await import('./teamsChannel')).TeamsChannel({ trans })
    )
  );
  register(
    lazyChannelType(
      'mattermost',
      true,
      async () =>
        new (await import('./mattermostChannel')).MattermostChannel({ trans })
    )
  );
  // Homeservers drop a repeated transaction id.
  register(
    lazyChannelType(
      'matrix',
      true,
      async () =>
        new (await import('./matrixChannel')).MatrixChannel({
          trans,
          session: () => accounts().matrix ?? null
        }),
      true
    )
  );
}

/**
 * An ntfy channel without its own token uses the ntfy login, if it is for
 * the same server.
 */
export function withNtfyLogin(
  config: IChannelConfig,
  accounts: ILmkAccounts
): IChannelConfig {
  const login = accounts.ntfy;
  if (!login || (typeof config.token === 'string' && config.token)) {
    return config;
  }
  const server =
    typeof config.server === 'string' && config.server
      ? config.server
      : 'https://ntfy.sh';
  return sameServer(server, login.server)
    ? { ...config, token: login.token }
    : config;
}

function sameServer(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}
