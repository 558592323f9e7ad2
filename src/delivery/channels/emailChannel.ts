import type { Kernel } from '@jupyterlab/services';
import type { TranslationBundle } from '@jupyterlab/translation';
import type {
  IChannelConfig,
  IChannelType,
  IDeliveryResult,
  ILmkEvent,
  ILmkNotification
} from '../../tokens';
import type { MailOutcome } from '../../relay/kernelMail';
import { DeliveryError } from '../deliveryError';
import type { IChannelDescription } from './channelDescription';
import { configString } from './webhookCommon';
import {
  EMAIL_DEFAULT_PORTS,
  emailDeliveryKind,
  emailFailureText,
  emailRecipients,
  emailStrings,
  validateEmail
} from './emailWords';

/**
 * The kernel an email goes through: the one of the event's notebook, else
 * (a test, the form's check) the current notebook's; `done` lets go of a
 * connection made for the purpose. `null`: no kernel is running.
 */
export type EmailKernelFinder = (event: ILmkEvent | null) => Promise<{
  kernel: Kernel.IKernelConnection;
  done: () => void;
} | null>;

/**
 * Where the email channel finds kernels. Set once by the email plugin: the
 * channel form's descriptions are plain objects loaded by the sidebar, and
 * their check needs the kernels too.
 */
export const emailKernels: { find: EmailKernelFinder | null } = {
  find: null
};

/**
 * Send one email request through a kernel (the watcher's `email` request;
 * `src/relay/kernelMail.ts`).
 */
export async function mailThroughKernel(
  kernel: Kernel.IKernelConnection,
  action: 'send' | 'check',
  config: IChannelConfig,
  fields: { [key: string]: unknown } = {}
): Promise<MailOutcome> {
  const [{ KernelMail }, relay] = await Promise.all([
    import('../../relay/kernelMail'),
    import('../../relay/kernel/sources')
  ]);
  const mail = new KernelMail(kernel, async () => relay.KERNEL_RELAY);
  return mail.request(action, config, fields);
}

/**
 * Email (SMTP). A browser cannot speak SMTP: every message is sent by the
 * notebook's kernel (an IPython kernel, with Python's `smtplib`), which
 * this page hands it to; with the page closed, the kernel relay sends it
 * as the other remote channels. Without a Python kernel it is not sent,
 * and the history says so.
 */
export class EmailChannel implements IChannelType {
  readonly type = 'email';
  readonly remote = true;

  constructor(options: EmailChannel.IOptions) {
    this._trans = options.trans;
    this._find = options.find;
  }

  async send(
    notification: ILmkNotification,
    config: IChannelConfig
  ): Promise<IDeliveryResult> {
    const trans = this._trans;
    const problems = validateEmail(config, trans);
    const first = Object.values(problems)[0];
    if (first) {
      throw new DeliveryError(
        'invalid-config',
        trans.__('The email channel cannot send: %1', first)
      );
    }
    const found = await this._find(notification.event).catch(() => null);
    if (!found) {
      return this._noKernel(config);
    }
    let outcome: MailOutcome;
    try {
      outcome = await mailThroughKernel(found.kernel, 'send', config, {
        id: notification.id,
        event: notification.event,
        context: { email_strings: emailStrings(trans) }
      });
    } finally {
      found.done();
    }
    if (outcome.ok) {
      return { channelId: config.id, status: 'sent', confirmed: true };
    }
    if (outcome.kind === 'not-python') {
      return this._noKernel(config);
    }
    const host = configString(config, 'host');
    throw new DeliveryError(
      outcome.kind === 'no-answer'
        ? 'timeout'
        : emailDeliveryKind(
            outcome.kind,
            'mayHaveArrived' in outcome && !!outcome.mayHaveArrived
          ),
      outcome.kind === 'no-answer'
        ? trans.__('The notebook’s kernel did not answer.')
        : emailFailureText(outcome.kind, host, trans)
    );
  }

