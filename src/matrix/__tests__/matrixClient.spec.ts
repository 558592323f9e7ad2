/// <reference types="node" />
import { nullTranslator } from '@jupyterlab/translation';
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import { browserFetch } from '../../__tests__/loopbackReceiver';
import { DeliveryError } from '../../delivery/deliveryError';
import {
  MatrixChannel,
  matrixDescription
} from '../../delivery/channels/matrixChannel';
import { buildRunEvent } from '../../messages/runEvent';
import type { ILmkEvent, ILmkNotification, IRunSummary } from '../../tokens';
import type { IMatrixSession } from '../matrixApi';
import {
  discoverHomeserver,
  loginFlows,
  logout,
  passwordLogin,
  ssoRedirectUrl,
  tokenLogin,
  whoami
} from '../matrixLogin';
import { matrixTxnId, sendNotice } from '../matrixNotice';
import { joinedRooms } from '../matrixRooms';
import {
  freePort,
  useSynapse,
  type ISynapse,
  type ISynapseUser
} from './synapseFixture';

const trans = nullTranslator.load('jupyterlab_lmk');
const PASSWORD = 'correct horse battery staple';
/** Where the lab runs: every Matrix call is cross-origin, as in a browser. */
const LAB_ORIGIN = 'http://127.0.0.1:8888';

/** A failing run whose error text carries markup that must not survive. */
function failingRunEvent(): ILmkEvent {
  const summary: IRunSummary = {
    id: 'msg-1',
    outcome: 'failed',
    notebookPath: 'runs/train.ipynb',
    kernel: { id: 'k-1', name: 'python3' },
    cells: 12,
    executed: 7,
    started: '2026-01-01T10:00:00.000Z',
    finished: '2026-01-01T10:03:05.000Z',
    durationSeconds: 185,
    kernelTiming: true,
    lastCellId: 'c7',
    cellIds: ['c7'],
    failure: {
      cellId: 'c7',
      index: 6,
      executionCount: 7,
      ename: 'ValueError',
      evalue: 'bad <img src=x onerror=alert(1)> value',
      traceback: ['Traceback (most recent call last):', 'ValueError: bad value']
    }
  };
  const event = buildRunEvent(
    summary,
    'http://127.0.0.1:8888/lab/tree/runs/train.ipynb',
    trans
  )!;
  // Markdown from elsewhere (a kernel's own notification) may hold raw HTML.
  return {
    ...event,
    message:
      event.message +
      '\n\n<script>alert("x")</script>\n\n<img src=x onerror="alert(2)">' +
      '\n\n[click](javascript:alert(3))'
  };
}

/** The rejection of a promise, which must be a DeliveryError. */
async function deliveryError(
  promise: Promise<unknown>
): Promise<DeliveryError> {
  try {
    await promise;
  } catch (reason) {
    expect(reason).toBeInstanceOf(DeliveryError);
    return reason as DeliveryError;
  }
  throw new Error('expected a DeliveryError');
}

/** A loopback HTTP server answering with `handler`. */
async function loopback(
  handler: Parameters<typeof createServer>[1]
): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

