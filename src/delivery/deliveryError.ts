/**
 * Why a delivery to a remote service failed, in the terms the outbox and the
 * user care about.
 *
 * - `unreachable`: no answer at all (network down, wrong host, connection reset)
 * - `timeout`: no answer in time
 * - `cors`: the server answered but the browser refused to show us the answer
 * - `unauthorized` / `forbidden`: 401 / 403
 * - `not-found`: 404 (wrong topic, revoked webhook, unknown room)
 * - `rate-limited`: 429
 * - `server`: 5xx
 * - `rejected`: any other 4xx (the service does not accept what we sent)
 * - `invalid-config`: the channel's settings cannot work (bad URL, no topic)
 */
export type DeliveryFailureKind =
  | 'unreachable'
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
  }

  /** The HTTP status, when the service answered. */
  readonly status: number | null;

  /** How long the service asked us to wait (`Retry-After`), if it did. */
  readonly retryAfterMs: number | null;

  /**
   * Whether trying again later may succeed: network errors, timeouts, 408,
   * 429 and 5xx. Never other 4xx, CORS refusals or invalid settings.
   */
  get retryable(): boolean {
    return (
      this.kind === 'unreachable' ||
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
  }
}
