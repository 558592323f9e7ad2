import { type ISignal, Signal } from '@lumino/signaling';
import type { IDeliveryResult } from '../tokens';

/**
 * What became of a kernel notification request, by payload id.
 */
export type KernelNotifyStatus = 'sending' | IDeliveryResult[];

/** How many requests are remembered (oldest forgotten first). */
const MAX_ENTRIES = 500;

/**
 * Remembers, for this page, which kernel notification requests were sent and
 * how, so their outputs can say so. Bounded: old entries are dropped.
 */
export class KernelNotifyLog {
  /** Emitted with the payload id whose status changed. */
  get changed(): ISignal<this, string> {
    return this._changed;
  }

  get(id: string): KernelNotifyStatus | undefined {
    return this._entries.get(id);
  }

  set(id: string, status: KernelNotifyStatus): void {
    this._entries.delete(id);
    this._entries.set(id, status);
    if (this._entries.size > MAX_ENTRIES) {
      const oldest = this._entries.keys().next().value as string;
      this._entries.delete(oldest);
    }
    this._changed.emit(id);
  }

  private _entries = new Map<string, KernelNotifyStatus>();
  private _changed = new Signal<this, string>(this);
}
