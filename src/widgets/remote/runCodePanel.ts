import { type IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import type { Kernel } from '@jupyterlab/services';
import type { TranslationBundle } from '@jupyterlab/translation';
import { PromiseDelegate } from '@lumino/coreutils';
import type { Message } from '@lumino/messaging';
import { Panel, Widget } from '@lumino/widgets';
import { stripAnsi } from '../../messages/format';
import { CodeRun, type ICodeRunResult } from '../../remote/runCode/codeRun';
import type { OutputText } from '../../remote/runCode/outputText';

/** Characters of each stream's tail kept in the page by default. */
export const DEFAULT_DOM_TAIL_CHARS = 200 * 1024;

/** Timeout offered by default, in seconds. */
export const DEFAULT_TIMEOUT_SECONDS = 60;

/** The mime type the lab renders stderr and tracebacks with (ANSI colours). */
const STDERR_MIME = 'application/vnd.jupyter.stderr';

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
 * provides are Lumino widgets.
 */
export class RunCodePanel extends Panel {
  constructor(options: IRunCodePanelOptions) {
    super();
    this.kernel = options.kernel;
    this._rendermime = options.rendermime;
    this._trans = options.trans;
    this._domTailChars = options.domTailChars ?? DEFAULT_DOM_TAIL_CHARS;
    this._maxStreamChars = options.maxStreamChars;
    const trans = this._trans;
    this.id = Private.nextId();
    this.addClass('jp-lmk-RunCode');
    this.title.label = trans.__('Run code: %1', options.title);
    this.title.caption = trans.__('Run code in %1', options.title);

    const controls = new Widget({ node: Private.controlsNode(this.id, trans) });
    controls.addClass('jp-lmk-RunCode-controls');
    const streams = new Widget({ node: Private.streamsNode(this.id, trans) });
    this._results.addClass('jp-lmk-RunCode-results');
    this._errorArea.addClass('jp-lmk-RunCode-error');
    this._errorArea.hide();
    this.addWidget(controls);
    this.addWidget(streams);
    this.addWidget(this._results);
    this.addWidget(this._errorArea);

    const node = this.node;
    const find = <T extends HTMLElement>(name: string) =>
      node.querySelector(`[data-lmk="${name}"]`) as T;
    this._codeInput = find<HTMLTextAreaElement>('code');
    this._runButton = find<HTMLButtonElement>('run');
    this._interruptButton = find<HTMLButtonElement>('interrupt');
    this._stdinBox = find<HTMLInputElement>('stdin');
    this._timeoutInput = find<HTMLInputElement>('timeout');
    this._status = find<HTMLElement>('status');
    this._prompt = find<HTMLElement>('prompt');
    this._promptLabel = find<HTMLElement>('prompt-label');
    this._promptInput = find<HTMLInputElement>('prompt-input');
    this._stdoutView = Private.streamView(node, 'stdout');
    this._stderrView = Private.streamView(node, 'stderr');

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
    find<HTMLButtonElement>('prompt-send').addEventListener('click', () =>
      this._answer(true)
    );
    for (const view of [this._stdoutView, this._stderrView]) {
      view.save.addEventListener('click', () => {
        const text =
          view.name === 'stdout' ? this._run?.stdout : this._run?.stderr;
        if (text) {
          Private.download(text, `${view.name}.txt`);
        }
      });
    }
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
    this._status.textContent = run ? Private.statusText(run, this._trans) : '';
    if (running) {
      if (!run.pendingInput) {
        this._hidePrompt();
      }
    } else {
      this._stopTicker();
      this._hidePrompt();
    }
    this._drawStream(this._stdoutView, run?.stdout ?? null);
    this._drawStream(this._stderrView, run?.stderr ?? null);
    this._drawResults(run?.results ?? []);
    this._drawError();
  }

  private _drawStream(
    view: Private.IStreamView,
    text: OutputText | null
  ): void {
    if (!text || text.total === 0) {
      view.section.hidden = true;
      view.pre.textContent = '';
      view.version = -1;
      return;
    }
    view.section.hidden = false;
    if (view.version === text.version) {
      return;
    }
    view.version = text.version;
    const tail = text.tail(this._domTailChars);
    const pre = view.pre;
    const following = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    pre.textContent = Private.terminalText(tail);
    if (following) {
      pre.scrollTop = pre.scrollHeight;
    }
    const hidden = text.total - tail.length;
    view.omitted.hidden = hidden <= 0;
    if (hidden > 0) {
      const trans = this._trans;
      let line = trans.__(
        '%1 of earlier output not shown.',
        Private.size(hidden, trans)
      );
      if (text.dropped > 0) {
        line +=
          ' ' +
          trans.__(
            'The first %1 was not kept.',
            Private.size(text.dropped, trans)
          );
      }
      view.omittedText.textContent = line;
      view.save.hidden = text.length <= tail.length;
    }
  }

  private _drawResults(results: readonly ICodeRunResult[]): void {
    let i = 0;
    while (
      i < results.length &&
      i < this._rendered.length &&
      this._rendered[i].result === results[i]
    ) {
      const shown = this._rendered[i];
      if (shown.version !== results[i].version) {
        shown.version = results[i].version;
        void this._render(shown.widget, results[i]);
      }
      i++;
    }
    // Output was cleared or replaced: drop what no longer matches.
    for (const stale of this._rendered.splice(i)) {
      stale.widget.dispose();
    }
    for (; i < results.length; i++) {
      const result = results[i];
      const mime = this._rendermime.preferredMimeType(result.data, 'ensure');
      const widget: Widget = mime
        ? this._rendermime.createRenderer(mime)
        : new Widget();
      widget.addClass('jp-lmk-RunCode-result');
      this._results.addWidget(widget);
      this._rendered.push({ result, widget, version: result.version });
      void this._render(widget, result, mime);
    }
    const dropped = this._run?.droppedResults ?? 0;
    this._results.node.dataset.dropped = String(dropped);
    this._results.setHidden(results.length === 0);
  }

  private async _render(
    widget: Widget,
    result: ICodeRunResult,
    mime = this._rendermime.preferredMimeType(result.data, 'ensure')
  ): Promise<void> {
    const renderer = widget as Widget & Partial<IRenderMime.IRenderer>;
    if (!mime || !renderer.renderModel) {
      widget.node.textContent = this._trans.__(
        'A result of type %1 that this lab cannot show safely.',
        Object.keys(result.data).join(', ')
      );
      return;
    }
    try {
      await renderer.renderModel(
        new MimeModel({
          data: result.data,
          metadata: result.metadata,
          trusted: false
        })
      );
    } catch {
      widget.node.textContent = this._trans.__(
        'This %1 result could not be shown.',
        mime
      );
    }
  }

  private _drawError(): void {
    const error = this._run?.error ?? null;
    if (error === this._shownError) {
      return;
    }
    this._shownError = error;
    for (const child of [...this._errorArea.widgets]) {
      child.dispose();
    }
    if (!error) {
      this._errorArea.hide();
      return;
    }
    this._errorArea.show();
    const traceback = error.traceback.length
      ? error.traceback.join('\n')
      : `${error.ename}: ${error.evalue}`;
    const renderer = this._rendermime.createRenderer(STDERR_MIME);
    renderer.node.setAttribute('aria-label', this._trans.__('Error'));
    this._errorArea.addWidget(renderer);
    void renderer.renderModel(
      new MimeModel({ data: { [STDERR_MIME]: traceback }, trusted: false })
    );
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
    for (const shown of this._rendered.splice(0)) {
      shown.widget.dispose();
    }
    this._shownError = null;
    for (const child of [...this._errorArea.widgets]) {
      child.dispose();
    }
  }

  private _stopTicker(): void {
    if (this._ticker !== null) {
      clearInterval(this._ticker);
      this._ticker = null;
    }
  }

  private _rendermime: IRenderMimeRegistry;
  private _trans: TranslationBundle;
  private _domTailChars: number;
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
  private _stdoutView: Private.IStreamView;
  private _stderrView: Private.IStreamView;
  private _results = new Panel();
  private _errorArea = new Panel();
  private _rendered: {
    result: ICodeRunResult;
    widget: Widget;
    version: number;
  }[] = [];
  private _shownError: CodeRun['error'] = null;
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

  /** The elements that show one stream. */
  export interface IStreamView {
    name: 'stdout' | 'stderr';
    section: HTMLElement;
    pre: HTMLElement;
    omitted: HTMLElement;
    omittedText: HTMLElement;
    save: HTMLButtonElement;
    /** The `OutputText.version` on screen; -1 when none. */
    version: number;
  }

  export function controlsNode(
    id: string,
    trans: TranslationBundle
  ): HTMLElement {
    const node = document.createElement('div');
    const codeId = `${id}-code`;
    const hintId = `${id}-hint`;
    const timeoutId = `${id}-timeout`;
    const promptId = `${id}-prompt`;
    node.append(
      element('label', { for: codeId }, [trans.__('Code')]),
      element('textarea', {
        id: codeId,
        'data-lmk': 'code',
        class: 'jp-lmk-RunCode-code',
        rows: '6',
        spellcheck: 'false',
        'aria-describedby': hintId
      }),
      element('div', { id: hintId, class: 'jp-lmk-RunCode-hint' }, [
        trans.__('Shift+Enter or Ctrl+Enter runs the code.')
      ]),
      element('div', { class: 'jp-lmk-RunCode-toolbar' }, [
        element(
          'button',
          {
            type: 'button',
            'data-lmk': 'run',
            class: 'jp-mod-styled jp-mod-accept'
          },
          [trans.__('Run')]
        ),
        element(
          'button',
          {
            type: 'button',
            'data-lmk': 'interrupt',
            class: 'jp-mod-styled jp-mod-warn'
          },
          [trans.__('Interrupt')]
        ),
        element('label', { class: 'jp-lmk-RunCode-option' }, [
          element('input', { type: 'checkbox', 'data-lmk': 'stdin' }),
          trans.__('Answer input prompts')
        ]),
        element('label', { for: timeoutId, class: 'jp-lmk-RunCode-option' }, [
          trans.__('Timeout (s)')
        ]),
        element('input', {
          id: timeoutId,
          type: 'number',
          min: '0',
          step: '1',
          value: String(DEFAULT_TIMEOUT_SECONDS),
          'data-lmk': 'timeout',
          class: 'jp-mod-styled jp-lmk-RunCode-timeout',
          title: trans.__(
            'After this many seconds you are offered to interrupt; 0 means never.'
          )
        })
      ]),
      element('div', {
        'data-lmk': 'status',
        class: 'jp-lmk-RunCode-status',
        role: 'status',
        'aria-live': 'polite'
      }),
      element(
        'div',
        { 'data-lmk': 'prompt', class: 'jp-lmk-RunCode-prompt', hidden: '' },
        [
          element('label', { for: promptId, 'data-lmk': 'prompt-label' }),
          element('input', {
            id: promptId,
            type: 'text',
            'data-lmk': 'prompt-input',
            class: 'jp-mod-styled',
            autocomplete: 'off'
          }),
          element(
            'button',
            {
              type: 'button',
              'data-lmk': 'prompt-send',
              class: 'jp-mod-styled jp-mod-accept'
            },
            [trans.__('Send')]
          )
        ]
      )
    );
    return node;
  }

  export function streamsNode(
    id: string,
    trans: TranslationBundle
  ): HTMLElement {
    const node = document.createElement('div');
    node.className = 'jp-lmk-RunCode-streams';
    const section = (name: string, heading: string) => {
      const headingId = `${id}-${name}-heading`;
      return element(
        'section',
        {
          'data-lmk': `${name}`,
          class: `jp-lmk-RunCode-stream jp-lmk-RunCode-${name}`,
          'aria-labelledby': headingId,
          hidden: ''
        },
        [
          element('h3', { id: headingId, class: 'jp-lmk-RunCode-heading' }, [
            heading
          ]),
          element(
            'div',
            {
              'data-lmk': `${name}-omitted`,
              class: 'jp-lmk-RunCode-omitted',
              hidden: ''
            },
            [
              element('span', { 'data-lmk': `${name}-omitted-text` }),
              element(
                'button',
                {
                  type: 'button',
                  'data-lmk': `${name}-save`,
                  class: 'jp-mod-styled'
                },
                [trans.__('Save full output')]
              )
            ]
          ),
          element('pre', {
            'data-lmk': `${name}-text`,
            class: 'jp-lmk-RunCode-text',
            tabindex: '0',
            'aria-labelledby': headingId
          })
        ]
      );
    };
    node.append(
      section('stdout', trans.__('Output (stdout)')),
      section('stderr', trans.__('Errors and warnings (stderr)'))
    );
    return node;
  }

  export function streamView(
    root: HTMLElement,
    name: 'stdout' | 'stderr'
  ): IStreamView {
    const find = <T extends HTMLElement>(key: string) =>
      root.querySelector(`[data-lmk="${key}"]`) as T;
    return {
      name,
      section: find(name),
      pre: find(`${name}-text`),
      omitted: find(`${name}-omitted`),
      omittedText: find(`${name}-omitted-text`),
      save: find<HTMLButtonElement>(`${name}-save`),
      version: -1
    };
  }

  function element(
    tag: string,
    attributes: { [name: string]: string },
    children: (Node | string)[] = []
  ): HTMLElement {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      node.setAttribute(name, value);
    }
    node.append(...children);
    return node;
  }

  /**
   * What a terminal would show: no colour codes, and a carriage return
   * (progress bars) overwrites the line it is on.
   */
  export function terminalText(text: string): string {
    const plain = stripAnsi(text);
    if (!plain.includes('\r')) {
      return plain;
    }
    // Line by line, so the cost stays linear however long the lines are.
    return plain
      .split('\n')
      .map(line => {
        const end = line.endsWith('\r') ? line.length - 1 : line.length;
        const last = line.lastIndexOf('\r', end - 1);
        return last < 0 ? line : line.slice(last + 1);
      })
      .join('\n');
  }

  /** A size for people; stream sizes are counted in characters. */
  export function size(chars: number, trans: TranslationBundle): string {
    if (chars < 1024 * 1024) {
      return trans.__('%1 KB', Math.max(1, Math.round(chars / 1024)));
    }
    return trans.__('%1 MB', (chars / (1024 * 1024)).toFixed(1));
  }

  export function seconds(ms: number): string {
    return ms < 10_000 ? (ms / 1000).toFixed(1) : String(Math.round(ms / 1000));
  }

  export function statusText(run: CodeRun, trans: TranslationBundle): string {
    const elapsed = seconds(run.elapsedMs);
    switch (run.state) {
      case 'running':
        if (run.pendingInput) {
          return trans.__('Waiting for your answer to the prompt below.');
        }
        return run.started
          ? trans.__('Running… %1 s', elapsed)
          : trans.__(
              'Waiting for the kernel to finish earlier work… %1 s',
              elapsed
            );
      case 'slow':
        return trans.__(
          'Taking longer than %1 s — Interrupt?',
          seconds(run.timeoutMs)
        );
      case 'done':
        return run.executionCount !== null
          ? trans.__('Done in %1 s [%2].', elapsed, run.executionCount)
          : trans.__('Done in %1 s.', elapsed);
      case 'error':
        if (run.interrupted) {
          return trans.__('Interrupted after %1 s.', elapsed);
        }
        return trans.__(
          'Failed with %1 after %2 s.',
          run.error?.ename ?? trans.__('an error'),
          elapsed
        );
      default:
        return run.message;
    }
  }

  /** Save the kept text of a stream as a file, without one big string. */
  export function download(text: OutputText, fileName: string): void {
    const url = URL.createObjectURL(
      new Blob(text.chunks(), { type: 'text/plain;charset=utf-8' })
    );
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName;
    link.style.display = 'none';
    document.body.appendChild(link);
    link.click();
    link.remove();
    // The browser reads the blob after the click has been handled.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
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
