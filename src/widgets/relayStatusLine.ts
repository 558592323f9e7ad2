import type { INotebookTracker } from '@jupyterlab/notebook';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import type { IKernelRelay } from '../tokens';

/**
 * One line at the top of the Channels section, once a channel allows
 * delivery with the browser closed: whether the current
 * notebook's kernel can deliver while the browser is closed, and why not;
 * and what it cannot report at all (its own death while no page is open).
 */
export class RelayStatusLine extends Widget {
  constructor(options: RelayStatusLine.IOptions) {
    super();
    this._options = options;
    this.addClass('jp-lmk-RelayStatus');
    this.node.setAttribute('role', 'status');
    this._text = this.node.appendChild(document.createElement('p'));
    this._text.className = 'jp-lmk-RelayStatus-text';
    const death = this.node.appendChild(document.createElement('p'));
    death.className = 'jp-lmk-RelayStatus-note';
    death.textContent = options.trans.__(
      'A kernel that dies while no page of the lab is open is not reported.'
    );
    options.relay.changed.connect(this._refresh, this);
    options.notebooks?.currentChanged.connect(this._refresh, this);
    this._refresh();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._options.relay.changed.disconnect(this._refresh, this);
    this._options.notebooks?.currentChanged.disconnect(this._refresh, this);
    super.dispose();
  }

  private _refresh(): void {
    const { relay, notebooks, trans } = this._options;
    // Only once a channel allows it: a new user's panel keeps its room.
    this.setHidden(!relay.offered);
    const panel = notebooks?.currentWidget ?? null;
    if (!panel) {
      this._text.textContent = trans.__(
        'Open a notebook to see whether its kernel can deliver while the browser is closed.'
      );
      this.toggleClass('jp-mod-can', false);
      return;
    }
    const status = relay.status(panel.context.path, panel.sessionContext);
    this._text.textContent = trans.__(
      '%1: %2',
      panel.context.localPath.split('/').pop() ?? panel.context.path,
      status.text
    );
    this.toggleClass('jp-mod-can', status.can);
  }

  private _options: RelayStatusLine.IOptions;
  private _text: HTMLParagraphElement;
}

/**
 * The namespace for `RelayStatusLine` statics.
 */
export namespace RelayStatusLine {
  /**
   * Options of the status line.
   */
  export interface IOptions {
    relay: IKernelRelay;
    notebooks: INotebookTracker | null;
    trans: TranslationBundle;
  }
}
