import type { ISessionContext } from '@jupyterlab/apputils';
import type { Cell, CodeCell } from '@jupyterlab/cells';
import type { Notebook } from '@jupyterlab/notebook';
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import type { IDisposable } from '@lumino/disposable';
import { type ISignal, Signal } from '@lumino/signaling';
import type { IActiveRun, IInputRequest, IRunSummary } from '../tokens';
import { type ICellReply, Run } from './run';

type ExecuteFuture = Kernel.IShellFuture<
  KernelMessage.IExecuteRequestMsg,
  KernelMessage.IExecuteReplyMsg
>;

/**
 * Watches one notebook and its kernel, and turns the cells scheduled by one
 * action into one `Run`.
 *
 * Cells scheduled together are told apart from later actions because one
 * action schedules all its cells in the same synchronous pass: the watcher
 * collects them and seals the run in a microtask. By then each cell's output
 * area holds the future of its execute request, which gives the kernel's
 * own timestamps and reply. Nothing is attached to the kernel's message
 * stream as a whole, so notebooks without a run cost nothing.
 */
export class NotebookRunWatcher implements IDisposable {
  constructor(options: NotebookRunWatcher.IOptions) {
    this._notebook = options.notebook;
    this._sessionContext = options.sessionContext;
    this._path = options.path;
    this._now = options.now ?? Date.now;
    this._sessionContext.statusChanged.connect(this._onStatusChanged, this);
    this._sessionContext.kernelChanged.connect(this._onKernelChanged, this);
  }

  /** Emitted when one of this notebook's runs ends. */
  get runEnded(): ISignal<this, IRunSummary> {
    return this._runEnded;
  }

  /** Emitted when a run has been handed to the kernel. */
  get runStarted(): ISignal<this, IActiveRun> {
    return this._runStarted;
  }

  /** Emitted the first time a run asks for input. */
  get inputRequested(): ISignal<this, IInputRequest> {
    return this._inputRequested;
  }

  /** The runs of this notebook still going on. */
  get activeRuns(): readonly Run[] {
    return [...this._active.keys()];
  }

