/**
 * Largest chunk built by joining small writes. Kernels send many small
 * stream messages; joining them up to this size keeps the chunk list short
 * while no join ever copies more than this many characters.
 */
const COALESCE_CHARS = 64 * 1024;

/**
 * The text of one output stream, bounded: at most `maxChars` characters are
 * kept, the oldest are dropped first and counted. Held as a list of chunks so
 * that appending is cheap however much arrives (no quadratic concatenation),
 * and reading the tail costs only the size of the tail.
 *
 * Sizes are in UTF-16 code units (JavaScript string length), which is what
 * the DOM and `Blob` work with; for ASCII output that is bytes.
 */
export class OutputText {
  /**
   * @param maxChars - most characters kept; older ones are dropped.
   */
  constructor(readonly maxChars: number) {
    if (!(maxChars > 0)) {
      throw new RangeError('maxChars must be positive');
    }
  }

  /** Characters kept now. */
  get length(): number {
    return this._length;
  }

  /** Characters dropped from the start to stay within `maxChars`. */
  get dropped(): number {
    return this._dropped;
  }

  /** Characters received since the start (or the last `clear`). */
  get total(): number {
    return this._length + this._dropped;
  }

  /**
   * Bumped by every change, so that a view can tell whether it must redraw
   * without comparing text.
   */
  get version(): number {
    return this._version;
  }

  /**
   * Add text at the end, dropping the oldest text beyond `maxChars`.
   */
  append(text: string): void {
    if (!text) {
      return;
    }
    this._version++;
    if (text.length >= this.maxChars) {
      // The new text alone fills the buffer: everything before it goes.
      this._dropped += this._length + text.length - this.maxChars;
      this._chunks = [text.slice(text.length - this.maxChars)];
      this._head = 0;
      this._length = this.maxChars;
      return;
    }
    const last = this._chunks.length - 1;
    if (
      last >= this._head &&
      this._chunks[last].length + text.length <= COALESCE_CHARS
    ) {
      this._chunks[last] += text;
    } else {
      this._chunks.push(text);
    }
    this._length += text.length;
    while (this._length > this.maxChars) {
      const excess = this._length - this.maxChars;
      const first = this._chunks[this._head];
      if (first.length <= excess) {
        this._chunks[this._head] = '';
        this._head++;
        this._length -= first.length;
        this._dropped += first.length;
      } else {
        this._chunks[this._head] = first.slice(excess);
        this._length -= excess;
        this._dropped += excess;
      }
    }
    // Forget dropped slots now and then rather than shifting on each drop.
    if (this._head > 1024 && this._head * 2 > this._chunks.length) {
      this._chunks = this._chunks.slice(this._head);
      this._head = 0;
    }
  }

  /**
   * The last `maxChars` characters kept (all of them when fewer).
   */
  tail(maxChars: number): string {
    const parts: string[] = [];
    let length = 0;
    for (
      let i = this._chunks.length - 1;
      i >= this._head && length < maxChars;
      i--
    ) {
      parts.push(this._chunks[i]);
      length += this._chunks[i].length;
    }
    const text = parts.reverse().join('');
    return text.length > maxChars ? text.slice(text.length - maxChars) : text;
  }

  /** All the text kept. */
  text(): string {
    return this.chunks().join('');
  }

  /**
   * The kept text as chunks, for handing to a `Blob` without building one
   * big string.
   */
  chunks(): string[] {
    return this._chunks.slice(this._head);
  }

  /** Forget everything (the kernel asked to clear its output). */
  clear(): void {
    this._chunks = [];
    this._head = 0;
    this._length = 0;
    this._dropped = 0;
    this._version++;
  }

  private _chunks: string[] = [];
  private _head = 0;
  private _length = 0;
  private _dropped = 0;
  private _version = 0;
}
