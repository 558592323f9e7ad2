import { expect, test } from '@jupyterlab/galata';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';
import { execute, reloadLab } from './fixtures';

/**
 * Settings files edited by hand, in a real JupyterLab with real settings
 * on disk (the suite's own user settings folder, not mocked): nothing in
 * them is lost, what is ignored is named, and the Settings Editor shows the
 * list settings without ever writing an invalid entry.
 */
test.use({
  mockSettings: false,
  // Galata fetches every kernels and sessions request itself, the remote
  // server's in the file too (which does not exist): leave them alone.
  kernels: null,
  sessions: null
});

/** A webhook with a secret and a remote server with a token, next to a bad value. */
const HAND_EDITED = `{
  // Edited by hand.
  "threshold": -5,
  "onlyOnWeekdays": true,
  "awayOnly": false,
  "channels": [
    { "id": "lab", "type": "toast", "enabled": true },
    { "id": "hook", "type": "webhook", "enabled": true,
      "url": "https://example.org/hooks/abc", "secret": "s3cret-value" }
  ],
  "remoteServers": [
    { "id": "jupyter", "kind": "jupyter", "name": "Elsewhere",
      "url": "http://127.0.0.1:9/", "token": "remote-token-123" }
  ]
}
`;

/** The extension's user settings file of the server under test. */
async function settingsFile(page: IJupyterLabPageFixture): Promise<string> {
  const dir = await page.evaluate(
    () =>
      JSON.parse(document.getElementById('jupyter-config-data')!.textContent!)
        .userSettingsDir as string
  );
  return path.join(dir, 'jupyterlab-lmk', 'plugin.jupyterlab-settings');
}

/** Write the settings file as a user would, then load the lab again. */
async function handEdit(
  page: IJupyterLabPageFixture,
  text: string
): Promise<string> {
  const file = await settingsFile(page);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  await reloadLab(page);
  return file;
}

/** The file as the server reads it (comments dropped). */
async function onDisk(page: IJupyterLabPageFixture): Promise<any> {
  return page.evaluate(
    async () =>
      (
        await window.jupyterapp.serviceManager.settings.fetch(
          'jupyterlab-lmk:plugin'
        )
      ).settings
  );
}

test.afterEach(async ({ page }) => {
  fs.rmSync(await settingsFile(page), { force: true });
});

test('a hand-edited file with a bad value: the warning names each ignored value, the panel shows the file, and a change there keeps the rest', async ({
  page
}) => {
  await handEdit(page, HAND_EDITED);
  const toast = page.locator('.jp-Notification-Toast-warning', {
    hasText: '2 notification settings were ignored.'
  });
  await expect(toast).toBeVisible();
  await toast.getByRole('button', { name: 'Details' }).click();
  const dialog = page.locator('.jp-Dialog');
  // Every problem in full (a toast alone is cut at 140 characters).
  await expect(dialog.locator('li')).toHaveText([
    '"onlyOnWeekdays" is not a setting of this version of jupyterlab-lmk; it is left in the file and has no effect.',
    '"threshold" must be a number of seconds, 0 or more; using 30.'
  ]);
  await expect(dialog).not.toContainText('s3cret-value');
  await dialog.getByRole('button', { name: 'Close' }).click();

  // The panel lists the file's channels, not the defaults.
  await execute(page, 'lmk:open-panel');
  const channels = page.locator('#jp-lmk-sidebar .jp-lmk-Channels');
  const hook = channels
    .locator('.jp-lmk-Channel')
    .filter({ hasText: 'Webhook (JSON)' });
  await expect(hook).toContainText('example.org');
  await expect(page.locator('.jp-lmk-StatusItem')).toHaveText('2 channels');

  // Switch the webhook off in the panel: only that field changes on disk.
  await hook.getByRole('checkbox').first().click();
  await expect(page.locator('.jp-lmk-StatusItem')).toHaveText('1 channel');
  const saved = await onDisk(page);
  expect(saved.threshold).toBe(-5);
  expect(saved.onlyOnWeekdays).toBe(true);
  expect(saved.channels[1]).toEqual({
    id: 'hook',
    type: 'webhook',
    enabled: false,
    url: 'https://example.org/hooks/abc',
    secret: 's3cret-value'
  });
  expect(saved.remoteServers[0].token).toBe('remote-token-123');
});

test('"channels" that is not a list: the panel says what to fix and leaves the file as it is', async ({
  page
}) => {
  const text = '{ "channels": { "lab": { "type": "toast" } } }\n';
  const file = await handEdit(page, text);
  await expect(
    page.locator('.jp-Notification-Toast-warning', {
      hasText: 'One notification setting was ignored.'
    })
  ).toBeVisible();
  await execute(page, 'lmk:open-panel');
  const channels = page.locator('#jp-lmk-sidebar .jp-lmk-Channels');
  // The defaults apply meanwhile; switching one off would rewrite the list.
  await channels
    .locator('.jp-lmk-Channel')
    .filter({ hasText: 'In-lab toast' })
    .getByRole('checkbox')
    .first()
    .click();
  await expect(channels.getByRole('alert')).toContainText(
    '"channels" in your settings file is not a list'
  );
  expect(fs.readFileSync(file, 'utf8')).toBe(text);
});

