/// <reference types="node" />
import { nullTranslator } from '@jupyterlab/translation';
import { DeliveryError } from '../../../delivery/deliveryError';
import { forgetAnsweredHosts } from '../../../delivery/http';
import {
  browserFetch,
  LoopbackReceiver
} from '../../../__tests__/loopbackReceiver';
import { checkServerName, HubClient, type ISpawnEvent } from '../hubClient';
import {
  freePort,
  HUB_ALLOWED_ORIGIN,
  HUB_TOKEN,
  HUB_USER,
  useJupyterHub
} from './hubFixture';

const trans = nullTranslator.load('jupyterlab_lmk');

/** The error a promise rejects with (fails if it resolves). */
async function failure(promise: Promise<unknown>): Promise<DeliveryError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DeliveryError);
    return error as DeliveryError;
  }
  throw new Error('Expected a failure');
}

describe('checkServerName', () => {
  it('accepts the names JupyterHub 6 accepts', () => {
    expect(checkServerName('analysis-2', trans)).toBeNull();
    expect(checkServerName('a', trans)).toBeNull();
  });

  it('refuses the names JupyterHub 6 refuses, saying why', () => {
    expect(checkServerName('', trans)).toMatch(/name/);
    expect(checkServerName('My server', trans)).toMatch(/lower-case/);
    expect(checkServerName('2fast', trans)).toMatch(/starting with a letter/);
    expect(checkServerName('end-', trans)).toMatch(/ending with/);
    expect(checkServerName('a--b', trans)).toMatch(/single hyphens/);
    expect(checkServerName('a'.repeat(31), trans)).toMatch(/at most 30/);
    expect(checkServerName('one', trans, ['one'])).toMatch(/already/);
  });
});

describe('HubClient.normalizeUrl', () => {
  it('finds the hub base from what a user may paste', () => {
    expect(HubClient.normalizeUrl('https://hub.example.org')).toBe(
      'https://hub.example.org/'
    );
    expect(HubClient.normalizeUrl('https://hub.example.org/hub/home')).toBe(
      'https://hub.example.org/'
    );
    expect(
      HubClient.normalizeUrl('https://example.org/jupyter/hub/api/ ')
    ).toBe('https://example.org/jupyter/');
    expect(HubClient.normalizeUrl('https://example.org/user/alice/lab')).toBe(
      'https://example.org/'
    );
  });
});

