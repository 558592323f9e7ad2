/// <reference types="node" />
import { createHmac, webcrypto } from 'crypto';
import { nullTranslator } from '@jupyterlab/translation';
import { LoopbackReceiver } from '../../../__tests__/loopbackReceiver';
import { DeliveryError } from '../../deliveryError';
import { WebhookChannel, webhookDescription } from '../webhookChannel';
import { failedRunEvent, hugeTraceback, notificationOf } from './sampleEvents';

const trans = nullTranslator.load('jupyterlab_lmk');

/** jsdom has no Web Crypto; a secure page in a browser has. */
function installWebCrypto(): void {
  Object.defineProperty(globalThis.crypto, 'subtle', {
    value: webcrypto.subtle,
    configurable: true
  });
}
function removeWebCrypto(): void {
  Object.defineProperty(globalThis.crypto, 'subtle', {
    value: undefined,
    configurable: true
  });
}
const PATH = '/hooks/abc123secretpath';
const SECRET = 'correct-horse-battery-staple';

describe('generic webhook channel, against a loopback webhook receiver', () => {
  let receiver: LoopbackReceiver;
  let channel: WebhookChannel;

  beforeAll(async () => {
    installWebCrypto();
    receiver = await LoopbackReceiver.start();
    channel = new WebhookChannel({ trans, timeoutMs: 600 });
  });
  afterAll(() => receiver.close());
  beforeEach(() => receiver.clear());

  const config = (extra: object = {}) => ({
    id: 'hook',
    type: 'webhook',
    enabled: true,
    url: receiver.url(PATH),
    ...extra
  });

  it('POSTs the v1 event exactly, as JSON, with the notification id', async () => {
    const event = failedRunEvent();
    const result = await channel.send(notificationOf(event, 'n-1'), config());
    expect(result).toEqual({
      channelId: 'hook',
      status: 'sent',
      confirmed: true
    });
    const request = receiver.single();
    expect(request.path).toBe(PATH);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-lmk-event-id']).toBe('n-1');
    expect(request.headers['x-lmk-signature-256']).toBeUndefined();
    expect(request.headers.cookie).toBeUndefined();
    // Exactly the event: no target, no config, nothing added.
    expect(JSON.parse(request.text)).toEqual(event);
  });

  it('signs the exact body bytes with HMAC-SHA256 when a secret is set', async () => {
    await channel.send(
      notificationOf(failedRunEvent()),
      config({ secret: SECRET })
    );
    const request = receiver.single();
    const expected =
      'sha256=' +
      createHmac('sha256', SECRET).update(request.body).digest('hex');
    expect(request.headers['x-lmk-signature-256']).toBe(expected);
    expect(request.text).not.toContain(SECRET);
  });

  it('sends the same event id on a retry, so the receiver can drop the copy', async () => {
    receiver.answer({ status: 503 });
    const notification = notificationOf(failedRunEvent(), 'n-retry');
    await expect(channel.send(notification, config())).rejects.toThrow();
    await channel.send(notification, config());
    const ids = receiver.received().map(r => r.headers['x-lmk-event-id']);
    expect(ids).toEqual(['n-retry', 'n-retry']);
  });

  it('keeps a 1 MB traceback within 64 KB, still a valid event ending with the error', async () => {
    const event = failedRunEvent(hugeTraceback());
    await channel.send(notificationOf(event), config());
    const request = receiver.single();
    expect(request.body.length).toBeLessThanOrEqual(64 * 1024);
    const sent = JSON.parse(request.text);
    expect(sent.version).toBe(1);
    expect(sent.event).toBe('run.failed');
    expect(sent.error.traceback[sent.error.traceback.length - 1]).toBe(
      'ValueError: the real error'
    );
    expect(sent.message).toContain('ValueError: the real error');
  });

  describe('faults', () => {
    const sendFailing = async (extra: object = {}): Promise<DeliveryError> => {
      try {
        await channel.send(notificationOf(failedRunEvent()), config(extra));
      } catch (reason) {
        expect(reason).toBeInstanceOf(DeliveryError);
        return reason as DeliveryError;
      }
      throw new Error('the delivery did not fail');
    };

    it('401: unauthorized, not retried, and the message holds neither secret nor address', async () => {
      receiver.answer({
        status: 401,
        body: `bad signature for ${PATH} with ${SECRET}`
      });
      const error = await sendFailing({ secret: SECRET });
      expect(error.kind).toBe('unauthorized');
      expect(error.retryable).toBe(false);
      expect(error.message).toContain('401');
      expect(error.message).not.toContain(SECRET);
      expect(error.message).not.toContain('abc123secretpath');
    });

    it('404: not-found, not retried', async () => {
      receiver.answer({ status: 404, body: 'no such hook' });
      const error = await sendFailing();
      expect(error.kind).toBe('not-found');
      expect(error.retryable).toBe(false);
    });

    it('429 with Retry-After: 7: rate-limited, retried after 7 s', async () => {
      receiver.answer({ status: 429, headers: { 'Retry-After': '7' } });
      const error = await sendFailing();
      expect(error.kind).toBe('rate-limited');
      expect(error.retryAfterMs).toBe(7000);
      expect(error.retryable).toBe(true);
    });

    it('500: server error, retried', async () => {
      receiver.answer({ status: 500, body: 'Internal Server Error' });
      const error = await sendFailing();
      expect(error.kind).toBe('server');
      expect(error.retryable).toBe(true);
    });

    it('connection reset (the receiver worked before): a dropped connection, retried', async () => {
      // A page cannot tell a reset from a CORS refusal by itself; a host
      // that accepted this page's requests before has working CORS.
      await channel.send(notificationOf(failedRunEvent()), config());
      receiver.answer({ fault: 'reset' });
      const error = await sendFailing();
      expect(error.kind).toBe('dropped');
      expect(error.retryable).toBe(true);
      expect(error.mayHaveArrived).toBe(true);
      expect(error.message).toContain('127.0.0.1');
      expect(error.message).not.toContain('CORS');
      expect(error.message).not.toContain('abc123secretpath');
    });

    it('a receiver slower than the timeout: timeout, retried', async () => {
      receiver.answer({ delayMs: 3000 });
      const started = Date.now();
      const error = await sendFailing();
      expect(error.kind).toBe('timeout');
      expect(error.retryable).toBe(true);
      expect(Date.now() - started).toBeLessThan(2500);
    });

    it('a secret on a page without Web Crypto: invalid-config naming the cause, nothing sent', async () => {
      removeWebCrypto();
      try {
        const error = await sendFailing({ secret: SECRET });
        expect(error.kind).toBe('invalid-config');
        expect(error.message).toMatch(/secure page/);
        expect(error.message).not.toContain(SECRET);
        expect(receiver.requests).toHaveLength(0);
      } finally {
        installWebCrypto();
      }
    });

    it('no address: invalid-config, nothing sent', async () => {
      const error = await sendFailing({ url: '' });
      expect(error.kind).toBe('invalid-config');
      expect(receiver.requests).toHaveLength(0);
    });
  });
});

describe('webhookDescription', () => {
  it('marks the address and the secret as secrets', () => {
    const fields = webhookDescription.fields(trans);
    expect(fields.find(f => f.name === 'url')?.secret).toBe(true);
    expect(fields.find(f => f.name === 'secret')?.secret).toBe(true);
  });

  it('validates the address and summarises with the host only', () => {
    const base = { id: 'w', type: 'webhook', enabled: true };
    expect(
      webhookDescription.validate({ ...base, url: 'not a url' }, trans).url
    ).toMatch(/web address/);
    expect(
      webhookDescription.validate({ ...base, url: 'ftp://x.org/a' }, trans).url
    ).toMatch(/https:\/\//);
    expect(
      webhookDescription.validate(
        { ...base, url: 'https://hooks.example.org/abc' },
        trans
      )
    ).toEqual({});
    expect(
      webhookDescription.summary({
        ...base,
        url: 'https://hooks.example.org/abc?token=s3cret',
        secret: 'x'
      })
    ).toBe('hooks.example.org');
  });
});
