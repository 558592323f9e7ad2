/// <reference types="node" />
/**
 * Runs shared live to a room of a real Synapse homeserver (the test suite's
 * own), with a real Jupyter server and ipykernel: the status notice, its
 * edits as the run goes (at most one every 10 s), the final outcome; the
 * owner's 🛑 from another device (the phone) interrupts a `time.sleep`
 * cell; another user's 🛑 and "stop" do nothing; a late 🛑 does nothing.
 */
import { ServerConnection } from '@jupyterlab/services';
import type { SessionContext } from '@jupyterlab/apputils';
import { browserFetch } from '../../__tests__/loopbackReceiver';
import { startKernel, useJupyterServer } from '../../__tests__/kernelFixtures';
import {
  type ISynapseUser,
  useSynapse
} from '../../matrix/__tests__/synapseFixture';
import { eventually, liveBench, type ILiveBench } from './liveFixtures';

useJupyterServer();
const synapse = useSynapse();

const PASSWORD = 'correct horse battery staple';

interface IRoomEvent {
  event_id: string;
  type: string;
  sender: string;
  origin_server_ts: number;
  content: { [key: string]: any };
}

/** Every event of the room, oldest first, as `user` reads them. */
async function roomEvents(
  user: ISynapseUser,
  roomId: string
): Promise<IRoomEvent[]> {
  const { status, json } = await synapse().call(
    user,
    'GET',
    `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=200`
  );
  if (status !== 200) {
    throw new Error(`messages: ${status}`);
  }
  return (json.chunk as IRoomEvent[]).reverse();
}

/** The status notice of the lab in the room, and its edits in order. */
async function statusAndEdits(
  user: ISynapseUser,
  roomId: string,
  statusId?: string
): Promise<{ status: IRoomEvent | undefined; edits: IRoomEvent[] }> {
  const events = await roomEvents(user, roomId);
  const notices = events.filter(
    e =>
      e.type === 'm.room.message' &&
      e.content.msgtype === 'm.notice' &&
      !e.content['m.relates_to']
  );
  const status = statusId
    ? events.find(e => e.event_id === statusId)
    : notices[notices.length - 1];
  const edits = events.filter(
    e =>
      e.type === 'm.room.message' &&
      e.content['m.relates_to']?.rel_type === 'm.replace' &&
      e.content['m.relates_to']?.event_id === status?.event_id
  );
  return { status, edits };
}

/** Text of the status as it reads now (its last edit, else itself). */
function currentText(found: {
  status: IRoomEvent | undefined;
  edits: IRoomEvent[];
}): string {
  const last = found.edits[found.edits.length - 1];
  return last
    ? last.content['m.new_content'].body
    : (found.status?.content.body ?? '');
}

