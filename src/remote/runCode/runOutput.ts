import type * as nbformat from '@jupyterlab/nbformat';
import type { KernelMessage } from '@jupyterlab/services';
import { OutputText } from './outputText';

/** Most characters kept per stream by default (32 Mi). */
export const DEFAULT_MAX_STREAM_CHARS = 32 * 1024 * 1024;

/** Most rich results (displays and the expression value) kept by default. */
export const DEFAULT_MAX_RESULTS = 50;

/**
 * A rich output of the run: a `display_data` or the `execute_result`.
 */
export interface ICodeRunResult {
  type: 'execute_result' | 'display_data';
  data: nbformat.IMimeBundle;
  metadata: nbformat.OutputMetadata;
  /** The display id when the kernel may update it, else null. */
  displayId: string | null;
  /** Bumped by each `update_display_data`, so views know to redraw. */
  version: number;
}

/**
 * The error the code raised.
 */
export interface ICodeRunError {
  ename: string;
  evalue: string;
  /** As sent by the kernel: may hold ANSI colour codes. */
  traceback: string[];
}

/**
 * What a run's code sent back: stdout and stderr kept apart and bounded,
 * rich results in arrival order (bounded, updated in place by display id),
 * and the error. `clear_output` empties it, at once or, with `wait`, when
 * the next output arrives.
 */
export class RunOutput {
  constructor(options: { maxStreamChars: number; maxResults: number }) {
    this.stdout = new OutputText(options.maxStreamChars);
    this.stderr = new OutputText(options.maxStreamChars);
    this._maxResults = options.maxResults;
  }

  /** Standard output, bounded. */
  readonly stdout: OutputText;

  /** Standard error, bounded. */
  readonly stderr: OutputText;

  /** Rich results in arrival order (at most `maxResults`). */
  get results(): readonly ICodeRunResult[] {
    return this._results;
  }

  /** Rich results not kept because there were more than `maxResults`. */
  get droppedResults(): number {
    return this._droppedResults;
  }

  /** The error the code raised, if any. */
  get error(): ICodeRunError | null {
    return this._error;
  }
  set error(error: ICodeRunError | null) {
    this._error = error;
  }

  /**
   * Take in one IOPub message of the run. Returns whether it was output
   * (something to redraw); other messages are left to the run.
   */
  add(msg: KernelMessage.IIOPubMessage): boolean {
    switch (msg.header.msg_type) {
      case 'stream': {
        this._clearIfWaiting();
        const { name, text } = (msg as KernelMessage.IStreamMsg).content;
        (name === 'stderr' ? this.stderr : this.stdout).append(text);
        return true;
      }
      case 'execute_result':
      case 'display_data': {
        this._clearIfWaiting();
        const content = (
          msg as KernelMessage.IExecuteResultMsg | KernelMessage.IDisplayDataMsg
        ).content;
        this._addResult(msg.header.msg_type, content);
        return true;
      }
      case 'update_display_data': {
        const content = (msg as KernelMessage.IUpdateDisplayDataMsg).content;
        const displayId = Private.displayId(content);
        for (const result of this._results) {
          if (displayId !== null && result.displayId === displayId) {
            result.data = content.data;
            result.metadata = content.metadata;
            result.version++;
          }
        }
        return true;
      }
      case 'clear_output': {
        if ((msg as KernelMessage.IClearOutputMsg).content.wait) {
          this._clearWaiting = true;
        } else {
          this._clear();
        }
        return true;
      }
      case 'error': {
        const { ename, evalue, traceback } = (msg as KernelMessage.IErrorMsg)
          .content;
        this._error = { ename, evalue, traceback };
        return true;
      }
      default:
        return false;
    }
  }

  private _addResult(
    type: ICodeRunResult['type'],
    content:
      | KernelMessage.IExecuteResultMsg['content']
      | KernelMessage.IDisplayDataMsg['content']
  ): void {
    if (this._results.length >= this._maxResults) {
      this._droppedResults++;
      return;
    }
    this._results.push({
      type,
      data: content.data,
      metadata: content.metadata,
      displayId: Private.displayId(content),
      version: 0
    });
  }

  private _clearIfWaiting(): void {
    if (this._clearWaiting) {
      this._clearWaiting = false;
      this._clear();
    }
  }

  private _clear(): void {
    this.stdout.clear();
    this.stderr.clear();
    this._results = [];
    this._droppedResults = 0;
  }

  private _maxResults: number;
  private _results: ICodeRunResult[] = [];
  private _droppedResults = 0;
  private _error: ICodeRunError | null = null;
  private _clearWaiting = false;
}

namespace Private {
  export function displayId(content: {
    transient?: { display_id?: string };
  }): string | null {
    const id = content.transient?.display_id;
    return typeof id === 'string' && id ? id : null;
  }
}
