import { type Kernel, KernelMessage } from '@jupyterlab/services';
import { KernelLink } from './kernelLink';
import { RELAY_PUSH_TYPE, readReply, requestContent } from './relayProtocol';

/** How long one SMTP session of the kernel may take, in seconds. */
export const MAIL_TIMEOUT_S = 15;

/**
 * What the kernel did with an email request: sent (or the check passed),
 * or the failure's kind (`unreachable`, `timeout`, `tls`, `login`,
 * `sender`, `recipients`, `rejected`, `server`, `invalid-config`).
 */
export type MailOutcome =
  | { ok: true }
  | {
      ok: false;
      kind: string;
      retryable: boolean;
      /** The server may have the message although no answer said so. */
      mayHaveArrived?: boolean;
    }
  /** The kernel cannot mail: not an IPython kernel, or it did not answer. */
  | { ok: false; kind: 'not-python' | 'no-answer'; retryable: boolean };

/**
 * Email through a notebook's kernel (`src/relay/kernel/lmk_email.py`): the
 * watcher is installed if it is not there (in this version), then the
 * request goes on the control channel, answered at once even while a cell
 * runs; the outcome comes back as a push addressed to the request.
 */
export class KernelMail {
  constructor(
    readonly kernel: Kernel.IKernelConnection,
    private readonly _relay: () => Promise<{
      version: string;
      loader: string;
      modules: { [name: string]: string };
    }>
  ) {
    this._link = new KernelLink(kernel);
  }

  /**
   * Send a notification (`action: 'send'`, with its `id`, `event` and
   * `context`) or check the channel's settings (`action: 'check'`).
   */
  async request(
    action: 'send' | 'check',
    channel: { [key: string]: unknown },
    fields: { [key: string]: unknown } = {}
  ): Promise<MailOutcome> {
    const ready = await this._ensureWatcher();
    if (ready !== true) {
      return { ok: false, kind: ready, retryable: ready === 'no-answer' };
    }
    const ask = () =>
      this._ask({ ...fields, action, channel, timeout_s: MAIL_TIMEOUT_S });
    let answer: MailOutcome | 'old-watcher' | 'no-answer' | 'not-python' =
      await ask();
    if (answer === 'old-watcher') {
      // A watcher of an older version, without email: replace it.
      const installed = await this._install();
      answer = installed === true ? await ask() : installed;
    }
    if (typeof answer === 'string') {
      return {
        ok: false,
        kind: answer === 'old-watcher' ? 'no-answer' : answer,
        retryable: answer !== 'not-python'
      };
    }
    return answer;
  }

  /** `true` once the watcher answers; else why not. */
  private async _ensureWatcher(): Promise<true | 'not-python' | 'no-answer'> {
    try {
      if (await this._link.request('probe')) {
        return true;
      }
    } catch {
      return 'no-answer';
    }
    // No watcher: an IPython kernel gets one (its request queues behind
    // a cell that runs); another kernel cannot mail.
    let info: { implementation?: string };
    try {
      info = (await this.kernel.info) as { implementation?: string };
    } catch {
      return 'no-answer';
    }
    if (info.implementation !== 'ipython') {
      return 'not-python';
    }
    return this._install();
  }

  private async _install(): Promise<true | 'not-python' | 'no-answer'> {
    const outcome = await this._link.install(await this._relay());
    if (outcome.ok) {
      return true;
    }
    return outcome.reason === 'no-answer' ? 'no-answer' : 'not-python';
  }

  /**
   * One `email` request: its reply at once, then the outcome pushed to
   * it. A string says why there is no outcome.
   */
  private _ask(lmk: {
    [key: string]: unknown;
  }): Promise<MailOutcome | 'old-watcher' | 'no-answer'> {
    const kernel = this.kernel;
    let future: Kernel.IControlFuture;
    try {
      future = kernel.sendControlMessage(
        KernelMessage.createMessage({
          msgType: 'comm_info_request',
          channel: 'control' as 'shell',
          session: kernel.clientId,
          username: kernel.username,
          content: requestContent('email', lmk) as unknown as {
            target_name: string;
          }
        }) as unknown as KernelMessage.IControlMessage,
        true,
        false
      );
    } catch {
      return Promise.resolve('no-answer');
    }
    return new Promise(resolve => {
      // The SMTP session's own timeout, and a margin for a busy kernel.
      const timer = setTimeout(
        () => finish('no-answer'),
        (MAIL_TIMEOUT_S * 3 + 10) * 1000
      );
      const finish = (outcome: MailOutcome | 'old-watcher' | 'no-answer') => {
        clearTimeout(timer);
        if (!future.isDisposed) {
          future.dispose();
        }
        resolve(outcome);
      };
      future.onIOPub = msg => {
        if (msg.header.msg_type !== (RELAY_PUSH_TYPE as string)) {
          return;
        }
        const push = msg.content as {
          op?: unknown;
          ok?: unknown;
          retryable?: unknown;
          failure?: { kind?: unknown; mayHaveArrived?: unknown } | null;
        };
        if (push.op !== 'email') {
          return;
        }
        finish(
          push.ok === true
            ? { ok: true }
            : {
                ok: false,
                kind:
                  typeof push.failure?.kind === 'string'
                    ? push.failure.kind
                    : 'rejected',
                retryable: push.retryable === true,
                mayHaveArrived: push.failure?.mayHaveArrived === true
              }
        );
      };
      future.done.then(
        reply => {
          const lmkReply = readReply(reply?.content);
          if (!lmkReply || lmkReply.error === 'unknown-op') {
            finish('old-watcher');
          } else if (lmkReply.busy === true) {
            finish({ ok: false, kind: 'server', retryable: true });
          } else if (lmkReply.accepted !== true) {
            finish({ ok: false, kind: 'invalid-config', retryable: false });
          }
          // Accepted: the outcome comes as a push.
        },
        () => finish('no-answer')
      );
    });
  }

  private _link: KernelLink;
}
