import { nullTranslator } from '@jupyterlab/translation';
import { LoopbackReceiver } from '../../../__tests__/loopbackReceiver';
import { DeliveryError } from '../../deliveryError';
import {
  checkNtfyServer,
  ntfyAuthParam,
  ntfyLogin,
  ntfyLogout
} from '../../ntfyAccount';
import { NtfyChannel, ntfyDescription } from '../ntfyChannel';
import { describeFaults } from './faultCases';
import {
  failedRunEvent,
  finishedRunEvent,
  hugeTraceback,
  notificationOf
} from './sampleEvents';

const trans = nullTranslator.load('jupyterlab_lmk');
const TOKEN = 'tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2';
const TOPIC = 'lmk-7f3a9c2e41';

/** What ntfy answers a published message with. */
const PUBLISHED = {
  id: 'sPs71M8A2T',
  time: 1700000000,
  event: 'message',
  topic: TOPIC
};

/**
 * Check a request against ntfy's documented JSON publishing: POST to the
 * server root, a JSON body, no header that needs a CORS preflight, and the
 * credentials in the `auth` query parameter.
 */
function expectNtfyPublish(request: {
  method: string;
  path: string;
  headers: { [name: string]: unknown };
}): void {
  expect(request.method).toBe('POST');
  expect(request.path).toBe('/');
  expect(request.headers.authorization).toBeUndefined();
  // No Content-Type of ours: the browser's default for text needs no preflight.
  expect(String(request.headers['content-type'])).toMatch(/^text\/plain/);
}

describe('ntfy channel, against a loopback ntfy server (ntfy’s documented JSON publishing)', () => {
  let receiver: LoopbackReceiver;
  const channel = new NtfyChannel({ trans, timeoutMs: 600 });

  beforeAll(async () => {
    receiver = await LoopbackReceiver.start({
      cors: { origin: '*' },
      defaultAnswer: { body: PUBLISHED }
    });
  });
  afterAll(() => receiver.close());
  beforeEach(() => receiver.clear());

  const config = (extra: object = {}) => ({
    id: 'phone',
    type: 'ntfy',
    enabled: true,
    server: receiver.url('/'),
    topic: TOPIC,
    ...extra
  });

  it('publishes a failed run as JSON to the root: title, markdown message, high priority, tags, click', async () => {
    const result = await channel.send(
      notificationOf(failedRunEvent()),
      config({ tags: 'gpu, lab', email: 'me@example.org' })
    );
    expect(result).toEqual({
      channelId: 'phone',
      status: 'sent',
      confirmed: true
    });
    const request = receiver.single();
    expectNtfyPublish(request);
    expect(request.query.has('auth')).toBe(false);
    const body = JSON.parse(request.text);
    expect(body).toEqual({
      topic: TOPIC,
      title: 'train_model.ipynb failed',
      message: failedRunEvent().message,
      priority: 4,
      tags: ['x', 'gpu', 'lab'],
      click: 'http://127.0.0.1:8888/lab/tree/runs/train_model.ipynb',
      markdown: true,
      email: 'me@example.org'
    });
  });

  it('uses the default priority and a check mark for a finished run; a fixed priority wins', async () => {
    await channel.send(notificationOf(finishedRunEvent()), config());
    await channel.send(
      notificationOf(failedRunEvent()),
      config({ priority: '2' })
    );
    const [finished, fixed] = receiver
      .received()
      .map(request => JSON.parse(request.text));
    expect(finished.priority).toBe(3);
    expect(finished.tags).toEqual(['white_check_mark']);
    expect(finished.email).toBeUndefined();
    expect(fixed.priority).toBe(2);
  });

  it('sends the token in the auth parameter (base64url of "Bearer <token>"), never as a header', async () => {
    await channel.send(
      notificationOf(failedRunEvent()),
      config({ token: TOKEN })
    );
    const request = receiver.single();
    expectNtfyPublish(request);
    const auth = request.query.get('auth') ?? '';
    expect(auth).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(auth, 'base64url').toString('utf8')).toBe(
      `Bearer ${TOKEN}`
    );
    expect(request.text).not.toContain(TOKEN);
  });

  it('keeps a 1 MB traceback within ntfy’s 4096-byte message limit, error line kept', async () => {
    await channel.send(
      notificationOf(failedRunEvent(hugeTraceback())),
      config()
    );
    const body = JSON.parse(receiver.single().text);
    expect(Buffer.byteLength(body.message, 'utf8')).toBeLessThanOrEqual(4096);
    expect(body.message).toContain('ValueError: the real error');
    expect(body.message.trimEnd().endsWith('```')).toBe(true);
  });

  it('refuses a topic ntfy would not take, without sending', async () => {
    await expect(
      channel.send(
        notificationOf(failedRunEvent()),
        config({ topic: 'my topic!' })
      )
    ).rejects.toMatchObject({ kind: 'invalid-config' });
    expect(receiver.requests).toHaveLength(0);
  });

  describeFaults(
    () => receiver,
    () =>
      channel.send(notificationOf(failedRunEvent()), config({ token: TOKEN })),
    () => [TOKEN, ntfyAuthParam(`Bearer ${TOKEN}`)]
  );
});

