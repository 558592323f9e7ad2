import type { RunOutcome } from '../tokens';
import { parseKernelTime } from './kernelTime';

/**
 * Error names kernels use when the user interrupts them.
 */
const INTERRUPT_ENAMES = new Set([
  'KeyboardInterrupt', // IPython
  'InterruptException', // IJulia
  'interrupt' // IRkernel
]);

/**
 * The reply of the kernel to one cell's execute request, as plain data.
 */
export interface ICellReply {
  status: 'ok' | 'error' | 'aborted';
  executionCount: number | null;
  ename?: string;
  evalue?: string;
  traceback?: string[];
  /** Kernel time the execution started (ipykernel's `metadata.started`). */
  started?: string;
  /** Kernel time of the reply (its header date). */
  date?: string;
}

/**
 * The error that ended (or, in a cell tagged `raises-exception`, marked) a
 * run, with the cell's position in the run.
 */
export interface IRunError {
  /** Position of the cell in the run (0-based, in execution order). */
  position: number;
  executionCount: number | null;
  ename: string;
  evalue: string;
  traceback: string[];
}

// A cell's state, one byte per cell of the run.
const QUEUED = 0;
const RUNNING = 1;
const DONE = 2;
const CANCELLED = 3;

/**
 * A run: the code cells of one notebook scheduled together by one action,
 * known by their positions in the run (0 to `size - 1`, in execution order).
 *
 * Pure state machine: it is fed kernel facts (cell started, replied, was
 * cancelled, kernel lost) and decides when the run ends and how. Time comes
 * from the kernel's clock where the kernel gives it, so time spent waiting
 * in the kernel's queue behind another run is not counted. Each fact costs
 * a few field reads and writes: a Run All of a thousand cells feeds it a
 * thousand replies.
 */
export class Run {
  constructor(options: Run.IOptions) {
    this.id = options.id;
    this.size = options.size;
    this._now = options.now ?? Date.now;
    this._scheduledLocal = this._now();
    this._states = new Uint8Array(options.size);
    this._pending = options.size;
  }

  /** Unique id of the run. */
  readonly id: string;

  /** Number of code cells in the run. */
  readonly size: number;

  /** Whether the run has ended. */
  get isDone(): boolean {
    return this._outcome !== null;
  }

  /** How the run ended, or `null` while it goes on. */
  get outcome(): RunOutcome | null {
    return this._outcome;
  }

  /** Number of cells whose execution completed (ok or error). */
  get executed(): number {
    return this._executed;
  }

  /** The first error of the run, for failed or interrupted runs. */
  get failure(): IRunError | null {
    return this._failure;
  }

  /** Whether start and end times come from the kernel's clock. */
  get kernelTiming(): boolean {
    return this._startKernel() !== null && this._endKernel !== null;
  }

  /** Epoch ms the run started (kernel clock where known). */
  get startedMs(): number {
    return this._startKernel() ?? this._startLocal ?? this._scheduledLocal;
  }

  /** Epoch ms the run ended, or `null` while it goes on. */
  get finishedMs(): number | null {
    if (!this.isDone) {
      return null;
    }
    return this.kernelTiming ? this._endKernel : this._endLocal;
  }

  /** Duration in seconds; while running, the time elapsed so far. */
  get durationSeconds(): number {
    const end = this.finishedMs ?? this._estimateKernelNow();
    return Math.max(0, (end - this.startedMs) / 1000);
  }

  /**
   * Position of the cell executing now, or of the next one in line; `-1`
   * once done. The kernel runs cells in order, so the cells before the
   * latest one seen starting have finished, even if their replies are
   * still on their way.
   */
  currentPosition(): number {
    const from = Math.max(this._latestStarted, 0);
    for (let position = from; position < this.size; position++) {
      if (this.isPending(position)) {
        return position;
      }
    }
    for (let position = 0; position < from; position++) {
      if (this.isPending(position)) {
        return position;
      }
    }
    return -1;
  }

  /**
   * Whether the cell at this position belongs to the run and is not
   * settled (false for every cell once the run is done).
   */
  isPending(position: number): boolean {
    const state = this._states[position];
    return this._outcome === null && (state === QUEUED || state === RUNNING);
  }

  /**
   * The kernel started executing a cell (it said so, or the cell asked
   * for input).
   *
   * @param kernelTime - the header date of the kernel's busy status or
   *   execute_input message, if it sent one.
   */
  cellStarted(position: number, kernelTime?: string): void {
    if (this._outcome !== null || this._states[position] !== QUEUED) {
      return;
    }
    this._states[position] = RUNNING;
    this._latestStarted = Math.max(this._latestStarted, position);
    this._noteTimes(kernelTime, kernelTime);
  }

  /**
   * The kernel replied `ok` to a cell's execute request: the reply of
   * nearly every cell, so it takes the two kernel times, not a reply.
   *
   * @param started - kernel time the execution started (ipykernel's
   *   `metadata.started`), if given.
   * @param date - kernel time of the reply (its header date), if given.
   * @returns whether this ended the run.
   */
  cellSucceeded(position: number, started?: string, date?: string): boolean {
    if (!this._settle(position, DONE, started, date)) {
      return false;
    }
    this._executed++;
    return this._endIfSettled();
  }

