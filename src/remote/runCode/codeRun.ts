import type { Kernel, KernelMessage } from '@jupyterlab/services';
import {
  nullTranslator,
  type TranslationBundle
} from '@jupyterlab/translation';
import { PromiseDelegate } from '@lumino/coreutils';
import { type ISignal, Signal } from '@lumino/signaling';
import { type KernelLoss, KernelLossWatch } from './kernelLoss';
import type { OutputText } from './outputText';
import {
  DEFAULT_MAX_RESULTS,
  DEFAULT_MAX_STREAM_CHARS,
  type ICodeRunError,
  type ICodeRunResult,
  RunOutput
} from './runOutput';

/** Least time between two `changed` emissions for new output, by default. */
export const DEFAULT_THROTTLE_MS = 50;

/**
 * Where a run is.
 *
 * - `running`: sent; the kernel may still be busy with earlier code
 *   (`started` tells).
 * - `slow`: still running after the timeout; the run goes on and can be
 *   interrupted.
 * - `done`: the kernel replied ok and went idle.
 * - `error`: the code raised (an interrupt ends here with KeyboardInterrupt).
 * - `aborted`: the kernel skipped the code because earlier queued code failed.
 * - `kernel-restarted`: the kernel restarted during the run; its state is gone.
 * - `kernel-died`: the kernel died or the connection to it was lost.
 * - `failed`: the code could not be sent at all.
 */
export type CodeRunState =
  | 'running'
  | 'slow'
  | 'done'
  | 'error'
  | 'aborted'
  | 'kernel-restarted'
  | 'kernel-died'
  | 'failed';

/**
 * A prompt the kernel is waiting on (`input()`, `getpass()`).
 */
export interface IInputPrompt {
  prompt: string;
  password: boolean;
}

/**
 * How to run the code.
 */
export interface ICodeRunOptions {
  /**
   * After this long the state becomes `slow`; the run is not abandoned.
   * 0 or less: never.
   */
  timeoutMs: number;
  /**
   * Let the code read input. Only with `onInput`; otherwise `input()` raises
   * the kernel's StdinNotImplementedError.
   */
  allowStdin?: boolean;
  /**
   * Ask the user for a value. A rejection cancels the prompt by
   * interrupting the kernel.
   */
  onInput?: (prompt: string, password: boolean) => Promise<string>;
  /** Count the code in the kernel's history and execution counter. */
  storeHistory?: boolean;
  /** Most characters kept per stream; older output is dropped and counted. */
  maxStreamChars?: number;
  /** Most rich results kept; later ones are counted in `droppedResults`. */
  maxResults?: number;
  /** Least time between two `changed` emissions for new output. */
  throttleMs?: number;
  /** For the messages of the ending states. */
  trans?: TranslationBundle;
}

/**
 * One execution of code in a kernel and everything it sent back: streams
 * kept apart and bounded, rich results, the error, timing and how it ended.
 * Starts when constructed.
 *
 * Messages belong to the run when their parent is its request: the kernel
 * connection routes them by parent `msg_id` to the request's future (and
 * reroutes display updates by display id). The run is over only once the
 * kernel both replied and went idle for it (`future.done`), so no output is
 * missed, or when the kernel restarts, dies or the connection is lost.
 *
 * What the code sends back is kept in a `RunOutput`; what ends the run from
 * outside its request is watched by a `KernelLossWatch`.
 */
