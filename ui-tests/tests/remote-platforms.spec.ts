import { expect, galata, test } from '@jupyterlab/galata';
import {
  DEFAULT_SKAHA_CONTEXT,
  SkahaLoopback
} from '../../src/__tests__/skahaLoopback';
import { addServer, HUB_TOKEN, HUB_URL, serverBlock } from './remote';

/**
 * Remote sessions on platforms: a real JupyterHub (started once for the
 * suite by the Playwright config) and a loopback server implementing the
 * documented CANFAR/Skaha session API subset (its real service cannot run
 * here).
 */
test.use({
  // Galata would filter the remote servers' kernel and session lists.
  kernels: null,
  sessions: null,
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    'jupyterlab-lmk:plugin': { threshold: 0, awayOnly: false }
  }
});

test('JupyterHub: start a named server with its progress, browse its sessions, stop it', async ({
  page
}) => {
  const form = await addServer(page, {
    kind: 'JupyterHub',
    name: 'Hub',
    url: HUB_URL,
    token: HUB_TOKEN
  });
  await expect(form).toHaveCount(0);
  const hub = serverBlock(page, 'Hub');
  await expect(hub.locator('.jp-lmk-HubServer-name').first()).toHaveText(
    'Default server'
  );

  const name = `demo-${Date.now() % 100000}`;
  await hub.getByLabel('New server').fill(name);
  await hub.getByRole('button', { name: 'Start', exact: true }).click();
  // The spawn's progress is shown as it streams in, then the server runs.
  await expect(
    hub.getByRole('progressbar', { name: `Starting ${name}` })
  ).toBeVisible();
  const item = hub.locator('.jp-lmk-HubServer', {
    has: page.locator('.jp-lmk-HubServer-name', { hasText: name })
  });
  await expect(item.locator('.jp-lmk-HubServer-state')).toHaveText('running', {
    timeout: 60_000
  });

  // Its sessions, through the hub's proxy, with the same token.
  await item
    .getByRole('button', { name: `Browse sessions of ${name}` })
    .click();
  await expect(item.locator('.jp-lmk-Remote-jupyter')).toContainText(
    'No sessions or kernels are running.'
  );
  await expect(item.locator('.jp-lmk-Remote-error')).toHaveCount(0);

  await item.getByRole('button', { name: `Stop ${name}` }).click();
  await page
    .locator('.jp-Dialog')
    .getByRole('button', { name: 'Stop' })
    .click();
  await expect(item.locator('.jp-lmk-HubServer-state')).toHaveText('stopped', {
    timeout: 60_000
  });
  await item.getByRole('button', { name: `Delete ${name}` }).click();
  await page
    .locator('.jp-Dialog')
    .getByRole('button', { name: 'Delete' })
    .click();
  await expect(item).toHaveCount(0);
});

test('CANFAR/Skaha (loopback API): 1,000 sessions listed without rendering them all; new session checked; delete by prefix with a preview', async ({
  page
}) => {
  const skaha = await SkahaLoopback.start({
    token: 'skaha-ui-token',
    corsOrigin: 'http://127.0.0.1:8888',
    // No cap on interactive sessions: 1,000 seeded ones are running.
    context: { ...DEFAULT_SKAHA_CONTEXT, maxInteractiveSessions: 0 }
  });
  try {
    skaha.seed(1000, { prefix: 'batch' });
    skaha.seed(3, { prefix: 'keep', statuses: ['Running'] });
    const form = await addServer(page, {
      kind: 'CANFAR/Skaha platform',
      name: 'CANFAR',
      url: skaha.url,
      token: 'skaha-ui-token'
    });
    await expect(form).toHaveCount(0);
    const block = serverBlock(page, 'CANFAR');
    await expect(block.locator('.jp-lmk-Skaha-count')).toHaveText(
      '1003 sessions'
    );
    const rows = block.getByRole('listitem').filter({ hasText: 'batch-' });
    expect(await rows.count()).toBeLessThan(50);

    // Filter by status (asked of the service).
    await block.getByLabel('Status').selectOption('Running');
    await expect(block.locator('.jp-lmk-Skaha-count')).toHaveText(
      '337 sessions'
    );
    await block.getByLabel('Status').selectOption('');

    // A new session, in a dialog: an invalid name is refused before
    // anything is sent.
    await block.getByRole('button', { name: 'New session…' }).click();
    const create = page
      .locator('.jp-lmk-SkahaSessionDialog')
      .getByRole('form', { name: 'New session' });
    await create.getByLabel('Name', { exact: false }).first().fill('bad name!');
    await create
      .getByLabel('Image', { exact: false })
      .fill('skaha/astroml:latest');
    await create.getByRole('button', { name: 'Launch' }).click();
    await expect(create.locator('[aria-invalid=true]').first()).toBeVisible();
    expect(skaha.received('POST')).toHaveLength(0);
    await create.getByLabel('Name', { exact: false }).first().fill('fresh');
    await create.getByRole('button', { name: 'Launch' }).click();
    await expect(create).toHaveCount(0);
    await expect(block.locator('.jp-lmk-Skaha-count')).toHaveText(
      '1004 sessions'
    );
    expect(skaha.received('POST')).toHaveLength(1);

    // Delete by prefix: the preview says what goes, then it goes.
    await block.getByRole('button', { name: 'Delete by name…' }).click();
    await block.getByLabel('Names starting with').fill('keep-');
    await expect(
      block.getByRole('list', { name: 'Sessions to delete' })
    ).toContainText('keep-1');
    await block.getByRole('button', { name: 'Delete 3 sessions' }).click();
    await page
      .locator('.jp-Dialog')
      .getByRole('button', { name: 'Delete' })
      .click();
    await expect(block.locator('.jp-lmk-Skaha-count')).toHaveText(
      '1001 sessions'
    );
    expect(
      [...skaha.sessions.values()].some(s => s.name.startsWith('keep-'))
    ).toBe(false);
  } finally {
    await skaha.close();
  }
});
