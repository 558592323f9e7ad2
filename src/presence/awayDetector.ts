import type { IDisposable } from '@lumino/disposable';

/** The events that show someone is using the lab. */
const ACTIVITY = ['keydown', 'pointerdown', 'pointermove', 'wheel'] as const;

/**
 * Tells whether the user is away from the lab: its tab is hidden, or
 * nobody has used keyboard or mouse in it for a while.
 *
 * Activity costs one timestamp per event (passive, capturing listeners);
 * nothing is computed until someone asks.
 */
export class AwayDetector implements IDisposable {
  constructor(options: AwayDetector.IOptions) {
    this._document = options.document ?? document;
    this._idleSeconds = options.idleSeconds;
    this._now = options.now ?? Date.now;
    this._lastActivity = this._now();
    for (const type of ACTIVITY) {
      this._document.addEventListener(type, this._onActivity, {
        capture: true,
        passive: true
      });
    }
  }

  /** Whether the user counts as away now. */
  get isAway(): boolean {
    if (this._document.visibilityState === 'hidden') {
      return true;
    }
    const idle = this._idleSeconds();
    return idle > 0 && this._now() - this._lastActivity >= idle * 1000;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    for (const type of ACTIVITY) {
      this._document.removeEventListener(type, this._onActivity, {
        capture: true
      });
    }
  }

  private _onActivity = (): void => {
    this._lastActivity = this._now();
  };

  private _document: Document;
  private _idleSeconds: () => number;
  private _now: () => number;
  private _lastActivity: number;
  private _isDisposed = false;
}

/**
 * The namespace for `AwayDetector` statics.
 */
export namespace AwayDetector {
  export interface IOptions {
    /** Seconds without activity that count as away; 0 counts only a hidden tab. */
    idleSeconds: () => number;
    document?: Document;
    now?: () => number;
  }
}
