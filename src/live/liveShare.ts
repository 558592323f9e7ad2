import type { TranslationBundle } from '@jupyterlab/translation';
import { type ISignal, Signal } from '@lumino/signaling';
import type { IActiveRun, ILmkEvent, IRunSummary } from '../tokens';
import { EditPacer } from './editPacer';
import type { CommandReading, LiveVerb } from './phoneCommands';
import { type CommandOutcome, commandEvent } from './liveHistory';
import {
  buildLiveStatus,
  type ILiveNotes,
  type ILiveSnapshot,
  type LivePhase
} from './liveStatusText';
import type { ILiveTransport, StatusChange } from './liveTransport';

/** How long after its end a run still answers commands ("too late"). */
export const LATE_WINDOW_MS = 5 * 60_000;
/** Ignored commands listed in History for one run, at most. */
export const MAX_IGNORED_LISTED = 10;
/** Event ids remembered per run, to act on each once. */
const MAX_SEEN = 1000;

/**
 * Where a share is: posting its first status, live, ended (still
 * answering late commands for a while), or closed.
 */
export type LiveShareState = 'starting' | 'live' | 'ended' | 'closed';

/**
 * One run shared live: its status message kept up to date through one
 * transport (Matrix or ntfy), and the commands from the phone obeyed.
 *
 * Progress edits are paced (`EditPacer`) and sent only when what the
 * status shows has changed; answers to commands and the final status go at
 * once, in order, one request at a time. A command is obeyed once (each
 * event id is read once, each verb done once), only while the run goes on;
 * one that comes after the end is answered "too late" and does nothing.
 */
export class LiveShare {
  constructor(options: LiveShare.IOptions) {
    this.id = options.id;
    this.run = options.run;
    this._options = options;
    this._transport = options.transport;
    this._now = options.now ?? Date.now;
    this._pacer = new EditPacer(options.transport.progressIntervalMs);
  }

  /** The share's id (random; it also names the run in ntfy commands). */
  readonly id: string;

  /** The run shared. */
  readonly run: IActiveRun;

  /** Where the status goes, for the panel. */
  get where(): string {
    return this._transport.where;
  }

  get kind(): 'matrix' | 'ntfy' {
    return this._transport.kind;
  }

  get state(): LiveShareState {
    return this._state;
  }

  /** Whether the phone muted the run: no more notifications about it. */
  get muted(): boolean {
    return this._notes.mutedAt !== undefined;
  }

  /** The latest problem with the service, for the panel; null if none. */
  get problem(): string | null {
    return this._problem;
  }

  /** Emitted when the state, a problem or what the phone asked changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The transport (tests, and the seam for the kernel watcher). */
  get transport(): ILiveTransport {
    return this._transport;
  }

  /**
   * Post the first status and start listening for commands. Throws (with
   * a message for the user) if the status could not be posted.
   */
  async start(): Promise<void> {
    const snapshot = this._options.snapshot();
    const status = this._status(snapshot, { kind: 'running' });
    this._pacer.started();
    try {
      await this._transport.open(status);
    } finally {
      this._pacer.completed(this._now());
    }
    this._lastKey = this._key(snapshot);
    if (this._state !== 'starting') {
      // Ended or stopped while the status was on its way.
      return;
    }
    this._setState('live');
    this._transport.listen(
      reading => this._onReading(reading),
      message => this._setProblem(message)
    );
    this._schedule();
  }

  /**
   * The run ended: the final status says how. Resolves once it is out (or
   * failed), so the end-of-run notification can follow it.
   */
  async end(summary: IRunSummary): Promise<void> {
    if (this._state === 'ended' || this._state === 'closed') {
      return;
    }
    this._endedAt = this._now();
    this._summary = summary;
    this._setState('ended');
    this._clearTimer();
    await this._send(
      this._status(this._options.snapshot(), { kind: 'ended', summary }),
      'final'
    );
    this._lateTimer = setTimeout(
      () => this._close(),
      this._options.lateWindowMs ?? LATE_WINDOW_MS
    );
  }

