/**
 * The messages between the lab and the kernel relay's watcher (protocol
 * version 1; docs/kernel-relay.md): what each request carries and what each
 * reply means, checked field by field. Pure: no kernel, no DOM.
 */

/** The comm target name the requests carry; a new protocol gets a new one. */
export const RELAY_TARGET = 'jupyterlab_lmk.relay.v1';

/** The iopub message type of the watcher's pushes. */
export const RELAY_PUSH_TYPE = 'lmk_relay_event';

/** The execute request metadata key that carries the relay's code. */
export const RELAY_METADATA_KEY = 'jupyterlab_lmk_relay';

/**
 * The code of the silent request that installs the relay: it runs the
 * loader carried in the request's metadata, in a namespace of its own.
 */
export const INSTALL_CODE =
  'exec(__import__("IPython").get_ipython().kernel.get_parent()' +
  `["metadata"]["${RELAY_METADATA_KEY}"]["loader"], ` +
  '{"__name__": "_jupyterlab_lmk_relay_loader"})';

/** The user expression that reads the installation's outcome. */
export const STATUS_EXPRESSION =
  "__import__('sys').modules['_jupyterlab_lmk_relay'].status()";

/**
 * When a run notifies, per outcome, as the page decided it: the shortest
 * duration in seconds that notifies, or `null` for never.
 */
export interface IRelayRule {
  finished: number | null;
  failed: number | null;
  interrupted: number | null;
}

/**
 * A channel handed to the kernel for a run: its settings (secrets
 * included), whether the run's notification goes to it, and whether
 * `notify()` without channel ids does.
 */
export interface IRelayChannel {
  config: { id: string; type: string; [option: string]: unknown };
  run: boolean;
  default: boolean;
}

/**
 * What the kernel did with one channel.
 */
export interface IKernelResult {
  channelId: string;
  status: 'sent' | 'failed' | 'skipped';
  /**
   * `false` for a request that timed out to a service that cannot drop
   * copies: it may have arrived, so it was not sent again.
   */
  confirmed?: boolean;
  attempts: number;
  /** ISO-8601 time, kernel clock. */
  at?: string;
  failure?: {
    kind: string;
    status?: number;
    retryAfterS?: number;
  };
}

/**
 * A notification the kernel sent (or tried to), as it keeps it for pages.
 */
export interface IKernelRecord {
  id: string;
  /** ISO-8601 time the kernel was done with it. */
  at: string;
  path: string;
  /** Where "Go to cell" leads: the failing cell, else the run's last. */
  cellId?: string | null;
  event: unknown;
  results: IKernelResult[];
}

/**
 * The answer to a claim on a notification id.
 */
export interface IClaimReply {
  /** Whether the kernel knows the id (else nothing of it is the kernel's). */
  known: boolean;
  granted: boolean;
  /** Who has it when refused: another page, or the kernel itself. */
  by?: 'page' | 'kernel';
  /** The kernel's channels for it. */
  channels?: string[];
  /** Set while the kernel is still sending it. */
  sending?: boolean;
  results?: IKernelResult[];
  leaseS?: number;
}

/**
 * A run that ended in the kernel, for pages that did not see it run.
 */
export interface IEndedRun {
  id: string;
  /** Shaped like the lab's `IRunSummary` (kernel clock). */
  summary: unknown;
  /** Whether the run notifies by the rule the page that ran it gave. */
  notify: boolean;
}

/**
 * What the watcher tells a page that says hello.
 */
export interface IHelloReply {
  records: IKernelRecord[];
  ended: IEndedRun[];
  running: { run: string; path: string; executed: number }[];
}

/**
 * The content of a request: a comm info request for the relay's target,
 * with the request itself under `lmk`.
 */
export function requestContent(
  op: string,
  fields: { [key: string]: unknown } = {}
): { target_name: string; lmk: { [key: string]: unknown } } {
  return { target_name: RELAY_TARGET, lmk: { ...fields, op } };
}

/**
 * The watcher's part of a reply, or `null` when the kernel answered as a
 * plain comm info request: no watcher (or an incompatible one).
 */
export function readReply(content: unknown): { [key: string]: unknown } | null {
  const lmk = (content as { lmk?: unknown } | null)?.lmk;
  if (!lmk || typeof lmk !== 'object' || Array.isArray(lmk)) {
    return null;
  }
  return (lmk as { protocol?: unknown }).protocol === 1
    ? (lmk as { [key: string]: unknown })
    : null;
}

/** A claim's answer, defensively read. */
export function readClaim(reply: { [key: string]: unknown }): IClaimReply {
  return {
    known: reply.known === true,
    granted: reply.granted === true,
    by: reply.by === 'kernel' || reply.by === 'page' ? reply.by : undefined,
    channels: strings(reply.channels),
    sending: reply.sending === true,
    results: Array.isArray(reply.results)
      ? reply.results.filter(isResult)
      : undefined,
    leaseS: typeof reply.leaseS === 'number' ? reply.leaseS : undefined
  };
}

/** A hello's answer, defensively read. */
export function readHello(reply: { [key: string]: unknown }): IHelloReply {
  return {
    records: Array.isArray(reply.records) ? reply.records.filter(isRecord) : [],
    ended: Array.isArray(reply.ended) ? reply.ended.filter(isEnded) : [],
    running: Array.isArray(reply.running)
      ? reply.running.filter(
          (r): r is IHelloReply['running'][number] =>
            !!r && typeof r.run === 'string' && typeof r.path === 'string'
        )
      : []
  };
}

/** A push from the watcher: a run that ended, or a delivery it made. */
export type RelayPush =
  | { op: 'ended'; ended: IEndedRun }
  | { op: 'delivered'; record: IKernelRecord };

/** A push's content, defensively read; `null` if it is neither. */
export function readPush(content: unknown): RelayPush | null {
  const push = content as { op?: unknown; record?: unknown } | null;
  if (push?.op === 'ended' && isEnded(push)) {
    return { op: 'ended', ended: push };
  }
  if (push?.op === 'delivered' && isRecord(push.record)) {
    return { op: 'delivered', record: push.record };
  }
  return null;
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string')
    : undefined;
}

function isResult(value: unknown): value is IKernelResult {
  const result = value as IKernelResult | null;
  return (
    !!result &&
    typeof result.channelId === 'string' &&
    (result.status === 'sent' ||
      result.status === 'failed' ||
      result.status === 'skipped')
  );
}

function isRecord(value: unknown): value is IKernelRecord {
  const record = value as IKernelRecord | null;
  if (
    !record ||
    typeof record.id !== 'string' ||
    typeof record.at !== 'string' ||
    !Array.isArray(record.results)
  ) {
    return false;
  }
  record.results = record.results.filter(isResult);
  record.path = typeof record.path === 'string' ? record.path : '';
  return true;
}

function isEnded(value: unknown): value is IEndedRun {
  const ended = value as IEndedRun | null;
  return (
    !!ended &&
    typeof ended.id === 'string' &&
    !!ended.summary &&
    typeof ended.summary === 'object' &&
    typeof ended.notify === 'boolean'
  );
}
