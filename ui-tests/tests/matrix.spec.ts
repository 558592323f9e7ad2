import { expect, galata, test } from '@jupyterlab/galata';
import { execute, openNotebook, uploadNotebooks } from './fixtures';
import {
  createRoom,
  registerUser,
  SYNAPSE_URL,
  tokenStatus,
  uniqueName,
  waitForMessages
} from './synapse';

/**
 * The Matrix flow end to end, against the real Synapse homeserver the
 * suite starts (playwright.config.js): add a Matrix room channel, logging
 * in in its dialog, pick a room, run a failing notebook, read the message
 * back through the client-server API, log out (which revokes the lab's
 * token).
 */
test.use({
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    'jupyterlab-lmk:plugin': { threshold: 0, awayOnly: false }
  }
});

test('log in to Matrix, pick a room, a failed run is posted there once, log out revokes the token', async ({
  page,
  tmpPath
}) => {
  const password = 'correct horse battery staple';
  const alice = await registerUser(uniqueName('alice'), password);
  const roomName = uniqueName('LMK runs');
  const roomId = await createRoom(alice, { name: roomName });
  await uploadNotebooks(page, tmpPath);

  await execute(page, 'lmk:open-panel');
  await page
    .locator('#jp-lmk-sidebar .jp-lmk-Channels')
    .getByRole('button', { name: 'Add a channel…' })
    .click();
  const dialog = page.locator('.jp-lmk-ChannelDialog');
  await dialog
    .getByLabel('Send notifications to')
    .selectOption({ label: 'Matrix room' });
  const matrix = dialog.locator('.jp-lmk-AccountCard');
  await matrix.getByLabel('Homeserver').fill(SYNAPSE_URL);
  await matrix.getByRole('button', { name: 'Continue' }).click();
  await matrix.getByLabel('Username').fill(alice.name);
  await matrix.getByLabel('Password').fill('wrong password');
  await matrix.getByRole('button', { name: 'Log in' }).click();
  const error = matrix.locator('[role="alert"]');
  await expect(error).toContainText(/password/i);
  await expect(error).not.toContainText('wrong password');
  await matrix.getByLabel('Password').fill(password);
  await matrix.getByRole('button', { name: 'Log in' }).click();
  await expect(matrix).toContainText(`Logged in as ${alice.userId}`);
  // The password is gone from the page once logged in.
  await expect(matrix.getByLabel('Password')).toHaveCount(0);

  await matrix
    .getByRole('button', { name: 'Choose one of your rooms…' })
    .click();
  await matrix
    .getByRole('button', { name: `Send notifications to ${roomName}` })
    .click();
  const form = dialog.locator('form.jp-lmk-ChannelForm');
  await expect(form.getByLabel('Name')).toHaveValue(roomName);
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toHaveCount(0);
  const row = page
    .locator('#jp-lmk-sidebar .jp-lmk-Channel')
    .filter({ hasText: roomName });
  await expect(row).toContainText('Matrix');

  await openNotebook(page, tmpPath, 'failing.ipynb');
  await page.menu.clickMenuItem('Run>Run All Cells');
  const messages = await waitForMessages(alice, roomId, 1);
  expect(messages).toHaveLength(1);
  const [message] = messages;
  expect(message.sender).toBe(alice.userId);
  expect(message.content.msgtype).toBe('m.notice');
  expect(message.content.body).toContain('failing.ipynb');
  expect(message.content.body).toContain('ZeroDivisionError');
  expect(message.content.format).toBe('org.matrix.custom.html');
  expect(message.content.formatted_body).toContain('ZeroDivisionError');
  await expect(row.locator('.jp-lmk-Channel-status')).toHaveText(/Last: sent/);

  // The lab's own token (kept in the settings, never in the notebook).
  const labToken: string = await page.evaluate(
    async () =>
      (
        (
          await window.jupyterapp.serviceManager.settings.fetch(
            'jupyterlab-lmk:plugin'
          )
        ).settings as any
      ).accounts.matrix.accessToken
  );
  expect(labToken).not.toBe(alice.accessToken);
  expect(await tokenStatus(labToken)).toBe(200);
  const notebook = await page.evaluate(
    async file =>
      JSON.stringify(
        (await window.jupyterapp.serviceManager.contents.get(file)).content
      ),
    `${tmpPath}/failing.ipynb`
  );
  expect(notebook).not.toContain(labToken);

  // The login is listed under the channels, with Log out.
  await execute(page, 'lmk:open-panel');
  const logins = page.locator('#jp-lmk-sidebar .jp-lmk-Logins');
  await logins
    .getByRole('button', { name: `Log out of Matrix (${alice.userId})` })
    .click();
  await expect(logins).toHaveCount(0);
  expect(await tokenStatus(labToken)).toBe(401);
  // No second message came meanwhile.
  expect(await waitForMessages(alice, roomId, 2, 1000)).toHaveLength(1);
});