describe('Matrix client against a real Synapse homeserver (fetch with the browser’s CORS rules)', () => {
  const synapse: () => ISynapse = useSynapse();
  let alice: ISynapseUser;
  let session: IMatrixSession;
  let alertsRoom: string;
  const servers: Server[] = [];
  const realFetch = globalThis.fetch;

  beforeAll(async () => {
    globalThis.fetch = browserFetch(LAB_ORIGIN);
    alice = await synapse().registerUser('alice', PASSWORD);
    alertsRoom = await synapse().createRoom(alice, {
      name: 'Notebook alerts'
    });
    session = await passwordLogin(synapse().baseUrl, 'alice', PASSWORD, trans);
  }, 30_000);

  afterAll(async () => {
    globalThis.fetch = realFetch;
    await Promise.all(
      servers.map(server => new Promise(resolve => server.close(resolve)))
    );
  });

  describe('discoverHomeserver', () => {
    it('follows the origin’s /.well-known/matrix/client to the homeserver', async () => {
      // A loopback web server of a domain whose well-known names Synapse,
      // with the CORS header the Matrix specification requires there.
      const asked: string[] = [];
      const { server, url } = await loopback((request, response) => {
        asked.push(`${request.method} ${request.url}`);
        if (request.url === '/.well-known/matrix/client') {
          response.writeHead(200, {
            'Content-Type': 'application/json',
            'Access-Control-Allow-Origin': '*'
          });
          response.end(
            JSON.stringify({
              'm.homeserver': { base_url: synapse().baseUrl + '/' }
            })
          );
        } else {
          response.writeHead(404);
          response.end();
        }
      });
      servers.push(server);
      await expect(discoverHomeserver(url, trans)).resolves.toBe(
        synapse().baseUrl
      );
      expect(asked).toEqual(['GET /.well-known/matrix/client']);
    });

    it('accepts the homeserver’s own address, with or without a slash', async () => {
      // Synapse serves its own well-known (serve_client_wellknown).
      await expect(
        discoverHomeserver(synapse().baseUrl + '/', trans)
      ).resolves.toBe(synapse().baseUrl);
      await expect(
        discoverHomeserver(
          ` ${synapse().baseUrl}/_matrix/client/versions `,
          trans
        )
      ).resolves.toBe(synapse().baseUrl);
    });

    it('says a host that does not answer is unreachable', async () => {
      const port = await freePort();
      const error = await deliveryError(
        discoverHomeserver(`http://127.0.0.1:${port}`, trans)
      );
      expect(error.kind).toBe('unreachable');
      expect(error.message).toContain(`127.0.0.1:${port}`);
      expect(error.message).toMatch(/could not be reached/);
    });

    it('says a web server that is not a homeserver is not one', async () => {
      // A loopback web site that allows any origin (as a CDN does).
      const { server, url } = await loopback((request, response) => {
        response.writeHead(request.url === '/' ? 200 : 404, {
          'Content-Type': 'text/html',
          'Access-Control-Allow-Origin': '*'
        });
        response.end('<html><body>A blog</body></html>');
      });
      servers.push(server);
      const error = await deliveryError(discoverHomeserver(url, trans));
      expect(error.kind).toBe('invalid-config');
      expect(error.message).toMatch(/not a Matrix homeserver/);
    });

    it('names CORS when a server answers without letting the lab read it', async () => {
      const { server, url } = await loopback((request, response) => {
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end('{"versions": ["v1.11"]}');
      });
      servers.push(server);
      const error = await deliveryError(discoverHomeserver(url, trans));
      expect(error.kind).toBe('cors');
      expect(error.message).toMatch(/\(CORS\): it is not a Matrix homeserver/);
    });

    it('asks for an address when given none', async () => {
      const error = await deliveryError(discoverHomeserver('  ', trans));
      expect(error.kind).toBe('invalid-config');
      expect(error.message).toMatch(/address of your Matrix homeserver/);
    });
  });

  it('lists the login flows: password and login token, no SSO', async () => {
    await expect(loginFlows(synapse().baseUrl, trans)).resolves.toEqual({
      password: true,
      token: true,
      sso: []
    });
  });

  describe('passwordLogin', () => {
    it('logs in with a local name or a full user id', async () => {
      expect(session).toEqual({
        homeserver: synapse().baseUrl,
        userId: '@alice:localhost',
        deviceId: expect.any(String),
        accessToken: expect.any(String)
      });
      const full = await passwordLogin(
        synapse().baseUrl,
        '@alice:localhost',
        PASSWORD,
        trans,
        'Test device'
      );
      expect(full.userId).toBe('@alice:localhost');
      expect(full.deviceId).not.toBe(session.deviceId);
      await logout(full, trans);
    });

    it('says the username or password is wrong, without the password', async () => {
      const wrong = 'not-the-password-42';
      const error = await deliveryError(
        passwordLogin(synapse().baseUrl, 'alice', wrong, trans)
      );
      expect(error.kind).toBe('forbidden');
      expect(error.message).toMatch(/wrong username or password/);
      expect(error.message).not.toContain(wrong);
    });
  });

  it('lists joined rooms by name, alias, else id', async () => {
    const aliased = await synapse().createRoom(alice, { alias: 'lmk-runs' });
    const bare = await synapse().createRoom(alice);
    const rooms = await joinedRooms(session, trans);
    expect(rooms).toEqual(
      expect.arrayContaining([
        { roomId: alertsRoom, name: 'Notebook alerts' },
        { roomId: aliased, name: '#lmk-runs:localhost' },
        { roomId: bare, name: bare }
      ])
    );
  });

  describe('sendNotice', () => {
    it('posts a failing run as one m.notice with sanitised HTML', async () => {
      const room = await synapse().createRoom(alice, { name: 'Failures' });
      const event = failingRunEvent();
      const { eventId } = await sendNotice(
        session,
        room,
        event,
        matrixTxnId('run-1', room),
        trans
      );
      const messages = await synapse().messages(alice, room);
      expect(messages).toHaveLength(1);
      const [message] = messages;
      expect(message.eventId).toBe(eventId);
      expect(message.sender).toBe('@alice:localhost');
      expect(message.content.msgtype).toBe('m.notice');
      expect(message.content.body).toBe(`${event.title}\n${event.text}`);
      expect(message.content.format).toBe('org.matrix.custom.html');
      const html: string = message.content.formatted_body;
      expect(html).toContain(`<strong>${event.title}</strong>`);
      expect(html).toContain(
        '<a href="http://127.0.0.1:8888/lab/tree/runs/train.ipynb">train.ipynb</a>'
      );
      expect(html).toContain('<pre><code>Traceback (most recent call last):');
      // Raw HTML is shown as text, never as markup.
      expect(html).not.toMatch(/<script|<img|javascript:/i);
      expect(html).toContain('&lt;script&gt;');
    });

    it('posts a retried notification (same transaction id) once', async () => {
      const room = await synapse().createRoom(alice, { name: 'Retries' });
      const event = failingRunEvent();
      const txnId = matrixTxnId('run-2/with odd:chars', room);
      const first = await sendNotice(session, room, event, txnId, trans);
      const second = await sendNotice(session, room, event, txnId, trans);
      expect(second.eventId).toBe(first.eventId);
      expect(await synapse().messages(alice, room)).toHaveLength(1);
      await sendNotice(session, room, event, matrixTxnId('run-3', room), trans);
      expect(await synapse().messages(alice, room)).toHaveLength(2);
    });

    it('says when the account is not in the room', async () => {
      const bob = await synapse().registerUser('bob', PASSWORD);
      const bobsRoom = await synapse().createRoom(bob, { name: 'Bob only' });
      const error = await deliveryError(
        sendNotice(session, bobsRoom, failingRunEvent(), 'txn-x', trans)
      );
      expect(error.kind).toBe('forbidden');
      expect(error.message).toMatch(/is not a member of it/);
      expect(error.retryable).toBe(false);
    });
  });

  describe('single sign-on', () => {
    it('builds the SSO redirect address', () => {
      expect(
        ssoRedirectUrl(
          'https://matrix.example.org/',
          'http://127.0.0.1:8888/lab?lmk-sso=1',
          'oidc-github'
        )
      ).toBe(
        'https://matrix.example.org/_matrix/client/v3/login/sso/redirect/oidc-github' +
          '?redirectUrl=http%3A%2F%2F127.0.0.1%3A8888%2Flab%3Flmk-sso%3D1'
      );
    });

    it('logs in with a login token (m.login.token), once', async () => {
      const { status, json } = await synapse().call(
        alice,
        'POST',
        '/_matrix/client/v1/login/get_token',
        {}
      );
      expect(status).toBe(200);
      const loginToken: string = json.login_token;
      const tokenSession = await tokenLogin(
        synapse().baseUrl,
        loginToken,
        trans
      );
      expect(tokenSession.userId).toBe('@alice:localhost');
      await expect(whoami(tokenSession, trans)).resolves.toEqual({
        userId: '@alice:localhost',
        deviceId: tokenSession.deviceId
      });
      const reused = await deliveryError(
        tokenLogin(synapse().baseUrl, loginToken, trans)
      );
      expect(reused.kind).toBe('forbidden');
      expect(reused.message).toMatch(/expired or was already used/);
      expect(reused.message).not.toContain(loginToken);
      await logout(tokenSession, trans);
    });
  });

  describe('MatrixChannel', () => {
    const notification = (id: string): ILmkNotification => ({
      id,
      event: failingRunEvent(),
      target: { path: 'runs/train.ipynb', cellId: 'c7' }
    });

    it('posts to the configured room, by id or alias', async () => {
      const room = await synapse().createRoom(alice, { alias: 'lmk-channel' });
      const channel = new MatrixChannel({ trans, session: () => session });
      expect(channel.type).toBe('matrix');
      expect(channel.remote).toBe(true);
      const config = { id: 'm1', type: 'matrix', enabled: true };
      await expect(
        channel.send(notification('n-1'), { ...config, roomId: room })
      ).resolves.toEqual({ channelId: 'm1', status: 'sent', confirmed: true });
      await channel.send(notification('n-2'), {
        ...config,
        roomId: '#lmk-channel:localhost'
      });
      // The outbox retrying n-2 does not post it twice.
      await channel.send(notification('n-2'), {
        ...config,
        roomId: '#lmk-channel:localhost'
      });
      expect(await synapse().messages(alice, room)).toHaveLength(2);
    });

    it('asks to log in when there is no Matrix session', async () => {
      const channel = new MatrixChannel({ trans, session: () => null });
      const error = await deliveryError(
        channel.send(notification('n-3'), {
          id: 'm1',
          type: 'matrix',
          enabled: true,
          roomId: alertsRoom
        })
      );
      expect(error.kind).toBe('unauthorized');
      expect(error.message).toBe(
        'Log in to Matrix in the Notifications sidebar.'
      );
    });

    it('checks the room in the channel form', () => {
      const config = { id: 'm1', type: 'matrix', enabled: true };
      expect(
        matrixDescription.validate({ ...config, roomId: alertsRoom }, trans)
      ).toEqual({});
      expect(
        matrixDescription.validate(
          { ...config, roomId: '#alerts:example.org' },
          trans
        )
      ).toEqual({});
      expect(
        matrixDescription.validate({ ...config, roomId: 'alerts' }, trans)
      ).toEqual({ roomId: expect.stringMatching(/!abc123:example.org/) });
      expect(matrixDescription.validate(config, trans)).toEqual({
        roomId: 'Choose a room.'
      });
      expect(
        matrixDescription.summary({
          ...config,
          roomId: alertsRoom,
          roomName: 'Notebook alerts'
        })
      ).toBe('Notebook alerts');
    });
  });

  it('logs out: the old token is refused as unauthorized', async () => {
    const doomed = await passwordLogin(
      synapse().baseUrl,
      'alice',
      PASSWORD,
      trans
    );
    await expect(whoami(doomed, trans)).resolves.toEqual({
      userId: '@alice:localhost',
      deviceId: doomed.deviceId
    });
    await logout(doomed, trans);
    const error = await deliveryError(whoami(doomed, trans));
    expect(error.kind).toBe('unauthorized');
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/Log in to Matrix again/);
    expect(error.message).not.toContain(doomed.accessToken);
    const channel = new MatrixChannel({ trans, session: () => doomed });
    const sendError = await deliveryError(
      channel.send(
        { id: 'n-9', event: failingRunEvent(), target: null },
        { id: 'm1', type: 'matrix', enabled: true, roomId: alertsRoom }
      )
    );
    expect(sendError.kind).toBe('unauthorized');
    // Logging out twice is not an error.
    await expect(logout(doomed, trans)).resolves.toBeUndefined();
  });
});