describe('HubClient against a real JupyterHub', () => {
  const hubUrl = useJupyterHub();
  const nodeFetch = globalThis.fetch;
  let client: HubClient;

  beforeEach(() => {
    client = new HubClient({ url: hubUrl(), token: HUB_TOKEN, trans });
  });

  afterEach(() => {
    globalThis.fetch = nodeFetch;
    forgetAnsweredHosts();
  });

  it('says who owns the token, with the default server stopped', async () => {
    const user = await client.whoAmI();
    expect(user.name).toBe(HUB_USER);
    expect(user.scopes).toContain(`start:servers!user=${HUB_USER}`);
    expect(user.servers).toEqual([
      expect.objectContaining({
        name: '',
        state: 'stopped',
        url: `${hubUrl()}user/${HUB_USER}/`
      })
    ]);
  });

  it('starts a named server, follows its progress to ready, stops it and deletes it', async () => {
    expect(await client.startServer('lab-1')).toBe('starting');
    const events: ISpawnEvent[] = [];
    for await (const event of client.progress('lab-1', { timeoutMs: 30_000 })) {
      events.push(event);
    }
    const last = events[events.length - 1];
    expect(last).toEqual(
      expect.objectContaining({
        ready: true,
        failed: false,
        progress: 100,
        url: `${hubUrl()}user/${HUB_USER}/lab-1/`
      })
    );
    expect(events[0].message).toBe('Server requested');
    const progress = events.map(event => event.progress);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);

    const server = (await client.listServers()).find(s => s.name === 'lab-1')!;
    expect(server).toEqual(
      expect.objectContaining({ state: 'running', displayName: 'lab-1' })
    );
    const { url, token } = client.connection(server);
    expect(url).toBe(last.url);

    // The hub token opens the server's Jupyter API.
    const status = await nodeFetch(`${url}api/status`, {
      headers: { Authorization: `token ${token}` }
    });
    expect(status.status).toBe(200);
    expect(await status.json()).toEqual(
      expect.objectContaining({ kernels: 0 })
    );

    // A page at the allowed origin may call it (preflight included)...
    const allowed = await browserFetch(HUB_ALLOWED_ORIGIN)(
      `${url}api/kernelspecs`,
      { headers: { Authorization: `token ${token}` } }
    );
    expect(allowed.status).toBe(200);
    expect(Object.keys((await allowed.json()).kernelspecs)).toContain(
      'python3'
    );
    // ...a page at another origin may not.
    await expect(
      browserFetch('http://127.0.0.1:9999')(`${url}api/kernelspecs`, {
        headers: { Authorization: `token ${token}` }
      })
    ).rejects.toThrow('Failed to fetch');

    // Starting it again: the hub's words, not a stack.
    const again = await failure(client.startServer('lab-1'));
    expect(again.message).toMatch(/already running/);

    expect(await client.stopServer('lab-1', { pollMs: 200 })).toBe(true);
    const stopped = (await client.listServers()).find(s => s.name === 'lab-1');
    expect(stopped?.state).toBe('stopped');
    const gone = await nodeFetch(`${url}api/status`, {
      headers: { Authorization: `token ${token}` },
      redirect: 'manual'
    });
    expect(gone.status).not.toBe(200);

    expect(await client.deleteServer('lab-1', { pollMs: 200 })).toBe(true);
    expect((await client.listServers()).map(s => s.name)).toEqual(['']);
  }, 60_000);

  it('answers a page at the allowed origin (CORS preflight included)', async () => {
    globalThis.fetch = browserFetch(HUB_ALLOWED_ORIGIN);
    expect((await client.whoAmI()).name).toBe(HUB_USER);
  });

  it('says a page at another origin is refused by CORS, and how to allow it', async () => {
    globalThis.fetch = browserFetch(location.origin);
    const error = await failure(client.whoAmI());
    expect(error.kind).toBe('cors');
    expect(error.message).toContain('CORS');
    expect(error.message).toContain(location.origin);
    expect(error.message).toContain('Access-Control-Allow-Origin');
  });

  it('quotes the hub when it refuses a server name', async () => {
    const error = await failure(client.startServer('Not_Valid'));
    expect(error.message).toMatch(/Invalid server_name/);
    expect(error.message).not.toContain('{');
  });

  it('says a wrong token is refused, without showing it', async () => {
    const wrong = 'not-the-right-token-123';
    const error = await failure(
      new HubClient({ url: hubUrl(), token: wrong, trans }).whoAmI()
    );
    expect(['unauthorized', 'forbidden']).toContain(error.kind);
    expect(error.message).toMatch(/refused the token/);
    expect(error.message).toContain(`${hubUrl()}hub/token`);
    expect(error.message).not.toContain(wrong);
  });
});

describe('HubClient on things that are not a hub', () => {
  it('says an address that answers without a hub API (loopback) is not a hub', async () => {
    const receiver = await LoopbackReceiver.start({
      defaultAnswer: { status: 404, body: 'Not Found' }
    });
    try {
      const client = new HubClient({
        url: receiver.url('/'),
        token: 'some-token-value',
        trans
      });
      const error = await failure(client.whoAmI());
      expect(error.kind).toBe('invalid-config');
      expect(error.message).toMatch(/does not look like a JupyterHub/);

      receiver.defaultAnswer = { status: 200, body: '<html>hello</html>' };
      const html = await failure(client.listServers());
      expect(html.message).toMatch(/does not look like a JupyterHub/);
    } finally {
      await receiver.close();
    }
  });

  it('says a hub that does not answer could not be reached', async () => {
    const port = await freePort();
    const client = new HubClient({
      url: `http://127.0.0.1:${port}/`,
      token: 'some-token-value',
      trans
    });
    const error = await failure(client.listServers());
    expect(error.kind).toBe('unreachable');
    expect(error.message).toMatch(/could not be reached/);
  });
});
