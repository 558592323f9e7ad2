import { expect, test } from '@jupyterlab/galata';

/**
 * The palette commands, run in a real JupyterLab.
 */
test('the Notifications palette category lists the three commands', async ({
  page
}) => {
  await page.keyboard.press('Control+Shift+C');
  const palette = page.locator('#command-palette');
  await palette.locator('input').fill('Notification');
  const header = palette.locator('.lm-CommandPalette-header', {
    hasText: 'Notifications'
  });
  await expect(header).toHaveCount(1);
  for (const label of [
    'Send a Notification…',
    'Enable Desktop Notifications',
    'Send a Test Notification'
  ]) {
    await expect(
      palette.locator('.lm-CommandPalette-item', { hasText: label })
    ).toHaveCount(1);
  }
});

test('lmk:notify sends a message with a title to the lab', async ({ page }) => {
  await page.evaluate(() =>
    window.jupyterapp.commands.execute('lmk:notify', {
      message: 'epoch 10 done',
      title: 'Training'
    })
  );
  const toast = page.locator('.jp-toast-message', { hasText: 'Training' });
  await expect(toast).toHaveCount(1);
  await expect(toast).toContainText('epoch 10 done');
});

test('lmk:notify asks for a message when run from the palette', async ({
  page
}) => {
  await page.evaluate(() => {
    void window.jupyterapp.commands.execute('lmk:notify');
  });
  const dialog = page.locator('.jp-Dialog');
  await dialog.locator('input').fill('typed by hand');
  await dialog.getByRole('button', { name: 'Send' }).click();
  await expect(
    page.locator('.jp-toast-message', { hasText: 'typed by hand' })
  ).toHaveCount(1);
});

test('lmk:send-test reports what each enabled channel did', async ({
  page
}) => {
  const results = await page.evaluate(() =>
    window.jupyterapp.commands.execute('lmk:send-test')
  );
  expect(results).toEqual([
    { channelId: 'lab', status: 'sent' },
    {
      channelId: 'desktop',
      status: 'skipped',
      detail: 'Desktop notifications have not been enabled yet.'
    }
  ]);
  const report = page.locator('.jp-toast-message', {
    hasText: 'desktop: not sent'
  });
  await expect(report).toHaveCount(1);
  await expect(report).toContainText('lab: sent');
});