describe('live status in a Matrix room (real Synapse)', () => {
  let session: SessionContext;
  let alice: ISynapseUser;
  let alicePhone: ISynapseUser;
  let eve: ISynapseUser;
  let roomId: string;
  let bench: ILiveBench | null = null;
  const realFetch = globalThis.fetch;

  beforeAll(async () => {
    session = await startKernel();
    // The page's own origin: every Matrix call is cross-origin, as in a
    // browser (CORS checked).
    globalThis.fetch = browserFetch(
      new URL(ServerConnection.makeSettings().baseUrl).origin
    );
    alice = await synapse().registerUser('alice', PASSWORD);
    eve = await synapse().registerUser('eve', PASSWORD);
    // The phone: alice on another device.
    const login = await synapse().call(
      null,
      'POST',
      '/_matrix/client/v3/login',
      {
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: 'alice' },
        password: PASSWORD,
        initial_device_display_name: 'Phone'
      }
    );
    alicePhone = {
      userId: login.json.user_id,
      accessToken: login.json.access_token,
      deviceId: login.json.device_id
    };
    roomId = await synapse().createRoom(alice, {
      name: 'Runs',
      invite: [eve.userId]
    });
    await synapse().join(eve, roomId);
  }, 90_000);

  afterAll(async () => {
    globalThis.fetch = realFetch;
    await session?.shutdown();
    session?.dispose();
  });

  afterEach(async () => {
    bench?.dispose();
    bench = null;
    // Whatever a test left running.
    const kernel = session.session?.kernel;
    if (kernel?.status === 'busy') {
      await kernel.interrupt();
    }
  });

  function open(path: string, sources: string[]): ILiveBench {
    bench = liveBench({
      session,
      path,
      sources,
      channels: [
        {
          id: 'room',
          type: 'matrix',
          enabled: true,
          roomId,
          roomName: 'Runs'
        }
      ],
      accounts: {
        matrix: {
          homeserver: synapse().baseUrl,
          userId: alice.userId,
          deviceId: alice.deviceId,
          accessToken: alice.accessToken
        }
      }
    });
    return bench;
  }

  /** React to an event as `user`. */
  async function react(user: ISynapseUser, eventId: string, key: string) {
    const { status } = await synapse().call(
      user,
      'PUT',
      `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.reaction/r${Date.now()}${Math.random()}`,
      {
        'm.relates_to': { rel_type: 'm.annotation', event_id: eventId, key }
      }
    );
    expect(status).toBe(200);
  }

  /** Reply to an event as `user`. */
  async function reply(user: ISynapseUser, eventId: string, body: string) {
    const { status } = await synapse().call(
      user,
      'PUT',
      `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/m${Date.now()}${Math.random()}`,
      {
        msgtype: 'm.text',
        body,
        'm.relates_to': { 'm.in_reply_to': { event_id: eventId } }
      }
    );
    expect(status).toBe(200);
  }

  it('posts one status, edits it as cells pass (at most every 10 s), ends with the outcome, then notifies', async () => {
    const live = open('train.ipynb', [
      'import time\nfor i in range(3):\n    print(f"step a{i}", flush=True); time.sleep(2)',
      'for i in range(3):\n    print(f"step b{i}", flush=True); time.sleep(2)',
      'for i in range(3):\n    print(f"step c{i}", flush=True); time.sleep(2)',
      'for i in range(3):\n    print(f"step d{i}", flush=True); time.sleep(2)'
    ]);
    await live.host.share(live.path, 'room');
    expect(live.host.shares[0]).toMatchObject({ state: 'waiting' });
    const ended = live.nextEnd();
    await live.runAll();
    const summary = await ended;
    expect(summary.outcome).toBe('finished');
    await live.host.ended(summary.id);

    const found = await statusAndEdits(alice, roomId);
    expect(found.status?.sender).toBe(alice.userId);
    expect(found.status?.content.body).toMatch(/train\.ipynb: cell 1 of 4/);
    // Nobody is mentioned, whatever the text says.
    expect(found.status?.content['m.mentions']).toEqual({});
    const edits = found.edits;
    expect(edits.length).toBeGreaterThanOrEqual(2);
    // Progress edits: at least 10 s apart (the final one follows at once).
    for (let i = 1; i < edits.length - 1; i++) {
      expect(
        edits[i].origin_server_ts - edits[i - 1].origin_server_ts
      ).toBeGreaterThanOrEqual(10_000);
    }
    expect(edits.length).toBeLessThanOrEqual(
      Math.floor(summary.durationSeconds / 10) + 2
    );
    // As cells passed, the status showed later cells and their output.
    const texts = edits.map(e => e.content['m.new_content'].body as string);
    expect(texts.some(t => /cell [234] of 4/.test(t))).toBe(true);
    expect(texts.some(t => /Last output: step [bcd]\d/.test(t))).toBe(true);
    expect(texts.some(t => /Cell: for i in range\(3\):/.test(t))).toBe(true);
    // The final edit says the outcome...
    const final = edits[edits.length - 1];
    expect(final.content['m.new_content'].body).toMatch(
      /train\.ipynb finished\nFinished in .*4 of 4 cells ran\./
    );
    expect(final.content.body.startsWith('* ')).toBe(true);
    // ...and the end-of-run notification follows it.
    const notified = await eventually(
      () => live.sent.find(s => s.notification.id === `run:${summary.id}`),
      'the end-of-run notification'
    );
    expect(notified.at).toBeGreaterThanOrEqual(final.origin_server_ts);
    await live.host.stop(live.host.shares[0].id);
  }, 120_000);

  it('stops a running time.sleep cell when the owner reacts 🛑 from the phone', async () => {
    const live = open('sleep.ipynb', [
      'import time\ntime.sleep(120)',
      'print("never")'
    ]);
    await live.host.share(live.path, 'room');
    const ended = live.nextEnd();
    await live.runAll();
    const found = await eventually(async () => {
      const now = await statusAndEdits(alice, roomId);
      return now.status?.content.body.includes('sleep.ipynb') && now;
    }, 'the status notice');
    expect(found.status!.content.body).toContain('react with 🛑');

    await react(alicePhone, found.status!.event_id, '🛑');
    const summary = await ended;
    expect(summary.outcome).toBe('interrupted');
    expect(summary.failure?.ename).toBe('KeyboardInterrupt');
    await live.host.ended(summary.id);

    const after = await statusAndEdits(alice, roomId, found.status!.event_id);
    expect(currentText(after)).toMatch(
      /sleep\.ipynb was interrupted from the phone at \d\d:\d\d/
    );
    expect(
      live.recorded.some(n => /interrupted from the phone/.test(n.event.title))
    ).toBe(true);
  }, 120_000);

  it('does nothing for another user’s 🛑 or "stop" (History says so); the owner’s "stop" reply works', async () => {
    const live = open('others.ipynb', ['import time\ntime.sleep(120)']);
    await live.host.share(live.path, 'room');
    const ended = live.nextEnd();
    await live.runAll();
    const found = await eventually(async () => {
      const now = await statusAndEdits(alice, roomId);
      return now.status?.content.body.includes('others.ipynb') && now;
    }, 'the status notice');
    const statusId = found.status!.event_id;

    await react(eve, statusId, '🛑');
    await reply(eve, statusId, 'stop');
    const ignored = await eventually(
      () =>
        live.recorded.filter(n => /ignored command/.test(n.event.title))
          .length >= 2 &&
        live.recorded.filter(n => /ignored command/.test(n.event.title)),
      'two ignored commands in History'
    );
    expect(ignored.map(n => n.event.text).join('\n')).toContain(
      `from ${eve.userId}`
    );
    expect(ignored[0].event.text).toContain(`only ${alice.userId} can send`);
    // Both were read, and the run goes on.
    expect(live.host.shares[0].state).toBe('live');
    expect(session.session?.kernel?.status).toBe('busy');

    await reply(alicePhone, statusId, 'stop');
    const summary = await ended;
    expect(summary.outcome).toBe('interrupted');
  }, 120_000);

  it('does nothing for a 🛑 that comes after the run ended, and says so', async () => {
    const live = open('late.ipynb', ['print("done")']);
    await live.host.share(live.path, 'room');
    const ended = live.nextEnd();
    await live.runAll();
    const first = await ended;
    await live.host.ended(first.id);
    const found = await statusAndEdits(alice, roomId);
    expect(currentText(found)).toMatch(/late\.ipynb finished/);

    // Another run, not shared, is going when the late 🛑 comes.
    const sleeping = live.nextEnd();
    await live.notebook.model!.sharedModel.insertCell(1, {
      cell_type: 'code',
      source: 'import time\ntime.sleep(120)'
    });
    live.notebook.activeCellIndex = 1;
    await live.runAll();
    await eventually(
      () => session.session?.kernel?.status === 'busy',
      'the second run'
    );
    await react(alicePhone, found.status!.event_id, '🛑');
    const late = await eventually(
      () => live.recorded.find(n => /came too late/.test(n.event.title)),
      'the late command in History'
    );
    expect(late.event.text).toMatch(/nothing was done/);
    // Said beside the status too.
    await eventually(async () => {
      const events = await roomEvents(alice, roomId);
      return events.some(
        e =>
          e.content['m.relates_to']?.['m.in_reply_to']?.event_id ===
            found.status!.event_id &&
          /came after the run ended: nothing was done/.test(e.content.body)
      );
    }, 'the answer in the room');
    // The run going on was not touched.
    expect(session.session?.kernel?.status).toBe('busy');
    await session.session!.kernel!.interrupt();
    expect((await sleeping).outcome).toBe('interrupted');
  }, 120_000);
});
