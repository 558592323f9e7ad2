import { type ISignal, Signal } from '@lumino/signaling';
import type { INotifyWhenDone } from '../tokens';

/**
 * The one-shot "notify me when this run ends", per notebook: armed from the
 * notebook toolbar or the palette, before or during a run, and used up by
 * the next run of that notebook that ends.
 */
export class NotifyWhenDone implements INotifyWhenDone {
  /** Emitted with the notebook path whenever its state changes. */
  get changed(): ISignal<this, string> {
    return this._changed;
  }

  isArmed(path: string): boolean {
    return this._armed.has(path);
  }

  /** Arm or disarm the one-shot for a notebook. */
  set(path: string, armed: boolean): void {
    if (armed === this._armed.has(path)) {
      return;
    }
    if (armed) {
      this._armed.add(path);
    } else {
      this._armed.delete(path);
    }
    this._changed.emit(path);
  }

  /**
   * Use up the one-shot of a notebook whose run ended.
   *
   * @returns whether it was armed.
   */
  consume(path: string): boolean {
    if (!this._armed.has(path)) {
      return false;
    }
    this.set(path, false);
    return true;
  }

  private _armed = new Set<string>();
  private _changed = new Signal<this, string>(this);
}