  private _noKernel(config: IChannelConfig): IDeliveryResult {
    return {
      channelId: config.id,
      status: 'failed',
      detail: this._trans.__('not sent: email needs a Python kernel')
    };
  }

  private _trans: TranslationBundle;
  private _find: EmailKernelFinder;
}

/**
 * The namespace for `EmailChannel` statics.
 */
export namespace EmailChannel {
  /**
   * Options of the email channel.
   */
  export interface IOptions {
    trans: TranslationBundle;
    find: EmailKernelFinder;
  }
}

/**
 * The form's check: through a kernel, connect, say EHLO, start TLS, log in
 * and offer the sender, sending nothing. One sentence when it fails.
 */
export async function checkEmail(
  config: IChannelConfig,
  trans: TranslationBundle,
  find: EmailKernelFinder | null = emailKernels.find
): Promise<string | null> {
  const found = find ? await find(null).catch(() => null) : null;
  if (!found) {
    return trans.__(
      'Not checked: email is sent by a notebook’s Python kernel, and none is running. Open a notebook, or save anyway.'
    );
  }
  let outcome: MailOutcome;
  try {
    outcome = await mailThroughKernel(found.kernel, 'check', config);
  } finally {
    found.done();
  }
  if (outcome.ok) {
    return null;
  }
  if (outcome.kind === 'not-python') {
    return trans.__(
      'Not checked: the current notebook’s kernel is not a Python kernel, which email needs.'
    );
  }
  if (outcome.kind === 'no-answer') {
    return trans.__('Not checked: the notebook’s kernel did not answer.');
  }
  return emailFailureText(outcome.kind, configString(config, 'host'), trans);
}

/**
 * Email in the channel form.
 */
export const emailDescription: IChannelDescription = {
  type: 'email',
  label: trans => trans.__('Email (SMTP, sent by the kernel)'),
  fields: trans => [
    {
      name: 'host',
      label: trans.__('SMTP server'),
      kind: 'text',
      required: true,
      placeholder: trans.__('smtp.example.org'),
      help: trans.__(
        'Sent by the notebook’s Python kernel, so the server must be reachable from where the kernel runs.'
      )
    },
    {
      name: 'security',
      label: trans.__('Security'),
      kind: 'select',
      defaultValue: 'starttls',
      options: [
        { value: 'starttls', label: trans.__('STARTTLS (port 587)') },
        { value: 'ssl', label: trans.__('SSL/TLS (port 465)') },
        { value: 'none', label: trans.__('None (localhost only)') }
      ]
    },
    {
      name: 'port',
      label: trans.__('Port'),
      kind: 'number',
      placeholder: trans.__('automatic')
    },
    {
      name: 'username',
      label: trans.__('User name'),
      kind: 'text',
      help: trans.__('Leave empty for a server that needs no login.')
    },
    {
      name: 'password',
      label: trans.__('Password'),
      kind: 'text',
      secret: true,
      help: trans.__(
        'An app password if your provider offers them. Kept in your settings; handed to the kernel only to send.'
      )
    },
    {
      name: 'from',
      label: trans.__('From'),
      kind: 'text',
      required: true,
      placeholder: trans.__('lab@example.org')
    },
    {
      name: 'to',
      label: trans.__('To'),
      kind: 'text',
      required: true,
      placeholder: trans.__('me@example.org, team@example.org'),
      help: trans.__('One or more addresses, separated by commas.')
    }
  ],
  validate: (config, trans) => validateEmail(config, trans),
  summary: config => {
    const to = emailRecipients(config.to);
    const host = configString(config, 'host');
    const security = configString(config, 'security') || 'starttls';
    const port =
      typeof config.port === 'number'
        ? config.port
        : (EMAIL_DEFAULT_PORTS[security as keyof typeof EMAIL_DEFAULT_PORTS] ??
          '');
    const first = to[0] ?? '';
    const more = to.length > 1 ? ` +${to.length - 1}` : '';
    return `${first}${more} · ${host}:${port}`;
  },
  check: (config, trans) => checkEmail(config, trans)
};
