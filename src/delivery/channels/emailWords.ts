import type { TranslationBundle } from '@jupyterlab/translation';
import type { IChannelConfig } from '../../tokens';
import type { DeliveryFailureKind } from '../deliveryError';

/** How an email channel connects: `none` is for a server on this machine. */
export type EmailSecurity = 'starttls' | 'ssl' | 'none';

/** The port each security uses unless one is set. */
export const EMAIL_DEFAULT_PORTS: { [security in EmailSecurity]: number } = {
  starttls: 587,
  ssl: 465,
  none: 25
};

/** At most this many recipients per channel (as the kernel checks). */
export const EMAIL_MAX_RECIPIENTS = 20;

/** Hosts that may be used without TLS: the password never leaves the machine. */
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1']);
// As src/relay/kernel/lmk_email.py checks them.
const ADDRESS =
  /^[^@\s<>(),;:"[\]\\]+@[^@\s<>(),;:"[\]\\]+\.[^@\s<>(),;:"[\]\\]+$/;
const HOST = /^[A-Za-z0-9.\-:[\]]+$/;

/**
 * The "To" setting as a list: addresses separated by commas, semicolons or
 * white space (a list is taken as it is).
 */
export function emailRecipients(value: unknown): string[] {
  const parts = Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string')
    : typeof value === 'string'
      ? value.split(/[,;\s]+/)
      : [];
  return parts.map(p => p.trim()).filter(p => p);
}

/**
 * The email form's checks: one translated message per wrong field, the
 * same rules the kernel applies before it connects.
 */
export function validateEmail(
  config: IChannelConfig,
  trans: TranslationBundle
): { [field: string]: string } {
  const problems: { [field: string]: string } = {};
  const text = (name: string) =>
    typeof config[name] === 'string' ? (config[name] as string).trim() : '';
  const host = text('host');
  const security = (text('security') || 'starttls') as EmailSecurity;
  if (!host || !HOST.test(host)) {
    problems.host = trans.__(
      'Give the SMTP server’s host name, e.g. smtp.example.org.'
    );
  }
  if (!(security in EMAIL_DEFAULT_PORTS)) {
    problems.security = trans.__('Choose STARTTLS, SSL/TLS or none.');
  } else if (security === 'none' && host && !LOCAL_HOSTS.has(host)) {
    problems.security = trans.__(
      'Without TLS the password would cross the network in clear: use STARTTLS or SSL/TLS (none is only for a server on localhost).'
    );
  }
  const port = config.port;
  if (
    port !== undefined &&
    port !== '' &&
    !(
      typeof port === 'number' &&
      Number.isInteger(port) &&
      port > 0 &&
      port < 65536
    )
  ) {
    problems.port = trans.__('Use a port number from 1 to 65535.');
  }
  if (!ADDRESS.test(text('from'))) {
    problems.from = trans.__('Give one address, e.g. lab@example.org.');
  }
  const to = emailRecipients(config.to);
  if (!to.length) {
    problems.to = trans.__('Give at least one address.');
  } else if (to.length > EMAIL_MAX_RECIPIENTS) {
    problems.to = trans.__(
      'At most %1 addresses per channel.',
      EMAIL_MAX_RECIPIENTS
    );
  } else {
    const wrong = to.find(address => !ADDRESS.test(address));
    if (wrong) {
      problems.to = trans.__('"%1" is not an email address.', wrong);
    }
  }
  return problems;
}

/**
 * What the kernel reports of a failed SMTP attempt or check, in one
 * sentence (the kind only: a server's own answer may quote the password).
 */
export function emailFailureText(
  kind: string,
  host: string,
  trans: TranslationBundle
): string {
  switch (kind) {
    case 'unreachable':
      return trans.__(
        'The mail server %1 could not be reached (wrong host or port, or no network from the kernel).',
        host
      );
    case 'timeout':
      return trans.__('The mail server %1 did not answer in time.', host);
    case 'tls':
      return trans.__(
        'The mail server %1 refused TLS, or its certificate is not trusted by the kernel (try the other security setting).',
        host
      );
    case 'login':
      return trans.__(
        'The mail server %1 refused the login: check the user name and password.',
        host
      );
    case 'sender':
      return trans.__(
        'The mail server %1 refused the sender address: use one your account may send from.',
        host
      );
    case 'recipients':
      return trans.__('The mail server %1 refused the recipients.', host);
    case 'server':
      return trans.__(
        'The mail server %1 is busy or refused for now; it will be tried again.',
        host
      );
    case 'invalid-config':
      return trans.__('This email channel’s settings cannot work.');
    default:
      return trans.__('The mail server %1 refused the message.', host);
  }
}

/**
 * The delivery failure kind of an SMTP failure (for the outbox's retries:
 * only `unreachable`, `timeout` and `server` are tried again).
 */
export function emailDeliveryKind(
  kind: string,
  mayHaveArrived = false
): DeliveryFailureKind {
  switch (kind) {
    case 'unreachable':
    case 'timeout':
      // Only a message that may have gone out is not simply sent again
      // (a mailbox keeps both copies).
      return mayHaveArrived
        ? kind === 'timeout'
          ? 'timeout'
          : 'dropped'
        : 'unreachable';
    case 'server':
    case 'invalid-config':
      return kind;
    case 'login':
      return 'unauthorized';
    default:
      return 'rejected';
  }
}

/**
 * The translated strings the kernel puts in an email (it has no
 * translator): handed in `context.email_strings`.
 */
export function emailStrings(trans: TranslationBundle): {
  [msgid: string]: string;
} {
  return {
    Notification: trans.__('Notification'),
    'Open the notebook': trans.__('Open the notebook'),
    'Open the notebook:': trans.__('Open the notebook:')
  };
}
