import type { TranslationBundle } from '@jupyterlab/translation';
import { baseName, escapeMarkdown } from '../messages/format';
import type { ILmkEvent } from '../tokens';
import type { CommandVia, IgnoreReason, LiveVerb } from './phoneCommands';
import { clockTime } from './liveStatusText';

/**
 * What the History says of a command from the phone.
 *
 * - `done`: it was obeyed
 * - `ignored`: refused (see `IgnoreReason`), or a verb already obeyed
 *   (`already`)
 * - `late`: it came after the run ended; nothing was done
 * - `failed`: obeyed, but the kernel could not be interrupted
 * - `more`: the run's list of ignored commands is full
 */
export type CommandOutcome =
  | { kind: 'done'; verb: LiveVerb; via: CommandVia; at: number }
  | {
      kind: 'ignored';
      reason: IgnoreReason | 'already';
      via: CommandVia;
      verb?: LiveVerb;
      sender?: string;
      at: number;
    }
  | { kind: 'late'; verb: LiveVerb; via: CommandVia; at: number; ended: number }
  | { kind: 'failed'; verb: LiveVerb; at: number; error: string }
  | { kind: 'more'; at: number };

/**
 * The History entry of a command from the phone about a shared run, as an
 * event (kind `manual`: it is handed to no channel, only recorded).
 *
 * @param owner - the account whose commands are obeyed (Matrix), if any.
 */
export function commandEvent(
  outcome: CommandOutcome,
  notebook: { path: string; url: string },
  owner: string | null,
  trans: TranslationBundle
): ILmkEvent {
  const name = baseName(notebook.path);
  const time = clockTime(outcome.at);
  let title: string;
  let text: string;
  switch (outcome.kind) {
    case 'done':
      title =
        outcome.verb === 'interrupt'
          ? trans.__('%1: interrupted from the phone', name)
          : trans.__('%1: muted from the phone', name);
      text =
        outcome.verb === 'interrupt'
          ? trans.__(
              'At %1, %2 asked to stop the run: the kernel was interrupted.',
              time,
              Private.how(outcome.via, outcome.verb, trans)
            )
          : trans.__(
              'At %1, %2 asked for no more notifications about this run.',
              time,
              Private.how(outcome.via, outcome.verb, trans)
            );
      break;
    case 'late':
      title = trans.__('%1: command from the phone came too late', name);
      text = trans.__(
        'At %1, %2 came after the run had ended (at %3): nothing was done.',
        time,
        Private.how(outcome.via, outcome.verb, trans),
        clockTime(outcome.ended)
      );
      break;
    case 'failed':
      title = trans.__('%1: interrupt from the phone failed', name);
      text = trans.__(
        'At %1 the phone asked to stop the run, but the kernel could not be interrupted: %2',
        time,
        outcome.error
      );
      break;
    case 'more':
      title = trans.__('%1: more commands ignored', name);
      text = trans.__(
        'More commands for this run were ignored; they are not listed one by one.'
      );
      break;
    default:
      title = trans.__('%1: ignored command', name);
      text = `${trans.__(
        'At %1, %2 was ignored:',
        time,
        Private.how(outcome.via, outcome.verb, trans, outcome.sender)
      )} ${Private.reason(outcome.reason, owner, trans)}`;
      break;
  }
  return {
    version: 1,
    event: 'manual',
    title,
    text,
    message: `[${escapeMarkdown(name)}](${notebook.url}): ${escapeMarkdown(text)}`,
    notebook: { path: notebook.path, name, url: notebook.url },
    run: null,
    cell: null,
    error: null,
    kernel: null,
    report: null
  };
}

namespace Private {
  /** "a 🛑 reaction from @eve:example.org", "the Interrupt button", ... */
  export function how(
    via: CommandVia,
    verb: LiveVerb | undefined,
    trans: TranslationBundle,
    sender?: string
  ): string {
    switch (via) {
      case 'reaction':
        return sender
          ? trans.__(
              'a %1 reaction from %2',
              verb === 'mute' ? '🔕' : '🛑',
              sender
            )
          : trans.__('a %1 reaction', verb === 'mute' ? '🔕' : '🛑');
      case 'reply':
        return sender
          ? trans.__('a reply from %1', sender)
          : trans.__('a reply');
      default:
        return verb === 'mute'
          ? trans.__('the Mute button')
          : verb === 'interrupt'
            ? trans.__('the Interrupt button')
            : trans.__('a message on the control topic');
    }
  }

  export function reason(
    reason: IgnoreReason | 'already',
    owner: string | null,
    trans: TranslationBundle
  ): string {
    switch (reason) {
      case 'not-owner':
        return owner
          ? trans.__('only %1 can send commands.', owner)
          : trans.__('it was not sent by your account.');
      case 'before-status':
        return trans.__('it was sent before the status message.');
      case 'not-a-verb':
        return trans.__('only "stop" and "mute" are commands.');
      case 'malformed':
        return trans.__('it is not a command of this run’s buttons.');
      case 'other-run':
        return trans.__('it names another run.');
      case 'bad-nonce':
        return trans.__(
          'its one-use code is not this run’s (it did not come from this run’s buttons).'
        );
      case 'used-nonce':
        return trans.__('its one-use code was already used.');
      default:
        return trans.__('this was already done for this run.');
    }
  }
}