  /**
   * Stop sharing (from the lab, or because the notebook was closed): the
   * status says so, and commands are no longer heard.
   */
  async stop(why: 'stopped' | 'closed'): Promise<void> {
    if (this._state === 'closed') {
      return;
    }
    const wasEnded = this._state === 'ended';
    this._close();
    if (!wasEnded) {
      await this._send(
        this._status(this._options.snapshot(), {
          kind: why,
          at: this._now()
        }),
        'final'
      );
    }
  }

  /** Stop at once, saying nothing (the page goes away). */
  dispose(): void {
    this._close();
  }

  private _close(): void {
    if (this._state === 'closed') {
      return;
    }
    this._clearTimer();
    clearTimeout(this._lateTimer);
    this._transport.close();
    this._setState('closed');
  }

  private _onReading(reading: CommandReading): void {
    if (reading.kind === 'none' || this._state === 'closed') {
      return;
    }
    if (this._seen.has(reading.id)) {
      return;
    }
    this._seen.add(reading.id);
    if (this._seen.size > MAX_SEEN) {
      this._seen.delete(this._seen.values().next().value as string);
    }
    const at = this._now();
    if (reading.kind === 'ignored') {
      this._ignored({ ...reading, at });
      return;
    }
    const { verb, via } = reading;
    if (this._state === 'ended') {
      this._transport.spend(verb);
      this._late(verb, via, at);
      return;
    }
    if (this._done.has(verb)) {
      this._ignored({ kind: 'ignored', reason: 'already', via, verb, at });
      return;
    }
    this._done.add(verb);
    this._transport.spend(verb);
    if (verb === 'interrupt') {
      void this._interrupt(via, at);
    } else {
      this._notes.mutedAt = at;
      this._record({ kind: 'done', verb, via, at });
      this._changed.emit();
      void this._answer();
    }
  }

  private async _interrupt(
    via: 'reaction' | 'reply' | 'ntfy',
    at: number
  ): Promise<void> {
    // Noted first: the run may end (and its final status be built) before
    // the interrupt request has even answered.
    this._notes.interruptedAt = at;
    try {
      await this._options.interrupt();
    } catch (reason) {
      delete this._notes.interruptedAt;
      this._record({
        kind: 'failed',
        verb: 'interrupt',
        at,
        error: reason instanceof Error ? reason.message : String(reason)
      });
      return;
    }
    this._record({ kind: 'done', verb: 'interrupt', via, at });
    this._changed.emit();
    if (this._state === 'live') {
      await this._answer();
    }
  }

  private _late(
    verb: LiveVerb,
    via: 'reaction' | 'reply' | 'ntfy',
    at: number
  ): void {
    this._record({ kind: 'late', verb, via, at, ended: this._endedAt });
    this._notes.lateAt = at;
    const summary = this._summary;
    if (summary) {
      // Said beside the status, so the phone hears it.
      void this._transport
        .say(this._status(this._options.snapshot(), { kind: 'ended', summary }))
        .catch(reason => this._setProblem(String(reason?.message ?? reason)));
    }
  }

  private _ignored(outcome: CommandOutcome & { kind: 'ignored' }): void {
    this._ignoredCount++;
    if (this._ignoredCount <= MAX_IGNORED_LISTED) {
      this._record(outcome);
    } else if (this._ignoredCount === MAX_IGNORED_LISTED + 1) {
      this._record({ kind: 'more', at: outcome.at });
    }
  }

  private _record(outcome: CommandOutcome): void {
    const snapshot = this._options.snapshot();
    const path = this._transport.commandPath;
    this._options.record(
      commandEvent(
        outcome,
        { path: snapshot.notebookPath, url: snapshot.notebookUrl },
        path.kind === 'matrix' ? path.owner : null,
        this._options.trans
      ),
      outcome.at
    );
  }

  /** Show what a command did, at once. */
  private async _answer(): Promise<void> {
    const snapshot = this._options.snapshot();
    this._lastKey = this._key(snapshot);
    await this._send(this._status(snapshot, { kind: 'running' }), 'answer');
  }

