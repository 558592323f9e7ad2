import type { TranslationBundle } from '@jupyterlab/translation';
import { ntfyPayload } from '../../messages/chatFormats';
import type {
  IChannelConfig,
  IChannelType,
  IDeliveryResult,
  ILmkEvent,
  ILmkNotification
} from '../../tokens';
import { DeliveryError } from '../deliveryError';
import {
  checkHttpUrl,
  hostOf,
  type IHttpRequest,
  DELIVERY_TIMEOUT_MS
} from '../http';
import {
  DEFAULT_NTFY_SERVER,
  checkNtfyServer,
  ntfyAuthParam,
  ntfyServerBase
} from '../ntfyAccount';
import type { IChannelDescription } from './channelDescription';
import {
  configString,
  fetchRequest,
  type IRemoteChannelOptions
} from './webhookCommon';

/** What ntfy accepts as a topic name. */
const TOPIC = /^[-_A-Za-z0-9]{1,64}$/;

/**
 * Push to phones and desktops through ntfy (ntfy.sh or a self-hosted
 * server).
 *
 * The message is published as JSON to the server's root, without a
 * Content-Type (ntfy recognises the JSON), and the token goes in the `auth`
 * query parameter rather than an `Authorization` header: either of those
 * headers would make the browser send a preflight that ntfy's CORS answer
 * (`*`) does not cover.
 */
export class NtfyChannel implements IChannelType {
  readonly type = 'ntfy';
  readonly remote = true;

  constructor(options: IRemoteChannelOptions) {
    this._trans = options.trans;
    this._timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  }

  async send(
    notification: ILmkNotification,
    config: IChannelConfig
  ): Promise<IDeliveryResult> {
    const trans = this._trans;
    await fetchRequest(ntfyRequest(notification.event, config, trans), {
      mode: 'cors',
      service: 'ntfy',
      trans,
      timeoutMs: this._timeoutMs
    });
    return { channelId: config.id, status: 'sent', confirmed: true };
  }

  private _trans: TranslationBundle;
  private _timeoutMs: number;
}

/**
 * The request that publishes an event to an ntfy channel: JSON to the
 * server's root, no headers (see `NtfyChannel`). Throws a `DeliveryError`
 * (invalid-config) for a server or topic ntfy would refuse.
 */
export function ntfyRequest(
  event: ILmkEvent,
  config: IChannelConfig,
  trans: TranslationBundle
): IHttpRequest {
  const base = ntfyServerBase(config.server);
  const topic = configString(config, 'topic');
  const problem = checkHttpUrl(base, trans) ?? checkTopic(topic, trans);
  if (problem) {
    throw new DeliveryError(
      'invalid-config',
      trans.__('The ntfy channel cannot send: %1', problem)
    );
  }
  const token = configString(config, 'token');
  const url = new URL(base + '/');
  const auth = token ? ntfyAuthParam(`Bearer ${token}`) : '';
  if (auth) {
    url.searchParams.set('auth', auth);
  }
  const payload = ntfyPayload(event, {
    topic,
    priority: readPriority(config.priority),
    tags: readTags(config.tags),
    email: configString(config, 'email') || undefined
  });
  return {
    method: 'POST',
    url: url.toString(),
    headers: {},
    body: JSON.stringify(payload),
    secrets: [token, auth, topic].filter(Boolean)
  };
}

/**
 * A message for a topic name that ntfy would refuse, or null.
 */
export function checkTopic(
  topic: unknown,
  trans: TranslationBundle
): string | null {
  if (typeof topic !== 'string' || !topic.trim()) {
    return trans.__('Enter a topic.');
  }
  return TOPIC.test(topic.trim())
    ? null
    : trans.__(
        'A topic is 1 to 64 letters, digits, - or _ (no spaces or other signs).'
      );
}

/**
 * The priority setting: `auto`, or a fixed 1–5 (number or text).
 */
export function readPriority(value: unknown): 'auto' | number {
  const number = typeof value === 'string' ? Number(value) : value;
  return typeof number === 'number' &&
    Number.isInteger(number) &&
    number >= 1 &&
    number <= 5
    ? number
    : 'auto';
}

/**
 * The tags setting: a comma-separated text or a list.
 */
export function readTags(value: unknown): string[] {
  const items = Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string')
    : typeof value === 'string'
      ? value.split(',')
      : [];
  return items.map(item => item.trim()).filter(Boolean);
}

/**
 * ntfy in the channel form.
 */
export const ntfyDescription: IChannelDescription = {
  type: 'ntfy',
  label: trans => trans.__('ntfy push'),
  fields: trans => [
    {
      name: 'server',
      label: trans.__('Server'),
      kind: 'url',
      required: true,
      defaultValue: DEFAULT_NTFY_SERVER,
      help: trans.__('ntfy.sh, or the address of your own ntfy server.')
    },
    {
      name: 'topic',
      label: trans.__('Topic'),
      kind: 'text',
      required: true,
      help: trans.__(
        'Subscribe to the same topic in the ntfy app. On a public server anyone who guesses the topic can read it: pick a long, random one.'
      )
    },
    {
      name: 'token',
      label: trans.__('Access token'),
      kind: 'text',
      secret: true,
      help: trans.__(
        'Optional: a token (tk_…) for a protected topic; or log in to ntfy above, and channels without a token use that login.'
      )
    },
    {
      name: 'priority',
      label: trans.__('Priority'),
      kind: 'select',
      defaultValue: 'auto',
      options: [
        {
          value: 'auto',
          label: trans.__('Automatic (high when a run fails)')
        },
        { value: '1', label: trans.__('1: min') },
        { value: '2', label: trans.__('2: low') },
        { value: '3', label: trans.__('3: default') },
        { value: '4', label: trans.__('4: high') },
        { value: '5', label: trans.__('5: max (urgent)') }
      ]
    },
    {
      name: 'tags',
      label: trans.__('Tags'),
      kind: 'text',
      help: trans.__(
        'Optional, comma-separated; emoji shortcodes (e.g. rocket) show as icons.'
      )
    },
    {
      name: 'email',
      label: trans.__('Also e-mail to'),
      kind: 'text',
      help: trans.__(
        'Optional: the server forwards each notification to this address (if it allows e-mail).'
      )
    }
  ],
  validate: (config, trans) => {
    const problems: { [field: string]: string } = {};
    const server = checkHttpUrl(ntfyServerBase(config.server), trans);
    if (server) {
      problems.server = server;
    }
    const topic = checkTopic(config.topic, trans);
    if (topic) {
      problems.topic = topic;
    }
    const token = config.token;
    if (
      typeof token === 'string' &&
      token.trim() &&
      !/^tk_[A-Za-z0-9]+$/.test(token.trim())
    ) {
      problems.token = trans.__(
        'An ntfy access token starts with tk_ followed by letters and digits.'
      );
    }
    const priority = config.priority;
    if (
      priority !== undefined &&
      priority !== 'auto' &&
      readPriority(priority) === 'auto'
    ) {
      problems.priority = trans.__('The priority is automatic or 1 to 5.');
    }
    const email = config.email;
    if (
      typeof email === 'string' &&
      email.trim() &&
      !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())
    ) {
      problems.email = trans.__('This is not an e-mail address.');
    }
    return problems;
  },
  summary: config => {
    const host = hostOf(ntfyServerBase(config.server));
    const topic = configString(config, 'topic');
    // On a public server the topic works like a password: show a hint only.
    return topic ? `${host} · ${topic.slice(0, 3)}…` : host;
  },
  check: (config, trans) =>
    checkNtfyServer(ntfyServerBase(config.server), trans)
};
