import { expect, galata } from '@jupyterlab/galata';
import {
  type IRecordedRequest,
  LoopbackReceiver
} from '../../src/__tests__/loopbackReceiver';
import { execute, openNotebook, reloadLab, uploadNotebooks } from './fixtures';
import { test } from './labPages';

/**
 * Delivery through the outbox in a real JupyterLab in Chromium, to a
 * loopback generic webhook receiver (the documented format: POST of the
 * version 1 event JSON, `X-Lmk-Event-Id`) started by the test process,
 * which allows the lab's origin (CORS preflight for Content-Type and
 * X-Lmk-* headers).
 */
let receiver: LoopbackReceiver;

test.beforeAll(async () => {
  receiver = await LoopbackReceiver.start({ cors: {} });
});

test.afterAll(async () => {
  await receiver.close();
});

test.use({
  // The receiver's port is known once it has started: settings built per test.
  // eslint-disable-next-line no-empty-pattern
  mockSettings: async ({}, use) => {
    await use({
      ...galata.DEFAULT_SETTINGS,
      'jupyterlab-lmk:plugin': {
        channels: [
          { id: 'lab', type: 'toast', enabled: true },
          {
            id: 'hook',
            type: 'webhook',
            enabled: true,
            awayOnly: false,
            url: receiver.url('/hook')
          }
        ]
      }
    });
  }
});

test.beforeEach(async ({ page, tmpPath }) => {
  receiver.clear();
  receiver.defaultAnswer = { status: 200, body: 'ok' };
  await uploadNotebooks(page, tmpPath);
});

/** Check the generic webhook's wire format; returns the event id. */
function eventIdOf(request: IRecordedRequest): string {
  expect(request.path).toBe('/hook');
  expect(request.headers['content-type']).toBe('application/json');
  const body = JSON.parse(request.text);
  expect(body.version).toBe(1);
  expect(typeof body.title).toBe('string');
  return request.headers['x-lmk-event-id'] as string;
}

test('two tabs on one lab: a notification both tabs see is POSTed once', async ({
  page,
  tmpPath,
  otherTab
}) => {
  await openNotebook(page, tmpPath, 'notify.ipynb');
  // A second tab of the same browser, on the same notebook and kernel (in
  // its own workspace, as JupyterLab gives a second window).
  const { page: second } = await otherTab('second-tab');
  await openNotebook(second, tmpPath, 'notify.ipynb');
  // Count the notify() outputs each tab sees from the kernel.
  const countRequests = (tab: typeof page) =>
    tab.evaluate(() => {
      const panel = window.jupyterapp.shell.currentWidget as any;
      (window as any).lmkSeen = 0;
      panel.sessionContext.iopubMessage.connect((_: unknown, msg: any) => {
        const data = msg.content?.data ?? {};
        if ('application/vnd.jupyterlab-lmk.notify+json' in data) {
          (window as any).lmkSeen++;
        }
      });
    });
  await countRequests(page);
  await countRequests(second);

  await page.notebook.run();
  await receiver.waitFor(1, 'POST', 20_000);
  await page.waitForTimeout(3000);
  // Both tabs saw the kernel ask for the notification...
  const seen = (tab: typeof page) =>
    tab.evaluate(() => (window as any).lmkSeen);
  expect([await seen(page), await seen(second)]).toEqual([1, 1]);
  // ... and it went out once.
  const posts = receiver.received();
  expect(posts).toHaveLength(1);
  expect(eventIdOf(posts[0])).toMatch(/^kernel:/);
  expect(JSON.parse(posts[0].text).title).toContain('Training');
  // The in-lab toast too: shown by one tab only.
  const toastsIn = (tab: typeof page) =>
    tab.locator('.jp-toast-message', { hasText: 'Training' }).count();
  expect((await toastsIn(page)) + (await toastsIn(second))).toBe(1);
  await second.close();
});

test('a reload while a delivery waits to be retried: one POST accepted, History says sent', async ({
  page
}) => {
  receiver.defaultAnswer = { status: 503, body: 'busy' };
  void execute(page, 'lmk:notify', {
    message: 'Delivered across a reload',
    title: 'Reload test'
  });
  const [first] = await receiver.waitFor(1, 'POST', 10_000);
  const id = eventIdOf(first);
  expect(id).toMatch(/^manual:/);

  await reloadLab(page);
  // Only the new page can send from now on.
  const before = receiver.received().length;
  receiver.defaultAnswer = { status: 200, body: 'ok' };
  await receiver.waitFor(before + 1, 'POST', 40_000);
  await page.waitForTimeout(2000);
  const posts = receiver.received();
  expect(posts.slice(before)).toHaveLength(1);
  expect(new Set(posts.map(eventIdOf))).toEqual(new Set([id]));

  await execute(page, 'lmk:open-history');
  const entry = page.locator('.jp-lmk-HistoryEntry', {
    hasText: 'Reload test'
  });
  await expect(
    entry.locator('.jp-lmk-Delivery', { hasText: 'hook' })
  ).toHaveText('hook: sent');
});
