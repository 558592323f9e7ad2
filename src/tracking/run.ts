import type { IRunFailure, RunOutcome } from '../tokens';
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
 * A code cell scheduled in a run.
 */
export interface IRunCell {
  id: string;
  /** Index in the notebook when the run was scheduled. */
  index: number;
  /** False when the cell is tagged `raises-exception`: its error does not stop the queue. */
  stopOnError: boolean;
}

type CellState = 'queued' | 'running' | 'done' | 'cancelled';

/**
 * A run: the code cells of one notebook scheduled together by one action.
 *
 * Pure state machine: it is fed kernel facts (cell started, replied, was
 * cancelled, kernel lost) and decides when the run ends and how. Time comes
 * from the kernel's clock where the kernel gives it, so time spent waiting
 * in the kernel's queue behind another run is not counted.
 */
export class Run {
  constructor(options: Run.IOptions) {
    this.id = options.id;
    this.cells = options.cells;
    this._now = options.now ?? Date.now;
    this._scheduledLocal = this._now();
    for (const cell of options.cells) {
      this._states.set(cell.id, 'queued');
    }
    this._pending = this._states.size;
  }

  /** Unique id of the run. */
  readonly id: string;

  /** The code cells of the run, in execution order. */
  readonly cells: readonly IRunCell[];

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

  /** The failing cell and its error, for failed or interrupted runs. */
  get failure(): IRunFailure | null {
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

  /** The cell executing now, or the next one in line; `null` once done. */
  currentCell(): IRunCell | null {
    return this.cells.find(cell => this.isPending(cell.id)) ?? null;
  }

  /** Whether the cell with this id belongs to the run and is not settled. */
  isPending(cellId: string): boolean {
    const state = this._states.get(cellId);
    return state === 'queued' || state === 'running';
  }

  /**
   * The kernel started executing a cell.
   *
   * @param kernelTime - the header date of the kernel's busy status or
   *   execute_input message, if it sent one.
   */
  cellStarted(cellId: string, kernelTime?: string): void {
    if (this.isDone || this._states.get(cellId) !== 'queued') {
      return;
    }
    this._states.set(cellId, 'running');
    const local = this._now();
    this._startLocal ??= local;
    if (kernelTime) {
      // The kernel runs cells in order: the first start seen is the earliest.
      this._startRaw ??= kernelTime;
      this._seeKernelTime(kernelTime, local);
    }
  }

  /**
   * The kernel replied to a cell's execute request.
   *
   * @returns whether this ended the run.
   */
  cellReplied(cellId: string, reply: ICellReply): boolean {
    if (this.isDone || !this.isPending(cellId)) {
      return false;
    }
    // A reply whose start we did not see (hooks attached late, or a kernel
    // without iopub dates) still carries the start time in its metadata.
    this.cellStarted(cellId, reply.started);
    if (reply.date) {
      this._seeKernelTime(reply.date, this._now());
    }

    this._settle(cellId, reply.status === 'aborted' ? 'cancelled' : 'done');
    if (reply.status === 'aborted') {
      return this._endIfSettled();
    }
    this._executed++;
    if (reply.status === 'error') {
      const cell = this.cells.find(c => c.id === cellId)!;
      const ename = reply.ename ?? '';
      const interrupted = INTERRUPT_ENAMES.has(ename);
      if (!this._failure) {
        this._failure = {
          cellId,
          index: cell.index,
          executionCount: reply.executionCount,
          ename,
          evalue: reply.evalue ?? '',
          traceback: reply.traceback ?? []
        };
        this._failureOutcome = interrupted ? 'interrupted' : 'failed';
      }
      if (cell.stopOnError || interrupted) {
        // The kernel aborts the rest of its queue: the run is over.
        this._end(this._failureOutcome!, reply.date ?? null);
        return true;
      }
    }
    return this._endIfSettled();
  }

  /**
   * A cell's execution was cancelled before it replied (cell deleted,
   * re-executed while queued, or its request disposed).
   *
   * @returns whether this ended the run.
   */
  cellCancelled(cellId: string): boolean {
    if (this.isDone || !this.isPending(cellId)) {
      return false;
    }
    this._settle(cellId, 'cancelled');
    return this._endIfSettled();
  }

  /**
   * The kernel went away during the run.
   *
   * @returns whether this ended the run.
   */
  kernelLost(how: 'died' | 'restarted'): boolean {
    if (this.isDone) {
      return false;
    }
    this._end(how === 'died' ? 'kernel-died' : 'kernel-restarted', null);
    return true;
  }

  private _settle(cellId: string, state: 'done' | 'cancelled'): void {
    this._states.set(cellId, state);
    this._pending--;
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
    this._states.clear();
  }

  /**
   * Kernel timestamps are kept as sent and parsed only when the run ends:
   * one run sees two per cell, and parsing each would cost the hot path.
   */
  private _seeKernelTime(kernelTime: string, local: number): void {
    this._lastRaw = kernelTime;
    this._lastSeenLocal = local;
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
  private _states = new Map<string, CellState>();
  private _executed = 0;
  private _outcome: RunOutcome | null = null;
  private _failure: IRunFailure | null = null;
  private _failureOutcome: 'failed' | 'interrupted' | null = null;
  private _scheduledLocal: number;
  private _pending = 0;
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
    cells: IRunCell[];
    /** The browser clock; injectable for tests. */
    now?: () => number;
  }
}
