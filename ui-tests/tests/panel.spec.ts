import { expect, galata, test } from '@jupyterlab/galata';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import { execute, openNotebook, uploadNotebooks } from './fixtures';

/**
 * The Notifications panel as a new user first opens it: laid out in the
 * order of use, each section as tall as its content, forms in dialogs,
 * controls named for a screen reader, and This server's sessions live.
 */
test.use({
  // The lab's own kernel and session lists must reach the page unfiltered.
  kernels: null,
  sessions: null,
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    'jupyterlab-lmk:plugin': {
      channels: [
        { id: 'lab', type: 'toast', enabled: true },
        { id: 'desktop', type: 'desktop', enabled: true },
        { id: 'chime', type: 'sound', enabled: true, name: 'Chime' }
      ]
    }
  }
});

function panel(page: IJupyterLabPageFixture) {
  return page.locator('#jp-lmk-sidebar');
}

function sectionTitle(page: IJupyterLabPageFixture, title: string) {
  return panel(page).locator('.jp-AccordionPanel-title', { hasText: title });
}

test('first opened, it shows the channels and the history, no login form, each section as tall as its content', async ({
  page
}) => {
  for (let i = 1; i <= 4; i++) {
    await execute(page, 'lmk:notify', {
      message: `step ${i} done`,
      title: `Step ${i}`
    });
  }
  await execute(page, 'lmk:open-panel');
  await expect(panel(page).locator('.jp-AccordionPanel-title')).toHaveText([
    /Channels/,
    /History/,
    /Remote sessions/,
    /Shared Live/
  ]);
  // No account is needed: no login form until a channel needs one.
  await expect(panel(page).getByLabel('Homeserver')).toHaveCount(0);
  await expect(panel(page).getByLabel('Password')).toHaveCount(0);
  // Remote sessions wait folded until wanted.
  await expect(sectionTitle(page, 'Remote sessions')).toHaveAttribute(
    'aria-expanded',
    'false'
  );

  // Every channel and "Add a channel…" in full view, no scrolling.
  const rows = panel(page).locator('.jp-lmk-Channel');
  await expect(rows).toHaveCount(3);
  for (let i = 0; i < 3; i++) {
    await expect(rows.nth(i)).toBeInViewport({ ratio: 1 });
  }
  await expect(
    panel(page).getByRole('button', { name: 'Add a channel…' })
  ).toBeInViewport({ ratio: 1 });
  // The history gets the rest: several entries in full view.
  const entries = panel(page).locator('.jp-lmk-HistoryEntry');
  await expect(entries).toHaveCount(4);
  for (let i = 0; i < 3; i++) {
    await expect(entries.nth(i)).toBeInViewport({ ratio: 1 });
  }

  // Unfolded, Remote sessions get room too, and the channels stay in view.
  await sectionTitle(page, 'Remote sessions').click();
  await expect(
    panel(page).getByRole('button', { name: 'Add a server…' })
  ).toBeInViewport();
  await expect(rows.nth(2)).toBeInViewport({ ratio: 1 });
});

test('forms open in a dialog, where they have room; every control says which channel or entry it is for', async ({
  page
}) => {
  await execute(page, 'lmk:notify', { message: 'epoch 3', title: 'Epochs' });
  await execute(page, 'lmk:open-panel');
  await panel(page).getByRole('button', { name: 'Add a channel…' }).click();
  const dialog = page.locator('.jp-lmk-ChannelDialog');
  await dialog
    .getByLabel('Send notifications to')
    .selectOption({ label: 'ntfy push' });
  const topic = dialog.getByLabel('Topic *');
  await expect(topic).toBeVisible();
  expect((await topic.boundingBox())!.width).toBeGreaterThan(360);
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);

  // Names a screen reader can tell apart.
  const channels = panel(page).locator('.jp-lmk-Channels');
  await expect(
    channels.getByRole('checkbox', { name: 'Send notifications to Chime' })
  ).toBeChecked();
  await expect(
    channels.getByRole('checkbox', { name: /^Chime is a default channel/ })
  ).toBeChecked();
  for (const action of ['Test', 'Edit', 'Remove']) {
    await expect(
      channels.getByRole('button', { name: `${action} Chime` })
    ).toHaveCount(1);
  }
  const entry = panel(page).locator('.jp-lmk-HistoryEntry').first();
  await expect(
    entry.getByRole('button', { name: 'Resend Epochs' })
  ).toHaveCount(1);
  await expect(
    entry.getByRole('button', { name: 'Details of Epochs' })
  ).toHaveAttribute('aria-expanded', 'false');
  await expect(
    panel(page).getByRole('button', {
      name: 'Clear the notification history…'
    })
  ).toHaveCount(1);
});

test('This server is live: a kernel waiting for input shows busy with its connection, then idle', async ({
  page,
  tmpPath
}) => {
  await uploadNotebooks(page, tmpPath);
  await openNotebook(page, tmpPath, 'input.ipynb');
  await execute(page, 'lmk:open-remote-sessions');
  const server = panel(page).locator(
    'li.jp-lmk-RemoteServer[aria-label="This server"]'
  );
  const row = server
    .locator('.jp-lmk-Remote-item')
    .filter({ hasText: 'input.ipynb' });
  await expect(row).toContainText('idle');
  await expect(row).toContainText('1 connection');
  // Refresh and "Shut down all idle" side by side, in line with the list.
  const refresh = server.getByRole('button', {
    name: 'Refresh the sessions of This server'
  });
  const idle = server.getByRole('button', {
    name: 'Shut down all idle kernels on This server'
  });
  const [a, b, item] = await Promise.all([
    refresh.boundingBox(),
    idle.boundingBox(),
    row.boundingBox()
  ]);
  expect(Math.abs(a!.y - b!.y)).toBeLessThan(2);
  expect(Math.abs(a!.x - item!.x)).toBeLessThan(12);

  // input() keeps the kernel busy until answered.
  await page.menu.clickMenuItem('Run>Run All Cells');
  await expect(row.locator('.jp-lmk-Remote-state')).toHaveText('busy');
  await expect(row).toContainText('1 connection');
  await page.locator('.jp-Stdin-input').fill('Ada');
  await page.locator('.jp-Stdin-input').press('Enter');
  await expect(row.locator('.jp-lmk-Remote-state')).toHaveText('idle');
});