describe('ntfy account API, against a loopback ntfy server (POST /v1/account/token, GET /v1/health)', () => {
  let receiver: LoopbackReceiver;
  const PASSWORD = 'pässword-123';

  beforeAll(async () => {
    receiver = await LoopbackReceiver.start({ cors: { origin: '*' } });
  });
  afterAll(() => receiver.close());
  beforeEach(() => receiver.clear());

  it('logs in with the auth parameter holding "Basic base64(user:pass)" and returns the token', async () => {
    receiver.answer({
      body: { token: TOKEN, last_access: 1700000000, expires: 1800000000 }
    });
    const result = await ntfyLogin(receiver.url('/'), 'phil', PASSWORD, trans);
    expect(result).toEqual({ token: TOKEN, expires: 1800000000 });
    const request = receiver.single();
    expect(request.path).toBe('/v1/account/token');
    expect(request.headers.authorization).toBeUndefined();
    const auth = Buffer.from(
      request.query.get('auth') ?? '',
      'base64url'
    ).toString('utf8');
    expect(auth.startsWith('Basic ')).toBe(true);
    expect(Buffer.from(auth.slice(6), 'base64').toString('utf8')).toBe(
      `phil:${PASSWORD}`
    );
    expect(request.text).not.toContain(PASSWORD);
  });

  it('a token without expiry has expires null', async () => {
    receiver.answer({ body: { token: TOKEN } });
    await expect(
      ntfyLogin(receiver.url(), 'phil', PASSWORD, trans)
    ).resolves.toEqual({ token: TOKEN, expires: null });
  });

  it('401 says "wrong username or password", without the password', async () => {
    receiver.answer({
      status: 401,
      body: { code: 40101, http: 401, error: 'unauthorized' }
    });
    const error: DeliveryError = await ntfyLogin(
      receiver.url(),
      'phil',
      PASSWORD,
      trans
    ).catch(reason => reason);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.kind).toBe('unauthorized');
    expect(error.message).toMatch(/wrong username or password/);
    expect(error.message).not.toContain(PASSWORD);
  });

  it('logs out by revoking the token (DELETE with the token in auth)', async () => {
    receiver.answer({ body: { success: true } });
    await ntfyLogout(receiver.url(), TOKEN, trans);
    const request = receiver.single('DELETE');
    expect(request.path).toBe('/v1/account/token');
    expect(
      Buffer.from(request.query.get('auth') ?? '', 'base64url').toString()
    ).toBe(`Bearer ${TOKEN}`);
  });

  it('a token the server no longer knows counts as logged out', async () => {
    receiver.answer({ status: 401 });
    await expect(ntfyLogout(receiver.url(), TOKEN, trans)).resolves.toBe(
      undefined
    );
  });

  it('checks a server: healthy, not ntfy, unreachable', async () => {
    receiver.answer({ body: { healthy: true } });
    await expect(checkNtfyServer(receiver.url(), trans)).resolves.toBeNull();
    expect(receiver.single('GET').path).toBe('/v1/health');

    receiver.answer({ status: 404, body: '<html>blog</html>' });
    await expect(checkNtfyServer(receiver.url(), trans)).resolves.toMatch(
      /does not look like a working ntfy server/
    );

    await expect(checkNtfyServer('http://127.0.0.1:1', trans)).resolves.toMatch(
      /could not be reached/
    );
    await expect(checkNtfyServer('ntfy.sh', trans)).resolves.toMatch(
      /web address/
    );
  });
});

describe('ntfyDescription', () => {
  const base = { id: 'p', type: 'ntfy', enabled: true };

  it('validates topic characters and length, token shape, priority', () => {
    expect(
      ntfyDescription.validate({ ...base, topic: 'ok_topic-1' }, trans)
    ).toEqual({});
    expect(
      ntfyDescription.validate({ ...base, topic: 'has space' }, trans).topic
    ).toMatch(/1 to 64/);
    expect(
      ntfyDescription.validate({ ...base, topic: 'x'.repeat(65) }, trans).topic
    ).toMatch(/1 to 64/);
    expect(ntfyDescription.validate({ ...base }, trans).topic).toMatch(
      /Enter a topic/
    );
    const bad = ntfyDescription.validate(
      {
        ...base,
        topic: 'ok',
        server: 'nope',
        token: 'secret',
        priority: '9',
        email: 'not-mail'
      },
      trans
    );
    expect(Object.keys(bad).sort()).toEqual([
      'email',
      'priority',
      'server',
      'token'
    ]);
  });

  it('masks the topic in the summary and marks the token secret', () => {
    expect(
      ntfyDescription.summary({ ...base, topic: TOPIC, token: TOKEN })
    ).toBe('ntfy.sh · lmk…');
    const fields = ntfyDescription.fields(trans);
    expect(fields.find(f => f.name === 'token')?.secret).toBe(true);
    expect(fields.find(f => f.name === 'server')?.defaultValue).toBe(
      'https://ntfy.sh'
    );
  });
});
