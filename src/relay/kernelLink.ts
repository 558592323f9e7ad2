import { type Kernel, KernelMessage } from '@jupyterlab/services';
import {
  INSTALL_CODE,
  readPush,
  readReply,
  RELAY_METADATA_KEY,
  RELAY_PUSH_TYPE,
  type RelayPush,
  requestContent,
  STATUS_EXPRESSION
} from './relayProtocol';

/** How long a request on the control channel may take before it counts as unanswered. */
export const CONTROL_TIMEOUT_MS = 10_000;

/**
 * What installing the relay in a kernel gave.
 */
export type InstallOutcome =
  | { ok: true; version: string }
  | { ok: false; reason: string; detail?: string };

/**
 * The relay's requests to one kernel, through the lab's own kernel
 * connection. Requests are comm info requests carrying the relay's own:
 * on the control channel they are answered at once, even while a cell
 * runs; a kernel without the watcher answers them as plain comm info
 * requests (`null` here).
 */
export class KernelLink {
  constructor(readonly kernel: Kernel.IKernelConnection) {}

  /**
   * One request on the control channel: the watcher's reply, `null` if
   * the kernel has no watcher. Rejects when the kernel does not answer in
   * time (a server that filters message types, a dead kernel).
   */
  async request(
    op: string,
    fields: { [key: string]: unknown } = {},
    timeoutMs = CONTROL_TIMEOUT_MS
  ): Promise<{ [key: string]: unknown } | null> {
    const future = this.kernel.sendControlMessage(
      this._message(
        'control',
        op,
        fields
      ) as unknown as KernelMessage.IControlMessage,
      true,
      true
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const reply = await Promise.race([
        future.done,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            future.dispose();
            reject(new Error('The kernel did not answer.'));
          }, timeoutMs);
        })
      ]);
      return readReply(reply?.content);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A marker on the shell channel, queued behind what the kernel has to do
   * and ahead of what follows (fire and forget).
   */
  mark(op: string, fields: { [key: string]: unknown }): void {
    this.kernel.sendShellMessage(
      this._message(
        'shell',
        op,
        fields
      ) as unknown as KernelMessage.IShellMessage,
      true,
      true
    );
  }

  /**
   * Send the relay into the kernel: a silent request (no history, no
   * execution count, nothing displayed) whose metadata carries the code.
   * Sent at once, so it reaches the kernel ahead of what follows; resolves
   * when the kernel has run it.
   */
  install(relay: {
    version: string;
    loader: string;
    modules: { [name: string]: string };
  }): Promise<InstallOutcome> {
    const future = this.kernel.requestExecute(
      {
        code: INSTALL_CODE,
        silent: true,
        store_history: false,
        allow_stdin: false,
        stop_on_error: false,
        user_expressions: { lmk: STATUS_EXPRESSION }
      },
      true,
      { [RELAY_METADATA_KEY]: relay }
    );
    return future.done.then(
      reply => Private.installOutcome(reply),
      () => ({ ok: false, reason: 'no-answer' })
    );
  }

  /**
   * Say hello and keep listening: the watcher answers what this page
   * missed, then addresses its pushes (runs ended, deliveries made) to
   * this request, which the kernel connection routes here. Dispose the
   * returned future to stop listening.
   */
  subscribe(
    fields: { [key: string]: unknown },
    onPush: (push: RelayPush) => void
  ): {
    reply: Promise<{ [key: string]: unknown } | null>;
    future: Kernel.IControlFuture;
  } {
    const future = this.kernel.sendControlMessage(
      this._message(
        'control',
        'hello',
        fields
      ) as unknown as KernelMessage.IControlMessage,
      true,
      false
    );
    future.onIOPub = msg => {
      if (msg.header.msg_type === (RELAY_PUSH_TYPE as string)) {
        const push = readPush(msg.content);
        if (push) {
          onPush(push);
        }
      }
    };
    return {
      reply: future.done.then(
        reply => readReply(reply?.content),
        () => null
      ),
      future
    };
  }

  private _message(
    channel: 'shell' | 'control',
    op: string,
    fields: { [key: string]: unknown }
  ): KernelMessage.IMessage {
    return KernelMessage.createMessage({
      msgType: 'comm_info_request',
      channel: channel as 'shell',
      session: this.kernel.clientId,
      username: this.kernel.username,
      content: requestContent(op, fields) as unknown as {
        target_name: string;
      }
    });
  }
}

namespace Private {
  export function installOutcome(
    reply: KernelMessage.IExecuteReplyMsg | undefined
  ): InstallOutcome {
    const content = reply?.content as
      | (KernelMessage.IExecuteReply & {
          user_expressions?: {
            [name: string]: {
              status: string;
              data?: { [mime: string]: unknown };
              ename?: string;
            };
          };
        })
      | KernelMessage.IReplyErrorContent
      | undefined;
    if (!content) {
      return { ok: false, reason: 'no-answer' };
    }
    if (content.status !== 'ok') {
      const ename = (content as KernelMessage.IReplyErrorContent).ename;
      return { ok: false, reason: 'error', detail: ename };
    }
    const result = (
      content as KernelMessage.IExecuteReply & {
        user_expressions?: {
          [name: string]: {
            status: string;
            data?: { [mime: string]: unknown };
          };
        };
      }
    ).user_expressions?.lmk;
    const text = result?.status === 'ok' ? result.data?.['text/plain'] : null;
    try {
      const status = JSON.parse(String(text)) as {
        ok?: unknown;
        version?: unknown;
        reason?: unknown;
        detail?: unknown;
      };
      if (status.ok === true && typeof status.version === 'string') {
        return { ok: true, version: status.version };
      }
      return {
        ok: false,
        reason: typeof status.reason === 'string' ? status.reason : 'error',
        detail: typeof status.detail === 'string' ? status.detail : undefined
      };
    } catch {
      return { ok: false, reason: 'error' };
    }
  }
}
