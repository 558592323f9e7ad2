import type { TranslationBundle } from '@jupyterlab/translation';
import { stripAnsi } from '../../messages/format';
import type { OutputText } from '../../remote/runCode/outputText';
import { named } from './runCodeElements';

/**
 * One stream's section of the Run code panel (stdout or stderr, made by
 * `streamsNode`): the last `tailChars` of the kept text, shown as a terminal
 * would (no colour codes, a carriage return overwrites its line), following
 * the end while the reader is there; how much earlier output is not shown;
 * and **Save full output**, which downloads all the kept text.
 */
export class StreamView {
  /**
   * @param root - the panel's node, holding the stream's section.
   * @param current - the text of this stream in the current run, if any.
   */
  constructor(
    root: HTMLElement,
    readonly name: 'stdout' | 'stderr',
    options: {
      trans: TranslationBundle;
      tailChars: number;
      current: () => OutputText | null;
    }
  ) {
    this._trans = options.trans;
    this._tailChars = options.tailChars;
    this._section = named(root, name);
    this._pre = named(root, `${name}-text`);
    this._omitted = named(root, `${name}-omitted`);
    this._omittedText = named(root, `${name}-omitted-text`);
    this._save = named<HTMLButtonElement>(root, `${name}-save`);
    this._save.addEventListener('click', () => {
      const text = options.current();
      if (text) {
        Private.download(text, `${name}.txt`);
      }
    });
  }

  /** Show `text` (hidden when there is none); cheap when it did not change. */
  draw(text: OutputText | null): void {
    if (!text || text.total === 0) {
      this._section.hidden = true;
      this._pre.textContent = '';
      this._version = -1;
      return;
    }
    this._section.hidden = false;
    if (this._version === text.version) {
      return;
    }
    this._version = text.version;
    const tail = text.tail(this._tailChars);
    const pre = this._pre;
    const following = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    pre.textContent = terminalText(tail);
    if (following) {
      pre.scrollTop = pre.scrollHeight;
    }
    const hidden = text.total - tail.length;
    this._omitted.hidden = hidden <= 0;
    if (hidden > 0) {
      const trans = this._trans;
      let line = trans.__(
        '%1 of earlier output not shown.',
        Private.size(hidden, trans)
      );
      if (text.dropped > 0) {
        line +=
          ' ' +
          trans.__(
            'The first %1 was not kept.',
            Private.size(text.dropped, trans)
          );
      }
      this._omittedText.textContent = line;
      this._save.hidden = text.length <= tail.length;
    }
  }

  private _trans: TranslationBundle;
  private _tailChars: number;
  private _section: HTMLElement;
  private _pre: HTMLElement;
  private _omitted: HTMLElement;
  private _omittedText: HTMLElement;
  private _save: HTMLButtonElement;
  /** The `OutputText.version` on screen; -1 when none. */
  private _version = -1;
}

/**
 * What a terminal would show: no colour codes, and a carriage return
 * (progress bars) overwrites the line it is on.
 */
export function terminalText(text: string): string {
  const plain = stripAnsi(text);
  if (!plain.includes('\r')) {
    return plain;
  }
  // Line by line, so the cost stays linear however long the lines are.
  return plain
    .split('\n')
    .map(line => {
      const end = line.endsWith('\r') ? line.length - 1 : line.length;
      const last = line.lastIndexOf('\r', end - 1);
      return last < 0 ? line : line.slice(last + 1);
    })
    .join('\n');
}

namespace Private {
  /** A size for people; stream sizes are counted in characters. */
  export function size(chars: number, trans: TranslationBundle): string {
    if (chars < 1024 * 1024) {
      return trans.__('%1 KB', Math.max(1, Math.round(chars / 1024)));
    }
    return trans.__('%1 MB', (chars / (1024 * 1024)).toFixed(1));
  }

  /** Save the kept text of a stream as a file, without one big string. */
  export function download(text: OutputText, fileName: string): void {
    const url = URL.createObjectURL(
      new Blob(text.chunks(), { type: 'text/plain;charset=utf-8' })
    );
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName;
    link.style.display = 'none';
    document.body.appendChild(link);
    link.click();
    link.remove();
    // The browser reads the blob after the click has been handled.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
