/**
 * The command protocol of a run shared live: what the phone may ask (two
 * fixed verbs, nothing else, never code) and how a Matrix event or an ntfy
 * control message is read as one of them. Pure: no network, no clock.
 */

import type { IMatrixClientEvent } from '../matrix/matrixEvents';

/**
 * What the phone may ask of a shared run: stop it (a kernel interrupt), or
 * send no more notifications about it.
 */
export type LiveVerb = 'interrupt' | 'mute';

/** Every verb, in the order they are offered. */
export const LIVE_VERBS: readonly LiveVerb[] = ['interrupt', 'mute'];

/**
 * Reactions on the status message that are commands (keys compared without
 * emoji variation selectors).
 */
export const REACTION_VERBS: { readonly [key: string]: LiveVerb } = {
  '\u{1F6D1}': 'interrupt', // 🛑
  '\u{1F515}': 'mute' // 🔕
};

/**
 * Replies to the status message that are commands, compared lower case,
 * trimmed, without a final full stop or exclamation mark.
 */
export const REPLY_VERBS: { readonly [word: string]: LiveVerb } = {
  stop: 'interrupt',
  interrupt: 'interrupt',
  mute: 'mute'
};

/**
 * Why a message that looked like a command was not obeyed.
 *
 * - `not-owner`: sent by another Matrix account than the logged-in one
 * - `before-status`: sent before the status message (by its server's clock)
 * - `not-a-verb`: a reply or reaction that is none of the fixed commands
 * - `malformed`: an ntfy control message that is not a command of ours
 * - `other-run`: an ntfy command for another run than this one
 * - `bad-nonce`: an ntfy command whose nonce is not this run's
 * - `used-nonce`: an ntfy command whose nonce was used already
 */
export type IgnoreReason =
  | 'not-owner'
  | 'before-status'
  | 'not-a-verb'
  | 'malformed'
  | 'other-run'
  | 'bad-nonce'
  | 'used-nonce';

/**
 * What a message on the command path says.
 *
 * - `none`: not addressed to the run's status (chatter, our own echo):
 *   nothing to obey and nothing to report
 * - `command`: a valid command, to be checked against the run's state
 * - `ignored`: aimed at the run but refused, to be reported in History
 */
export type CommandReading =
  | { kind: 'none' }
  | { kind: 'command'; verb: LiveVerb; id: string; via: CommandVia }
  | {
      kind: 'ignored';
      reason: IgnoreReason;
      id: string;
      via: CommandVia;
      /** The Matrix account that sent it, when known. */
      sender?: string;
      /** What was asked, when it was one of the verbs. */
      verb?: LiveVerb;
    };

/**
 * How a command came: a Matrix reaction or reply, or an ntfy action button.
 */
export type CommandVia = 'reaction' | 'reply' | 'ntfy';

/**
 * What a Matrix event is checked against.
 */
export interface IMatrixCommandContext {
  /** The logged-in user: the only one obeyed. */
  owner: string;
  /** The run's status message. */
  statusEventId: string;
  /** When the homeserver received the status message (ms). */
  statusTs: number;
}

/**
 * Read a Matrix event from the status message's room.
 *
 * A command is a reaction on the status message (`m.reaction`, or an
 * encrypted one: its relation stays in clear text) whose key is a command
 * emoji, or a text reply to it (or in its thread) that is a command word.
 * It is obeyed only from `owner`, and only when sent after the status
 * message. Events sent by this device (they carry our transaction id), edits
 * and notices are never commands; nor are other reactions, or someone
 * else's replies that are not command words.
 */
export function readMatrixEvent(
  event: IMatrixClientEvent,
  context: IMatrixCommandContext
): CommandReading {
  const id = typeof event.event_id === 'string' ? event.event_id : '';
  const content = isObject(event.content) ? event.content : null;
  const relation =
    content && isObject(content['m.relates_to'])
      ? content['m.relates_to']
      : null;
  if (!id || !content || !relation || Private.isOwnEcho(event)) {
    return { kind: 'none' };
  }
  let via: CommandVia;
  let verb: LiveVerb | null;
  if (
    (event.type === 'm.reaction' || event.type === 'm.room.encrypted') &&
    relation.rel_type === 'm.annotation'
  ) {
    if (relation.event_id !== context.statusEventId) {
      return { kind: 'none' };
    }
    via = 'reaction';
    verb = reactionVerb(relation.key);
  } else if (event.type === 'm.room.message') {
    if (
      !Private.repliesTo(relation, context.statusEventId) ||
      content.msgtype === 'm.notice'
    ) {
      return { kind: 'none' };
    }
    via = 'reply';
    verb = replyVerb(content.body);
  } else {
    return { kind: 'none' };
  }
  const sender = typeof event.sender === 'string' ? event.sender : '';
  if (!verb && (via === 'reaction' || sender !== context.owner)) {
    // A 👍, or someone else's chat: not an attempt at a command.
    return { kind: 'none' };
  }
  const ignored = (reason: IgnoreReason): CommandReading => ({
    kind: 'ignored',
    reason,
    id,
    via,
    sender,
    ...(verb ? { verb } : {})
  });
  if (sender !== context.owner) {
    return ignored('not-owner');
  }
  const ts =
    typeof event.origin_server_ts === 'number' ? event.origin_server_ts : -1;
  if (ts < context.statusTs) {
    return ignored('before-status');
  }
  if (!verb) {
    return ignored('not-a-verb');
  }
  return { kind: 'command', verb, id, via };
}

