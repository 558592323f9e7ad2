import { expect, test } from '@jupyterlab/galata';
import type { Page } from '@playwright/test';
import {
  lowThresholdSettings,
  openNotebook,
  recordDesktopNotifications,
  reloadLab,
  setTabHidden,
  uploadNotebooks
} from './fixtures';

/**
 * A real JupyterLab with the extension, a real ipykernel, Debian Chromium.
 * The threshold is lowered to 2 s so that a 3 s run is "long".
 */
test.use({ mockSettings: lowThresholdSettings });

test.beforeEach(async ({ page, tmpPath }) => {
  await uploadNotebooks(page, tmpPath);
});

/** Toasts of the lab whose text mentions `name`. */
function toastsAbout(page: Page, name: string) {
  return page.locator('.jp-toast-message', { hasText: name });
}

async function openAndRunAll(page: Page, tmpPath: string, name: string) {
  await openNotebook(page, tmpPath, name);
  await page.menu.clickMenuItem('Run>Run All Cells');
}

test('a run longer than the threshold shows exactly one toast with name, outcome and duration', async ({
  page,
  tmpPath
}) => {
  await openAndRunAll(page, tmpPath, 'slow.ipynb');

  const toast = toastsAbout(page, 'slow.ipynb');
  await expect(toast).toHaveCount(1, { timeout: 30000 });
  await expect(toast).toContainText('slow.ipynb finished');
  // Duration from the kernel's clock: about 3 s, never the 0 s of a
  // notification sent too early.
  await expect(toast).toContainText(/Finished in [3-5](\.\d)? s/);
  await expect(toast).toContainText('3 of 3 cells executed');

  // Still one a little later: no duplicate from another path.
  await page.waitForTimeout(1500);
  await expect(toastsAbout(page, 'slow.ipynb')).toHaveCount(1);
});

test('a failing run names the failing cell and the error', async ({
  page,
  tmpPath
}) => {
  await openAndRunAll(page, tmpPath, 'slow-failing.ipynb');

  const toast = toastsAbout(page, 'slow-failing.ipynb');
  await expect(toast).toHaveCount(1, { timeout: 30000 });
  await expect(toast).toContainText('slow-failing.ipynb failed');
  await expect(toast).toContainText('Failed at cell 3 (In [3])');
  await expect(toast).toContainText('ZeroDivisionError: division by zero');
  await expect(toast).toContainText('3 of 4 cells executed');
});

test('a run shorter than the threshold shows nothing', async ({
  page,
  tmpPath
}) => {
  await openAndRunAll(page, tmpPath, 'quick.ipynb');
  await page.notebook.waitForRun();
  // Give a notification time to show up, were one (wrongly) sent.
  await page.waitForTimeout(2000);
  await expect(toastsAbout(page, 'quick.ipynb')).toHaveCount(0);
});

test('"Go to cell" scrolls to the failing cell far down and selects it in command mode', async ({
  page,
  tmpPath
}) => {
  await openAndRunAll(page, tmpPath, 'long-failing.ipynb');
  const toast = page.locator('.Toastify__toast', {
    hasText: 'long-failing.ipynb failed'
  });
  await expect(toast).toHaveCount(1, { timeout: 30000 });
  await expect(toast).toContainText('Failed at cell 42 (In [2])');
  await expect(toast).toContainText('RuntimeError: far below');

  // Go back to the top and edit there: the failing cell is out of view.
  await page.notebook.selectCells(0);
  await page.keyboard.press('Enter');
  await expect(page.locator('.jp-Notebook.jp-mod-editMode')).toHaveCount(1);
  const failing = page.locator('.jp-Notebook .jp-Cell', {
    hasText: "raise RuntimeError('far below')"
  });
  await expect(failing).not.toBeInViewport();

  await toast.getByRole('button', { name: 'Go to cell' }).click();

  await expect(failing).toBeInViewport();
  await expect(failing).toHaveClass(/jp-mod-active/);
  // The cell to look at, not an editor to type in: command mode, the
  // keyboard on the notebook.
  await expect(page.locator('.jp-Notebook.jp-mod-commandMode')).toHaveCount(1);
  await expect(page.locator('.jp-Notebook .cm-editor.cm-focused')).toHaveCount(
    0
  );
  await expect(
    page.locator('.jp-Notebook .jp-Cell.jp-mod-selected')
  ).toHaveCount(1);
  await page.keyboard.press('ArrowUp');
  await expect(failing).not.toHaveClass(/jp-mod-active/);
});