export class CodeRun {
  /**
   * Send `code` to `kernel`.
   */
  constructor(
    readonly kernel: Kernel.IKernelConnection,
    readonly code: string,
    options: ICodeRunOptions
  ) {
    this._trans = options.trans ?? nullTranslator.load('jupyterlab_lmk');
    this._onInput = options.onInput ?? null;
    this._throttleMs = options.throttleMs ?? DEFAULT_THROTTLE_MS;
    this.timeoutMs = options.timeoutMs;
    this._output = new RunOutput({
      maxStreamChars: options.maxStreamChars ?? DEFAULT_MAX_STREAM_CHARS,
      maxResults: options.maxResults ?? DEFAULT_MAX_RESULTS
    });
    this.allowStdin = !!(options.allowStdin && this._onInput);
    this._start = Date.now();

    try {
      if (kernel.isDisposed) {
        // A disposed connection would queue the request forever.
        throw new Error('the connection is closed');
      }
      this._future = kernel.requestExecute(
        {
          code,
          silent: false,
          store_history: options.storeHistory ?? false,
          allow_stdin: this.allowStdin,
          stop_on_error: true
        },
        true
      );
    } catch (reason) {
      // A dead or disposed connection refuses the request outright.
      this._end(
        'failed',
        this._trans.__(
          'The code could not be sent to the kernel (%1). Reopen Run code on a running kernel.',
          Private.describe(reason)
        )
      );
      return;
    }
    const future = this._future;
    // None of these handlers may return a promise: the connection awaits
    // them before handling the next message of any request.
    future.onIOPub = msg => {
      this._onIOPub(msg);
    };
    future.onReply = msg => {
      this._reply = msg;
    };
    future.onStdin = msg => {
      this._onStdin(msg);
    };
    future.done.then(
      () => this._finish(),
      () =>
        // The future was disposed before it was done: the connection cleared
        // its requests. A status or connection signal usually said why first.
        this._end(
          'kernel-died',
          this._trans.__(
            'The connection to the kernel stopped before the code finished.'
          )
        )
    );
    this._lossWatch = new KernelLossWatch(
      kernel,
      this._trans,
      (loss: KernelLoss, message: string) => this._end(loss, message)
    );
    if (this.timeoutMs > 0) {
      this._timeout = setTimeout(() => {
        this._timeout = null;
        if (this._state === 'running') {
          this._setState('slow');
        }
      }, this.timeoutMs);
    }
  }

  /** Standard output, bounded. */
  get stdout(): OutputText {
    return this._output.stdout;
  }

  /** Standard error, bounded. */
  get stderr(): OutputText {
    return this._output.stderr;
  }

  /** Whether the code may read input (the request's `allow_stdin`). */
  readonly allowStdin: boolean;

  /** After this long the run is `slow`; 0 or less: never. */
  readonly timeoutMs: number;

  /**
   * Emitted when anything changed: right away for state changes and
   * prompts, at most once per throttle period for new output.
   */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Resolves with the run when it has ended, whichever way. */
  get ended(): Promise<CodeRun> {
    return this._ended.promise;
  }

  /** The `msg_id` of the execute request (parent of every reply); null if not sent. */
  get msgId(): string | null {
    return this._future?.msg.header.msg_id ?? null;
  }

  /** Where the run is. */
  get state(): CodeRunState {
    return this._state;
  }

  /** Whether the run has ended. */
  get isEnded(): boolean {
    return !Private.RUNNING_STATES.has(this._state);
  }

  /**
   * Why the run ended, for the ending states other than `done` and `error`
   * (one sentence for the user); empty otherwise.
   */
  get message(): string {
    return this._message;
  }

  /** Whether the kernel began this code (it may be busy with earlier code). */
  get started(): boolean {
    return this._started;
  }

  /** The execution count the kernel gave the code, when known. */
  get executionCount(): number | null {
    return this._executionCount;
  }

  /** Milliseconds from sending to the end (or until now while running). */
  get elapsedMs(): number {
    return (this._endTime ?? Date.now()) - this._start;
  }

  /** Rich results in arrival order (at most `maxResults`). */
  get results(): readonly ICodeRunResult[] {
    return this._output.results;
  }

  /** Rich results not kept because there were more than `maxResults`. */
  get droppedResults(): number {
    return this._output.droppedResults;
  }

  /** The error the code raised, if any. */
  get error(): ICodeRunError | null {
    return this._output.error;
  }

  /** Whether the run was interrupted (it ended with KeyboardInterrupt). */
  get interrupted(): boolean {
    return (
      this._interruptRequested &&
      this._output.error?.ename === 'KeyboardInterrupt'
    );
  }

  /** The prompt the kernel is waiting on, if any. */
  get pendingInput(): IInputPrompt | null {
    return this._pendingInput;
  }

  /**
   * Interrupt the kernel; the run then ends with the KeyboardInterrupt error.
   * Rejects when the server refused (the run goes on).
   */
  async interrupt(): Promise<void> {
    if (this.isEnded) {
      return;
    }
    this._interruptRequested = true;
    await this.kernel.interrupt();
  }

