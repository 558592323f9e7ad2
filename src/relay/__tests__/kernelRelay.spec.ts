/**
 * The kernel relay end to end, against a real Jupyter server with real
 * ipykernel 7 and ipykernel 6 kernels: pages (the lab's objects wired as the
 * plugins wire them) that stay, close, reload or come in pairs, and a
 * loopback receiver standing in for a webhook service.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KernelAPI, type KernelMessage } from '@jupyterlab/services';
import { NotebookActions } from '@jupyterlab/notebook';
import {
  IPYKERNEL6_SPEC,
  useJupyterServer
} from '../../__tests__/kernelFixtures';
import { LoopbackReceiver } from '../../__tests__/loopbackReceiver';
import { waitUntil } from '../../__tests__/waitUntil';
import { Browser, RelayPage, webhookChannel } from './relayFixtures';

useJupyterServer({ ipykernel6: IPYKERNEL6_SPEC });

jest.setTimeout(120_000);

const GRACE_S = 2;

let receiver: LoopbackReceiver;
let pages: RelayPage[] = [];
let counter = 0;

beforeAll(async () => {
  receiver = await LoopbackReceiver.start();
});

afterAll(async () => {
  await receiver.close();
});

beforeEach(() => {
  receiver.clear();
});

afterEach(async () => {
  for (const page of pages) {
    page.close();
  }
  pages = [];
  for (const kernel of await KernelAPI.listRunning()) {
    await KernelAPI.shutdownKernel(kernel.id);
  }
});

/** A notebook path of its own for each test (its own kernel). */
function freshPath(): string {
  return `relay-${++counter}.ipynb`;
}

async function open(
  options: Partial<Parameters<typeof RelayPage.open>[0]> & {
    path: string;
    sources: string[];
    kernelName: string;
    /** Wait for the relay to know the kernel (false: it never loads). */
    ready?: boolean;
  }
): Promise<RelayPage> {
  const page = await RelayPage.open({
    browser: new Browser(),
    channels: [webhookChannel(receiver.url('/hook/s3cr3t'))],
    graceS: GRACE_S,
    leaseS: 3,
    ...options
  });
  pages.push(page);
  if (options.ready !== false) {
    await page.ready();
  }
  return page;
}

/** What the receiver got: each POST's event and id header. */
function posts(): { id: string; event: { [key: string]: any } }[] {
  return receiver.received().map(request => ({
    id: String(request.headers['x-lmk-event-id']),
    event: JSON.parse(request.text)
  }));
}

/** The run the page's tracker started next. */
function nextRun(page: RelayPage): Promise<string> {
  return new Promise(resolve => {
    const once = (_: unknown, run: { id: string }) => {
      page.tracker.runStarted.disconnect(once);
      resolve(run.id);
    };
    page.tracker.runStarted.connect(once);
  });
}

/** Until the kernel has the run (its seal was answered). */
async function kernelHas(page: RelayPage, runId: string): Promise<void> {
  const kernel = page.session.session!.kernel!;
  const state = page.host.relay!.kernels.get(kernel)!;
  for (let i = 0; i < 200; i++) {
    const reply = await state.link.request('hello', {
      holder: 'test-observer',
      client: 'test-observer'
    });
    const running = (reply?.running ?? []) as { run: string }[];
    const ended = (reply?.ended ?? []) as { id: string }[];
    if (
      running.some(r => r.run === runId) ||
      ended.some(e => e.id === `run:${runId}`)
    ) {
      return;
    }
    await new Promise(resolve => setTimeout(resolve, 50));
  }
  throw new Error('The kernel never had the run');
}

/**
 * Until the page records the kernel's delivery to the webhook ("Sent from
 * the kernel at …") instead of sending it itself.
 */
async function kernelDeliveryRecorded(page: RelayPage): Promise<void> {
  await waitUntil(
    () =>
      page.delivered.some(d =>
        d.results.some(
          r =>
            r.channelId === 'hook' &&
            /^Sent from the kernel at /.test(r.detail ?? '')
        )
      ),
    30_000
  );
}

/** The one POST of a run: waits for it, then long enough for a second. */
async function theOnlyPost(): Promise<{
  id: string;
  event: { [key: string]: any };
}> {
  await receiver.waitFor(1, 'POST', 20_000);
  await quiet();
  const [post, ...more] = posts();
  expect(more).toEqual([]);
  return post;
}

/** A pause long enough for what should not happen (grace window + 2 s). */
function quiet(): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, (GRACE_S + 2) * 1000));
}

const FAILING = [
  'import time',
  'time.sleep(3)',
  'x = 1',
  "raise ValueError('boom')",
  'y = 2'
];

/**
 * A notebook that fails like FAILING, whose second cell waits until the
 * test lets it go on (`go()`): a page can close or reload mid-run without
 * racing the run's end.
 */
