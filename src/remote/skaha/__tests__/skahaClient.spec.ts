/// <reference types="node" />
/**
 * The Skaha client, validation and delete selection against the loopback
 * Skaha API (the real service cannot run here).
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import { nullTranslator } from '@jupyterlab/translation';
import { browserFetch } from '../../../__tests__/loopbackReceiver';
import { SkahaLoopback } from '../../../__tests__/skahaLoopback';
import { DeliveryError } from '../../../delivery/deliveryError';
import { forgetAnsweredHosts } from '../../../delivery/http';
import { emptySessionForm, validateCreate } from '../createRequest';
import { selectSessions } from '../deleteSelection';
import { SkahaClient } from '../skahaClient';
import { jupyterServerOf, parseLimits } from '../skahaSession';

const trans = nullTranslator.load('jupyterlab_lmk');
const TOKEN = 'sk-secret-token-1234';

describe('Skaha client (loopback Skaha API)', () => {
  let skaha: SkahaLoopback;
  let client: SkahaClient;

  beforeAll(async () => {
    skaha = await SkahaLoopback.start({ token: TOKEN });
  });
  afterAll(async () => {
    await skaha.close();
  });
  beforeEach(() => {
    skaha.clear();
    forgetAnsweredHosts();
    client = new SkahaClient({ url: skaha.url, token: TOKEN, trans });
  });

  it('lists sessions, filtered by kind and status on the server (loopback Skaha API)', async () => {
    skaha.seed(9);
    const all = await client.list();
    expect(all).toHaveLength(9);
    const running = await client.list({ kind: 'notebook', status: 'Running' });
    expect(running.length).toBe(3);
    expect(running.every(s => s.kind === 'notebook')).toBe(true);
    expect(running.every(s => s.status === 'Running')).toBe(true);
    const request = skaha.received('GET').pop()!;
    expect(request.query.get('type')).toBe('notebook');
    expect(request.query.get('status')).toBe('Running');
    expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
    // What the list shows comes through the defensive parser.
    expect(running[0].requested).toEqual({ cores: '2', ram: '8G', gpus: '' });
    expect(running[0].startTime).not.toBeNull();
  });

  it('does not send a form that does not validate, and says why per field (loopback Skaha API)', () => {
    const limits = parseLimits(skaha.context);
    const { spec, errors } = validateCreate(
      {
        ...emptySessionForm(),
        name: 'bad name!',
        image: '',
        cores: '3',
        ram: '1000',
        kind: 'desktop',
        replicas: '2',
        env: 'OK=1\nnot a pair'
      },
      limits,
      trans
    );
    expect(spec).toBeNull();
    expect(errors.name).toContain('letters, digits');
    expect(errors.image).toContain('image');
    expect(errors.cores).toContain('1, 2, 4, 8, 16');
    expect(errors.ram).toContain('whole number');
    expect(errors.replicas).toContain('cannot have replicas');
    expect(errors.env).toContain('Line 2');
    expect(skaha.received('POST')).toHaveLength(0);
  });

  it('launches replicas as N sessions name-1..N, each with REPLICA_ID and REPLICA_COUNT (loopback Skaha API)', async () => {
    const { spec } = validateCreate(
      {
        ...emptySessionForm(),
        name: 'batch',
        image: 'skaha/terminal:1.1.1',
        kind: 'headless',
        cores: '2',
        ram: '4',
        cmd: 'python',
        args: 'run.py --fast',
        env: 'MODE=test\nPATH=/usr/local/bin',
        replicas: '3'
      },
      parseLimits(skaha.context),
      trans
    );
    expect(spec).not.toBeNull();
    const result = await client.create(spec!);
    expect(result.failures).toEqual([]);
    expect(result.ids).toHaveLength(3);
    const launched = result.ids.map(id => skaha.sessions.get(id)!);
    expect(launched.map(s => s.name)).toEqual([
      'batch-1',
      'batch-2',
      'batch-3'
    ]);
    launched.forEach((session, index) => {
      expect(session.image).toBe('images.canfar.net/skaha/terminal:1.1.1');
      expect(session.cmd).toBe('python');
      expect(session.args).toBe('run.py --fast');
      expect(session.env).toEqual([
        'MODE=test',
        'PATH=/usr/local/bin',
        `REPLICA_ID=${index + 1}`,
        'REPLICA_COUNT=3'
      ]);
    });
    const post = skaha.received('POST')[0];
    expect(post.headers['content-type']).toContain(
      'application/x-www-form-urlencoded'
    );
    const form = new URLSearchParams(post.body);
    expect(form.get('type')).toBe('headless');
    expect(form.get('cores')).toBe('2');
    expect(form.get('ram')).toBe('4');
  });

  it('flexible resources: empty cores and RAM are not sent (loopback Skaha API)', async () => {
    const { spec } = validateCreate(
      {
        ...emptySessionForm(),
        name: 'flex',
        image: 'images.canfar.net/skaha/astroml:24.04',
        kind: 'notebook'
      },
      null,
      trans
    );
    const result = await client.create(spec!);
    expect(result.ids).toHaveLength(1);
    const form = new URLSearchParams(skaha.single('POST').body);
    expect(form.has('cores')).toBe(false);
    expect(form.has('ram')).toBe(false);
    expect(form.get('name')).toBe('flex');
    expect(skaha.sessions.get(result.ids[0])!.isFixedResources).toBe(false);
  });

  it('a launch the service refuses shows its reason (loopback Skaha API)', async () => {
    const error = await client
      .create({
        name: 'x',
        image: 'images.canfar.net/skaha/astroml:latest',
        kind: 'headless',
        cores: 3,
        env: [],
        replicas: 1
      })
      .catch(reason => reason);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.message).toContain("Unavailable option for 'cores': 3");
  });

  it('reads logs, events, info, platform stats and limits (loopback Skaha API)', async () => {
    const [session] = skaha.seed(1, { statuses: ['Pending'] });
    skaha.setStatus(session.id, 'Running');
    expect(await client.logs(session.id)).toContain('Starting');
    expect(await client.events(session.id)).toContain('Started container');
    const info = await client.info(session.id);
    expect(info.status).toBe('Running');
    expect(info.used.ram).toBe('512Mi');
    const stats = await client.stats();
    expect(stats.availableCores).toBe(960);
    expect(stats.maxCores).toEqual({ cores: 32, withRAM: '147Gi' });
    const limits = await client.limits();
    expect(limits.cores.options).toEqual([1, 2, 4, 8, 16]);
    expect(limits.gpus.options).toEqual([1, 2]);
  });

  it('a notebook becomes a Jupyter server once Running: base URL and token from the connect URL (loopback Skaha API)', async () => {
    const [session] = skaha.seed(1, {
      kinds: ['notebook'],
      statuses: ['Pending']
    });
    const pending = await client.info(session.id);
    expect(jupyterServerOf(pending)).toBeNull();
    skaha.run();
    const running = await client.info(session.id);
    expect(jupyterServerOf(running)).toEqual({
      url: `${skaha.origin}/session/notebook/${session.id}/`,
      token: session.id
    });
  });

  it('renews a session: its expiry moves later (loopback Skaha API)', async () => {
    const [session] = skaha.seed(1);
    session.expiryTime = new Date(Date.now() + 60_000).toISOString();
    await client.renew(session.id);
    const renew = skaha.single('POST');
    expect(renew.query.get('action')).toBe('renew');
    const info = await client.info(session.id);
    expect(Date.parse(info.expiryTime!)).toBeGreaterThan(
      Date.now() + 86_400_000
    );
  });

  it('deletes one session, and a gone one says so (loopback Skaha API)', async () => {
    const [session] = skaha.seed(2);
    await client.remove(session.id);
    expect(skaha.sessions.has(session.id)).toBe(false);
    expect(await client.list()).toHaveLength(1);
    const error = await client.remove(session.id).catch(reason => reason);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.kind).toBe('not-found');
    expect(error.message).toContain('the session may be gone');
  });

  it('deletes by prefix and by regex after a preview (loopback Skaha API)', async () => {
    skaha.seed(4, { prefix: 'run' });
    skaha.seed(3, { prefix: 'keep' });
    const listed = await client.list();
    const byPrefix = selectSessions(listed, 'run-', 'prefix', trans);
    expect(byPrefix.error).toBeNull();
    expect(byPrefix.matches.map(s => s.name)).toEqual([
      'run-1',
      'run-2',
      'run-3',
      'run-4'
    ]);
    // Nothing is deleted by the preview.
    expect(skaha.received('DELETE')).toHaveLength(0);
    const byRegex = selectSessions(listed, '^keep-[12]$', 'regex', trans);
    expect(byRegex.matches.map(s => s.name)).toEqual(['keep-1', 'keep-2']);
    const result = await client.removeMany(
      [...byPrefix.matches, ...byRegex.matches].map(s => s.id)
    );
    expect(result.failures).toEqual([]);
    expect((await client.list()).map(s => s.name)).toEqual(['keep-3']);
  });

  it('an invalid regex gives a clear message and selects nothing (loopback Skaha API)', async () => {
    skaha.seed(2);
    const { matches, error } = selectSessions(
      await client.list(),
      'run-(',
      'regex',
      trans
    );
    expect(matches).toEqual([]);
    expect(error).toContain('not a valid regular expression');
  });

  it('a wrong token: a clear message that does not contain the token (loopback Skaha API)', async () => {
    const wrong = new SkahaClient({
      url: skaha.url,
      token: 'wrong-token-abcdef',
      trans
    });
    const error = await wrong.list().catch(reason => reason);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.kind).toBe('unauthorized');
    expect(error.message).toContain('refused the token (401)');
    expect(error.message).not.toContain('wrong-token-abcdef');
    expect(error.message).not.toContain(TOKEN);
  });
});

describe('Skaha client failures (loopback Skaha API)', () => {
  it('an address where nothing listens: unreachable, in words (loopback Skaha API)', async () => {
    const server = http.createServer();
    await new Promise<void>(resolve =>
      server.listen(0, '127.0.0.1', () => resolve())
    );
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>(resolve => server.close(() => resolve()));
    const client = new SkahaClient({
      url: `http://127.0.0.1:${port}/skaha/v1`,
      token: TOKEN,
      trans,
      timeoutMs: 3000
    });
    const error = await client.list().catch(reason => reason);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.kind).toBe('unreachable');
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).not.toContain(TOKEN);
  });

  describe('in a browser page (browserFetch applies CORS)', () => {
    const realFetch = globalThis.fetch;
    let closed: SkahaLoopback;
    let open: SkahaLoopback;
    beforeAll(async () => {
      closed = await SkahaLoopback.start({ token: TOKEN, corsOrigin: null });
      open = await SkahaLoopback.start({
        token: TOKEN,
        corsOrigin: location.origin
      });
      globalThis.fetch = browserFetch(location.origin);
    });
    afterAll(async () => {
      globalThis.fetch = realFetch;
      await Promise.all([closed.close(), open.close()]);
    });
    beforeEach(() => forgetAnsweredHosts());

    it('a service that does not allow this lab: CORS, said so, nothing listed (loopback Skaha API)', async () => {
      closed.seed(2);
      const client = new SkahaClient({ url: closed.url, token: TOKEN, trans });
      const error = await client.list().catch(reason => reason);
      expect(error).toBeInstanceOf(DeliveryError);
      expect(error.kind).toBe('cors');
      expect(error.message).toContain('does not allow requests from this lab');
      expect(error.message).toContain(location.origin);
      expect(error.message).not.toContain(TOKEN);
      // The Authorization header needs a preflight, which was refused.
      expect(closed.received('OPTIONS')).toHaveLength(1);
      expect(closed.received('GET')).toHaveLength(0);
    });

    it('a service that allows this lab: preflight, then list and launch (loopback Skaha API)', async () => {
      const client = new SkahaClient({ url: open.url, token: TOKEN, trans });
      open.seed(2);
      expect(await client.list()).toHaveLength(2);
      const result = await client.create({
        name: 'cors-ok',
        image: 'images.canfar.net/skaha/astroml:latest',
        kind: 'headless',
        env: [],
        replicas: 1
      });
      expect(result.ids).toHaveLength(1);
      expect(open.received('OPTIONS').length).toBeGreaterThan(0);
    });
  });
});
