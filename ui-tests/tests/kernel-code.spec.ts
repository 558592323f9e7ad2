import { expect, test } from '@jupyterlab/galata';
import {
  lowThresholdSettings,
  openNotebook,
  reloadLab,
  uploadNotebooks
} from './fixtures';

/**
 * Kernel code that sends notifications, report values and run-and-report,
 * in a real JupyterLab with a real ipykernel.
 */
test.use({ mockSettings: lowThresholdSettings });

test.beforeEach(async ({ page, tmpPath }) => {
  await uploadNotebooks(page, tmpPath);
});

test('notify() in a cell sends one notification and says so in the output; a reload sends none', async ({
  page,
  tmpPath
}) => {
  await openNotebook(page, tmpPath, 'notify.ipynb');
  await page.notebook.run();

  const toast = page.locator('.jp-toast-message', { hasText: 'Training' });
  await expect(toast).toHaveCount(1);
  await expect(toast).toContainText('epoch 10 done');
  const line = page.locator('.jp-lmk-NotifyOutput');
  await expect(line).toHaveText('Notification "Training": sent to lab');

  await page.notebook.save();
  await reloadLab(page);
  await page.evaluate(
    file =>
      window.jupyterapp.commands.execute('docmanager:open', { path: file }),
    `${tmpPath}/notify.ipynb`
  );
  await expect(page.locator('.jp-lmk-NotifyOutput')).toHaveText(
    'Notification "Training" (sent when this output was produced)'
  );
  await page.waitForTimeout(1000);
  await expect(
    page.locator('.jp-toast-message', { hasText: 'Training' })
  ).toHaveCount(0);
});

test('report values chosen from the toolbar appear in the run notification', async ({
  page,
  tmpPath
}) => {
  await openNotebook(page, tmpPath, 'report.ipynb');
  await page
    .locator('.jp-NotebookPanel-toolbar')
    .getByRole('button', { name: 'Report' })
    .click();
  const dialog = page.locator('.jp-Dialog');
  const text = dialog.getByRole('textbox', { name: 'Report expressions' });
  // Ready to type: the text box has the keyboard focus.
  await expect(text).toBeFocused();
  // Ready to type: the text box has the keyboard focus.
  await expect(text).toBeFocused();

  // A mistake is named, and what was typed is kept.
  await text.fill('loss: f"{loss:.3f}"\nthis line has no name');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('.jp-lmk-ReportEditor-errors')).toContainText(
    'Line 2: write "name: expression"'
  );
  await expect(text).toHaveValue('loss: f"{loss:.3f}"\nthis line has no name');

  await text.fill('loss: f"{loss:.3f}"\nbroken: 1 / 0');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toHaveCount(0);

  await page.menu.clickMenuItem('Run>Run All Cells');
  const toast = page.locator('.jp-toast-message', {
    hasText: 'report.ipynb finished'
  });
  await expect(toast).toHaveCount(1, { timeout: 30000 });
  await expect(toast).toContainText("loss: '0.123', broken: ZeroDivisionError");

  // The expressions are saved in the notebook, under metadata.lmk.report.
  await page.notebook.save();
  const saved = await page.evaluate(
    async file =>
      (await window.jupyterapp.serviceManager.contents.get(file)).content,
    `${tmpPath}/report.ipynb`
  );
  expect(saved.metadata.lmk).toEqual({
    report: { loss: 'f"{loss:.3f}"', broken: '1 / 0' }
  });
  // Evaluating them did not touch the execution counter: 2 cells, [1] and [2].
  expect(saved.cells.map((c: any) => c.execution_count)).toEqual([1, 2]);
});

test('lmk:run-and-report runs code in the kernel and sends what it printed and returned', async ({
  page,
  tmpPath
}) => {
  await openNotebook(page, tmpPath, 'quick.ipynb');
  const results = await page.evaluate(() =>
    window.jupyterapp.commands.execute('lmk:run-and-report', {
      code: 'print("hello from the kernel")\n6 * 7'
    })
  );
  expect(results).toEqual(
    expect.arrayContaining([{ channelId: 'lab', status: 'sent' }])
  );
  const toast = page.locator('.jp-toast-message', {
    hasText: 'quick.ipynb: snippet result'
  });
  await expect(toast).toHaveCount(1);
  await expect(toast).toContainText('hello from the kernel');

  await page.evaluate(() =>
    window.jupyterapp.commands.execute('lmk:run-and-report', {
      code: 'undefined_name'
    })
  );
  const failed = page.locator('.jp-toast-message', {
    hasText: 'quick.ipynb: snippet failed'
  });
  await expect(failed).toHaveCount(1);
  await expect(failed).toContainText(
    "NameError: name 'undefined_name' is not defined"
  );
  // Nothing was written into the notebook.
  await expect(page.locator('.jp-OutputArea-output')).toHaveCount(0);
});