function gated(): { sources: string[]; go: () => void } {
  const flag = path.join(
    os.tmpdir(),
    `lmk-relay-go-${process.pid}-${++counter}`
  );
  return {
    sources: [
      'import os, time',
      `while not os.path.exists(${JSON.stringify(flag)}): time.sleep(0.05)`,
      'x = 1',
      "raise ValueError('boom')",
      'y = 2'
    ],
    go: () => fs.writeFileSync(flag, '')
  };
}

describe.each([
  ['ipykernel 7', 'ipython'],
  ['ipykernel 6', 'ipykernel6']
])('the kernel relay with %s', (_, kernelName) => {
  it('leaves a run to the page that stays open (one POST, sender lab)', async () => {
    const page = await open({
      path: freshPath(),
      sources: FAILING,
      kernelName
    });
    await page.runAll();
    const post = await theOnlyPost();
    expect(post.event.sender).toBe('lab');
    expect(post.event.event).toBe('run.failed');
  });

  it('sends a run whose page closed from the kernel, naming the failing cell, once', async () => {
    const notebookPath = freshPath();
    const { sources, go } = gated();
    const page = await open({ path: notebookPath, sources, kernelName });
    const started = nextRun(page);
    void page.runAll();
    const runId = await started;
    await kernelHas(page, runId);
    page.close();
    pages = pages.filter(p => p !== page);
    go();
    await receiver.waitFor(1, 'POST', 30_000);
    const [post] = posts();
    expect(post.id).toBe(`run:${runId}`);
    expect(post.event.sender).toBe('kernel');
    expect(post.event.event).toBe('run.failed');
    expect(post.event.cell.index).toBe(3);
    expect(post.event.error.ename).toBe('ValueError');
    expect(post.event.run).toEqual(
      expect.objectContaining({ cells: 5, executed: 4 })
    );
    // A page opened afterwards shows it, and sends nothing.
    const later = await open({ path: notebookPath, sources, kernelName });
    await waitUntil(
      () => later.delivered.some(d => d.notification.id === `run:${runId}`),
      20_000
    );
    const shown = later.delivered.find(
      d => d.notification.id === `run:${runId}`
    )!;
    expect(shown.results).toContainEqual(
      expect.objectContaining({
        channelId: 'hook',
        status: 'sent',
        detail: expect.stringMatching(/^Sent from the kernel at /)
      })
    );
    await quiet();
    expect(posts()).toHaveLength(1);
  });

  it("answers the page's claim while the next run executes", async () => {
    const page = await open({
      path: freshPath(),
      sources: ['x = 1', 'import time; time.sleep(60)'],
      kernelName
    });
    const session = page.session;
    page.notebook.activeCellIndex = 0;
    const first = nextRun(page);
    void NotebookActions.run(page.notebook, session);
    const firstId = await first;
    page.notebook.activeCellIndex = 1;
    void NotebookActions.run(page.notebook, session);
    // The first run's claim is sent at its end, while the second runs for
    // longer than the grace window: answered late, the kernel would send.
    const post = await theOnlyPost();
    expect(post.id).toBe(`run:${firstId}`);
    expect(post.event.sender).toBe('lab');
    await session.session!.kernel!.interrupt();
  });
});

