import { expect, galata } from '@jupyterlab/galata';
import { LoopbackReceiver } from '../../src/__tests__/loopbackReceiver';
import { execute, openNotebook, reloadLab } from './fixtures';
import {
  gatedNotebook,
  GRACE_S,
  kernelHasRun,
  PAST_GRACE_MS,
  startRunAll,
  test
} from './relayFixtures';
import {
  createRoom,
  registerUser,
  SYNAPSE_URL,
  uniqueName,
  waitForMessages
} from './synapse';

/**
 * "Tell me even when the browser is closed", in a real JupyterLab in
 * Chromium with real ipykernel 7 and ipykernel 6 kernels: the page (with
 * its whole browser context) closes in the middle of a Run All, and the
 * kernel delivers to a loopback webhook receiver standing in for a webhook
 * service (the documented format: the event JSON, X-Lmk-Event-Id), or to
 * the suite's real Synapse homeserver.
 */
let receiver: LoopbackReceiver;

test.beforeAll(async () => {
  receiver = await LoopbackReceiver.start({ cors: {} });
});

test.afterAll(async () => {
  await receiver.close();
});

/** The settings of every page: a webhook that allows delivery with the browser closed. */
function relaySettings(extra: { [key: string]: unknown } = {}) {
  return {
    ...galata.DEFAULT_SETTINGS,
    'jupyterlab-lmk:plugin': {
      threshold: 0,
      channels: [
        { id: 'lab', type: 'toast', enabled: true },
        {
          id: 'hook',
          type: 'webhook',
          enabled: true,
          awayOnly: false,
          url: receiver.url('/hook/s3cr3t-path')
        }
      ],
      ...extra
    }
  };
}

test.use({
  // eslint-disable-next-line no-empty-pattern
  mockSettings: async ({}, use) => {
    await use(relaySettings());
  }
});

test.beforeEach(() => {
  receiver.clear();
});

/**
 * The one POST of a run: waits for it, then past the kernel's grace window
 * to be sure no second one follows.
 */
async function theOnlyPost() {
  await receiver.waitFor(1, 'POST', 30_000);
  await new Promise(resolve => setTimeout(resolve, PAST_GRACE_MS));
  const [post, ...more] = postedEvents();
  expect(more).toEqual([]);
  return post;
}

function postedEvents() {
  return receiver.received().map(request => ({
    id: String(request.headers['x-lmk-event-id']),
    event: JSON.parse(request.text)
  }));
}

for (const [label, kernelName] of [
  ['ipykernel 7', 'python3'],
  ['ipykernel 6', 'python3-ipykernel6']
]) {
  test(`${label}: the page closes mid Run All that fails later, the kernel tells once, naming the failing cell; a page opened later sends nothing and shows it`, async ({
    page,
    tmpPath,
    otherBrowser
  }) => {
    test.setTimeout(240_000);
    const { text, go } = gatedNotebook(kernelName);
    await page.contents.uploadContent(text, 'text', `${tmpPath}/closed.ipynb`);
    const first = await otherBrowser('closing');
    await openNotebook(first.page, tmpPath, 'closed.ipynb');
    await startRunAll(first.page);
    await kernelHasRun(first.page);
    // The page, its browser context, everything of it goes.
    await first.context.close();
    const went = Date.now();
    go();

    const [post] = await receiver.waitFor(1, 'POST', 60_000);
    // The kernel gave a page the lab's grace window to claim the run (the
    // page config option lmkRelayGraceSeconds: 4 s in this suite, 10 s by
    // default), and no longer.
    const waited = Date.now() - went;
    expect(waited).toBeGreaterThanOrEqual(GRACE_S * 1000 - 250);
    expect(waited).toBeLessThan(10_000);
    const event = JSON.parse(post.text);
    expect(event.sender).toBe('kernel');
    expect(event.event).toBe('run.failed');
    expect(event.cell).toEqual({ index: 3, execution_count: 4 });
    expect(event.error.ename).toBe('ValueError');
    expect(event.text).toContain('cell 4 (In [4])');
    expect(post.headers['x-lmk-event-id']).toMatch(/^run:/);

    // Later, the lab opens again: the history and a toast say what the
    // kernel sent, and nothing is sent again.
    const later = await otherBrowser('later');
    await openNotebook(later.page, tmpPath, 'closed.ipynb');
    await expect(
      later.page.locator('.jp-toast-message', {
        hasText: 'Sent from the kernel at'
      })
    ).toBeVisible({ timeout: 30_000 });
    await execute(later.page, 'lmk:open-history');
    const entry = later.page.locator('.jp-lmk-HistoryEntry', {
      hasText: 'closed.ipynb failed'
    });
    // Since issue 23 the reason is in the entry's details.
    await expect(
      entry.locator('.jp-lmk-Delivery', { hasText: 'hook' })
    ).toContainText('sent');
    await entry.getByRole('button', { name: /^Details of / }).click();
    await expect(
      entry.locator('.jp-lmk-DeliveryReason', { hasText: 'hook' })
    ).toContainText('Sent from the kernel at');
    await later.page.waitForTimeout(PAST_GRACE_MS);
    expect(receiver.received()).toHaveLength(1);
    await later.context.close();
  });

  test(`${label}: with the page open, the lab tells (one POST, sender lab) and the kernel sends nothing`, async ({
    page,
    tmpPath
  }) => {
    test.setTimeout(120_000);
    const { text, go } = gatedNotebook(kernelName);
    await page.contents.uploadContent(text, 'text', `${tmpPath}/open.ipynb`);
    await openNotebook(page, tmpPath, 'open.ipynb');
    await startRunAll(page);
    await kernelHasRun(page);
    go();
    const post = await theOnlyPost();
    expect(post.event.sender).toBe('lab');
    expect(post.event.event).toBe('run.failed');
  });
}