  /** Whether `dispose` was called. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Stop listening. The kernel goes on running the code; nothing it sends
   * is collected any more.
   */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._disconnect();
    this._future?.dispose();
    Signal.clearData(this);
  }

  private _onIOPub(msg: KernelMessage.IIOPubMessage): void {
    switch (msg.header.msg_type) {
      case 'status': {
        const { execution_state } = (msg as KernelMessage.IStatusMsg).content;
        if (execution_state === 'busy' && !this._started) {
          this._started = true;
          this._notify(true);
        }
        return;
      }
      case 'execute_input': {
        const { execution_count } = (msg as KernelMessage.IExecuteInputMsg)
          .content;
        this._started = true;
        this._executionCount = execution_count;
        this._notify(true);
        return;
      }
      default:
        if (this._output.add(msg)) {
          this._notify(false);
        }
    }
  }

  private _onStdin(msg: KernelMessage.IStdinMessage): void {
    if (msg.header.msg_type !== 'input_request' || this.isEnded) {
      return;
    }
    const request = msg as KernelMessage.IInputRequestMsg;
    const { prompt, password } = request.content;
    this._pendingInput = { prompt, password };
    this._notify(true);
    const ask = this._onInput
      ? this._onInput(prompt, password)
      : Promise.reject(new Error('no input'));
    ask.then(
      value => {
        if (this.isEnded || this._pendingInput === null) {
          return;
        }
        this._pendingInput = null;
        this._future?.sendInputReply({ status: 'ok', value }, request.header);
        this._notify(true);
      },
      () => {
        if (this.isEnded || this._pendingInput === null) {
          return;
        }
        // The kernel blocks in input() until it gets a reply; an interrupt
        // is how a front end cancels a prompt.
        this._pendingInput = null;
        this._notify(true);
        this.interrupt().catch(() => undefined);
      }
    );
  }

  private _finish(): void {
    const reply = this._reply?.content;
    if (reply && this._executionCount === null) {
      this._executionCount = reply.execution_count ?? null;
    }
    if (reply?.status === 'aborted') {
      this._end(
        'aborted',
        this._trans.__(
          'The kernel skipped this code because code queued before it failed.'
        )
      );
    } else if (reply?.status === 'error' || this._output.error) {
      if (!this._output.error && reply?.status === 'error') {
        this._output.error = {
          ename: reply.ename,
          evalue: reply.evalue,
          traceback: reply.traceback
        };
      }
      this._end('error', '');
    } else {
      this._end('done', '');
    }
  }

  private _setState(state: CodeRunState): void {
    this._state = state;
    this._notify(true);
  }

  private _end(state: CodeRunState, message: string): void {
    if (this.isEnded) {
      return;
    }
    this._endTime = Date.now();
    this._message = message;
    this._pendingInput = null;
    this._disconnect();
    this._setState(state);
    this._ended.resolve(this);
  }

  private _disconnect(): void {
    if (this._timeout !== null) {
      clearTimeout(this._timeout);
      this._timeout = null;
    }
    if (this._throttle !== null) {
      clearTimeout(this._throttle);
      this._throttle = null;
    }
    this._lossWatch?.dispose();
  }

  /**
   * Tell listeners; new output waits for the throttle period so that
   * thousands of stream messages make a few emissions.
   */
  private _notify(now: boolean): void {
    if (this._isDisposed) {
      return;
    }
    if (now) {
      if (this._throttle !== null) {
        clearTimeout(this._throttle);
        this._throttle = null;
      }
      this._changed.emit();
      return;
    }
    if (this._throttle === null) {
      this._throttle = setTimeout(() => {
        this._throttle = null;
        this._changed.emit();
      }, this._throttleMs);
    }
  }

  private _trans: TranslationBundle;
  private _onInput: ICodeRunOptions['onInput'] | null;
  private _throttleMs: number;
  private _output: RunOutput;
  private _lossWatch: KernelLossWatch | null = null;
  private _future: Kernel.IShellFuture<
    KernelMessage.IExecuteRequestMsg,
    KernelMessage.IExecuteReplyMsg
  > | null = null;
  private _reply: KernelMessage.IExecuteReplyMsg | null = null;
  private _state: CodeRunState = 'running';
  private _message = '';
  private _started = false;
  private _executionCount: number | null = null;
  private _start: number;
  private _endTime: number | null = null;
  private _interruptRequested = false;
  private _pendingInput: IInputPrompt | null = null;
  private _timeout: ReturnType<typeof setTimeout> | null = null;
  private _throttle: ReturnType<typeof setTimeout> | null = null;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
  private _ended = new PromiseDelegate<CodeRun>();
}

namespace Private {
  export const RUNNING_STATES: ReadonlySet<CodeRunState> = new Set([
    'running',
    'slow'
  ]);

  export function describe(reason: unknown): string {
    return reason instanceof Error ? reason.message : String(reason);
  }
}