describe('the kernel relay with ipykernel 7', () => {
  const kernelName = 'ipython';

  it('lets a page reloaded during a run take it back (sender lab)', async () => {
    const browser = new Browser();
    const notebookPath = freshPath();
    const { sources, go } = gated();
    const page = await open({
      browser,
      path: notebookPath,
      sources,
      kernelName
    });
    const started = nextRun(page);
    void page.runAll();
    const runId = await started;
    await kernelHas(page, runId);
    page.close();
    pages = pages.filter(p => p !== page);
    const reloaded = await open({
      browser,
      path: notebookPath,
      sources,
      kernelName
    });
    go();
    await receiver.waitFor(1, 'POST', 30_000);
    await quiet();
    const [post, ...more] = posts();
    expect(more).toEqual([]);
    expect(post.id).toBe(`run:${runId}`);
    expect(post.event.sender).toBe('lab');
    expect(reloaded.delivered[0].results).toContainEqual(
      expect.objectContaining({ channelId: 'hook', status: 'sent' })
    );
  });

  it('delivers once with two pages of two browsers on the notebook', async () => {
    const notebookPath = freshPath();
    const first = await open({
      path: notebookPath,
      sources: FAILING,
      kernelName
    });
    const second = await open({
      path: notebookPath,
      sources: FAILING,
      kernelName
    });
    await first.runAll();
    const post = await theOnlyPost();
    expect(post.event.sender).toBe('lab');
    // The second page heard of the run's end, and stood down.
    expect(second.delivered.filter(d => d.notification.id === post.id)).toEqual(
      []
    );
  });

  it("takes over from a page that closed after claiming, and that page's outbox does not send it again", async () => {
    const browser = new Browser();
    const notebookPath = freshPath();
    // The page's attempt is refused for now: its outbox retries in 60 s.
    receiver.answer({ status: 429, headers: { 'Retry-After': '60' } });
    const page = await open({
      browser,
      path: notebookPath,
      sources: ['x = 1'],
      kernelName,
      leaseS: 2
    });
    void page.runAll();
    await receiver.waitFor(1, 'POST', 20_000);
    await waitUntil(() => page.delivered.length > 0, 10_000);
    page.close();
    pages = pages.filter(p => p !== page);
    // The page's lease runs out: the kernel sends it.
    const [refused, sent] = await receiver.waitFor(2, 'POST', 20_000);
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.text).sender).toBe('lab');
    expect(JSON.parse(sent.text).sender).toBe('kernel');
    expect(sent.headers['x-lmk-event-id']).toBe(
      refused.headers['x-lmk-event-id']
    );
    // The next page of this browser, a minute later, finds the delivery in
    // the outbox; its attempt asks the kernel first and records the
    // kernel's instead of sending.
    const next = await open({
      browser,
      path: notebookPath,
      sources: ['x = 1'],
      kernelName,
      clockOffsetMs: 61_000
    });
    await next.notifier.resume();
    await kernelDeliveryRecorded(next);
    await quiet();
    expect(receiver.received()).toHaveLength(2);
  });

  it('takes over a run the page held for "only when I\'m away" when the page closes, and the next page does not send it again', async () => {
    const browser = new Browser();
    const notebookPath = freshPath();
    const channels = [
      { ...webhookChannel(receiver.url('/hook/s3cr3t')), awayOnly: true }
    ];
    // The user is at the page: the page claims the run and holds it.
    const page = await open({
      browser,
      path: notebookPath,
      sources: ['x = 1'],
      kernelName,
      channels,
      present: true,
      leaseS: 2
    });
    void page.runAll();
    await waitUntil(
      () =>
        page.delivered.some(d =>
          d.results.some(r => r.channelId === 'hook' && r.status === 'pending')
        ),
      20_000
    );
    expect(receiver.received()).toHaveLength(0);
    // The page closes (the user left): its lease runs out, the kernel sends.
    page.close();
    pages = pages.filter(p => p !== page);
    const [sent] = await receiver.waitFor(1, 'POST', 20_000);
    expect(JSON.parse(sent.text).sender).toBe('kernel');
    // The next page of this browser, with the user away, settles what the
    // first one held: it asks the kernel first and records the kernel's.
    const next = await open({
      browser,
      path: notebookPath,
      sources: ['x = 1'],
      kernelName,
      channels,
      present: false
    });
    await next.notifier.resume();
    await kernelDeliveryRecorded(next);
    await quiet();
    expect(receiver.received()).toHaveLength(1);
  });

  it('sends what kernel code asked for with notify() when the page has closed', async () => {
    const notebookPath = freshPath();
    const code =
      'from IPython.display import display\n' +
      'import time; time.sleep(2)\n' +
      "display({'application/vnd.jupyterlab-lmk.notify+json': {'id': 'epoch10', 'message': 'epoch 10 done'}, 'text/plain': 'epoch 10 done'}, raw=True)";
    const page = await open({
      path: notebookPath,
      sources: [code],
      kernelName
    });
    page.settings = {
      ...page.settings,
      mode: 'never'
    };
    const started = nextRun(page);
    void page.runAll();
    await kernelHas(page, await started);
    page.close();
    pages = pages.filter(p => p !== page);
    await receiver.waitFor(1, 'POST', 30_000);
    await quiet();
    const [post, ...more] = posts();
    expect(more).toEqual([]);
    expect(post.id).toBe('kernel:epoch10');
    expect(post.event).toEqual(
      expect.objectContaining({
        event: 'manual',
        message: 'epoch 10 done',
        sender: 'kernel'
      })
    );
  });

  it('installs and asks nothing when no channel allows delivery with the browser closed', async () => {
    const hook = {
      ...webhookChannel(receiver.url('/hook')),
      whenBrowserClosed: false
    };
    const page = await open({
      path: freshPath(),
      sources: FAILING,
      kernelName,
      channels: [hook],
      ready: false
    });
    const sent: KernelMessage.IMessage[] = [];
    page.session.session!.kernel!.anyMessage.connect(
      (_, { msg, direction }) => {
        if (direction === 'send') {
          sent.push(msg);
        }
      }
    );
    await page.runAll();
    await receiver.waitFor(1, 'POST', 20_000);
    // Nothing but the cells' requests: no watcher, no claim, no relay code.
    expect(page.host.relay).toBeNull();
    expect(sent.filter(m => m.header.msg_type === 'comm_info_request')).toEqual(
      []
    );
    const executes = sent.filter(m => m.header.msg_type === 'execute_request');
    expect(executes).toHaveLength(FAILING.length);
    expect(
      executes.filter(m => 'jupyterlab_lmk_relay' in (m.metadata as object))
    ).toEqual([]);
    expect(posts()[0].event.sender).toBe('lab');
  });
});