test.describe('desktop notifications, permission granted', () => {
  test.beforeEach(async ({ page, context }) => {
    await context.grantPermissions(['notifications']);
    await recordDesktopNotifications(page);
    // Desktop notifications wait until the user is away.
    await setTabHidden(page, true);
  });

  test('a long run also creates a desktop notification; clicking it goes to the cell', async ({
    page,
    tmpPath
  }) => {
    await openAndRunAll(page, tmpPath, 'long-failing.ipynb');
    await expect(toastsAbout(page, 'long-failing.ipynb')).toHaveCount(1, {
      timeout: 30000
    });
    await expect
      .poll(() => page.evaluate(() => (window as any).lmkDesktop.shown))
      .toEqual([
        {
          title: 'long-failing.ipynb failed',
          body: expect.stringContaining('RuntimeError: far below')
        }
      ]);

    await page.notebook.selectCells(0);
    const failing = page.locator('.jp-Notebook .jp-Cell', {
      hasText: "raise RuntimeError('far below')"
    });
    await expect(failing).not.toBeInViewport();
    await page.evaluate(() => {
      const shown = (window as any).lmkDesktop.instances[0] as Notification;
      shown.onclick?.(new Event('click'));
    });
    await expect(failing).toBeInViewport();
    await expect(failing).toHaveClass(/jp-mod-active/);
  });
});

test.describe('desktop notifications, permission not yet given', () => {
  test.beforeEach(async ({ page }) => {
    await recordDesktopNotifications(page);
  });

  test('permission is never asked on load, only from the toast button', async ({
    page,
    tmpPath
  }) => {
    await openAndRunAll(page, tmpPath, 'slow.ipynb');
    const toast = page.locator('.Toastify__toast', {
      hasText: 'slow.ipynb finished'
    });
    await expect(toast).toHaveCount(1, { timeout: 30000 });
    const record = () => page.evaluate(() => (window as any).lmkDesktop);
    expect((await record()).permissionRequests).toBe(0);
    expect((await record()).shown).toEqual([]);

    await toast
      .getByRole('button', { name: 'Enable desktop notifications' })
      .click();
    await expect.poll(async () => (await record()).permissionRequests).toBe(1);

    // Declined (the browser's question was not answered yes): not offered
    // again, not even after a reload.
    await expect(
      page.locator('.jp-toast-message', {
        hasText: /stay off|blocks notifications/
      })
    ).toHaveCount(1);
    await reloadLab(page);
    await page.evaluate(() =>
      window.jupyterapp.commands.execute('lmk:notify', {
        message: 'done',
        title: 'After the reload'
      })
    );
    await expect(
      page.locator('.Toastify__toast', { hasText: 'After the reload' })
    ).toHaveCount(1);
    await expect(
      page.getByRole('button', { name: 'Enable desktop notifications' })
    ).toHaveCount(0);
  });

  test('"Enable desktop notifications" is offered on one toast, not on each', async ({
    page
  }) => {
    for (const title of ['First', 'Second', 'Third']) {
      await page.evaluate(
        title =>
          window.jupyterapp.commands.execute('lmk:notify', {
            message: 'done',
            title
          }),
        title
      );
    }
    await expect(page.locator('.Toastify__toast')).toHaveCount(3);
    await expect(
      page.getByRole('button', { name: 'Enable desktop notifications' })
    ).toHaveCount(1);
  });
});