/**
 * The verb of a reaction key, or null.
 */
export function reactionVerb(key: unknown): LiveVerb | null {
  if (typeof key !== 'string') {
    return null;
  }
  // Clients add U+FE0F (emoji presentation) to some emoji, not to others.
  const bare = key.replace(/[\uFE0E\uFE0F]/g, '').trim();
  return Object.prototype.hasOwnProperty.call(REACTION_VERBS, bare)
    ? REACTION_VERBS[bare]
    : null;
}

/**
 * The verb of a reply's text, or null. The quoted original that older
 * clients put in front of a reply ("> <@alice> …" lines, then a blank line)
 * is left out; the rest must be one command word and nothing else.
 */
export function replyVerb(body: unknown): LiveVerb | null {
  if (typeof body !== 'string') {
    return null;
  }
  const lines = body.split('\n');
  let start = 0;
  while (start < lines.length && lines[start].startsWith('>')) {
    start++;
  }
  const word = lines
    .slice(start)
    .join('\n')
    .trim()
    .toLowerCase()
    .replace(/[.!]+$/, '');
  return Object.prototype.hasOwnProperty.call(REPLY_VERBS, word)
    ? REPLY_VERBS[word]
    : null;
}

/**
 * The body of an ntfy "http" action button: what the phone posts to the
 * run's control topic when the button is tapped.
 */
export interface INtfyCommandBody {
  /** Protocol version. */
  v: 1;
  /** The shared run (its share id). */
  run: string;
  cmd: LiveVerb;
  /** The one-use nonce of this verb for this run. */
  nonce: string;
}

/**
 * What an ntfy command is checked against: the run and its nonces.
 */
export interface INtfyCommandContext {
  /** The share id the commands must name. */
  run: string;
  /** Whether a nonce is this run's for the verb: `ok`, `bad` or `used`. */
  check(verb: LiveVerb, nonce: string): 'ok' | 'bad' | 'used';
}

/** Longest control message read; anything longer is not ours. */
const MAX_NTFY_COMMAND = 512;

/**
 * Read a message from the run's ntfy control topic. Only the exact body of
 * one of the run's action buttons is a command: the four fields and no
 * others, the version, this run, a fixed verb and its unused nonce.
 *
 * @param id - the ntfy message id (what History names).
 * @param message - the message's text, as the subscription gives it.
 */
export function readNtfyCommand(
  id: string,
  message: unknown,
  context: INtfyCommandContext
): CommandReading {
  const ignored = (reason: IgnoreReason, verb?: LiveVerb): CommandReading => ({
    kind: 'ignored',
    reason,
    id,
    via: 'ntfy',
    ...(verb ? { verb } : {})
  });
  if (typeof message !== 'string' || message.length > MAX_NTFY_COMMAND) {
    return ignored('malformed');
  }
  let body: unknown;
  try {
    body = JSON.parse(message);
  } catch {
    return ignored('malformed');
  }
  if (
    !isObject(body) ||
    Object.keys(body).sort().join(',') !== 'cmd,nonce,run,v' ||
    body.v !== 1 ||
    typeof body.run !== 'string' ||
    typeof body.nonce !== 'string' ||
    !(LIVE_VERBS as readonly unknown[]).includes(body.cmd)
  ) {
    return ignored('malformed');
  }
  const verb = body.cmd as LiveVerb;
  if (body.run !== context.run) {
    return ignored('other-run', verb);
  }
  const check = context.check(verb, body.nonce);
  if (check !== 'ok') {
    return ignored(check === 'used' ? 'used-nonce' : 'bad-nonce', verb);
  }
  return { kind: 'command', verb, id, via: 'ntfy' };
}

/**
 * The body of the action button for a verb.
 */
export function ntfyCommandBody(
  run: string,
  verb: LiveVerb,
  nonce: string
): string {
  const body: INtfyCommandBody = { v: 1, run, cmd: verb, nonce };
  return JSON.stringify(body);
}

function isObject(value: unknown): value is { [key: string]: any } {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

namespace Private {
  /**
   * Whether an event was sent by this device: the homeserver gives the
   * transaction id back only to the device that sent the event.
   */
  export function isOwnEcho(event: IMatrixClientEvent): boolean {
    const unsigned = isObject(event.unsigned) ? event.unsigned : null;
    return typeof unsigned?.transaction_id === 'string';
  }

  /**
   * Whether a relation makes a message a reply to `eventId`, or a message
   * in the thread it starts. Edits (`m.replace`) are never replies.
   */
  export function repliesTo(
    relation: { [key: string]: any },
    eventId: string
  ): boolean {
    if (relation.rel_type === 'm.replace') {
      return false;
    }
    if (relation.rel_type === 'm.thread' && relation.event_id === eventId) {
      return true;
    }
    const inReplyTo = isObject(relation['m.in_reply_to'])
      ? relation['m.in_reply_to']
      : null;
    return inReplyTo?.event_id === eventId;
  }
}