  /** Emitted once when the watcher is disposed. */
  get disposed(): ISignal<this, void> {
    return this._disposed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Tell the watcher that a cell of its notebook was scheduled for execution
   * (from `NotebookActions.executionScheduled`).
   */
  scheduled(cell: Cell): void {
    if (this._isDisposed || cell.model.type !== 'code') {
      return;
    }
    const codeCell = cell as CodeCell;
    // The future now is the previous execution's: the new one is created
    // right after this signal, synchronously.
    this._pending.push({ cell: codeCell, before: codeCell.outputArea.future });
    if (!this._sealQueued) {
      this._sealQueued = true;
      queueMicrotask(() => this._seal());
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._pending = [];
    this._active.clear();
    this._disposed.emit();
    Signal.clearData(this);
  }

  private _seal(): void {
    this._sealQueued = false;
    const pending = this._pending;
    this._pending = [];
    if (this._isDisposed) {
      return;
    }
    const cells: CodeCell[] = [];
    const futures: ExecuteFuture[] = [];
    for (const { cell, before } of pending) {
      const future = cell.isDisposed ? null : cell.outputArea.future;
      // No new future: the cell was empty or there was no kernel.
      if (future && future !== before && !future.isDisposed) {
        cells.push(cell);
        futures.push(future);
      }
    }
    if (cells.length === 0) {
      return;
    }
    // Per cell, only what following its request needs: ids, positions in
    // the notebook and tags are read when a rule or the summary asks.
    const run = new Run({
      id: futures[0].msg.header.msg_id,
      size: cells.length,
      now: this._now
    });
    const kernel = this._sessionContext.session?.kernel;
    const context: Private.IRunContext = {
      path: this._path(),
      kernel: kernel ? { id: kernel.id, name: kernel.name } : null,
      cells,
      cellIds: null,
      failedCell: null,
      active: null,
      askedForInput: false
    };
    this._active.set(run, context);
    this._watchStart(run, futures[0]);
    for (let position = 0; position < futures.length; position++) {
      this._follow(run, context, position, futures[position]);
    }
    context.active = this._describe(run, context);
    this._runStarted.emit(context.active);
  }

  /**
   * A live view of a run for rules that act while it goes on; the cells'
   * ids and positions are looked up only when asked.
   */
  private _describe(run: Run, context: Private.IRunContext): IActiveRun {
    const notebook = this._notebook;
    return {
      id: run.id,
      notebookPath: context.path,
      kernel: context.kernel,
      get cellIds() {
        return Private.cellIds(context);
      },
      get isDone() {
        return run.isDone;
      },
      get executed() {
        return run.executed;
      },
      get started() {
        return new Date(run.startedMs).toISOString();
      },
      get durationSeconds() {
        return run.durationSeconds;
      },
      current: () => {
        const cell = context.cells[run.currentPosition()];
        if (!cell?.model) {
          return null;
        }
        return {
          cellId: cell.model.id,
          index: notebook.widgets.indexOf(cell)
        };
      }
    };
  }

  /**
   * Watch the run's first request for the moment the kernel starts it (the
   * run's start). Every other cell's start comes with its reply, so a long
   * run adds no message hook per cell.
   */
  private _watchStart(run: Run, future: ExecuteFuture): void {
    const hook = (msg: KernelMessage.IIOPubMessage): boolean => {
      const type = msg.header.msg_type;
      if (
        type === 'execute_input' ||
        (type === 'status' &&
          (msg as KernelMessage.IStatusMsg).content.execution_state === 'busy')
      ) {
        run.cellStarted(0, msg.header.date);
        // Only the start is needed: stop looking at this cell's messages.
        future.removeMessageHook(hook);
      }
      return true;
    };
    future.registerMessageHook(hook);
    const release = () => Private.removeHook(future, hook);
    future.done.then(release, release);
  }

  /**
   * Follow one cell's execute request to its reply. This runs for every
   * cell of a Run All: one stdin handler and one `done` callback, no more.
   */
  private _follow(
    run: Run,
    context: Private.IRunContext,
    position: number,
    future: ExecuteFuture
  ): void {
    // The output area answers input requests; look at them after it.
    const answer = future.onStdin;
    future.onStdin = (msg: KernelMessage.IStdinMessage): void => {
      answer?.(msg);
      if (msg.header.msg_type === 'input_request') {
        // Asking for input, the cell is the one executing.
        run.cellStarted(position);
        this._askedForInput(
          run,
          position,
          msg as KernelMessage.IInputRequestMsg
        );
      }
    };
    future.done.then(
      reply => {
        const ended =
          reply?.content.status === 'ok'
            ? run.cellSucceeded(
                position,
                Private.startedAt(reply),
                reply.header.date
              )
            : this._replied(run, context, position, future, reply);
        if (ended) {
          this._ended(run);
        }
      },
      () => {
        if (run.cellCancelled(position)) {
          this._ended(run);
        }
      }
    );
  }

  /**
   * A reply other than `ok` (or none): the run may have failed.
   *
   * @returns whether this ended the run.
   */
  private _replied(
    run: Run,
    context: Private.IRunContext,
    position: number,
    future: ExecuteFuture,
    reply: KernelMessage.IExecuteReplyMsg | undefined
  ): boolean {
    const hadFailure = run.failure !== null;
    const ended = run.cellReplied(
      position,
      Private.toCellReply(reply),
      future.msg.content.stop_on_error !== false
    );
    if (!hadFailure && run.failure) {
      // Which cell failed, now: it may be deleted before the run ends.
      const cell = context.cells[position];
      context.failedCell = {
        id: cell.model?.id ?? '',
        index: this._notebook.widgets.indexOf(cell)
      };
    }
    return ended;
  }

  private _askedForInput(
    run: Run,
    position: number,
    msg: KernelMessage.IInputRequestMsg
  ): void {
    const context = this._active.get(run);
    if (!context?.active || context.askedForInput || this._isDisposed) {
      return;
    }
    context.askedForInput = true;
    const cell = context.cells[position];
    this._inputRequested.emit({
      run: context.active,
      cellId: cell.model?.id ?? '',
      index: this._notebook.widgets.indexOf(cell),
      prompt: String(msg.content.prompt ?? ''),
      password: !!msg.content.password
    });
  }

  private _onStatusChanged(_: ISessionContext, status: Kernel.Status): void {
    switch (status) {
      case 'restarting':
        // A server-side restart after the kernel died also says
        // 'restarting' first, then 'autorestarting' in a microtask queued
        // before this signal: decide once that one has had its turn.
        queueMicrotask(() => this._loseKernel('restarted'));
        break;
      case 'autorestarting':
      case 'dead':
        this._loseKernel('died');
        break;
      default:
        break;
    }
  }

  private _onKernelChanged(
    _: ISessionContext,
    change: { oldValue: Kernel.IKernelConnection | null; newValue: unknown }
  ): void {
    if (change.oldValue !== change.newValue) {
      this._loseKernel('restarted');
    }
  }

  private _loseKernel(how: 'died' | 'restarted'): void {
    for (const run of this.activeRuns) {
      if (run.kernelLost(how)) {
        this._ended(run);
      }
    }
  }

  private _ended(run: Run): void {
    const context = this._active.get(run);
    if (!context || this._isDisposed) {
      return;
    }
    this._active.delete(run);
    const summary = this._summarize(run, context);
    // The cells' futures keep their callbacks (and so this context) until
    // the cells run again: let go of the cell widgets now.
    context.cells = [];
    this._runEnded.emit(summary);
  }

  private _summarize(run: Run, context: Private.IRunContext): IRunSummary {
    const failure = run.failure;
    const failedCell = context.failedCell;
    let failureIndex = failedCell?.index ?? -1;
    if (failure) {
      // The cell may have moved since it failed.
      const now = this._notebook.widgets.indexOf(
        context.cells[failure.position]
      );
      failureIndex = now >= 0 ? now : failureIndex;
    }
    const last = context.cells[context.cells.length - 1];
    return {
      id: run.id,
      outcome: run.outcome!,
      notebookPath: context.path,
      kernel: context.kernel,
      cells: run.size,
      executed: run.executed,
      started: new Date(run.startedMs).toISOString(),
      finished: new Date(run.finishedMs!).toISOString(),
      durationSeconds: run.durationSeconds,
      kernelTiming: run.kernelTiming,
      lastCellId: last.model?.id ?? '',
      cellIds: Private.cellIds(context),
      failure: failure
        ? {
            cellId: failedCell?.id ?? '',
            index: failureIndex,
            executionCount: failure.executionCount,
            ename: failure.ename,
            evalue: failure.evalue,
            traceback: failure.traceback
          }
        : null
    };
  }

  private _notebook: Notebook;
  private _sessionContext: ISessionContext;
  private _path: () => string;
  private _now: () => number;
  private _pending: { cell: CodeCell; before: ExecuteFuture | null }[] = [];
  private _sealQueued = false;
  private _active = new Map<Run, Private.IRunContext>();
  private _isDisposed = false;
  private _runEnded = new Signal<this, IRunSummary>(this);
  private _runStarted = new Signal<this, IActiveRun>(this);
  private _inputRequested = new Signal<this, IInputRequest>(this);
  private _disposed = new Signal<this, void>(this);
}

/**
 * The namespace for `NotebookRunWatcher` statics.
 */
export namespace NotebookRunWatcher {
  /**
   * Options to create a watcher.
   */
  export interface IOptions {
    notebook: Notebook;
    sessionContext: ISessionContext;
    /** The notebook's current path (it changes on rename). */
    path: () => string;
    /** The browser clock; injectable for tests. */
    now?: () => number;
  }
}

namespace Private {
  export interface IRunContext {
    path: string;
    kernel: { id: string; name: string } | null;
    /** The run's code cells, in execution order. */
    cells: CodeCell[];
    /** Their ids, read the first time they are asked for. */
    cellIds: string[] | null;
    /** The cell of the run's failure, as it was when it failed. */
    failedCell: { id: string; index: number } | null;
    /** The run as rules see it while it goes on. */
    active: IActiveRun | null;
    /** Whether the run has already said it waits for input. */
    askedForInput: boolean;
  }

  /**
   * The ids of the run's cells, read once; a cell deleted before then has
   * none and is left out.
   */
  export function cellIds(context: IRunContext): string[] {
    if (!context.cellIds) {
      const ids: string[] = [];
      for (const cell of context.cells) {
        const model = cell.model;
        if (model) {
          ids.push(model.id);
        }
      }
      context.cellIds = ids;
    }
    return context.cellIds;
  }

  export function removeHook(
    future: ExecuteFuture,
    hook: (msg: KernelMessage.IIOPubMessage) => boolean
  ): void {
    if (!future.isDisposed) {
      future.removeMessageHook(hook);
    }
  }

  /** When the kernel started the execution (ipykernel's `metadata.started`). */
  export function startedAt(
    reply: KernelMessage.IExecuteReplyMsg
  ): string | undefined {
    const started = (reply.metadata as { started?: unknown } | undefined)
      ?.started;
    return typeof started === 'string' ? started : undefined;
  }

  export function toCellReply(
    reply: KernelMessage.IExecuteReplyMsg | undefined
  ): ICellReply {
    if (!reply) {
      return { status: 'ok', executionCount: null };
    }
    const content = reply.content as KernelMessage.IExecuteReplyMsg['content'] &
      Partial<KernelMessage.IReplyErrorContent>;
    return {
      status: content.status,
      executionCount:
        'execution_count' in content ? (content.execution_count ?? null) : null,
      ename: content.ename,
      evalue: content.evalue,
      traceback: content.traceback,
      started: startedAt(reply),
      date: reply.header.date
    };
  }
}
