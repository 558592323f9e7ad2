import type { ISessionContext } from '@jupyterlab/apputils';
import type { Cell, CodeCell } from '@jupyterlab/cells';
import { type Notebook, NotebookActions } from '@jupyterlab/notebook';
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import type { IDisposable } from '@lumino/disposable';
import { type ISignal, Signal } from '@lumino/signaling';
import type {
  IActiveRun,
  IInputRequest,
  IRunSummary,
  IRunTracker
} from '../tokens';
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
 * area holds the future of its execute request.
 *
 * A run costs little per cell. Nothing is attached to a cell's request but
 * for the run's first (its start) and its last (its end, with the kernel's
 * time, and the kernel's loss: the lab disposes every pending request when
 * the kernel restarts or dies). The cells in between are followed through
 * the lab's own `NotebookActions.executed`, which the watcher listens to
 * only while a run goes on: the kernel replies in order, so a cell that
 * succeeded is the one expected next, and takes a comparison and a count.
 * An error's details are read from its reply. Input requests come through
 * the kernel's `pendingInput`, which fires only when one arrives. Nothing
 * is attached to the kernel's message stream, so notebooks without a run
 * cost nothing.
 */
export class NotebookRunWatcher implements IDisposable {
  constructor(options: NotebookRunWatcher.IOptions) {
    this._notebook = options.notebook;
    this._sessionContext = options.sessionContext;
    this._path = options.path;
    this._now = options.now ?? Date.now;
    this._observers = options.observers ?? [];
    this._sessionContext.kernelChanged.connect(this._onKernelChanged, this);
    this._sessionContext.session?.kernel?.pendingInput.connect(
      this._onPendingInput,
      this
    );
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
    return this._active.map(context => context.run);
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
    if (this._isDisposed) {
      return;
    }
    this._takeScheduled();
    // The future now is the previous execution's: the new one is created
    // right after this signal, synchronously, and looked at with the next
    // cell's (or when the run is sealed), while the lab has just used it.
    this._scheduled = cell as CodeCell;
    this._before = (cell as CodeCell).outputArea?.future ?? null;
    if (!this._sealQueued) {
      this._sealQueued = true;
      // Before this cell's request goes out: an observer's message sent
      // now reaches the kernel ahead of the run.
      for (const observer of this._observers) {
        observer.beforeRun(this._notebook, this._sessionContext);
      }
      queueMicrotask(() => this._seal());
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._scheduled = null;
    this._cells = [];
    this._futures = [];
    this._active = [];
    this._expected = null;
    this._disposed.emit();
    Signal.clearData(this);
  }

  /**
   * Take the cell scheduled last into the run being collected if it got a
   * new request (not if it was empty, or there was no kernel).
   */
  private _takeScheduled(): void {
    const cell = this._scheduled;
    if (cell === null) {
      return;
    }
    this._scheduled = null;
    const future = cell.outputArea?.future;
    const before = this._before;
    this._before = null;
    if (future && future !== before) {
      this._cells.push(cell);
      this._futures.push(future);
    }
  }

  private _seal(): void {
    this._sealQueued = false;
    this._takeScheduled();
    const cells = this._cells;
    const futures = this._futures;
    this._cells = [];
    this._futures = [];
    if (this._isDisposed) {
      return;
    }
    if (futures.length === 0) {
      this._tellNothingSealed();
      return;
    }
    // Per cell, only its request: ids, positions in the notebook and tags
    // are read when a rule or the summary asks.
    const first = futures[0];
    const last = futures[futures.length - 1];
    if (first.isDisposed || last.isDisposed) {
      // The kernel went away while the run was being scheduled.
      this._tellNothingSealed();
      return;
    }
    const run = new Run({
      id: first.msg.header.msg_id,
      size: cells.length,
      now: this._now
    });
    const kernel = this._sessionContext.session?.kernel ?? null;
    const context: Private.IRunContext = {
      run,
      path: this._path(),
      kernel: kernel ? { id: kernel.id, name: kernel.name } : null,
      connection: kernel,
      cells,
      futures,
      positions: null,
      cellIds: null,
      failedCell: null,
      active: null,
      askedForInput: false,
      stdinFrom: 0,
      latestStarted: 0
    };
    this._active.push(context);
    if (this._expected === null) {
      this._expected = context;
      NotebookActions.executed.connect(this._onExecuted, this);
    }
    this._watchStart(context);
    this._watchEnd(context, futures.length - 1);
    context.active = this._describe(context);
    if (this._observers.length) {
      this._tellSealed(context, futures);
    }
    this._runStarted.emit(context.active);
  }

  /** Tell the boundary observers that the action ran no cell after all. */
  private _tellNothingSealed(): void {
    for (const observer of this._observers) {
      observer.sealed(this._notebook, null);
    }
  }

  /** Hand the run's requests to the boundary observers. */
  private _tellSealed(
    context: Private.IRunContext,
    futures: ExecuteFuture[]
  ): void {
    const notebook = this._notebook;
    const cells = context.cells;
    const sealed: IRunTracker.ISealedRun = {
      run: context.active!,
      requests: futures.map(future => future.msg),
      positions: () => Private.positions(notebook, cells)
    };
    for (const observer of this._observers) {
      observer.sealed(notebook, sealed);
    }
  }

  /**
   * A cell completed its execution (`NotebookActions.executed`, after its
   * reply), connected while a run goes on. This is the one call per cell
   * of a Run All, so it touches as little as it can: the cell the kernel
   * replies for is nearly always the one expected next.
   */
  private _onExecuted(_: unknown, args: Private.IExecutedArgs): void {
    const context = this._expected;
    if (context !== null) {
      const run = context.run;
      const position = run.next;
      if (args.cell === context.cells[position]) {
        if (args.success) {
          run.cellSucceeded(position);
        } else {
          this._failed(context, position);
        }
        return;
      }
    }
    if (args.notebook === this._notebook) {
      this._executedOutOfTurn(args.cell, args.success);
    }
  }

  /**
   * A cell of this notebook completed its execution but is not the one
   * expected next: one of a later run, a cell whose predecessors were
   * cancelled, or a cell of no run (a markdown cell).
   */
  private _executedOutOfTurn(cell: Cell, success: boolean): void {
    for (const context of this._active) {
      const position = Private.positionOf(context, cell);
      if (position < 0 || !context.run.isPending(position)) {
        continue;
      }
      if (success) {
        context.run.cellSucceeded(position);
      } else {
        this._failed(context, position);
      }
      return;
    }
  }

  /**
   * A cell's execution ended otherwise than ok (rare): what went wrong is
   * in its reply.
   */
  private _failed(context: Private.IRunContext, position: number): void {
    context.futures[position].done.then(
      reply => this._replied(context, position, reply),
      Private.ignore
    );
  }

  /**
   * A live view of a run for rules that act while it goes on; the cells'
   * ids and positions are looked up only when asked.
   */
  private _describe(context: Private.IRunContext): IActiveRun {
    const notebook = this._notebook;
    const run = context.run;
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
        const cell = context.cells[Private.currentPosition(context)];
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
   * run's start), or, failing that, for its reply's start time.
   */
  private _watchStart(context: Private.IRunContext): void {
    const run = context.run;
    const future = context.futures[0];
    const hook = (msg: KernelMessage.IIOPubMessage): boolean => {
      const type = msg.header.msg_type;
      if (
        type === 'execute_input' ||
        (type === 'status' &&
          (msg as KernelMessage.IStatusMsg).content.execution_state === 'busy')
      ) {
        run.started(msg.header.date);
        // Only the start is needed: stop looking at this cell's messages.
        future.removeMessageHook(hook);
      }
      return true;
    };
    future.registerMessageHook(hook);
    future.done.then(
      reply => {
        Private.removeHook(future, hook);
        run.started(reply ? Private.startedAt(reply) : undefined);
      },
      () => Private.removeHook(future, hook)
    );
  }

  /**
   * Watch the request of the run's last cell not cancelled: its reply ends
   * the run (the kernel runs the cells in order), its cancellation either
   * means the kernel was lost or moves the watch to the cell before.
   */
  private _watchEnd(context: Private.IRunContext, position: number): void {
    context.futures[position].done.then(
      reply => {
        if (!this._isActive(context)) {
          return;
        }
        this._replied(context, position, reply);
        if (context.run.settled(reply?.header.date)) {
          this._ended(context);
        }
      },
      () => this._lastCancelled(context, position)
    );
  }

  /**
   * The request the run's end was watched on was disposed before its
   * reply: the lab does that to every pending request when the kernel
   * restarts or dies, and to one cell's when it is deleted or run again.
   */
  private _lastCancelled(context: Private.IRunContext, position: number): void {
    if (!this._isActive(context)) {
      return;
    }
    const run = context.run;
    const lost = Private.kernelLoss(context);
    if (lost) {
      run.kernelLost(lost);
      this._ended(context);
      return;
    }
    // The run now ends with the reply of its last cell still pending.
    for (let p = position - 1; run.isPending(p); p--) {
      if (!context.futures[p].isDisposed) {
        this._watchEnd(context, p);
        return;
      }
    }
    if (run.settled()) {
      this._ended(context);
    }
  }

  /**
   * A cell's reply, taken as a whole (an error, or the run's last reply).
   */
  private _replied(
    context: Private.IRunContext,
    position: number,
    reply: KernelMessage.IExecuteReplyMsg | undefined
  ): void {
    const run = context.run;
    if (!this._isActive(context) || !run.isPending(position)) {
      return;
    }
    const hadFailure = run.failure !== null;
    const ended = run.cellReplied(
      position,
      Private.toCellReply(reply),
      context.futures[position].msg.content.stop_on_error !== false
    );
    if (!hadFailure && run.failure) {
      // Which cell failed, now: it may be deleted before the run ends.
      const cell = context.cells[position];
      context.failedCell = {
        id: cell.model?.id ?? '',
        index: this._notebook.widgets.indexOf(cell)
      };
    }
    if (ended) {
      this._ended(context);
    }
  }

  /**
   * The kernel got a stdin message (an input request). The lab tells this
   * before it hands the message to its request's own handler, so wrapping
   * that handler now still sees it. Which request asks is not known yet:
   * the kernel runs the cells in order, but a cell that finished may still
   * wait for its last message when the next one asks, so every request of
   * a run still pending is wrapped, once, until the run has asked.
   */
  private _onPendingInput(_: Kernel.IKernelConnection, pending: boolean): void {
    if (!pending) {
      return;
    }
    for (const context of this._active) {
      if (context.askedForInput) {
        continue;
      }
      const { run, futures } = context;
      for (
        let p = Math.max(run.next, context.stdinFrom);
        p < futures.length;
        p++
      ) {
        const future = futures[p];
        if (future.isDisposed) {
          continue;
        }
        // The output area answers input requests; look at them after it.
        const answer = future.onStdin;
        future.onStdin = (msg: KernelMessage.IStdinMessage): void => {
          answer?.(msg);
          if (msg.header.msg_type === 'input_request') {
            this._askedForInput(
              context,
              p,
              msg as KernelMessage.IInputRequestMsg
            );
          }
        };
      }
      context.stdinFrom = futures.length;
    }
  }

  private _askedForInput(
    context: Private.IRunContext,
    position: number,
    msg: KernelMessage.IInputRequestMsg
  ): void {
    if (!context.active || context.askedForInput || !this._isActive(context)) {
      return;
    }
    context.askedForInput = true;
    // Asking for input, the cell is the one executing: those before it have
    // finished, even if their last messages are still on their way.
    context.latestStarted = position;
    const cell = context.cells[position];
    this._inputRequested.emit({
      run: context.active,
      cellId: cell.model?.id ?? '',
      index: this._notebook.widgets.indexOf(cell),
      prompt: String(msg.content.prompt ?? ''),
      password: !!msg.content.password
    });
  }

  private _onKernelChanged(
    _: ISessionContext,
    change: {
      oldValue: Kernel.IKernelConnection | null;
      newValue: Kernel.IKernelConnection | null;
    }
  ): void {
    if (change.oldValue === change.newValue) {
      return;
    }
    change.oldValue?.pendingInput.disconnect(this._onPendingInput, this);
    change.newValue?.pendingInput.connect(this._onPendingInput, this);
    for (const context of [...this._active]) {
      if (context.run.kernelLost('restarted')) {
        this._ended(context);
      }
    }
  }

  private _isActive(context: Private.IRunContext): boolean {
    return !this._isDisposed && this._active.includes(context);
  }

  private _ended(context: Private.IRunContext): void {
    const index = this._active.indexOf(context);
    if (index < 0 || this._isDisposed) {
      return;
    }
    this._active.splice(index, 1);
    if (this._expected === context) {
      this._expected = this._active[0] ?? null;
      if (this._expected === null) {
        NotebookActions.executed.disconnect(this._onExecuted, this);
      }
    }
    const summary = this._summarize(context);
    // The requests of the run's last cells keep their callbacks (and so
    // this context) until the cells run again: let go of the cell widgets.
    context.cells = [];
    context.futures = [];
    context.positions = null;
    this._runEnded.emit(summary);
  }

  private _summarize(context: Private.IRunContext): IRunSummary {
    const run = context.run;
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
  /** The cell scheduled last, and the request its output area had then. */
  private _scheduled: CodeCell | null = null;
  private _before: ExecuteFuture | null = null;
  /** The run being collected: its cells and their requests. */
  private _cells: CodeCell[] = [];
  private _futures: ExecuteFuture[] = [];
  private _observers: readonly IRunTracker.IBoundaryObserver[];
  private _sealQueued = false;
  private _active: Private.IRunContext[] = [];
  /** The run whose cell the kernel replies for next: the earliest. */
  private _expected: Private.IRunContext | null = null;
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
    /** Told of each action's runs (shared with the tracker, live). */
    observers?: readonly IRunTracker.IBoundaryObserver[];
  }
}

namespace Private {
  /** What `NotebookActions.executed` says. */
  export interface IExecutedArgs {
    notebook: Notebook;
    cell: Cell;
    success: boolean;
  }

  export interface IRunContext {
    run: Run;
    path: string;
    kernel: { id: string; name: string } | null;
    /** The kernel connection the run's requests went through. */
    connection: Kernel.IKernelConnection | null;
    /** The run's code cells, in execution order. */
    cells: CodeCell[];
    /** Their execute requests. */
    futures: ExecuteFuture[];
    /** Positions by cell, made the first time a cell is not the next one. */
    positions: Map<Cell, number> | null;
    /** Their ids, read the first time they are asked for. */
    cellIds: string[] | null;
    /** The cell of the run's failure, as it was when it failed. */
    failedCell: { id: string; index: number } | null;
    /** The run as rules see it while it goes on. */
    active: IActiveRun | null;
    /** Whether the run has already said it waits for input. */
    askedForInput: boolean;
    /** The position from which requests' input requests are not watched. */
    stdinFrom: number;
    /** The latest position known to have started (it asked for input). */
    latestStarted: number;
  }

  /** A rejection that needs no handling. */
  export function ignore(): void {
    // The run's end is watched elsewhere.
  }

  /**
   * The position of a cell in the run, -1 if not in it. The first call of
   * a run makes the lookup (once, rarely: a cell replying out of order, a
   * markdown cell run while a run goes on).
   */
  export function positionOf(context: IRunContext, cell: Cell): number {
    if (!context.positions) {
      context.positions = new Map(
        context.cells.map((each, position) => [each, position])
      );
    }
    return context.positions.get(cell) ?? -1;
  }

  /**
   * The cell executing now, or the next in line: the first whose request is
   * still pending after those settled and before the latest known to have
   * started (the kernel runs them in order); -1 once none is.
   */
  export function currentPosition(context: IRunContext): number {
    const { run, futures } = context;
    for (
      let p = Math.max(run.next, context.latestStarted);
      run.isPending(p);
      p++
    ) {
      if (!futures[p].isDisposed) {
        return p;
      }
    }
    return -1;
  }

  /**
   * Whether the kernel was lost when the lab disposed the run's watched
   * request, and how. The lab disposes every pending request when the
   * kernel goes: after setting `restarting` for a restart asked in the lab
   * (still so when this runs: the restart request is on its way); after
   * `autorestarting` when the server restarts a kernel that died, but the
   * lab then reconnects at once, which makes the status `unknown` before
   * this runs, so there it is told by every request of the run having gone;
   * `dead` for a kernel that is gone; a connection disposed without any of
   * these was replaced by another kernel. A request disposed on its own (a
   * cell deleted or run again) leaves the status as it was.
   */
  export function kernelLoss(
    context: IRunContext
  ): 'died' | 'restarted' | null {
    const kernel = context.connection;
    if (!kernel) {
      return null;
    }
    switch (kernel.status) {
      case 'autorestarting':
      case 'dead':
        return 'died';
      case 'restarting':
        return 'restarted';
      case 'unknown':
        if (!kernel.isDisposed && allGone(context)) {
          return 'died';
        }
        break;
      default:
        break;
    }
    return kernel.isDisposed ? 'restarted' : null;
  }

  /** Whether no request of the run is pending any more. */
  function allGone(context: IRunContext): boolean {
    const { run, futures } = context;
    for (let p = run.next; p < futures.length; p++) {
      if (!futures[p].isDisposed) {
        return false;
      }
    }
    return true;
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

  /**
   * Each cell's position in the notebook (-1 once deleted), in one pass
   * over the notebook's cells.
   */
  export function positions(
    notebook: Notebook,
    cells: readonly CodeCell[]
  ): number[] {
    const where = new Map<CodeCell, number>();
    const wanted = new Set(cells);
    notebook.widgets.forEach((widget, index) => {
      if (wanted.has(widget as CodeCell)) {
        where.set(widget as CodeCell, index);
      }
    });
    return cells.map(cell => where.get(cell) ?? -1);
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
