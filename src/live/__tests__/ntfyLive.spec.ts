/// <reference types="node" />
/**
 * Runs shared live to ntfy, against a loopback stand-in that follows ntfy's
 * documented publish, subscribe and action-button wire format (ntfy itself
 * cannot run here), with a real Jupyter server and ipykernel.
 */
import { ServerConnection } from '@jupyterlab/services';
import type { SessionContext } from '@jupyterlab/apputils';
import { browserFetch } from '../../__tests__/loopbackReceiver';
import { startKernel, useJupyterServer } from '../../__tests__/kernelFixtures';
import { type INtfyMessage, NtfyLoopback } from '../../__tests__/ntfyLoopback';
import { eventually, liveBench, type ILiveBench } from './liveFixtures';

useJupyterServer();

const TOPIC = 'lmk-alerts-7f3a9c';
const TOKEN = 'tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2';

describe('live status on ntfy (loopback stand-in for an ntfy server)', () => {
  let session: SessionContext;
  let ntfy: NtfyLoopback;
  let bench: ILiveBench | null = null;
  const realFetch = globalThis.fetch;

  beforeAll(async () => {
    session = await startKernel();
    ntfy = await NtfyLoopback.start();
    globalThis.fetch = browserFetch(
      new URL(ServerConnection.makeSettings().baseUrl).origin
    );
  }, 90_000);

  afterAll(async () => {
    globalThis.fetch = realFetch;
    await ntfy?.close();
    await session?.shutdown();
    session?.dispose();
  });

  beforeEach(() => {
    ntfy.clear();
    ntfy.sequenceIds = true;
    ntfy.tokens = null;
  });

  afterEach(async () => {
    bench?.dispose();
    bench = null;
    const kernel = session.session?.kernel;
    if (kernel?.status === 'busy') {
      await kernel.interrupt();
    }
  });

  function open(
    path: string,
    sources: string[],
    channel: { [key: string]: unknown } = {}
  ): ILiveBench {
    bench = liveBench({
      session,
      path,
      sources,
      channels: [
        {
          id: 'phone',
          type: 'ntfy',
          enabled: true,
          server: ntfy.origin,
          topic: TOPIC,
          ...channel
        }
      ]
    });
    return bench;
  }

  /** The first status of a notebook on the topic. */
  function statusOf(name: string): Promise<INtfyMessage> {
    return ntfy.waitFor(
      m => m.topic === TOPIC && !!m.title?.startsWith(name) && !!m.actions
    );
  }

  it('(stand-in) the Interrupt button stops a running time.sleep cell; the notification is updated in place', async () => {
    const live = open('sleep.ipynb', ['import time\ntime.sleep(120)']);
    await live.host.share(live.path, 'phone');
    const ended = live.nextEnd();
    await live.runAll();
    const status = await statusOf('sleep.ipynb');

    // The status: low priority, a sequence id, two http buttons to a
    // control topic of at least 128 random bits, and no secret.
    expect(status.priority).toBe(2);
    expect(status.sequence_id).toMatch(/^lmk-/);
    expect(status.actions?.map(a => a.label)).toEqual(['Interrupt', 'Mute']);
    const interrupt = status.actions![0];
    expect(interrupt.action).toBe('http');
    expect(interrupt.method).toBe('POST');
    expect(interrupt.headers).toBeUndefined();
    const control = new URL(interrupt.url!).pathname.slice(1);
    expect(control).toMatch(/^lmk_[-_A-Za-z0-9]{24}$/);
    expect(control).not.toBe(TOPIC);
    expect(JSON.parse(interrupt.body!)).toEqual({
      v: 1,
      run: expect.any(String),
      cmd: 'interrupt',
      nonce: expect.stringMatching(/^[-_A-Za-z0-9]{22}$/)
    });
    await eventually(() => ntfy.subscribers(control) === 1, 'the subscription');

    expect(await ntfy.tap(status, 'Interrupt')).toBe(200);
    const summary = await ended;
    expect(summary.outcome).toBe('interrupted');
    await live.host.ended(summary.id);

    // Updated in place: same sequence id, says how it ended, no buttons.
    const updates = ntfy
      .topic(TOPIC)
      .filter(m => m.sequence_id === status.sequence_id);
    const last = updates[updates.length - 1];
    expect(last.title).toMatch(
      /sleep\.ipynb was interrupted from the phone at \d\d:\d\d/
    );
    expect(last.actions).toBeUndefined();
    expect(
      live.recorded.some(n => /interrupted from the phone/.test(n.event.title))
    ).toBe(true);
    // Nothing carried the control topic anywhere but in the buttons.
    expect(
      ntfy
        .topic(TOPIC)
        .some(m => m.message.includes(control) || m.title?.includes(control))
    ).toBe(false);
  }, 120_000);

  it('(stand-in) does nothing for a wrong nonce or a stranger’s message; Mute mutes', async () => {
    const live = open('guess.ipynb', ['import time\ntime.sleep(120)']);
    await live.host.share(live.path, 'phone');
    const ended = live.nextEnd();
    await live.runAll();
    const status = await statusOf('guess.ipynb');
    const interrupt = status.actions![0];
    const control = new URL(interrupt.url!).pathname.slice(1);
    await eventually(() => ntfy.subscribers(control) === 1, 'the subscription');

    const forged = {
      ...JSON.parse(interrupt.body!),
      nonce: 'AAAAAAAAAAAAAAAAAAAAAA'
    };
    expect(await ntfy.post(control, JSON.stringify(forged))).toBe(200);
    expect(await ntfy.post(control, 'import os; os.system("reboot")')).toBe(
      200
    );
    const ignored = await eventually(
      () =>
        live.recorded.filter(n => /ignored command/.test(n.event.title))
          .length >= 2 &&
        live.recorded.filter(n => /ignored command/.test(n.event.title)),
      'two ignored commands in History'
    );
    expect(ignored[0].event.text).toMatch(/one-use code is not this run’s/);
    expect(ignored[1].event.text).toMatch(/not a command/);
    expect(session.session?.kernel?.status).toBe('busy');
    expect(live.host.shares[0].state).toBe('live');

    expect(await ntfy.tap(status, 'Mute')).toBe(200);
    await eventually(() => live.host.shares[0]?.muted, 'the mute');
    const muted = await ntfy.waitFor(
      m =>
        m.sequence_id === status.sequence_id &&
        /Muted from the phone/.test(m.message)
    );
    // Only Interrupt is left to tap.
    expect(muted.actions?.map(a => a.label)).toEqual(['Interrupt']);
    // The same Mute again: its nonce is spent.
    expect(await ntfy.tap(status, 'Mute')).toBe(200);
    await eventually(
      () => live.recorded.some(n => /already used/.test(n.event.text)),
      'the reused nonce in History'
    );

    await session.session!.kernel!.interrupt();
    const summary = await ended;
    // A later run, not shared, notifies when it ends...
    const next = live.nextEnd();
    live.notebook.widgets[0].model.sharedModel.setSource('print("later")');
    await live.runAll();
    const later = await next;
    await eventually(
      () => live.sent.find(s => s.notification.id === `run:${later.id}`),
      'the later run’s notification'
    );
    // ...the muted one never did.
    expect(
      live.sent.find(s => s.notification.id === `run:${summary.id}`)
    ).toBeUndefined();
  }, 120_000);

  it('(stand-in) on a server without sequence ids, posts only the start and the end', async () => {
    ntfy.sequenceIds = false;
    const live = open('old.ipynb', ['import time\ntime.sleep(2)', 'print(1)']);
    await live.host.share(live.path, 'phone');
    const ended = live.nextEnd();
    await live.runAll();
    const summary = await ended;
    await live.host.ended(summary.id);
    const ours = ntfy
      .topic(TOPIC)
      .filter(m => m.title?.startsWith('old.ipynb'));
    expect(ours).toHaveLength(2);
    expect(ours[0].actions?.length).toBe(2);
    expect(ours[1].title).toBe('old.ipynb finished');
    expect(ours[1].actions).toBeUndefined();
  }, 120_000);

  it('(stand-in) an ended run stops waiting for late commands once another run is shared', async () => {
    const live = open('twice.ipynb', ['import time\ntime.sleep(1)']);
    await live.host.share(live.path, 'phone');
    let ended = live.nextEnd();
    await live.runAll();
    const first = await statusOf('twice.ipynb');
    const firstControl = new URL(first.actions![0].url!).pathname.slice(1);
    await live.host.ended((await ended).id);
    // Still heard for a while: a late Interrupt would be answered.
    await eventually(
      () => ntfy.subscribers(firstControl) === 1,
      'the late listening'
    );

    ntfy.clear();
    live.notebook.widgets[0].model.sharedModel.setSource(
      'import time\ntime.sleep(120)'
    );
    await live.host.share(live.path, 'phone');
    ended = live.nextEnd();
    await live.runAll();
    const second = await statusOf('twice.ipynb');
    const secondControl = new URL(second.actions![0].url!).pathname.slice(1);
    expect(secondControl).not.toBe(firstControl);
    await eventually(
      () =>
        ntfy.subscribers(secondControl) === 1 &&
        ntfy.subscribers(firstControl) === 0,
      'one subscription: the new run’s'
    );
    expect(live.host.shares.map(share => share.state)).toEqual(['live']);
    await session.session!.kernel!.interrupt();
    await live.host.ended((await ended).id);
  }, 120_000);

  it('(stand-in) uses the channel’s token to publish and to follow the control topic', async () => {
    ntfy.tokens = [TOKEN];
    const live = open('token.ipynb', ['import time\ntime.sleep(120)'], {
      token: TOKEN
    });
    await live.host.share(live.path, 'phone');
    const ended = live.nextEnd();
    await live.runAll();
    const status = await statusOf('token.ipynb');
    expect(status.authorization).toBe(`Bearer ${TOKEN}`);
    const control = new URL(status.actions![0].url!).pathname.slice(1);
    await eventually(() => ntfy.subscribers(control) === 1, 'the subscription');
    // The token is never in what the phone receives.
    const received = { ...status, authorization: null };
    expect(JSON.stringify(received)).not.toContain(TOKEN.slice(3));
    // The phone's tap carries no token: the control topic takes it anyway.
    expect(await ntfy.tap(status, 'Interrupt')).toBe(200);
    expect((await ended).outcome).toBe('interrupted');
    expect(ntfy.refused).toEqual([]);
  }, 120_000);
});
