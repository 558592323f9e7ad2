import { expect, galata, test } from '@jupyterlab/galata';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import { execute, reloadLab } from './fixtures';
import {
  addServer,
  NO_CORS_URL,
  REMOTE_TOKEN,
  REMOTE_URL,
  remoteSection,
  serverBlock,
  shutdownRemoteSessions,
  startRemoteSession
} from './remote';

/**
 * Remote sessions against real Jupyter servers on another origin (started
 * once for the suite by the Playwright config): add one by address and
 * token, list its sessions, run code in its kernel, watch it.
 */
test.use({
  // Galata filters every `api/kernels` and `api/sessions` answer the page
  // gets — the remote server's too — down to what the test started in the
  // lab; the remote lists must reach the page as the server sent them.
  kernels: null,
  sessions: null,
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    'jupyterlab-lmk:plugin': { threshold: 0, awayOnly: false }
  }
});

test.beforeEach(async () => {
  await shutdownRemoteSessions();
});

/** The saved remote servers, as the settings hold them. */
async function savedServers(page: IJupyterLabPageFixture): Promise<any[]> {
  return page.evaluate(
    async () =>
      (
        (
          await window.jupyterapp.serviceManager.settings.fetch(
            'jupyterlab-lmk:plugin'
          )
        ).settings as any
      ).remoteServers ?? []
  );
}

/** Open Run code on a listed kernel and return the panel. */
async function openRunCode(page: IJupyterLabPageFixture, label: string) {
  await serverBlock(page, 'Remote')
    .getByRole('button', { name: `Run code in the kernel of ${label}` })
    .click();
  const panel = page.locator('.jp-lmk-RunCode').last();
  await expect(panel).toBeVisible();
  return panel;
}

/** Type code in the Run code panel and run it. */
async function run(
  panel: ReturnType<IJupyterLabPageFixture['locator']>,
  code: string
) {
  await panel.getByLabel('Code', { exact: true }).fill(code);
  await panel.getByRole('button', { name: 'Run', exact: true }).click();
}

test('a Jupyter server added by its address lists its session; Run code shows stdout, stderr, a rich result and an error', async ({
  page
}) => {
  const { path } = await startRemoteSession('remote-demo.ipynb');
  // Pasted as the server prints it: the token rides in the address.
  const form = await addServer(page, {
    name: 'Remote',
    url: `${REMOTE_URL}lab?token=${REMOTE_TOKEN}`,
    token: ''
  });
  await expect(form).toHaveCount(0);
  const block = serverBlock(page, 'Remote');
  await expect(
    block.locator('.jp-lmk-Remote-itemName', { hasText: path })
  ).toBeVisible();
  // The address was cut to the base URL, the token kept apart.
  expect(await savedServers(page)).toEqual([
    {
      id: 'jupyter',
      kind: 'jupyter',
      name: 'Remote',
      url: REMOTE_URL,
      token: REMOTE_TOKEN
    }
  ]);

  const panel = await openRunCode(page, path);
  await run(
    panel,
    [
      'import sys',
      'from IPython.display import HTML, display',
      "print('to stdout')",
      "sys.stderr.write('to stderr\\n')",
      'display(HTML(\'<b class="lmk-rich">rich</b>\'))',
      '6 * 7'
    ].join('\n')
  );
  await expect(panel.locator('[role=status]')).toContainText('Done');
  await expect(
    panel.getByRole('region', { name: 'Output (stdout)' })
  ).toContainText('to stdout');
  await expect(
    panel.getByRole('region', { name: 'Output (stdout)' })
  ).not.toContainText('to stderr');
  await expect(
    panel.getByRole('region', { name: 'Errors and warnings (stderr)' })
  ).toContainText('to stderr');
  await expect(panel.locator('b.lmk-rich')).toHaveText('rich');
  await expect(panel).toContainText('42');

  await run(panel, '1 / 0');
  await expect(panel.locator('[aria-label=Error]')).toContainText(
    'ZeroDivisionError'
  );
});

