import type { Kernel, KernelMessage } from '@jupyterlab/services';
import type { TranslationBundle } from '@jupyterlab/translation';
import { stripAnsi } from '../messages/format';
import type { IReportExpression } from './reportExpressions';

/** Longest report value kept, in characters. */
export const REPORT_VALUE_MAX = 200;

/** Longest stdout or stderr tail kept from a snippet, in characters. */
export const STREAM_TAIL_MAX = 4000;

/**
 * Evaluate report expressions in a kernel with `user_expressions` on a
 * silent execute request: no history, no execution count, no output in the
 * notebook. A failing expression gives its error name; when the kernel does
 * not answer within `timeoutMs`, every value says so and the request is left
 * to finish on its own (the notification does not wait for it).
 */
export async function evaluateReport(
  kernel: Kernel.IKernelConnection,
  expressions: IReportExpression[],
  options: { timeoutMs: number; trans: TranslationBundle }
): Promise<{ [name: string]: string }> {
  const { timeoutMs, trans } = options;
  if (expressions.length === 0) {
    return {};
  }
  const future = kernel.requestExecute(
    {
      code: '',
      silent: true,
      store_history: false,
      allow_stdin: false,
      stop_on_error: false,
      user_expressions: Object.fromEntries(
        expressions.map(e => [e.name, e.expression])
      )
    },
    true
  );
  const reply = await Private.withTimeout(future.done, timeoutMs);
  if (reply === 'timeout' || reply === 'failed') {
    const value =
      reply === 'timeout'
        ? trans.__('(no answer within %1 s)', timeoutMs / 1000)
        : trans.__('(the kernel did not answer)');
    return Object.fromEntries(expressions.map(e => [e.name, value]));
  }
  const results = ((reply.content as KernelMessage.IExecuteReply)
    .user_expressions ?? {}) as {
    [name: string]: {
      status: string;
      data?: { [mime: string]: unknown };
      ename?: string;
    };
  };
  return Object.fromEntries(
    expressions.map(({ name }) => {
      const result = results[name];
      if (!result) {
        return [name, trans.__('(no value)')];
      }
      if (result.status !== 'ok') {
        return [name, result.ename || trans.__('(error)')];
      }
      const text = result.data?.['text/plain'];
      return [
        name,
        Private.cut(typeof text === 'string' ? text : '', REPORT_VALUE_MAX)
      ];
    })
  );
}

/**
 * What a snippet run through `runSnippet` produced.
 */
export interface ISnippetResult {
  stdout: string;
  stderr: string;
  /** `text/plain` of the execute result, if any. */
  result: string | null;
  error: { ename: string; evalue: string; traceback: string[] } | null;
  /** True when the kernel had not finished within the timeout. */
  timedOut: boolean;
  elapsedSeconds: number;
}

/**
 * Run a snippet in a kernel without touching the notebook: no history, no
 * execution count change, outputs collected here (streams kept apart, tails
 * bounded). Done when the reply has arrived; on timeout the result says so.
 */
export async function runSnippet(
  kernel: Kernel.IKernelConnection,
  code: string,
  options: { timeoutMs: number }
): Promise<ISnippetResult> {
  const started = Date.now();
  const result: ISnippetResult = {
    stdout: '',
    stderr: '',
    result: null,
    error: null,
    timedOut: false,
    elapsedSeconds: 0
  };
  const future = kernel.requestExecute(
    {
      code,
      silent: false,
      store_history: false,
      allow_stdin: false,
      stop_on_error: true
    },
    true
  );
  future.onIOPub = msg => {
    switch (msg.header.msg_type) {
      case 'stream': {
        const content = (msg as KernelMessage.IStreamMsg).content;
        const key = content.name === 'stderr' ? 'stderr' : 'stdout';
        result[key] = Private.tail(result[key] + content.text, STREAM_TAIL_MAX);
        break;
      }
      case 'execute_result': {
        const text = (msg as KernelMessage.IExecuteResultMsg).content.data[
          'text/plain'
        ];
        result.result = typeof text === 'string' ? text : null;
        break;
      }
      case 'error': {
        const content = (msg as KernelMessage.IErrorMsg).content;
        result.error = {
          ename: content.ename,
          evalue: content.evalue,
          traceback: content.traceback.map(stripAnsi)
        };
        break;
      }
      default:
        break;
    }
  };
  const reply = await Private.withTimeout(future.done, options.timeoutMs);
  result.timedOut = reply === 'timeout';
  result.elapsedSeconds = (Date.now() - started) / 1000;
  return result;
}

namespace Private {
  export async function withTimeout<T>(
    promise: Promise<T>,
    timeoutMs: number
  ): Promise<T | 'timeout' | 'failed'> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>(resolve => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      return await Promise.race([
        promise.catch(() => 'failed' as const),
        timeout
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  export function cut(text: string, max: number): string {
    return text.length > max ? text.slice(0, max - 1) + '…' : text;
  }

  export function tail(text: string, max: number): string {
    return text.length > max ? '…' + text.slice(text.length - max + 1) : text;
  }
}
