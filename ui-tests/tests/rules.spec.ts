import { expect, galata } from '@jupyterlab/galata';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import {
  execute,
  openNotebook,
  recordDesktopNotifications,
  reloadLab,
  setTabHidden,
  uploadNotebooks
} from './fixtures';
import { test } from './labPages';

/**
 * Rules and the notebook UI in a real JupyterLab with a real ipykernel:
 * the default threshold (30 s) applies, so only modes, the one-shot,
 * input and kernel events make these short runs notify.
 */
test.use({ mockSettings: { ...galata.DEFAULT_SETTINGS } });

test.beforeEach(async ({ page, tmpPath }) => {
  await uploadNotebooks(page, tmpPath);
});

function toasts(page: IJupyterLabPageFixture, text: string) {
  return page.locator('.jp-toast-message', { hasText: text });
}

/** A menu item of the bell menus, by its exact label. */
function modeMenuItem(page: IJupyterLabPageFixture, label: string) {
  return page.locator('.jp-lmk-ModeMenu .lm-Menu-item').filter({
    has: page.locator('.lm-Menu-itemLabel', {
      hasText: new RegExp(`^${label}$`)
    })
  });
}

/** Open the 6 s notebook and run it; returns once the kernel is busy. */
async function startMediumRun(page: IJupyterLabPageFixture, tmpPath: string) {
  await openNotebook(page, tmpPath, 'medium.ipynb');
  await page.menu.clickMenuItem('Run>Run All Cells');
  await page.locator('#jp-main-statusbar >> text=Busy').waitFor();
}

/** The saved notebook, as the server has it. */
async function savedNotebook(page: IJupyterLabPageFixture, path: string) {
  return page.evaluate(
    async file =>
      (await window.jupyterapp.serviceManager.contents.get(file)).content,
    path
  );
}

test('the cell bell sets a mode that is saved in the .ipynb and kept after a reload', async ({
  page,
  tmpPath
}) => {
  await openNotebook(page, tmpPath, 'quick.ipynb');
  await page.notebook.selectCells(1);
  const bell = page.locator('.jp-Cell.jp-mod-active .jp-lmk-CellBell');
  await expect(bell).toHaveAttribute(
    'title',
    'Notify me about this cell’s runs: Like the Rest of the Notebook'
  );
  await bell.click();
  await modeMenuItem(page, 'Every Run, However Short').click();
  await expect(bell).toHaveAttribute(
    'title',
    'Notify me about this cell’s runs: Every Run, However Short'
  );

  await page.notebook.save();
  const saved = await savedNotebook(page, `${tmpPath}/quick.ipynb`);
  expect(saved.cells[1].metadata.lmk).toEqual({ mode: 'always' });
  expect(saved.cells[0].metadata.lmk).toBeUndefined();

  // A 0.1 s run now notifies, because one of its cells asks for it.
  await page.menu.clickMenuItem('Run>Run All Cells');
  await expect(toasts(page, 'quick.ipynb finished')).toHaveCount(1);

  await reloadLab(page);
  await execute(page, 'docmanager:open', { path: `${tmpPath}/quick.ipynb` });
  await page.notebook.selectCells(1);
  await expect(
    page.locator('.jp-Cell.jp-mod-active .jp-lmk-CellBell')
  ).toHaveAttribute('title', /Every Run, However Short/);
});

test('"notify me when this run ends", armed from the notebook bell during a run, tells once', async ({
  page,
  tmpPath
}) => {
  await startMediumRun(page, tmpPath);

  const bell = page.locator('.jp-lmk-NotebookBell');
  await bell.click();
  await modeMenuItem(page, 'Notify Me When This Run Ends').click();
  await expect(bell).toContainText('when done');

  const toast = toasts(page, 'medium.ipynb finished');
  await expect(toast).toHaveCount(1, { timeout: 20000 });
  await expect(bell).not.toContainText('when done');
});

test('a run waiting for input() says so once, and goes on when answered', async ({
  page,
  tmpPath
}) => {
  await openNotebook(page, tmpPath, 'input.ipynb');
  await page.menu.clickMenuItem('Run>Run All Cells');
  const toast = toasts(page, 'input.ipynb is waiting for input');
  await expect(toast).toHaveCount(1);
  await expect(toast).toContainText('cell 1 asks: Your name?');

  await page.locator('.jp-Stdin-input').fill('Ada');
  await page.locator('.jp-Stdin-input').press('Enter');
  await expect(
    page.locator('.jp-OutputArea-output', { hasText: 'hello Ada' })
  ).toBeVisible();
  await expect(toasts(page, 'input.ipynb')).toHaveCount(1);
});

test('a kernel restart during a run is reported whatever the threshold', async ({
  page,
  tmpPath
}) => {
  await startMediumRun(page, tmpPath);
  await page.evaluate(() =>
    (
      window.jupyterapp.shell.currentWidget as any
    ).sessionContext.restartKernel()
  );
  await expect(toasts(page, 'medium.ipynb: the kernel restarted')).toHaveCount(
    1
  );
});

