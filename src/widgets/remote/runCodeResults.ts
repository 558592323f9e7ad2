import { type IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Panel, Widget } from '@lumino/widgets';
import type {
  ICodeRunError,
  ICodeRunResult
} from '../../remote/runCode/runOutput';

/** The mime type the lab renders stderr and tracebacks with (ANSI colours). */
const STDERR_MIME = 'application/vnd.jupyter.stderr';

/**
 * A run's rich results, each through the lab's renderer for it, untrusted.
 * A result keeps its renderer while it is the same object (redrawn when a
 * display update bumps its version); output that was cleared or replaced
 * drops the renderers that no longer match. A result no renderer can show
 * safely says so.
 */
export class ResultsView extends Panel {
  constructor(options: {
    rendermime: IRenderMimeRegistry;
    trans: TranslationBundle;
  }) {
    super();
    this._rendermime = options.rendermime;
    this._trans = options.trans;
    this.addClass('jp-lmk-RunCode-results');
  }

  /** Show `results`; `dropped` counts those not kept. */
  draw(results: readonly ICodeRunResult[], dropped: number): void {
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
      this.addWidget(widget);
      this._rendered.push({ result, widget, version: result.version });
      void this._render(widget, result, mime);
    }
    this.node.dataset.dropped = String(dropped);
    this.setHidden(results.length === 0);
  }

  /** Drop every rendered result (a new run starts). */
  clear(): void {
    for (const shown of this._rendered.splice(0)) {
      shown.widget.dispose();
    }
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

  private _rendermime: IRenderMimeRegistry;
  private _trans: TranslationBundle;
  private _rendered: {
    result: ICodeRunResult;
    widget: Widget;
    version: number;
  }[] = [];
}

/**
 * The error a run raised: its traceback with its colours, through the
 * lab's renderer for stderr (`ename: evalue` when there is no traceback).
 */
export class ErrorView extends Panel {
  constructor(options: {
    rendermime: IRenderMimeRegistry;
    trans: TranslationBundle;
  }) {
    super();
    this._rendermime = options.rendermime;
    this._trans = options.trans;
    this.addClass('jp-lmk-RunCode-error');
    this.hide();
  }

  /** Show `error`, or hide when there is none; cheap when it did not change. */
  draw(error: ICodeRunError | null): void {
    if (error === this._shown) {
      return;
    }
    this._shown = error;
    this._disposeChildren();
    if (!error) {
      this.hide();
      return;
    }
    this.show();
    const traceback = error.traceback.length
      ? error.traceback.join('\n')
      : `${error.ename}: ${error.evalue}`;
    const renderer = this._rendermime.createRenderer(STDERR_MIME);
    renderer.node.setAttribute('aria-label', this._trans.__('Error'));
    this.addWidget(renderer);
    void renderer.renderModel(
      new MimeModel({ data: { [STDERR_MIME]: traceback }, trusted: false })
    );
  }

  /** Forget the shown error (a new run starts). */
  clear(): void {
    this._shown = null;
    this._disposeChildren();
  }

  private _disposeChildren(): void {
    for (const child of [...this.widgets]) {
      child.dispose();
    }
  }

  private _rendermime: IRenderMimeRegistry;
  private _trans: TranslationBundle;
  private _shown: ICodeRunError | null = null;
}