test('Interrupt stops a long time.sleep in a remote kernel', async ({
  page
}) => {
  const { path } = await startRemoteSession('sleepy.ipynb');
  await addServer(page, {
    name: 'Remote',
    url: REMOTE_URL,
    token: REMOTE_TOKEN
  });
  await expect(
    serverBlock(page, 'Remote').locator('.jp-lmk-Remote-itemName', {
      hasText: path
    })
  ).toBeVisible();
  const panel = await openRunCode(page, path);
  await run(panel, 'import time\ntime.sleep(60)');
  const interrupt = panel.getByRole('button', { name: 'Interrupt' });
  await expect(interrupt).toBeEnabled();
  const started = Date.now();
  await interrupt.click();
  await expect(panel.locator('[aria-label=Error]')).toContainText(
    'KeyboardInterrupt',
    { timeout: 20_000 }
  );
  expect(Date.now() - started).toBeLessThan(20_000);
  await expect(interrupt).toBeDisabled();
});

test('"Tell me when it\'s done" on a remote kernel notifies when it goes idle, also after a reload', async ({
  page
}) => {
  const { path } = await startRemoteSession('watched.ipynb');
  await addServer(page, {
    name: 'Remote',
    url: REMOTE_URL,
    token: REMOTE_TOKEN
  });
  const block = serverBlock(page, 'Remote');
  const watch = block.getByRole('button', {
    name: `Tell me when the kernel of ${path} is done`
  });
  await watch.click();
  await expect(
    block.getByRole('button', { name: `Stop watching the kernel of ${path}` })
  ).toBeVisible();

  // The watch is kept across a reload of the lab.
  await reloadLab(page);
  await execute(page, 'lmk:open-remote-sessions');
  await expect(
    block.getByRole('button', { name: `Stop watching the kernel of ${path}` })
  ).toBeVisible();

  // Someone runs something in that kernel: busy, then idle.
  const panel = await openRunCode(page, path);
  await run(panel, 'import time\ntime.sleep(2)');
  const toast = page.locator('.Toastify__toast', {
    hasText: `${path} on Remote is done`
  });
  await expect(toast).toBeVisible({ timeout: 30_000 });
  await expect(toast).not.toContainText(REMOTE_TOKEN);
  // One-shot: the watch has ended.
  await expect(watch).toBeVisible();
});

test('a wrong token and a server without CORS for the lab are told apart, and what to change is said', async ({
  page
}) => {
  // allow_origin names the lab: the server is readable, the token is wrong.
  let form = await addServer(page, {
    name: 'Wrong token',
    url: REMOTE_URL,
    token: 'not-the-token'
  });
  const wrong = form.getByRole('alert');
  await expect(wrong).toContainText('refused the token');
  await expect(wrong).not.toContainText('CORS');
  await expect(wrong).not.toContainText('not-the-token');
  await form.getByRole('button', { name: 'Cancel' }).click();

  // No allow_origin: only a right token lets this lab in, so a refusal
  // names both the token and the setting to add.
  form = await addServer(page, {
    name: 'No CORS',
    url: NO_CORS_URL,
    token: 'not-the-token'
  });
  const cors = form.getByRole('alert');
  await expect(cors).toContainText('CORS');
  await expect(cors).toContainText(
    '--ServerApp.allow_origin=http://127.0.0.1:8888'
  );
  await expect(cors).not.toContainText('not-the-token');
  // Saved anyway, the server's block says the same.
  await cors.getByRole('button', { name: 'Save anyway' }).click();
  await expect(
    serverBlock(page, 'No CORS').locator('.jp-lmk-Remote-error')
  ).toContainText('allow_origin', { timeout: 20_000 });

  // With the right token, jupyter_server 2 answers any origin: no problem.
  await serverBlock(page, 'No CORS')
    .getByRole('button', { name: 'Edit No CORS' })
    .click();
  form = remoteSection(page).locator('form.jp-lmk-RemoteForm');
  await form.locator('input[type=password]').fill(REMOTE_TOKEN);
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form).toHaveCount(0);
  await expect(
    serverBlock(page, 'No CORS').locator('.jp-lmk-Remote-error')
  ).toHaveCount(0);
});

test("remote kernels join JupyterLab's Running panel, grouped by server", async ({
  page
}) => {
  const { path } = await startRemoteSession('running.ipynb');
  await addServer(page, {
    name: 'Remote',
    url: REMOTE_URL,
    token: REMOTE_TOKEN
  });
  await expect(remoteSection(page)).toContainText(path);
  await page.sidebar.openTab('jp-running-sessions');
  const group = page.getByRole('region', { name: 'Kernels on Remote Section' });
  await expect(group).toContainText(path);
});
