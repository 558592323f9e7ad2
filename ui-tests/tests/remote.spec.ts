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

test('what a browser sees of a server without allow_origin: even the right token is refused (CORS), and the diagnosis says which setting to add; a wrong token is told apart', async ({
  browser,
  baseURL
}) => {
  // A page of its own, without request routing: while a page routes any
  // request (as Galata's pages do), Playwright answers every CORS
  // preflight itself, allowing everything, so a server's refusal is never
  // seen. This page sends its preflights to the servers, as a browser does.
  const context = await browser.newContext();
  const page = (await context.newPage()) as unknown as IJupyterLabPageFixture;
  try {
    await page.goto(`${baseURL}/lab`);
    await page.waitForFunction(() =>
      window.jupyterapp?.commands.hasCommand('lmk:open-remote-sessions')
    );
    // Once the layout is restored, it no longer changes the side panel.
    await page.evaluate(() => window.jupyterapp.restored);

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

    // No allow_origin, right token: the browser's preflight for the token
    // header is refused, so the lab cannot use the server at all.
    form = await addServer(page, {
      name: 'No CORS',
      url: NO_CORS_URL,
      token: REMOTE_TOKEN
    });
    const refused = form.getByRole('alert');
    await expect(refused).toContainText(
      'accepts the token, but does not allow this lab to use it (CORS'
    );
    await expect(refused).toContainText(
      '--ServerApp.allow_origin=http://127.0.0.1:8888'
    );
    await expect(refused).not.toContainText(REMOTE_TOKEN);
    await form.getByRole('button', { name: 'Cancel' }).click();

    // No allow_origin, wrong token: it cannot tell that server from a page
    // that is no Jupyter server, and says both.
    form = await addServer(page, {
      name: 'No CORS',
      url: NO_CORS_URL,
      token: 'not-the-token'
    });
    const unknown = form.getByRole('alert');
    await expect(unknown).toContainText(
      'it is not a Jupyter server (check the address), or it is one that refuses requests from this lab (CORS) — then check the token'
    );
    await expect(unknown).not.toContainText('not-the-token');
    await form.getByRole('button', { name: 'Cancel' }).click();

    // With allow_origin and the right token: no problem, it is saved.
    form = await addServer(page, {
      name: 'Allowed',
      url: REMOTE_URL,
      token: REMOTE_TOKEN
    });
    await expect(form).toHaveCount(0);
    await expect(
      remoteSection(page).locator(
        'li.jp-lmk-RemoteServer[aria-label="Allowed"] .jp-lmk-Remote-error'
      )
    ).toHaveCount(0);
    await remoteSection(page)
      .getByRole('button', { name: 'Remove Allowed' })
      .click();
    await page
      .locator('.jp-Dialog')
      .getByRole('button', { name: 'Remove' })
      .click();
    await expect(serverBlock(page, 'Allowed')).toHaveCount(0);
  } finally {
    await context.close();
  }
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
