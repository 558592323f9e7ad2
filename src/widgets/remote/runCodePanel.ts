import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { Kernel } from '@jupyterlab/services';
import type { TranslationBundle } from '@jupyterlab/translation';
import { PromiseDelegate } from '@lumino/coreutils';
import type { Message } from '@lumino/messaging';
import { Panel, Widget } from '@lumino/widgets';
import { CodeRun } from '../../remote/runCode/codeRun';
import { controlsNode, named, streamsNode } from './runCodeElements';
import { ErrorView, ResultsView } from './runCodeResults';
import { statusText } from './runCodeStatus';
import { StreamView } from './runCodeStream';

export { DEFAULT_TIMEOUT_SECONDS } from './runCodeElements';

/** Characters of each stream's tail kept in the page by default. */
export const DEFAULT_DOM_TAIL_CHARS = 200 * 1024;

/**
 * How to build a Run code panel.
 */
export interface IRunCodePanelOptions {
  /** The kernel the code runs in (not owned: not shut down or disposed). */
  kernel: Kernel.IKernelConnection;
  /** Names the kernel in the tab: server, kernel, notebook. */
  title: string;
  /** The lab's renderers for rich results and tracebacks. */
  rendermime: IRenderMimeRegistry;
  trans: TranslationBundle;
  /** Code to start with. */
  code?: string;
  /** Characters of each stream's tail kept in the page. */
  domTailChars?: number;
  /** Most characters of each stream kept in memory (and saved). */
  maxStreamChars?: number;
}

/**
 * A small console for one kernel: run a snippet, see its stdout and stderr
 * apart, its rich results through the lab's renderers and its error; answer
 * its input prompts, interrupt it when it takes too long.
 *
 * Built from plain DOM rather than React: stream text is written straight
 * into `<pre>` elements once per animation frame, and the renderers the lab
 * provides are Lumino widgets. Its parts: the elements
 * (`runCodeElements`), each stream (`StreamView`), the rich results and the
 * error (`ResultsView`, `ErrorView`) and the status line (`statusText`).
 */
export class RunCodePanel extends Panel {
  constructor(options: IRunCodePanelOptions) {
    super();
    this.kernel = options.kernel;
    this._trans = options.trans;
    const trans = this._trans;
    this.id = Private.nextId();
    this.addClass('jp-lmk-RunCode');
    this.title.label = trans.__('Run code: %1', options.title);
    this.title.caption = trans.__('Run code in %1', options.title);

    const controls = new Widget({ node: controlsNode(this.id, trans) });
    controls.addClass('jp-lmk-RunCode-controls');
    const streams = new Widget({ node: streamsNode(this.id, trans) });
    const renderers = { rendermime: options.rendermime, trans };
    this._results = new ResultsView(renderers);
    this._errorArea = new ErrorView(renderers);
    this._maxStreamChars = options.maxStreamChars;
    this.addWidget(controls);
    this.addWidget(streams);
    this.addWidget(this._results);
    this.addWidget(this._errorArea);

    const node = this.node;
    this._codeInput = named<HTMLTextAreaElement>(node, 'code');
    this._runButton = named<HTMLButtonElement>(node, 'run');
    this._interruptButton = named<HTMLButtonElement>(node, 'interrupt');
    this._stdinBox = named<HTMLInputElement>(node, 'stdin');
    this._timeoutInput = named<HTMLInputElement>(node, 'timeout');
    this._status = named<HTMLElement>(node, 'status');
    this._prompt = named<HTMLElement>(node, 'prompt');
    this._promptLabel = named<HTMLElement>(node, 'prompt-label');
    this._promptInput = named<HTMLInputElement>(node, 'prompt-input');
    const tailChars = options.domTailChars ?? DEFAULT_DOM_TAIL_CHARS;
    this._stdoutView = new StreamView(node, 'stdout', {
      trans,
      tailChars,
      current: () => this._run?.stdout ?? null
    });
    this._stderrView = new StreamView(node, 'stderr', {
      trans,
      tailChars,
      current: () => this._run?.stderr ?? null
    });

    this._codeInput.value = options.code ?? '';
    this._codeInput.addEventListener('keydown', event => {
      if (
        event.key === 'Enter' &&
        (event.shiftKey || event.ctrlKey || event.metaKey)
      ) {
        event.preventDefault();
        event.stopPropagation();
        this.execute();
      }
    });
    this._runButton.addEventListener('click', () => this.execute());
    this._interruptButton.addEventListener('click', () => {
      void this._interrupt();
    });
    this._promptInput.addEventListener('keydown', event => {
      if (event.key === 'Enter') {
        event.preventDefault();
        this._answer(true);
      } else if (event.key === 'Escape') {
        event.preventDefault();
        this._answer(false);
      }
    });
    named<HTMLButtonElement>(node, 'prompt-send').addEventListener(
      'click',
      () => this._answer(true)
    );
    this._draw();
  }

  /** The kernel the code runs in. */
  readonly kernel: Kernel.IKernelConnection;

  /** The latest run, if any. */
  get run(): CodeRun | null {
    return this._run;
  }

  /** The code in the editor. */
  get code(): string {
    return this._codeInput.value;
  }
  set code(value: string) {
    this._codeInput.value = value;
  }

