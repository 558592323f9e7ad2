/**
 * What a page in a browser sees: the same channels through `browserFetch`,
 * Node's fetch with the browser's CORS rules (real preflights to the
 * loopback receivers, refusals as the browser's TypeError, opaque no-cors
 * answers).
 */
import { nullTranslator } from '@jupyterlab/translation';
import {
  browserFetch,
  LoopbackReceiver
} from '../../../__tests__/loopbackReceiver';
import { DeliveryError } from '../../deliveryError';
import { forgetAnsweredHosts } from '../../http';
import { DiscordChannel } from '../discordChannel';
import { MattermostChannel } from '../mattermostChannel';
import { NtfyChannel } from '../ntfyChannel';
import { SlackChannel } from '../slackChannel';
import { TeamsChannel } from '../teamsChannel';
import { WebhookChannel } from '../webhookChannel';
import { failedRunEvent, notificationOf } from './sampleEvents';

const trans = nullTranslator.load('jupyterlab_lmk');
const notification = notificationOf(failedRunEvent());

describe('channels as a browser page sees them (CORS rules applied to loopback receivers)', () => {
  const realFetch = globalThis.fetch;
  /** Sends no CORS header at all, like Slack (and most services). */
  let noCors: LoopbackReceiver;
  /** Allows any origin and the headers asked for, like a receiver set up for the lab. */
  let withCors: LoopbackReceiver;

  beforeAll(async () => {
    noCors = await LoopbackReceiver.start();
    withCors = await LoopbackReceiver.start({
      cors: { origin: '*' },
      defaultAnswer: { body: { ok: true } }
    });
    globalThis.fetch = browserFetch(location.origin);
  });
  afterAll(async () => {
    globalThis.fetch = realFetch;
    await Promise.all([noCors.close(), withCors.close()]);
  });
  beforeEach(() => {
    forgetAnsweredHosts();
    noCors.clear();
    withCors.clear();
  });

  const config = (type: string, url: string, extra: object = {}) => ({
    id: type,
    type,
    enabled: true,
    url,
    ...extra
  });

  describe('generic webhook', () => {
    const channel = new WebhookChannel({ trans, timeoutMs: 2000 });

    it('a receiver without CORS: refused before anything is posted, and the error says what to allow', async () => {
      const error: DeliveryError = await channel
        .send(notification, config('webhook', noCors.url('/hook')))
        .catch(reason => reason);
      expect(error).toBeInstanceOf(DeliveryError);
      expect(error.kind).toBe('cors');
      expect(error.retryable).toBe(false);
      expect(error.message).toContain(
        'Access-Control-Allow-Origin: http://localhost'
      );
      expect(error.message).toContain(
        'Access-Control-Allow-Headers: Content-Type, X-Lmk-Event-Id'
      );
      expect(error.message).toContain('Access-Control-Allow-Methods: POST');
      expect(error.message).not.toContain('/hook');
      expect(noCors.received('OPTIONS')).toHaveLength(1);
      expect(noCors.received('POST')).toHaveLength(0);
    });

    it('a receiver that allows the lab: preflight for the custom headers, then the POST', async () => {
      const result = await channel.send(
        notification,
        config('webhook', withCors.url('/hook'))
      );
      expect(result.confirmed).toBe(true);
      const preflight = withCors.single('OPTIONS');
      expect(preflight.headers['access-control-request-method']).toBe('POST');
      expect(preflight.headers['access-control-request-headers']).toBe(
        'content-type,x-lmk-event-id'
      );
      expect(withCors.single('POST').headers.origin).toBe('http://localhost');
    });

    it('429: Retry-After is read only when the receiver exposes it to the page (Access-Control-Expose-Headers)', async () => {
      const rateLimited = () =>
        withCors.answer({ status: 429, headers: { 'Retry-After': '7' } });
      rateLimited();
      const hidden: DeliveryError = await channel
        .send(notification, config('webhook', withCors.url('/hook')))
        .catch(reason => reason);
      expect(hidden.kind).toBe('rate-limited');
      // The outbox then waits at least 30 s (retryPolicy).
      expect(hidden.retryAfterMs).toBeNull();
      withCors.cors = { origin: '*', exposeHeaders: 'Retry-After' };
      try {
        rateLimited();
        const shown: DeliveryError = await channel
          .send(notification, config('webhook', withCors.url('/hook')))
          .catch(reason => reason);
        expect(shown.retryAfterMs).toBe(7000);
      } finally {
        withCors.cors = { origin: '*' };
      }
    });
  });

  describe('Slack (sends no CORS headers)', () => {
    const channel = new SlackChannel({ trans, timeoutMs: 2000 });

    it('posts the form without a preflight; sent, honestly not confirmed', async () => {
      const result = await channel.send(
        notification,
        config('slack', noCors.url('/services/T/B/x'))
      );
      expect(result).toEqual({
        channelId: 'slack',
        status: 'sent',
        confirmed: false,
        detail: expect.stringMatching(/not confirmed.*cannot tell/)
      });
      expect(noCors.received('OPTIONS')).toHaveLength(0);
      const post = noCors.single('POST');
      expect(post.text.startsWith('payload=')).toBe(true);
      expect(post.headers.cookie).toBeUndefined();
      expect(post.headers.referer).toBeUndefined();
    });

    it('even an error answer stays hidden: still "not confirmed", never "confirmed"', async () => {
      noCors.answer({ status: 500, body: 'invalid_payload' });
      const result = await channel.send(
        notification,
        config('slack', noCors.url('/services/T/B/x'))
      );
      expect(result.confirmed).toBe(false);
    });

    it('a connection reset is still seen: a dropped connection (the form may have arrived), retried', async () => {
      noCors.answer({ fault: 'reset' });
      await expect(
        channel.send(
          notification,
          config('slack', noCors.url('/services/T/B/x'))
        )
      ).rejects.toMatchObject({
        kind: 'dropped',
        retryable: true,
        mayHaveArrived: true
      });
    });
  });

  describe('Mattermost', () => {
    it('a server without CORS: JSON is refused at the preflight, the form goes instead (once), not confirmed', async () => {
      const channel = new MattermostChannel({ trans, timeoutMs: 2000 });
      const url = noCors.url('/hooks/abc');
      const first = await channel.send(notification, config('mattermost', url));
      expect(first.confirmed).toBe(false);
      expect(first.detail).toMatch(/Mattermost/);
      // Only the form was posted: the preflight stopped the JSON one.
      const [post] = noCors.received('POST');
      expect(noCors.received('POST')).toHaveLength(1);
      expect(String(post.headers['content-type'])).toMatch(
        /^application\/x-www-form-urlencoded/
      );
      const payload = JSON.parse(
        new URLSearchParams(post.text).get('payload') ?? ''
      );
      expect(payload.text).toContain('train\\_model.ipynb failed');

      // The next one goes straight to the form.
      noCors.clear();
      await channel.send(notification, config('mattermost', url));
      expect(noCors.received('OPTIONS')).toHaveLength(0);
      expect(noCors.received('POST')).toHaveLength(1);
    });

    it('a server that allows the lab (AllowCorsFrom): JSON, confirmed', async () => {
      const channel = new MattermostChannel({ trans, timeoutMs: 2000 });
      const result = await channel.send(
        notification,
        config('mattermost', withCors.url('/hooks/abc'))
      );
      expect(result.confirmed).toBe(true);
      expect(withCors.single('POST').headers['content-type']).toBe(
        'application/json'
      );
    });
  });

  describe('Teams', () => {
    it('a workflow without CORS: fails naming CORS, nothing posted', async () => {
      const channel = new TeamsChannel({ trans, timeoutMs: 2000 });
      const error: DeliveryError = await channel
        .send(
          notification,
          config('teams', noCors.url('/workflows/x?sig=s3cr3tsig'))
        )
        .catch(reason => reason);
      expect(error.kind).toBe('cors');
      expect(error.message).toMatch(/Teams workflow .*\(CORS\)/);
      expect(error.message).not.toContain('s3cr3tsig');
      expect(noCors.received('POST')).toHaveLength(0);
    });
  });

  describe('Discord and ntfy (they allow cross-origin requests)', () => {
    it('Discord: JSON after a preflight, confirmed', async () => {
      const channel = new DiscordChannel({ trans, timeoutMs: 2000 });
      const result = await channel.send(
        notification,
        config('discord', withCors.url('/api/webhooks/1/x'))
      );
      expect(result.confirmed).toBe(true);
      expect(withCors.received('OPTIONS')).toHaveLength(1);
    });

    it('ntfy with a token: no preflight at all (auth parameter, no Content-Type), confirmed', async () => {
      const channel = new NtfyChannel({ trans, timeoutMs: 2000 });
      const result = await channel.send(notification, {
        id: 'ntfy',
        type: 'ntfy',
        enabled: true,
        server: withCors.url(),
        topic: 'lmk-topic',
        token: 'tk_abcdefghijklmnopqrstuvwxyz123'
      });
      expect(result.confirmed).toBe(true);
      expect(withCors.received('OPTIONS')).toHaveLength(0);
      expect(withCors.single('POST').query.has('auth')).toBe(true);
    });
  });
});