test('ipykernel 7: a page reloaded in the middle of the run takes it back (one POST, sender lab)', async ({
  page,
  tmpPath
}) => {
  test.setTimeout(120_000);
  const { text, go } = gatedNotebook('python3');
  await page.contents.uploadContent(text, 'text', `${tmpPath}/reload.ipynb`);
  await openNotebook(page, tmpPath, 'reload.ipynb');
  await startRunAll(page);
  await kernelHasRun(page);
  // As a user reloads (Galata's own reload waits for a Launcher tab).
  await reloadLab(page);
  await page.locator('.jp-NotebookPanel').first().waitFor();
  // The reloaded page has heard from the kernel before the run goes on.
  await page.waitForTimeout(3000);
  go();
  const post = await theOnlyPost();
  expect(post.event.sender).toBe('lab');
});

test('ipykernel 7: two computers on the notebook, one delivery', async ({
  page,
  tmpPath,
  otherBrowser
}) => {
  test.setTimeout(180_000);
  const { text, go } = gatedNotebook('python3');
  await page.contents.uploadContent(text, 'text', `${tmpPath}/two.ipynb`);
  await openNotebook(page, tmpPath, 'two.ipynb');
  const other = await otherBrowser('other-computer');
  await openNotebook(other.page, tmpPath, 'two.ipynb');
  await startRunAll(page);
  await kernelHasRun(page);
  go();
  const post = await theOnlyPost();
  expect(post.event.sender).toBe('lab');
  await other.context.close();
});

test('ipykernel 7: notify() while the page is closed reaches the channel once', async ({
  page,
  tmpPath,
  otherBrowser
}) => {
  test.setTimeout(180_000);
  const { text, go } = gatedNotebook('python3');
  const notebook = JSON.parse(text);
  // After the gate: notify() from the kernel (the lab's own package).
  notebook.cells[2].source =
    "from jupyterlab_lmk import notify\nnotify('epoch 10 done', title='Training')";
  await page.contents.uploadContent(
    JSON.stringify(notebook),
    'text',
    `${tmpPath}/notify-closed.ipynb`
  );
  const first = await otherBrowser('notify-closing');
  await openNotebook(first.page, tmpPath, 'notify-closed.ipynb');
  await startRunAll(first.page);
  await kernelHasRun(first.page);
  await first.context.close();
  go();
  // The notify() call, then the run's failure: two notifications, each once.
  await receiver.waitFor(2, 'POST', 60_000);
  await new Promise(resolve => setTimeout(resolve, PAST_GRACE_MS));
  const events = postedEvents();
  expect(events).toHaveLength(2);
  const manual = events.find(e => e.id.startsWith('kernel:'))!;
  expect(manual.event).toEqual(
    expect.objectContaining({
      event: 'manual',
      title: 'Training',
      message: 'epoch 10 done',
      sender: 'kernel'
    })
  );
});

test.describe('Matrix', () => {
  test('the page closed, the kernel posts to the Matrix room once', async ({
    page,
    tmpPath,
    otherBrowser
  }) => {
    test.setTimeout(240_000);
    const password = 'correct horse battery staple';
    const alice = await registerUser(uniqueName('alice'), password);
    const roomId = await createRoom(alice, { name: uniqueName('LMK closed') });
    // The lab's own login (a device of its own), as the panel makes it.
    const login = await (
      await fetch(`${SYNAPSE_URL}/_matrix/client/v3/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          type: 'm.login.password',
          identifier: { type: 'm.id.user', user: alice.name },
          password
        })
      })
    ).json();
    const settings = relaySettings({
      channels: [
        { id: 'lab', type: 'toast', enabled: true },
        { id: 'team', type: 'matrix', enabled: true, roomId }
      ],
      accounts: {
        matrix: {
          homeserver: SYNAPSE_URL,
          userId: login.user_id,
          deviceId: login.device_id,
          accessToken: login.access_token
        }
      }
    });
    const { text, go } = gatedNotebook('python3');
    await page.contents.uploadContent(text, 'text', `${tmpPath}/matrix.ipynb`);
    const first = await otherBrowser('matrix-closing', settings);
    await openNotebook(first.page, tmpPath, 'matrix.ipynb');
    await startRunAll(first.page);
    await kernelHasRun(first.page);
    await first.context.close();
    go();
    await waitForMessages(alice, roomId, 1, 60_000);
    // Past the grace window and any retry: still one.
    await new Promise(resolve => setTimeout(resolve, PAST_GRACE_MS));
    const notices = (await waitForMessages(alice, roomId, 1, 1000)).filter(
      m => m.content.msgtype === 'm.notice'
    );
    expect(notices).toHaveLength(1);
    expect(notices[0].sender).toBe(login.user_id);
    expect(notices[0].content.body).toContain('matrix.ipynb failed');
  });
});
