/**
 * Spaces out the progress edits of a status message: at most one every
 * `intervalMs`, counted from the end of the previous edit (of any kind), so
 * that two edits reach the service at least `intervalMs` apart however
 * long each request took. One edit at a time: an edit that comes while
 * another is on its way waits for it.
 *
 * Answers to commands and the final edit are not held back (they are what
 * the user waits for), but they count: the next progress edit keeps its
 * distance from them too.
 *
 * Pure: time is passed in.
 */
export class EditPacer {
  constructor(readonly intervalMs: number) {}

  /** Whether an edit is on its way. */
  get busy(): boolean {
    return this._busy;
  }

  /**
   * When a progress edit may go, at `now` or later; `null` while another
   * edit is on its way (ask again when it completes).
   */
  nextProgressAt(now: number): number | null {
    if (this._busy) {
      return null;
    }
    return this._lastDone === null
      ? now
      : Math.max(now, this._lastDone + this.intervalMs);
  }

  /** An edit (of any kind) was sent. */
  started(): void {
    this._busy = true;
  }

  /** The edit on its way completed (or failed) at `now`. */
  completed(now: number): void {
    this._busy = false;
    this._lastDone = now;
  }

  private _busy = false;
  private _lastDone: number | null = null;
}