test('the Settings Editor: a bell, the lists as summaries without secrets and a way to the panel; a change in the form keeps them', async ({
  page
}) => {
  const file = await handEdit(page, HAND_EDITED);
  await execute(page, 'settingeditor:open', { query: 'Notifications (LMK)' });
  const entry = page
    .locator('.jp-PluginList-entry')
    .filter({ hasText: 'Notifications (LMK)' });
  await expect(entry.locator('[data-icon="ui-components:bell"]')).toHaveCount(
    1
  );
  const fields = page.locator('.jp-lmk-SettingsField');
  await expect(fields).toHaveCount(3);
  await expect(fields.nth(0)).toContainText('Channels');
  await expect(fields.nth(0).locator('li')).toHaveText([
    'lab — toast, on',
    'hook — webhook, on'
  ]);
  await expect(fields.nth(2).locator('li')).toHaveText([
    'Elsewhere — jupyter at 127.0.0.1:9'
  ]);
  const form = page.locator('.jp-SettingsPanel, .jp-SettingsForm').first();
  await expect(form).not.toContainText('s3cret-value');
  await expect(form).not.toContainText('remote-token-123');
  // Nothing in these fields adds or edits an entry: one button, to the panel.
  await expect(fields.nth(0).getByRole('button')).toHaveText([
    'Open the Notifications Panel'
  ]);
  // Each description is printed once.
  await expect(
    page.getByText('Where notifications go:', { exact: false })
  ).toHaveCount(1);

  // A change in the form keeps the lists and the secrets.
  await page.locator('input[id$="plugin_threshold"]').fill('7');
  await expect.poll(async () => (await onDisk(page)).threshold).toBe(7);
  const saved = await onDisk(page);
  expect(saved.channels[1].secret).toBe('s3cret-value');
  expect(saved.remoteServers[0].token).toBe('remote-token-123');
  expect(fs.readFileSync(file, 'utf8')).toContain('s3cret-value');

  await fields
    .nth(0)
    .getByRole('button', { name: 'Open the Notifications Panel' })
    .click();
  await expect(page.locator('#jp-lmk-sidebar')).toBeVisible();
});

test('a settings file with tokens that other users can read: the lab says so once, with the command that fixes it', async ({
  page
}) => {
  const file = await settingsFile(page);
  const folder = path.dirname(path.dirname(file));
  const folderMode = fs.statSync(folder).mode & 0o777;
  try {
    // As JupyterLab writes it on many machines: 0644 in open folders.
    fs.chmodSync(folder, 0o755);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.chmodSync(path.dirname(file), 0o755);
    fs.writeFileSync(file, HAND_EDITED);
    fs.chmodSync(file, 0o644);
    await reloadLab(page);
    const toast = page.locator('.jp-Notification-Toast-warning', {
      hasText: 'Other users of this machine can read the file'
    });
    await expect(toast).toBeVisible();
    await toast.getByRole('button', { name: 'How to fix' }).click();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog.locator('pre')).toHaveText(
      `chmod 600 ${file} && chmod 700 ${path.dirname(file)}`
    );
    await expect(dialog).toContainText('mode 0644');
    await expect(dialog).not.toContainText('s3cret-value');
    await dialog.getByRole('button', { name: 'Close' }).click();

    // Once: not again at the next start while the mode is the same.
    const asked = page.waitForResponse(/lmk\/api\/settings-file/);
    await reloadLab(page);
    expect((await (await asked).json()).othersCanRead).toBe(true);
    // The answer was handled: a warning would be on its way to the page.
    await page.evaluate(
      () => new Promise(resolve => requestAnimationFrame(resolve))
    );
    await expect(
      page.locator('.jp-Notification-Toast-warning', {
        hasText: '2 notification settings were ignored.'
      })
    ).toBeVisible();
    await expect(toast).toHaveCount(0);
  } finally {
    fs.chmodSync(folder, folderMode);
  }
});

test('a settings file that is not JSON: JupyterLab cannot start, and the page says which file and what to do', async ({
  page,
  browser,
  baseURL
}) => {
  const file = await settingsFile(page);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '{ "threshold": 5,, oops');
  // A page of its own: Galata's waits for a lab that starts.
  const context = await browser.newContext();
  try {
    const broken = await context.newPage();
    await broken.goto(`${baseURL}/lab`);
    const dialog = broken.locator('.jp-Dialog');
    await expect(dialog).toContainText(
      'Your notification settings file is not valid JSON'
    );
    await expect(dialog).toContainText(file);
    await expect(dialog).toContainText('then reload this page');
  } finally {
    await context.close();
  }
});
