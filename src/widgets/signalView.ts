import type { Message } from '@lumino/messaging';
import type { ISignal } from '@lumino/signaling';
import { type VirtualElement, VirtualDOM } from '@lumino/virtualdom';
import { Widget } from '@lumino/widgets';

/**
 * A panel section drawn with the virtual DOM from a model that signals its
 * changes: it redraws on each change, only while it is visible (a folded or
 * hidden section costs nothing), and once when it is shown again.
 */
export abstract class SignalView extends Widget {
  /**
   * @param changed - the model's change signal, followed until disposal.
   * @param label - the region's accessible name (translated).
   */
  constructor(changed: ISignal<unknown, unknown>, label: string) {
    super();
    this._changed = changed;
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', label);
    changed.connect(this._onChanged, this);
  }

  dispose(): void {
    this._changed.disconnect(this._onChanged, this);
    super.dispose();
  }

  /** What the section shows now. */
  protected abstract render(): VirtualElement;

  protected onAfterAttach(msg: Message): void {
    this.update();
  }

  protected onBeforeShow(msg: Message): void {
    this.update();
  }

  protected onUpdateRequest(msg: Message): void {
    if (!this.isVisible) {
      return;
    }
    VirtualDOM.render(this.render(), this.node);
  }

  private _onChanged(): void {
    this.update();
  }

  private _changed: ISignal<unknown, unknown>;
}
