import type { ISessionContext } from '@jupyterlab/apputils';
import type { Cell, CodeCell } from '@jupyterlab/cells';
import type { Notebook } from '@jupyterlab/notebook';
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import type { IDisposable } from '@lumino/disposable';
import { type ISignal, Signal } from '@lumino/signaling';
import type { IActiveRun, IInputRequest, IRunSummary } from '../tokens';
import { type ICellReply, type IRunCell, Run } from './run';

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
    const started: { cell: CodeCell; future: ExecuteFuture }[] = [];
    for (const { cell, before } of pending) {
      const future = cell.isDisposed ? null : cell.outputArea.future;
      // No new future: the cell was empty or there was no kernel.
      if (future && future !== before && !future.isDisposed) {
        started.push({ cell, future });
      }
    }
    if (started.length === 0) {
      return;
    }

    const indices = new Map<Cell, number>();
    this._notebook.widgets.forEach((widget, index) => {
      indices.set(widget, index);
    });
    const cells: IRunCell[] = started.map(({ cell }) => ({
      id: cell.model.id,
      index: indices.get(cell) ?? -1,
      stopOnError: !Private.raisesException(cell)
    }));
    const run = new Run({
      id: started[0].future.msg.header.msg_id,
      cells,
      now: this._now
    });
    const kernel = this._sessionContext.session?.kernel;
    const context: Private.IRunContext = {
      path: this._path(),
      kernel: kernel ? { id: kernel.id, name: kernel.name } : null,
      active: null,
      askedForInput: false
    };
    this._active.set(run, context);
    started.forEach(({ future }, i) =>
      this._follow(run, cells[i].id, future, i === 0)
    );
    context.active = this._describe(run, context);
    this._runStarted.emit(context.active);
  }

  /**
   * A live view of a run for rules that act while it goes on; the cells'
   * positions are looked up only when asked.
   */
  private _describe(run: Run, context: Private.IRunContext): IActiveRun {
    const notebook = this._notebook;
    const cellIds = run.cells.map(cell => cell.id);
    return {
      id: run.id,
      notebookPath: context.path,
      kernel: context.kernel,
      cellIds,
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
        const cell = run.currentCell();
        if (!cell) {
          return null;
        }
        const index = notebook.widgets.findIndex(w => w.model.id === cell.id);
        return { cellId: cell.id, index: index >= 0 ? index : cell.index };
      }
    };
  }

  /**
   * Follow one cell's execute request to its reply. Only the run's first
   * cell is watched for the moment the kernel starts it (the run's start);
   * every other cell's start comes with its reply, so a long run adds no
   * message hook per cell.
   */
  private _follow(
    run: Run,
    cellId: string,
    future: ExecuteFuture,
    watchStart: boolean
  ): void {
    const hook = (msg: KernelMessage.IIOPubMessage): boolean => {
      const type = msg.header.msg_type;
      if (
        type === 'execute_input' ||
        (type === 'status' &&
          (msg as KernelMessage.IStatusMsg).content.execution_state === 'busy')
      ) {
        run.cellStarted(cellId, msg.header.date);
        // Only the start is needed: stop looking at this cell's messages.
        future.removeMessageHook(hook);
      }
      return true;
    };
    if (watchStart) {
      future.registerMessageHook(hook);
    }
    // The output area answers input requests; look at them after it.
    const answer = future.onStdin;
    const onStdin = (msg: KernelMessage.IStdinMessage): void => {
      answer?.(msg);
      if (msg.header.msg_type === 'input_request') {
        this._askedForInput(run, cellId, msg as KernelMessage.IInputRequestMsg);
      }
    };
    future.onStdin = onStdin;
    // The output area keeps each cell's future until the cell runs again:
    // once this one is done, let go of the run it would otherwise hold.
    const release = () => {
      if (watchStart) {
        Private.removeHook(future, hook);
      }
      if (!future.isDisposed && future.onStdin === onStdin && answer) {
        future.onStdin = answer;
      }
    };
    future.done.then(
      reply => {
        release();
        if (run.cellReplied(cellId, Private.toCellReply(reply))) {
          this._ended(run);
        }
      },
      () => {
        release();
        if (run.cellCancelled(cellId)) {
          this._ended(run);
        }
      }
    );
  }

  private _askedForInput(
    run: Run,
    cellId: string,
    msg: KernelMessage.IInputRequestMsg
  ): void {
    const context = this._active.get(run);
    if (!context?.active || context.askedForInput || this._isDisposed) {
      return;
    }
    context.askedForInput = true;
    const index = this._notebook.widgets.findIndex(w => w.model.id === cellId);
    this._inputRequested.emit({
      run: context.active,
      cellId,
      index,
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
    this._runEnded.emit(this._summarize(run, context));
  }

  private _summarize(run: Run, context: Private.IRunContext): IRunSummary {
    const failure = run.failure;
    let failureIndex = failure?.index ?? -1;
    if (failure) {
      // The cell may have moved since it was scheduled.
      const now = this._notebook.widgets.findIndex(
        w => w.model.id === failure.cellId
      );
      failureIndex = now >= 0 ? now : failureIndex;
    }
    return {
      id: run.id,
      outcome: run.outcome!,
      notebookPath: context.path,
      kernel: context.kernel,
      cells: run.cells.length,
      executed: run.executed,
      started: new Date(run.startedMs).toISOString(),
      finished: new Date(run.finishedMs!).toISOString(),
      durationSeconds: run.durationSeconds,
      kernelTiming: run.kernelTiming,
      lastCellId: run.cells[run.cells.length - 1].id,
      cellIds: context.active?.cellIds ?? run.cells.map(cell => cell.id),
      failure: failure ? { ...failure, index: failureIndex } : null
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
    /** The run as rules see it while it goes on. */
    active: IActiveRun | null;
    /** Whether the run has already said it waits for input. */
    askedForInput: boolean;
  }

  /**
   * Cells tagged `raises-exception` are executed with `stop_on_error` off.
   */
  export function raisesException(cell: CodeCell): boolean {
    const tags = cell.model.getMetadata('tags');
    return Array.isArray(tags) && tags.includes('raises-exception');
  }

  export function removeHook(
    future: ExecuteFuture,
    hook: (msg: KernelMessage.IIOPubMessage) => boolean
  ): void {
    if (!future.isDisposed) {
      future.removeMessageHook(hook);
    }
  }

  export function toCellReply(
    reply: KernelMessage.IExecuteReplyMsg | undefined
  ): ICellReply {
    if (!reply) {
      return { status: 'ok', executionCount: null };
    }
    const content = reply.content as KernelMessage.IExecuteReplyMsg['content'] &
      Partial<KernelMessage.IReplyErrorContent>;
    const started = (reply.metadata as { started?: unknown } | undefined)
      ?.started;
    return {
      status: content.status,
      executionCount:
        'execution_count' in content ? (content.execution_count ?? null) : null,
      ename: content.ename,
      evalue: content.evalue,
      traceback: content.traceback,
      started: typeof started === 'string' ? started : undefined,
      date: reply.header.date
    };
  }
}
