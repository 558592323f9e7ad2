import { expect, galata, test } from '@jupyterlab/galata';
import type { Page } from '@playwright/test';
import * as path from 'path';

/**
 * A real JupyterLab with the extension, a real ipykernel, Debian Chromium.
 * The threshold is lowered to 2 s so that a 3 s run is "long".
 */
test.use({
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    'jupyterlab-lmk:plugin': { threshold: 2 }
  }
});

test.beforeEach(async ({ page, tmpPath }) => {
  await page.contents.uploadDirectory(
    path.resolve(__dirname, '../notebooks'),
    tmpPath
  );
  await page.filebrowser.openDirectory(tmpPath);
});

/** Toasts of the lab whose text mentions `name`. */
function toastsAbout(page: Page, name: string) {
  return page.locator('.jp-toast-message', { hasText: name });
}

async function openAndRunAll(page: Page, tmpPath: string, name: string) {
  await page.notebook.openByPath(`${tmpPath}/${name}`);
  await page.notebook.activate(name);
  // The kernel must be idle before the run is scheduled.
  await page.locator('#jp-main-statusbar >> text=Idle').waitFor();
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
  await expect(toast).toContainText('Failed at cell 3 [3]');
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

test('"Go to cell" brings the failing cell into view and selects it', async ({
  page,
  tmpPath
}) => {
  await openAndRunAll(page, tmpPath, 'slow-failing.ipynb');
  const toast = page.locator('.Toastify__toast', {
    hasText: 'slow-failing.ipynb failed'
  });
  await expect(toast).toHaveCount(1, { timeout: 30000 });

  // Move away: another cell selected, the notebook scrolled elsewhere.
  await page.notebook.selectCells(0);
  await expect(page.locator('.jp-Notebook .jp-Cell.jp-mod-active')).toHaveCount(
    1
  );

  await toast.getByRole('button', { name: 'Go to cell' }).click();

  const active = page.locator('.jp-Notebook .jp-Cell.jp-mod-active');
  await expect(active).toContainText('1 / 0');
  await expect(active).toBeInViewport();
});

test.describe('desktop notifications', () => {
  test.beforeEach(async ({ page, context }) => {
    await context.grantPermissions(['notifications']);
    // Record what the page hands to the browser's Notification API.
    await page.addInitScript(() => {
      const Native = window.Notification;
      const shown: { title: string; body?: string }[] = [];
      (window as any).lmkDesktopShown = shown;
      class Recording extends Native {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          shown.push({ title, body: options?.body });
        }
        static get permission() {
          return Native.permission;
        }
        static requestPermission() {
          return Native.requestPermission();
        }
      }
      (window as any).Notification = Recording;
    });
    await page.reload();
  });

  test('once permission is granted, a long run also creates a desktop notification', async ({
    page,
    tmpPath
  }) => {
    await openAndRunAll(page, tmpPath, 'slow-failing.ipynb');
    await expect(toastsAbout(page, 'slow-failing.ipynb')).toHaveCount(1, {
      timeout: 30000
    });
    await expect
      .poll(() => page.evaluate(() => (window as any).lmkDesktopShown))
      .toEqual([
        {
          title: 'slow-failing.ipynb failed',
          body: expect.stringContaining('ZeroDivisionError: division by zero')
        }
      ]);
  });
});