  /**
   * The kernel replied to a cell's execute request.
   *
   * @param stopOnError - whether the request asked the kernel to abort its
   *   queue on error (false for cells tagged `raises-exception`).
   * @returns whether this ended the run.
   */
  cellReplied(
    position: number,
    reply: ICellReply,
    stopOnError = true
  ): boolean {
    if (reply.status === 'ok') {
      return this.cellSucceeded(position, reply.started, reply.date);
    }
    const state = reply.status === 'aborted' ? CANCELLED : DONE;
    if (!this._settle(position, state, reply.started, reply.date)) {
      return false;
    }
    if (state === CANCELLED) {
      return this._endIfSettled();
    }
    this._executed++;
    const ename = reply.ename ?? '';
    const interrupted = INTERRUPT_ENAMES.has(ename);
    if (!this._failure) {
      this._failure = {
        position,
        executionCount: reply.executionCount,
        ename,
        evalue: reply.evalue ?? '',
        traceback: reply.traceback ?? []
      };
      this._failureOutcome = interrupted ? 'interrupted' : 'failed';
    }
    if (stopOnError || interrupted) {
      // The kernel aborts the rest of its queue: the run is over.
      this._end(this._failureOutcome!, reply.date ?? null);
      return true;
    }
    return this._endIfSettled();
  }

  /**
   * A cell's execution was cancelled before it replied (cell deleted,
   * re-executed while queued, or its request disposed).
   *
   * @returns whether this ended the run.
   */
  cellCancelled(position: number): boolean {
    if (!this.isPending(position)) {
      return false;
    }
    this._states[position] = CANCELLED;
    this._pending--;
    return this._endIfSettled();
  }

  /**
   * The kernel went away during the run.
   *
   * @returns whether this ended the run.
   */
  kernelLost(how: 'died' | 'restarted'): boolean {
    if (this._outcome !== null) {
      return false;
    }
    this._end(how === 'died' ? 'kernel-died' : 'kernel-restarted', null);
    return true;
  }

  /**
   * Settle a pending cell that replied, and note the kernel's times.
   *
   * @returns false if the cell was not pending (nothing changed).
   */
  private _settle(
    position: number,
    state: typeof DONE | typeof CANCELLED,
    started: string | undefined,
    date: string | undefined
  ): boolean {
    if (!this.isPending(position)) {
      return false;
    }
    this._states[position] = state;
    this._pending--;
    // A reply whose start we did not see (hooks attached late, or a kernel
    // without iopub dates) still carries the start time in its metadata.
    this._noteTimes(started, date ?? started);
    return true;
  }

  /**
   * Note the browser's time and the kernel's, kept as sent and parsed only
   * when asked for: one run sees two per cell, and parsing each would cost
   * the hot path.
   *
   * @param started - a kernel time the cell started, if known.
   * @param latest - the latest kernel time in the fact, if any.
   */
  private _noteTimes(
    started: string | undefined,
    latest: string | undefined
  ): void {
    const now = this._now();
    if (this._startLocal === null) {
      this._startLocal = now;
    }
    // The kernel runs cells in order: the first start seen is the earliest.
    if (started && this._startRaw === null) {
      this._startRaw = started;
    }
    if (latest) {
      this._lastRaw = latest;
      this._lastSeenLocal = now;
    }
  }

  private _endIfSettled(): boolean {
    if (this._pending > 0) {
      return false;
    }
    const outcome =
      this._failureOutcome ?? (this._executed > 0 ? 'finished' : 'cancelled');
    this._end(outcome, this._lastRaw);
    return true;
  }

  private _end(outcome: RunOutcome, kernelEnd: string | null): void {
    this._outcome = outcome;
    this._endLocal = this._now();
    this._endKernel = parseKernelTime(kernelEnd) ?? this._estimateKernelNow();
  }

  private _startKernel(): number | null {
    return parseKernelTime(this._startRaw);
  }

  /**
   * The kernel's clock now, extrapolated from the last kernel time seen, so
   * that durations never mix the browser's and the kernel's clocks.
   */
  private _estimateKernelNow(): number {
    const now = this._now();
    const last = parseKernelTime(this._lastRaw);
    if (last === null || this._lastSeenLocal === null) {
      return this._startKernel() ?? now;
    }
    return last + (now - this._lastSeenLocal);
  }

  private _now: () => number;
  private _states: Uint8Array;
  private _executed = 0;
  private _latestStarted = -1;
  private _outcome: RunOutcome | null = null;
  private _failure: IRunError | null = null;
  private _failureOutcome: 'failed' | 'interrupted' | null = null;
  private _scheduledLocal: number;
  private _pending: number;
  private _startLocal: number | null = null;
  private _endLocal: number | null = null;
  private _startRaw: string | null = null;
  private _endKernel: number | null = null;
  private _lastRaw: string | null = null;
  private _lastSeenLocal: number | null = null;
}

/**
 * The namespace for `Run` statics.
 */
export namespace Run {
  /**
   * Options to create a run.
   */
  export interface IOptions {
    id: string;
    /** Number of code cells in the run. */
    size: number;
    /** The browser clock; injectable for tests. */
    now?: () => number;
  }
}
