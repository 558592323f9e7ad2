/**
 * The channels' secrets handed to a kernel for a run: grepped for in the
 * kernel's namespace and history, in everything the kernel sent on iopub,
 * in the saved notebook, in the server's log and in the notification
 * bodies, after the kernel delivered a run whose page had closed (real
 * server, real ipykernel, loopback receivers standing in for the services).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KernelAPI, ServiceManager } from '@jupyterlab/services';
import { useJupyterServer } from '../../__tests__/kernelFixtures';
import { LoopbackReceiver } from '../../__tests__/loopbackReceiver';
import { waitUntil } from '../../__tests__/waitUntil';
import { Browser, RelayPage } from './relayFixtures';

/** Everything the server (and its kernels) wrote, from its start. */
const serverLog: string[] = [];
beforeAll(() => {
  const write = process.stdout.write.bind(process.stdout);
  jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk: unknown, ...rest: unknown[]) => {
      serverLog.push(String(chunk));
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    });
});
useJupyterServer();

jest.setTimeout(120_000);

const SECRETS = {
  webhookPath: 'S3CRET-webhook-path-7f3a',
  signing: 'S3CRET-signing-key-91bd',
  ntfyToken: 'tk_S3CRETntfytoken1234567890',
  matrixToken: 'syt_S3CRET_matrix_token_55aa'
};

let receiver: LoopbackReceiver;

beforeAll(async () => {
  receiver = await LoopbackReceiver.start({
    defaultAnswer: { status: 200, body: { event_id: '$e1' } }
  });
});

afterAll(async () => {
  await receiver.close();
});

it('keeps the secrets out of the namespace, outputs, notebook, log and bodies, and drops them after delivery', async () => {
  const flag = path.join(os.tmpdir(), `lmk-secrets-go-${process.pid}`);
  const notebookPath = 'secrets.ipynb';
  const sources = [
    'import os, time',
    `while not os.path.exists(${JSON.stringify(flag)}): time.sleep(0.05)`,
    "print('working'); x = 42",
    "raise RuntimeError('the run fails')"
  ];
  const page = await RelayPage.open({
    browser: new Browser(),
    path: notebookPath,
    sources,
    kernelName: 'ipython',
    graceS: 1,
    channels: [
      {
        id: 'hook',
        type: 'webhook',
        enabled: true,
        url: receiver.url(`/hook/${SECRETS.webhookPath}`),
        secret: SECRETS.signing
      },
      {
        id: 'phone',
        type: 'ntfy',
        enabled: true,
        server: receiver.origin,
        topic: 'runs',
        token: SECRETS.ntfyToken
      },
      { id: 'team', type: 'matrix', enabled: true, roomId: '!room:localhost' }
    ],
    settings: {
      accounts: {
        matrix: {
          homeserver: receiver.origin,
          userId: '@me:localhost',
          deviceId: 'DEV',
          accessToken: SECRETS.matrixToken
        }
      }
    }
  });
  await page.ready();

  // Another client of the kernel sees everything it publishes.
  const manager = new ServiceManager({ standby: 'never' });
  const model = (await KernelAPI.listRunning())[0];
  const observer = manager.kernels.connectTo({ model });
  const published: unknown[] = [];
  observer.iopubMessage.connect((_, msg) => published.push(msg));

  const started = new Promise<void>(resolve =>
    page.tracker.runStarted.connect(() => resolve())
  );
  void page.runAll();
  await started;
  await new Promise(resolve => setTimeout(resolve, 2000));
  // The page saves the notebook, then goes; the run goes on.
  await manager.contents.save(notebookPath, {
    type: 'notebook',
    format: 'json',
    content: page.notebook.model!.toJSON()
  });
  page.close();
  fs.writeFileSync(flag, '');

  // The kernel sends to the three services.
  await waitUntil(() => receiver.requests.length >= 3, 60_000);
  await new Promise(resolve => setTimeout(resolve, 1000));

  // What the kernel's namespace and history hold, asked as a user would.
  const needles = Object.values(SECRETS);
  const probe = observer.requestExecute({
    code: [
      'import base64 as _b64, json as _json, sys as _sys',
      `_needles = _json.loads(_b64.b64decode(${JSON.stringify(
        Buffer.from(JSON.stringify(needles)).toString('base64')
      )}))`,
      "_found = [k for k, v in list(globals().items()) if k != '_needles' and any(n in repr(v) for n in _needles)]",
      '_history = [h for h in get_ipython().history_manager.input_hist_raw if any(n in h for n in _needles)]',
      "_w = _sys.modules['_jupyterlab_lmk_relay'].WATCHER",
      '_kept = [d.id for d in _w.arbiter.deliveries.values() if d.channels or d.pool or d.context]',
      "get_ipython().run_line_magic('whos', '')",
      'print(_json.dumps({"found": _found, "history": _history, "kept": _kept}))',
      'del _needles'
    ].join('\n')
  });
  let stdout = '';
  probe.onIOPub = msg => {
    if (msg.header.msg_type === 'stream') {
      stdout += (msg.content as { text: string }).text;
    }
  };
  await probe.done;
  const verdict = JSON.parse(stdout.trim().split('\n').pop()!);
  expect(verdict).toEqual({ found: [], history: [], kept: [] });
  const whos = stdout;
  const saved = JSON.stringify(
    (await manager.contents.get(notebookPath, { content: true })).content
  );
  const outputs = JSON.stringify(published).replace(
    JSON.stringify(probe.msg.content.code).slice(1, -1),
    ''
  );
  const log = serverLog.join('');
  const bodies = receiver.requests.map(request => request.text).join('\n');
  for (const secret of needles) {
    expect(whos).not.toContain(secret);
    expect(saved).not.toContain(secret);
    expect(outputs).not.toContain(secret);
    expect(log).not.toContain(secret);
    expect(bodies).not.toContain(secret);
  }
  // The deliveries did happen (the secrets were usable by the kernel).
  expect(receiver.requests.map(r => r.method).sort()).toEqual([
    'POST',
    'POST',
    'PUT'
  ]);
  observer.dispose();
  await KernelAPI.shutdownKernel(model.id);
  manager.dispose();
});