  /**
   * Run the code in the editor with the options set in the panel. Does
   * nothing (returns null) while a run is going on or with no code.
   */
  execute(): CodeRun | null {
    if (this._run && !this._run.isEnded) {
      return null;
    }
    const code = this._codeInput.value;
    if (!code.trim()) {
      return null;
    }
    this._clear();
    const seconds = Number(this._timeoutInput.value);
    const run = new CodeRun(this.kernel, code, {
      timeoutMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0,
      allowStdin: this._stdinBox.checked,
      onInput: (prompt, password) => this._ask(prompt, password),
      maxStreamChars: this._maxStreamChars,
      trans: this._trans
    });
    this._run = run;
    run.changed.connect(this._schedule, this);
    void run.ended.then(() => this._schedule());
    this._ticker = setInterval(() => this._schedule(), 1000);
    this._draw();
    return run;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._run?.dispose();
    this._stopTicker();
    this._inputRequest?.reject(new Error('closed'));
    if (this._frame !== null) {
      Private.cancelFrame(this._frame);
      this._frame = null;
    }
    super.dispose();
  }

  protected onActivateRequest(msg: Message): void {
    this._codeInput.focus();
  }

  /** Redraw at the next animation frame (at most once per frame). */
  private _schedule(): void {
    if (this._frame === null && !this.isDisposed) {
      this._frame = Private.requestFrame(() => {
        this._frame = null;
        this._draw();
      });
    }
  }

  private _draw(): void {
    if (this.isDisposed) {
      return;
    }
    const run = this._run;
    const running = !!run && !run.isEnded;
    this._runButton.disabled = running;
    this._interruptButton.disabled = !running;
    this._interruptButton.classList.toggle(
      'jp-lmk-mod-slow',
      run?.state === 'slow'
    );
    this._status.dataset.state = run?.state ?? 'idle';
    this._status.textContent = run ? statusText(run, this._trans) : '';
    if (running) {
      if (!run.pendingInput) {
        this._hidePrompt();
      }
    } else {
      this._stopTicker();
      this._hidePrompt();
    }
    this._stdoutView.draw(run?.stdout ?? null);
    this._stderrView.draw(run?.stderr ?? null);
    this._results.draw(run?.results ?? [], run?.droppedResults ?? 0);
    this._errorArea.draw(run?.error ?? null);
  }

  private async _interrupt(): Promise<void> {
    const run = this._run;
    if (!run || run.isEnded) {
      return;
    }
    try {
      await run.interrupt();
    } catch {
      this._status.textContent = this._trans.__(
        'The server did not interrupt the kernel. Try again, or restart the kernel from its notebook.'
      );
    }
  }

  private _ask(prompt: string, password: boolean): Promise<string> {
    this._inputRequest?.reject(new Error('replaced'));
    const request = new PromiseDelegate<string>();
    this._inputRequest = request;
    this._promptLabel.textContent = prompt.trim() || this._trans.__('Input:');
    this._promptInput.type = password ? 'password' : 'text';
    this._promptInput.value = '';
    this._prompt.hidden = false;
    this._promptInput.focus();
    this._draw();
    return request.promise;
  }

  private _answer(send: boolean): void {
    const request = this._inputRequest;
    if (!request) {
      return;
    }
    this._inputRequest = null;
    const value = this._promptInput.value;
    this._promptInput.value = '';
    this._prompt.hidden = true;
    if (send) {
      request.resolve(value);
    } else {
      request.reject(new Error('cancelled'));
    }
    this._codeInput.focus();
  }

  private _hidePrompt(): void {
    if (this._inputRequest) {
      this._inputRequest.reject(new Error('ended'));
      this._inputRequest = null;
    }
    this._prompt.hidden = true;
    this._promptInput.value = '';
  }

  private _clear(): void {
    if (this._run) {
      this._run.dispose();
      this._run = null;
    }
    this._stopTicker();
    this._results.clear();
    this._errorArea.clear();
  }

  private _stopTicker(): void {
    if (this._ticker !== null) {
      clearInterval(this._ticker);
      this._ticker = null;
    }
  }

  private _trans: TranslationBundle;
  private _maxStreamChars: number | undefined;
  private _run: CodeRun | null = null;
  private _codeInput: HTMLTextAreaElement;
  private _runButton: HTMLButtonElement;
  private _interruptButton: HTMLButtonElement;
  private _stdinBox: HTMLInputElement;
  private _timeoutInput: HTMLInputElement;
  private _status: HTMLElement;
  private _prompt: HTMLElement;
  private _promptLabel: HTMLElement;
  private _promptInput: HTMLInputElement;
  private _stdoutView: StreamView;
  private _stderrView: StreamView;
  private _results: ResultsView;
  private _errorArea: ErrorView;
  private _inputRequest: PromiseDelegate<string> | null = null;
  private _frame: number | null = null;
  private _ticker: ReturnType<typeof setInterval> | null = null;
}

namespace Private {
  let count = 0;

  /** A unique widget id; the labels inside refer to it. */
  export function nextId(): string {
    return `jp-lmk-run-code-${++count}`;
  }

  export function requestFrame(callback: () => void): number {
    if (typeof requestAnimationFrame === 'function') {
      return requestAnimationFrame(callback);
    }
    return setTimeout(callback, 16) as unknown as number;
  }

  export function cancelFrame(handle: number): void {
    if (typeof cancelAnimationFrame === 'function') {
      cancelAnimationFrame(handle);
    } else {
      clearTimeout(handle);
    }
  }
}
