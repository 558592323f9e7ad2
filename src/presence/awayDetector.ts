import type { IDisposable } from '@lumino/disposable';
import { type ISignal, Signal } from '@lumino/signaling';

/** The events that show someone is using the lab. */
const ACTIVITY = ['keydown', 'pointerdown', 'pointermove', 'wheel'] as const;

/**
 * Tells whether the user is away from the lab: its tab is hidden, or
 * nobody has used keyboard or mouse in it for a while; and says when that
 * changes.
 *
 * Activity costs one timestamp per event (passive, capturing listeners).
 * One timer waits for the idle time to pass; it is set again only when it
 * fires, never per event.
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
    this._document.addEventListener('visibilitychange', this._check);
    this._away = this.isAway;
    this._arm();
  }

  /** Whether the user counts as away now. */
  get isAway(): boolean {
    if (this._document.visibilityState === 'hidden') {
      return true;
    }
    const idle = this._idleSeconds();
    return idle > 0 && this._now() - this._lastActivity >= idle * 1000;
  }

  /** Emitted with `isAway` when it changes (tab hidden or shown, idle, back). */
  get changed(): ISignal<this, boolean> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Look again now (after the idle time setting changed, for instance).
   */
  check(): void {
    this._check();
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
    this._document.removeEventListener('visibilitychange', this._check);
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
    Signal.clearData(this);
  }

  private _onActivity = (): void => {
    this._lastActivity = this._now();
    if (this._away) {
      this._check();
    }
  };

  private _check = (): void => {
    if (this._isDisposed) {
      return;
    }
    const away = this.isAway;
    const flipped = away !== this._away;
    this._away = away;
    this._arm();
    if (flipped) {
      this._changed.emit(away);
    }
  };

  /** Set the timer for the moment the idle time will have passed. */
  private _arm(): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
    const idle = this._idleSeconds();
    if (idle <= 0 || this._away) {
      return;
    }
    const due = this._lastActivity + idle * 1000 - this._now();
    this._timer = setTimeout(
      () => {
        this._timer = null;
        this._check();
      },
      Math.max(0, due) + 50
    );
  }

  private _document: Document;
  private _idleSeconds: () => number;
  private _now: () => number;
  private _lastActivity: number;
  private _away: boolean;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _changed = new Signal<this, boolean>(this);
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
