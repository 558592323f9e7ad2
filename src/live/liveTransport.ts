import type { ILmkEvent } from '../tokens';
import type { CommandReading, LiveVerb } from './phoneCommands';
import type { LiveCommandPath } from './liveStatusText';

/**
 * What a status change is, for a service that treats them differently.
 *
 * - `progress`: the run moved on (paced; dropped where the service cannot
 *   update a message in place)
 * - `answer`: what a command did (at once)
 * - `final`: how the run ended, or that sharing stopped (at once)
 */
export type StatusChange = 'progress' | 'answer' | 'final';

/**
 * One service that carries a run's live status and its commands: a Matrix
 * room, or an ntfy topic with a control topic.
 */
export interface ILiveTransport {
  readonly kind: 'matrix' | 'ntfy';
  /** How the phone sends commands here, for the status's hint. */
  readonly commandPath: LiveCommandPath;
  /** Where the status goes, for the panel (room name; ntfy host and topic hint). */
  readonly where: string;
  /** Least time between two progress edits, in ms. */
  readonly progressIntervalMs: number;
  /** Most progress edits of one run (a service's daily cap), or Infinity. */
  readonly maxProgressEdits: number;

  /** Post the first status; resolves once the service has it. */
  open(status: ILmkEvent): Promise<void>;
  /** Show a new status in place of the old (where the service can). */
  update(status: ILmkEvent, change: StatusChange): Promise<void>;
  /** Post a message about the run beside its status (a late command). */
  say(event: ILmkEvent): Promise<void>;
  /**
   * Listen for commands until `close()`: every message aimed at the run's
   * status comes through `onReading`; a listening problem (retried on its
   * own) through `onTrouble`, with a message for the user.
   */
  listen(
    onReading: (reading: CommandReading) => void,
    onTrouble: (message: string | null) => void
  ): void;
  /** A verb was obeyed (or came too late): it cannot be used again. */
  spend(verb: LiveVerb): void;
  /** Stop listening; pending requests are given up. */
  close(): void;
  /**
   * What a listener outside this page (the kernel watcher, once it exists)
   * needs to go on listening for this run's commands: see `ILiveHandover`.
   */
  handover(): ILiveHandover | null;
}

/**
 * The seam for the kernel watcher (the "browser is closed" path): what it
 * would need to listen for a shared run's commands while no page is open,
 * during that run only. Nothing in the lab sends it yet; see
 * docs/phone.md, "With the page closed".
 */
export type ILiveHandover =
  | {
      kind: 'matrix';
      homeserver: string;
      roomId: string;
      /** The only account obeyed. */
      owner: string;
      statusEventId: string;
      statusTs: number;
      /** Where the page's sync stopped: events from there on. */
      since: string | null;
    }
  | {
      kind: 'ntfy';
      server: string;
      controlTopic: string;
      run: string;
      /** The unspent nonce of each verb. */
      nonces: { [verb in LiveVerb]?: string };
      /** Last control message seen: messages after it. */
      since: string;
    };
