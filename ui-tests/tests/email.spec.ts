import {
  expect,
  galata,
  type IJupyterLabPageFixture,
  test
} from '@jupyterlab/galata';
import { LoopbackSmtp, SMTP_USER } from '../../src/__tests__/loopbackSmtp';
import { execute, openNotebook, uploadNotebooks } from './fixtures';

/**
 * The email channel in a real JupyterLab in Chromium: the notebook's real
 * ipykernel sends to a real SMTP server on loopback (aiosmtpd, started by
 * the test: `src/relay/kernel/tests/smtp_server.py`, AUTH required; no TLS
 * here, the channel's "none" for a server on localhost: STARTTLS is tested
 * on real kernels in test_email_kernel.py).
 */
const PASSWORD = `pw-${Math.random().toString(36).slice(2)}`;
let smtp: LoopbackSmtp;

const mails = () => smtp.mails();
const waitForMails = (count: number, timeoutMs: number) =>
  smtp.waitForMails(count, timeoutMs);

test.beforeAll(async () => {
  smtp = await LoopbackSmtp.start(PASSWORD);
});

test.afterAll(() => {
  smtp?.stop();
});

test.use({
  // The SMTP server's port is known once it has started.
  // eslint-disable-next-line no-empty-pattern
  mockSettings: async ({}, use) => {
    await use({
      ...galata.DEFAULT_SETTINGS,
      'jupyterlab-lmk:plugin': {
        threshold: 2,
        channels: [
          {
            id: 'mail',
            type: 'email',
            enabled: true,
            awayOnly: false,
            host: '127.0.0.1',
            port: smtp.port,
            security: 'none',
            username: SMTP_USER,
            password: PASSWORD,
            from: 'lab@example.org',
            to: 'me@example.org'
          }
        ]
      }
    });
  }
});

test.beforeEach(async ({ page, tmpPath }) => {
  smtp.clear();
  await uploadNotebooks(page, tmpPath);
});

test('a failed Run All with the page open: the page hands it to the kernel, one mail, History says sent', async ({
  page,
  tmpPath
}) => {
  await openNotebook(page, tmpPath, 'slow-failing.ipynb');
  await execute(page, 'notebook:run-all-cells');
  const [mail, ...more] = await waitForMails(1, 60_000);
  expect(mail).toMatch(/^Subject: .*slow-failing.ipynb/m);
  expect(mail).toContain('Content-Type: text/plain');
  expect(mail).toContain('Content-Type: text/html');
  expect(mail).toContain('ZeroDivisionError');
  expect(mail).toMatch(/^Auto-Submitted: auto-generated$/m);
  await page.waitForTimeout(2000);
  expect(more).toEqual([]);
  expect(mails()).toHaveLength(1);

  await execute(page, 'lmk:open-history');
  const entry = page.locator('.jp-lmk-HistoryEntry', {
    hasText: 'slow-failing.ipynb'
  });
  await expect(
    entry.locator('.jp-lmk-Delivery', { hasText: 'mail' })
  ).toHaveText('mail: sent');
  expect(await page.locator('body').innerText()).not.toContain(PASSWORD);
});

/** A notebook whose Run All sleeps, then fails in its third cell. */
function sleepingNotebook(): string {
  const cell = (source: string) => ({
    cell_type: 'code',
    source,
    metadata: {},
    outputs: [],
    execution_count: null
  });
  return JSON.stringify({
    cells: [
      cell('import time'),
      cell('time.sleep(8)'),
      cell("raise ValueError('mailed by the kernel')")
    ],
    metadata: {
      kernelspec: {
        name: 'python3',
        display_name: 'Python 3',
        language: 'python'
      }
    },
    nbformat: 4,
    nbformat_minor: 5
  });
}

/**
 * Until the notebook's kernel has the run going on, asked on the control
 * channel as the lab asks it (docs/kernel-relay.md).
 */
async function kernelHasRun(page: IJupyterLabPageFixture): Promise<void> {
  await page.waitForFunction(
    async () => {
      const panel = window.jupyterapp.shell.currentWidget as any;
      const kernel = panel?.sessionContext?.session?.kernel;
      if (!kernel) {
        return false;
      }
      const future = kernel.sendControlMessage(
        {
          header: {
            msg_id: `ui-${Math.random()}`,
            msg_type: 'comm_info_request',
            session: kernel.clientId,
            username: '',
            date: new Date().toISOString(),
            version: '5.3'
          },
          parent_header: {},
          metadata: {},
          content: {
            target_name: 'jupyterlab_lmk.relay.v1',
            lmk: { op: 'hello', holder: 'ui-test', client: 'ui-test' }
          },
          channel: 'control',
          buffers: []
        },
        true,
        true
      );
      const reply = await future.done;
      return (reply.content.lmk?.running ?? []).length > 0;
    },
    null,
    { timeout: 60_000, polling: 250 }
  );
}

test('a failed Run All with the page closed: the kernel sends exactly one mail', async ({
  page,
  tmpPath
}) => {
  test.setTimeout(240_000);
  await page.contents.uploadContent(
    sleepingNotebook(),
    'text',
    `${tmpPath}/mailed.ipynb`
  );
  await openNotebook(page, tmpPath, 'mailed.ipynb');
  // Run All without waiting for its end; leave once the kernel has it.
  await page.evaluate(() => {
    void window.jupyterapp.commands.execute('notebook:run-all-cells');
  });
  await kernelHasRun(page);
  const labUrl = new URL(`/lab/tree/${tmpPath}`, page.url()).toString();
  // The lab's page goes (its kernel connection closes with it).
  await page.evaluate(() => {
    window.location.href = 'about:blank';
  });
  await page.waitForURL('about:blank');

  const [mail] = await waitForMails(1, 90_000);
  expect(mail).toMatch(/^Subject: .*mailed.ipynb/m);
  expect(mail).toContain('Content-Type: text/plain');
  expect(mail).toContain('Content-Type: text/html');
  expect(mail).toContain('mailed by the kernel');
  expect(mail).not.toContain(PASSWORD);
  // Past the kernel's first back-off: still one.
  await new Promise(resolve => setTimeout(resolve, 3000));
  expect(mails()).toHaveLength(1);

  // Back in the lab: the History shows what the kernel sent; nothing is
  // sent again.
  // (Galata's goto waits for a Launcher, which a restored workspace lacks.)
  await page.evaluate(url => {
    window.location.href = url;
  }, labUrl);
  await page.waitForURL(/\/lab\//);
  await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
  await page.waitForFunction(() =>
    window.jupyterapp?.commands.hasCommand('lmk:open-history')
  );
  await page.evaluate(() => window.jupyterapp.restored);
  await openNotebook(page, tmpPath, 'mailed.ipynb');
  await execute(page, 'lmk:open-history');
  const entry = page.locator('.jp-lmk-HistoryEntry', {
    hasText: 'mailed.ipynb'
  });
  await expect(
    entry.locator('.jp-lmk-Delivery', { hasText: 'mail' })
  ).toContainText('Sent from the kernel at', { timeout: 30_000 });
  await page.waitForTimeout(5000);
  expect(mails()).toHaveLength(1);
  expect(await page.locator('body').innerText()).not.toContain(PASSWORD);
  const notebook = await page.request.get(
    `/api/contents/${tmpPath}/mailed.ipynb?content=1`
  );
  expect(await notebook.text()).not.toContain(PASSWORD);
});
