/// <reference types="node" />
import { nullTranslator } from '@jupyterlab/translation';
import { MatrixChannel } from '../../delivery/channels/matrixChannel';
import type { IMatrixSession } from '../../matrix/matrixApi';
import { passwordLogin } from '../../matrix/matrixLogin';
import {
  useSynapse,
  type ISynapse,
  type ISynapseUser
} from '../../matrix/__tests__/synapseFixture';
import { relayStrings } from '../relayStrings';
import { type IPythonRequest, runPython } from './pythonDriver';

const trans = nullTranslator.load('jupyterlab_lmk');
const PASSWORD = 'correct horse battery staple';

/** A failed run as a kernel-side watcher sees it. */
const SUMMARY = {
  outcome: 'failed',
  notebook_path: 'runs/train.ipynb',
  kernel: { id: 'k-1', name: 'python3' },
  cells: 12,
  executed: 7,
  started: '2026-01-01T10:00:00.000Z',
  finished: '2026-01-01T10:03:05.000Z',
  duration_s: 185,
  failure: {
    index: 6,
    execution_count: 7,
    ename: 'ValueError',
    evalue: 'bad value, see https://docs.example.org/e',
    traceback: ['Traceback (most recent call last):', 'ValueError: bad value']
  },
  report: { loss: '0.031' }
};

/** Send a request the kernel built, as urllib would: no browser rules. */
async function send(request: IPythonRequest): Promise<{ event_id?: string }> {
  const response = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    body: Buffer.from(request.body, 'base64')
  });
  expect(response.status).toBe(200);
  return response.json();
}

describe('the kernel’s Matrix request against a real Synapse homeserver', () => {
  const synapse: () => ISynapse = useSynapse();
  let alice: ISynapseUser;
  let session: IMatrixSession;

  beforeAll(async () => {
    alice = await synapse().registerUser('alice', PASSWORD);
    session = await passwordLogin(synapse().baseUrl, 'alice', PASSWORD, trans);
  }, 30_000);

  /** The event and the request of the kernel for one notification. */
  function kernelSide(
    roomId: string,
    notificationId: string
  ): { event: any; request: IPythonRequest } {
    const context = {
      notebook_url: 'http://127.0.0.1:8888/lab/tree/runs/train.ipynb',
      strings: relayStrings(trans)
    };
    const [event] = runPython([
      { op: 'run_event', args: [SUMMARY, context] }
    ]) as any[];
    const [request] = runPython([
      {
        op: 'channel_request',
        args: [
          { id: 'room', type: 'matrix', enabled: true, roomId },
          event,
          notificationId,
          { strings: context.strings, accounts: { matrix: session } }
        ]
      }
    ]) as IPythonRequest[];
    return { event, request };
  }

  it('posts the run as the lab would, once however often it is retried', async () => {
    const room = await synapse().createRoom(alice, { name: 'From kernels' });
    const { event, request } = kernelSide(room, 'run:msg-1');
    const first = await send(request);
    const again = await send(request);
    expect(again.event_id).toBe(first.event_id);
    const messages = await synapse().messages(alice, room);
    expect(messages).toHaveLength(1);
    expect(messages[0].content.body).toBe(`${event.title}\n${event.text}`);
    expect(messages[0].content.formatted_body).toContain(
      '<strong>ValueError: bad value, see <a href="https://docs.example.org/e">https://docs.example.org/e</a></strong>'
    );

    // The lab's own post of the same event has the same content.
    const labRoom = await synapse().createRoom(alice, { name: 'From the lab' });
    await new MatrixChannel({ trans, session: () => session }).send(
      { id: 'run:msg-1', event, target: null },
      { id: 'room', type: 'matrix', enabled: true, roomId: labRoom }
    );
    const [lab] = await synapse().messages(alice, labRoom);
    expect(messages[0].content).toEqual(lab.content);
  });

  it('is not posted again when the lab already delivered it (same device, same transaction)', async () => {
    const room = await synapse().createRoom(alice, { name: 'Both tried' });
    const { event, request } = kernelSide(room, 'run:msg-2');
    await new MatrixChannel({ trans, session: () => session }).send(
      { id: 'run:msg-2', event, target: null },
      { id: 'room', type: 'matrix', enabled: true, roomId: room }
    );
    const [labMessage] = await synapse().messages(alice, room);
    const kernel = await send(request);
    expect(kernel.event_id).toBe(labMessage.eventId);
    expect(await synapse().messages(alice, room)).toHaveLength(1);
  });
});