  /** Look at the run again when the pacer allows a progress edit. */
  private _schedule(): void {
    this._clearTimer();
    if (this._state !== 'live') {
      return;
    }
    const now = this._now();
    const at = this._pacer.nextProgressAt(now) ?? now;
    this._timer = setTimeout(
      () => void this._tick(),
      Math.max(at - now, this._transport.progressIntervalMs)
    );
  }

  private async _tick(): Promise<void> {
    this._timer = undefined;
    if (this._state !== 'live') {
      return;
    }
    if (this._pacer.busy) {
      // The edit on its way reschedules when it completes.
      return;
    }
    const snapshot = this._options.snapshot();
    const key = this._key(snapshot);
    if (
      key !== this._lastKey &&
      this._progressEdits < this._transport.maxProgressEdits
    ) {
      this._lastKey = key;
      this._progressEdits++;
      await this._send(this._status(snapshot, { kind: 'running' }), 'progress');
    } else {
      this._schedule();
    }
  }

  /**
   * Send one status change after the ones before it; a failure is kept as
   * the share's problem, never thrown.
   */
  private _send(status: ILmkEvent, change: StatusChange): Promise<void> {
    const sent = this._sending.then(async () => {
      this._pacer.started();
      try {
        await this._transport.update(status, change);
        this._setProblem(null);
      } catch (reason) {
        this._setProblem(
          reason instanceof Error ? reason.message : String(reason)
        );
      } finally {
        this._pacer.completed(this._now());
      }
      if (change !== 'final') {
        this._schedule();
      }
    });
    this._sending = sent;
    return sent;
  }

  private _status(snapshot: ILiveSnapshot, phase: LivePhase): ILmkEvent {
    return buildLiveStatus(
      snapshot,
      phase,
      this._notes,
      this._transport.commandPath,
      this._options.trans
    );
  }

  /**
   * What a progress edit would change: the elapsed time counts only where
   * edits are cheap (Matrix), not where each is a message (ntfy).
   */
  private _key(snapshot: ILiveSnapshot): string {
    const elapsed =
      this._transport.kind === 'matrix'
        ? this._status(snapshot, { kind: 'running' }).title
        : '';
    return JSON.stringify([
      snapshot.executed,
      snapshot.firstLine,
      snapshot.lastOutput,
      elapsed
    ]);
  }

  private _setState(state: LiveShareState): void {
    if (this._state !== state) {
      this._state = state;
      this._changed.emit();
    }
  }

  private _setProblem(problem: string | null): void {
    if (this._problem !== problem) {
      this._problem = problem;
      this._changed.emit();
    }
  }

  private _clearTimer(): void {
    if (this._timer !== undefined) {
      clearTimeout(this._timer);
      this._timer = undefined;
    }
  }

  private _options: LiveShare.IOptions;
  private _transport: ILiveTransport;
  private _now: () => number;
  private _pacer: EditPacer;
  private _state: LiveShareState = 'starting';
  private _notes: ILiveNotes = {};
  private _done = new Set<LiveVerb>();
  private _seen = new Set<string>();
  private _ignoredCount = 0;
  private _progressEdits = 0;
  private _lastKey = '';
  private _problem: string | null = null;
  private _summary: IRunSummary | null = null;
  private _endedAt = 0;
  private _sending: Promise<void> = Promise.resolve();
  private _timer: ReturnType<typeof setTimeout> | undefined;
  private _lateTimer: ReturnType<typeof setTimeout> | undefined;
  private _changed = new Signal<this, void>(this);
}

/**
 * The namespace for `LiveShare` statics.
 */
export namespace LiveShare {
  /**
   * Options of a shared run.
   */
  export interface IOptions {
    id: string;
    run: IActiveRun;
    transport: ILiveTransport;
    trans: TranslationBundle;
    /** Where the run is now (read at each look, every few seconds). */
    snapshot: () => ILiveSnapshot;
    /** Interrupt the run's kernel. */
    interrupt: () => Promise<void>;
    /** Put a command's outcome in History (an event handed to no channel). */
    record: (event: ILmkEvent, at: number) => void;
    /** The clock; injectable for tests. */
    now?: () => number;
    /** How long late commands are answered after the end (default 5 min). */
    lateWindowMs?: number;
  }
}
