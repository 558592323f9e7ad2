import type { IDisposable } from '@lumino/disposable';
import { type ISignal, Signal } from '@lumino/signaling';
import { type IKernelWatchTarget, watchesStorageKey } from '../remoteServer';

/**
 * Most watches kept; adding one more drops the oldest.
 */
export const MAX_KERNEL_WATCHES = 50;

/**
 * The "tell me when it's done" watches, kept in localStorage so that they
 * survive a reload and are seen by every tab of the lab (the `storage`
 * event tells the other tabs).
 */
export class KernelWatches implements IDisposable {
  constructor(options: KernelWatches.IOptions = {}) {
    this._storage = options.storage ?? Private.localStorageOrNull();
    this._key = options.key ?? watchesStorageKey();
    this._max = options.max ?? MAX_KERNEL_WATCHES;
    this._items = this._read();
    if (typeof window !== 'undefined') {
      window.addEventListener('storage', this._onStorage);
    }
  }

  /** Emitted when watches start or stop (here or in another tab). */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Whether it has been disposed. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** The watches, oldest first. */
  list(): IKernelWatchTarget[] {
    return this._items.map(item => ({ ...item }));
  }

  /** Whether a kernel is watched. */
  has(serverId: string, kernelId: string): boolean {
    return this._items.some(
      item => item.serverId === serverId && item.kernelId === kernelId
    );
  }

  /** Start watching a kernel (again: it moves to the end). */
  add(target: IKernelWatchTarget): void {
    const items = this._items.filter(
      item =>
        !(
          item.serverId === target.serverId && item.kernelId === target.kernelId
        )
    );
    items.push(Private.clean(target));
    this._items = items.slice(-this._max);
    this._write();
  }

  /** Stop watching a kernel; does nothing if it is not watched. */
  remove(serverId: string, kernelId: string): void {
    if (!this.has(serverId, kernelId)) {
      return;
    }
    this._items = this._items.filter(
      item => !(item.serverId === serverId && item.kernelId === kernelId)
    );
    this._write();
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    if (typeof window !== 'undefined') {
      window.removeEventListener('storage', this._onStorage);
    }
    Signal.clearData(this);
  }

  private _onStorage = (event: StorageEvent): void => {
    if (event.key === this._key || event.key === null) {
      this._items = this._read();
      this._changed.emit();
    }
  };

  private _read(): IKernelWatchTarget[] {
    try {
      const raw = this._storage?.getItem(this._key);
      const parsed: unknown = raw ? JSON.parse(raw) : [];
      return Array.isArray(parsed)
        ? parsed.filter(Private.isTarget).map(Private.clean).slice(-this._max)
        : [];
    } catch {
      return [];
    }
  }

  private _write(): void {
    try {
      this._storage?.setItem(this._key, JSON.stringify(this._items));
    } catch {
      // Storage full or denied: the watches still run in this tab.
    }
    this._changed.emit();
  }

  private _storage: Storage | null;
  private _key: string;
  private _max: number;
  private _items: IKernelWatchTarget[];
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
}

/**
 * The namespace for `KernelWatches` statics.
 */
export namespace KernelWatches {
  /**
   * Options of the watch list.
   */
  export interface IOptions {
    /** Default: `localStorage`. */
    storage?: Storage | null;
    /** Default: `watchesStorageKey()` (one list per lab). */
    key?: string;
    /** Default: `MAX_KERNEL_WATCHES`. */
    max?: number;
  }
}

/**
 * The key of a watch in maps: its server and kernel.
 */
export function watchKey(target: IKernelWatchTarget): string {
  return `${target.serverId}\n${target.kernelId}`;
}

namespace Private {
  /** `localStorage`, or null where there is none (or it is denied). */
  export function localStorageOrNull(): Storage | null {
    try {
      return typeof localStorage === 'undefined' ? null : localStorage;
    } catch {
      return null;
    }
  }

  /** Whether a stored value is a watch target. */
  export function isTarget(value: unknown): value is IKernelWatchTarget {
    const item = value as IKernelWatchTarget;
    return (
      !!item &&
      typeof item === 'object' &&
      typeof item.serverId === 'string' &&
      typeof item.serverName === 'string' &&
      typeof item.kernelId === 'string' &&
      typeof item.kernelName === 'string' &&
      (item.path === undefined || typeof item.path === 'string')
    );
  }

  /** Only the fields of a target (nothing else ends up in storage). */
  export function clean(target: IKernelWatchTarget): IKernelWatchTarget {
    const { serverId, serverName, kernelId, kernelName, path } = target;
    return path
      ? { serverId, serverName, kernelId, kernelName, path }
      : { serverId, serverName, kernelId, kernelName };
  }
}
