import { expect, galata } from '@jupyterlab/galata';
import { LoopbackSmtp, SMTP_USER } from '../../src/__tests__/loopbackSmtp';
import { execute, openNotebook, uploadNotebooks } from './fixtures';
import {
  gatedNotebook,
  kernelHasRun,
  startRunAll,
  test
} from './relayFixtures';

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

test('a failed Run All with the page closed: the kernel sends exactly one mail', async ({
  page,
  tmpPath,
  otherBrowser
}) => {
  test.setTimeout(240_000);
  const { text, go } = gatedNotebook('python3');
  await page.contents.uploadContent(text, 'text', `${tmpPath}/mailed.ipynb`);
  const first = await otherBrowser('mail-closing');
  await openNotebook(first.page, tmpPath, 'mailed.ipynb');
  await startRunAll(first.page);
  await kernelHasRun(first.page);
  // The page, its browser context, everything of it goes; the run goes on
  // past the threshold (2 s), then fails.
  await first.context.close();
  await new Promise(resolve => setTimeout(resolve, 3000));
  go();

  const [mail] = await waitForMails(1, 90_000);
  expect(mail).toMatch(/^Subject: .*mailed.ipynb/m);
  expect(mail).toContain('Content-Type: text/plain');
  expect(mail).toContain('Content-Type: text/html');
  expect(mail).toContain('boom in the fourth cell');
  expect(mail).not.toContain(PASSWORD);
  // Past the kernel's first back-off: still one.
  await new Promise(resolve => setTimeout(resolve, 3000));
  expect(mails()).toHaveLength(1);

  // Back in the lab: the History shows what the kernel sent; nothing is
  // sent again.
  const later = await otherBrowser('mail-later');
  await openNotebook(later.page, tmpPath, 'mailed.ipynb');
  await execute(later.page, 'lmk:open-history');
  const entry = later.page.locator('.jp-lmk-HistoryEntry', {
    hasText: 'mailed.ipynb'
  });
  await expect(
    entry.locator('.jp-lmk-Delivery', { hasText: 'mail' })
  ).toContainText('sent', { timeout: 30_000 });
  await entry.getByRole('button', { name: /^Details of / }).click();
  await expect(
    entry.locator('.jp-lmk-DeliveryReason', { hasText: 'mail' })
  ).toContainText('Sent from the kernel at');
  await later.page.waitForTimeout(5000);
  expect(mails()).toHaveLength(1);
  expect(await later.page.locator('body').innerText()).not.toContain(PASSWORD);
  const notebook = await later.page.request.get(
    `/api/contents/${tmpPath}/mailed.ipynb?content=1`
  );
  expect(await notebook.text()).not.toContain(PASSWORD);
  await later.context.close();
});
