/**
 * Why a delivery to a remote service failed, in the terms the outbox and the
 * user care about.
 *
 * - `unreachable`: no connection (network down, wrong host, server down)
 * - `dropped`: the connection to a server that answers was dropped or reset
 *   before its answer (the request may have been received)
 * - `timeout`: no answer in time (the request may have been received)
 * - `cors`: the server answers, but the browser refused the request or its
 *   answer: a CORS refusal, or a dropped connection (a page cannot tell)
 * - `unauthorized` / `forbidden`: 401 / 403
 * - `not-found`: 404 (wrong topic, revoked webhook, unknown room)
 * - `rate-limited`: 429
 * - `server`: 5xx
 * - `rejected`: any other 4xx (the service does not accept what we sent)
 * - `invalid-config`: the channel's settings cannot work (bad URL, no topic)
 */
export type DeliveryFailureKind =
  | 'unreachable'
  | 'dropped'
  | 'timeout'
  | 'cors'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'rate-limited'
  | 'server'
  | 'rejected'
  | 'invalid-config';

/**
 * A failed delivery. `message` is meant for the user: it names the cause in
 * plain words and never contains a secret (token, webhook URL, password).
 */
export class DeliveryError extends Error {
  constructor(
    readonly kind: DeliveryFailureKind,
    message: string,
    options: DeliveryError.IOptions = {}
  ) {
    super(message);
    this.name = 'DeliveryError';
    this.status = options.status ?? null;
    this.retryAfterMs = options.retryAfterMs ?? null;
    this.pendingMessage = options.pendingMessage ?? message;
  }

  /**
   * What the user reads while the delivery is retried: for a `cors`
   * failure, which may well be a dropped connection, it does not call it
   * CORS before the outbox concludes that it is.
   */
  readonly pendingMessage: string;

  /** The HTTP status, when the service answered. */
  readonly status: number | null;

  /** How long the service asked us to wait (`Retry-After`), if it did. */
  readonly retryAfterMs: number | null;

  /**
   * Whether the service may have received the request although no answer
   * said so (a timeout, a dropped connection): sending it again may post it
   * twice where the service does not drop copies.
   */
  get mayHaveArrived(): boolean {
    return (
      this.kind === 'timeout' || this.kind === 'dropped' || this.kind === 'cors'
    );
  }

  /**
   * Whether trying again later may succeed: network errors, timeouts, 408,
   * 429 and 5xx. Never other 4xx, CORS refusals or invalid settings.
   */
  get retryable(): boolean {
    return (
      this.kind === 'unreachable' ||
      this.kind === 'dropped' ||
      this.kind === 'timeout' ||
      this.kind === 'rate-limited' ||
      this.kind === 'server' ||
      this.status === 408
    );
  }
}

/**
 * The namespace for `DeliveryError` statics.
 */
export namespace DeliveryError {
  /**
   * Options of a delivery error.
   */
  export interface IOptions {
    status?: number;
    retryAfterMs?: number;
    /** See `DeliveryError.pendingMessage` (default: the message). */
    pendingMessage?: string;
  }
}
