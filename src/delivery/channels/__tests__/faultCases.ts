/**
 * The faults every channel that reads its service's answer must name the
 * same way: through the real fetch, against a loopback receiver.
 */
import type { LoopbackReceiver } from '../../../__tests__/loopbackReceiver';
import type { IDeliveryResult } from '../../../tokens';
import { DeliveryError } from '../../deliveryError';

/**
 * Define the fault tests of one channel.
 *
 * @param receiver - the loopback receiver the channel sends to.
 * @param send - one delivery (its timeout must be well under 2 s).
 * @param secrets - what no error message may contain (tokens, paths).
 */
export function describeFaults(
  receiver: () => LoopbackReceiver,
  send: () => Promise<IDeliveryResult>,
  secrets: () => string[]
): void {
  const failure = async (): Promise<DeliveryError> => {
    try {
      await send();
    } catch (reason) {
      expect(reason).toBeInstanceOf(DeliveryError);
      const error = reason as DeliveryError;
      for (const secret of secrets()) {
        expect(error.message).not.toContain(secret);
      }
      return error;
    }
    throw new Error('the delivery did not fail');
  };

  describe('faults', () => {
    it('401: unauthorized, not retried, no secret in the message even when the service echoes it', async () => {
      receiver().answer({
        status: 401,
        body: { error: `unauthorized: ${secrets().join(' ')}` }
      });
      const error = await failure();
      expect(error.kind).toBe('unauthorized');
      expect(error.retryable).toBe(false);
      expect(error.message).toContain('401');
    });

    it('404: not-found (wrong topic or revoked webhook), not retried', async () => {
      receiver().answer({ status: 404, body: { error: 'not found' } });
      const error = await failure();
      expect(error.kind).toBe('not-found');
      expect(error.retryable).toBe(false);
    });

    it('429 with Retry-After: 7: rate-limited, retried after 7 s', async () => {
      receiver().answer({ status: 429, headers: { 'Retry-After': '7' } });
      const error = await failure();
      expect(error.kind).toBe('rate-limited');
      expect(error.retryAfterMs).toBe(7000);
      expect(error.retryable).toBe(true);
    });

    it('500: server error, retried', async () => {
      receiver().answer({ status: 500 });
      const error = await failure();
      expect(error.kind).toBe('server');
      expect(error.retryable).toBe(true);
    });

    it('connection reset after earlier deliveries: a dropped connection (it may have arrived), retried', async () => {
      await send();
      receiver().answer({ fault: 'reset' });
      const error = await failure();
      expect(error.kind).toBe('dropped');
      expect(error.retryable).toBe(true);
      expect(error.mayHaveArrived).toBe(true);
    });

    it('an answer slower than the timeout: timeout, retried', async () => {
      receiver().answer({ delayMs: 3000 });
      const error = await failure();
      expect(error.kind).toBe('timeout');
      expect(error.retryable).toBe(true);
    });
  });
}
