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

/**
 * A run: the code cells of one notebook scheduled together by one action,
 * known by their positions in the run (0 to `size - 1`, in execution order).
 *
 * Pure state machine: it is fed kernel facts (the run started, a cell
 * succeeded or replied otherwise, every cell has replied or was cancelled,
 * the kernel was lost) and decides how the run ends. The kernel runs the
 * cells in order, so a cell that replies settles the cells before it too:
 * those that never replied were cancelled (deleted, or run again while
 * queued). Time comes from the kernel's clock where the kernel gives it
 * (the run's first start and its last reply), so time spent waiting in the
 * kernel's queue behind another run is not counted. A cell that succeeds
 * costs a comparison and two counts: a Run All of a thousand cells feeds a
 * thousand of them.
 */
export class Run {
  constructor(options: Run.IOptions) {
    this.id = options.id;
    this.size = options.size;
    this._now = options.now ?? Date.now;
    this._scheduledLocal = this._now();
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
   * The first position not settled: the cells before it have replied or
   * were cancelled.
   */
  get next(): number {
    return this._next;
  }

  /**
   * Whether the cell at this position belongs to the run and has neither
   * replied nor been cancelled (false for every cell once the run is done).
   */
  isPending(position: number): boolean {
    return (
      this._outcome === null && position >= this._next && position < this.size
    );
  }

  /**
   * The kernel started the run: it said so for the first cell, or a reply
   * says when it started. Only the first start counts: the kernel runs the
   * cells in order.
   *
   * @param kernelTime - the kernel's time of the start, if it gave one.
   */
  started(kernelTime?: string): void {
    if (this._outcome !== null) {
      return;
    }
    if (this._startLocal === null) {
      this._startLocal = this._now();
    }
    if (kernelTime && this._startRaw === null) {
      this._startRaw = kernelTime;
      this._noteKernelTime(kernelTime);
    }
  }

  /**
   * The kernel replied `ok` to a cell's execute request: the reply of
   * nearly every cell, so it takes no time and allocates nothing.
   *
   * @returns false if the cell was not pending (nothing changed).
   */
  cellSucceeded(position: number): boolean {
    if (!this.isPending(position)) {
      return false;
    }
    this._next = position + 1;
    this._executed++;
    return true;
  }

  /**
   * The kernel replied to a cell's execute request: an error (the run
   * fails, and ends unless the request went on past errors), an abort (the
   * cell did not run) or, rarely through here, ok.
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
    if (!this.isPending(position)) {
      return false;
    }
    this.started(reply.started);
    this._noteKernelTime(reply.date);
    this._next = position + 1;
    if (reply.status === 'aborted') {
      return false;
    }
    this._executed++;
    if (reply.status === 'ok') {
      return false;
    }
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
    return false;
  }

  /**
   * Every cell of the run has replied or was cancelled: the run ends,
   * finished (or failed, after an error in a cell that went on past
   * errors), or cancelled if no cell ran. Cells still pending did not run.
   *
   * @param kernelTime - the kernel's time of the last reply, if known.
   * @returns whether this ended the run.
   */
  settled(kernelTime?: string): boolean {
    if (this._outcome !== null) {
      return false;
    }
    const outcome =
      this._failureOutcome ?? (this._executed > 0 ? 'finished' : 'cancelled');
    this._end(outcome, kernelTime ?? null);
    return true;
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
   * Note the latest kernel time seen, kept as sent and parsed only when
   * asked for, with the browser's time it was seen at.
   */
  private _noteKernelTime(kernelTime: string | undefined): void {
    if (kernelTime) {
      this._lastRaw = kernelTime;
      this._lastSeenLocal = this._now();
    }
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
  private _next = 0;
  private _executed = 0;
  private _outcome: RunOutcome | null = null;
  private _failure: IRunError | null = null;
  private _failureOutcome: 'failed' | 'interrupted' | null = null;
  private _scheduledLocal: number;
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