test.describe('only when away', () => {
  test.beforeEach(async ({ page, context }) => {
    await context.grantPermissions(['notifications']);
    await recordDesktopNotifications(page);
  });

  const shown = (page: IJupyterLabPageFixture) =>
    page.evaluate(() => (window as any).lmkDesktop.shown);

  test('a desktop notification that comes while the user is here waits, and goes out as soon as the tab is hidden', async ({
    page,
    tmpPath
  }) => {
    await openNotebook(page, tmpPath, 'quick.ipynb');
    await execute(page, 'lmk:set-notebook-mode', { mode: 'always' });

    await page.menu.clickMenuItem('Run>Run All Cells');
    await expect(toasts(page, 'quick.ipynb finished')).toHaveCount(1);
    await page.waitForTimeout(1000);
    expect(await shown(page)).toEqual([]);
    await execute(page, 'lmk:open-history');
    const entry = page.locator('.jp-lmk-HistoryEntry').first();
    await expect(entry).toContainText('desktop: waiting');

    // The user leaves: the waiting notification goes out, once.
    await setTabHidden(page, true);
    await expect
      .poll(() => shown(page))
      .toEqual([{ title: 'quick.ipynb finished', body: expect.any(String) }]);
    await expect(entry).toContainText('desktop: sent');

    // Hidden, a new one goes out at once.
    await page.menu.clickMenuItem('Run>Run All Cells');
    await expect.poll(async () => (await shown(page)).length).toBe(2);

    // Switched off: the desktop channel delivers while the user is here.
    await setTabHidden(page, false);
    await execute(page, 'lmk:toggle-away-only');
    await page.menu.clickMenuItem('Run>Run All Cells');
    await expect.poll(async () => (await shown(page)).length).toBe(3);
  });

  test('with two tabs, it goes out once, from the tab that showed it, when the user leaves that tab', async ({
    page,
    tmpPath,
    otherTab
  }) => {
    await openNotebook(page, tmpPath, 'quick.ipynb');
    await execute(page, 'lmk:set-notebook-mode', { mode: 'always' });
    // A second tab of the lab, in the background.
    const { page: second } = await otherTab('second-tab');
    await recordDesktopNotifications(second);
    await setTabHidden(second, true);

    await page.menu.clickMenuItem('Run>Run All Cells');
    await expect(toasts(page, 'quick.ipynb finished')).toHaveCount(1);
    await page.waitForTimeout(1500);
    // The background tab counts as away, but the user is in the first.
    expect(await shown(page)).toEqual([]);
    expect(await shown(second)).toEqual([]);

    await setTabHidden(page, true);
    await expect
      .poll(() => shown(page))
      .toEqual([{ title: 'quick.ipynb finished', body: expect.any(String) }]);
    await page.waitForTimeout(1500);
    expect(await shown(second)).toEqual([]);
    await second.close();
  });

  test('one the user saw in the lab (closed its toast) is not sent when they leave, and it survives a reload unseen', async ({
    page,
    tmpPath
  }) => {
    await openNotebook(page, tmpPath, 'quick.ipynb');
    await execute(page, 'lmk:set-notebook-mode', { mode: 'always' });
    await page.menu.clickMenuItem('Run>Run All Cells');
    const toast = page.locator('.Toastify__toast', {
      hasText: 'quick.ipynb finished'
    });
    await expect(toast).toHaveCount(1);
    await toast.getByRole('button', { name: 'Hide notification' }).click();
    await execute(page, 'lmk:open-history');
    const entry = page.locator('.jp-lmk-HistoryEntry').first();
    await expect(entry).toContainText('desktop: not sent');
    await setTabHidden(page, true);
    await page.waitForTimeout(1500);
    expect(await shown(page)).toEqual([]);

    // A second one, not seen, then a reload: the next page delivers it
    // once the user is away.
    await setTabHidden(page, false);
    await page.menu.clickMenuItem('Run>Run All Cells');
    await expect(toasts(page, 'quick.ipynb finished')).toHaveCount(1);
    await expect(entry).toContainText('desktop: waiting');
    await reloadLab(page);
    await setTabHidden(page, true);
    await expect
      .poll(() => shown(page), { timeout: 60_000 })
      .toEqual([{ title: 'quick.ipynb finished', body: expect.any(String) }]);
  });
});

test('the history lists notifications with their delivery, survives a reload, resends and clears', async ({
  page,
  tmpPath
}) => {
  await openNotebook(page, tmpPath, 'quick.ipynb');
  await execute(page, 'lmk:set-notebook-mode', { mode: 'always' });
  await page.menu.clickMenuItem('Run>Run All Cells');
  await expect(toasts(page, 'quick.ipynb finished')).toHaveCount(1);

  await execute(page, 'lmk:open-history');
  const entries = page.locator('.jp-lmk-HistoryEntry');
  await expect(entries).toHaveCount(1);
  await expect(entries.first()).toContainText('quick.ipynb finished');
  await expect(entries.first()).toContainText('lab: sent');
  // Not allowed by the browser: said first, not "you were in the lab".
  await expect(entries.first()).toContainText('desktop: not sent');
  await entries
    .first()
    .getByRole('button', { name: 'Details of quick.ipynb finished' })
    .click();
  await expect(entries.first()).toContainText(
    'desktop: not sent — Desktop notifications have not been enabled yet.'
  );

  await reloadLab(page);
  await execute(page, 'lmk:open-history');
  await expect(entries).toHaveCount(1);
  await expect(entries.first()).toContainText('quick.ipynb finished');

  await entries
    .first()
    .getByRole('button', { name: 'Resend quick.ipynb finished' })
    .click();
  await expect(toasts(page, 'quick.ipynb finished')).toHaveCount(1);
  await expect(entries).toHaveCount(1);

  await page
    .locator('#jp-lmk-sidebar')
    .getByRole('button', { name: 'Clear the notification history…' })
    .click();
  await page.getByRole('button', { name: 'Clear', exact: true }).click();
  await expect(entries).toHaveCount(0);
  await expect(page.locator('.jp-lmk-History-empty')).toBeVisible();
});
