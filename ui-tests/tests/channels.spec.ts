import { expect, galata, test } from '@jupyterlab/galata';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import { execute, openNotebook, uploadNotebooks } from './fixtures';
import { LoopbackReceiver } from '../../src/__tests__/loopbackReceiver';

/**
 * The Notifications panel's Channels section and its dialogs in a real
 * JupyterLab: every run notifies (threshold 0) and every channel delivers
 * while the tab is visible (awayOnly off).
 */
test.use({
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    'jupyterlab-lmk:plugin': { threshold: 0, awayOnly: false }
  }
});

test.beforeEach(async ({ page, tmpPath }) => {
  await uploadNotebooks(page, tmpPath);
});

/** The Channels section, once the panel is open. */
function channelsSection(page: IJupyterLabPageFixture) {
  return page.locator('#jp-lmk-sidebar .jp-lmk-Channels');
}

/** The channel dialog, once open. */
function channelDialog(page: IJupyterLabPageFixture) {
  return page.locator('.jp-lmk-ChannelDialog');
}

/** Open the dialog for a new channel of a type; returns its form. */
async function addChannel(page: IJupyterLabPageFixture, typeLabel: string) {
  await execute(page, 'lmk:open-panel');
  await channelsSection(page)
    .getByRole('button', { name: 'Add a channel…' })
    .click();
  await channelDialog(page)
    .getByLabel('Send notifications to')
    .selectOption({ label: typeLabel });
  return channelDialog(page).locator('form.jp-lmk-ChannelForm');
}

/** The row of a channel in the list, by its shown name. */
function channelRow(page: IJupyterLabPageFixture, name: string) {
  return channelsSection(page)
    .locator('.jp-lmk-Channel')
    .filter({ has: page.locator('.jp-lmk-Channel-name', { hasText: name }) });
}

test('the panel has Channels, History and Remote sessions, and the status bar opens it', async ({
  page
}) => {
  const item = page.locator('.jp-lmk-StatusItem');
  await expect(item).toHaveText('2 channels');
  await item.click();
  const panel = page.locator('#jp-lmk-sidebar');
  await expect(panel).toBeVisible();
  await expect(panel.locator('.jp-AccordionPanel-title')).toHaveText([
    /Channels/,
    /History/,
    /Remote sessions/,
    /Shared Live/
  ]);
  // The defaults are listed with their type.
  await expect(channelRow(page, 'lab')).toContainText('In-lab toast');
  await expect(channelRow(page, 'desktop')).toContainText(
    'Desktop notification'
  );
  // Keyboard: the Add button opens the dialog, its first field has the
  // focus, Escape closes it.
  await channelsSection(page)
    .getByRole('button', { name: 'Add a channel…' })
    .focus();
  await page.keyboard.press('Enter');
  const dialog = channelDialog(page);
  await expect(dialog.getByLabel('Send notifications to')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
});

test('the sound channel plays a rising chime for a test and a falling one for a failed run', async ({
  page,
  tmpPath
}) => {
  // Record the notes the page plays (Chromium's real Web Audio).
  await page.addInitScript(() => {
    const notes: number[] = [];
    (window as any).lmkNotes = notes;
    const create = AudioContext.prototype.createOscillator;
    AudioContext.prototype.createOscillator = function () {
      const oscillator = create.call(this);
      const start = oscillator.start.bind(oscillator);
      oscillator.start = (when?: number) => {
        notes.push(oscillator.frequency.value);
        start(when);
      };
      return oscillator;
    };
  });
  await page.reload();
  await uploadNotebooks(page, tmpPath);
  const notes = () => page.evaluate(() => (window as any).lmkNotes);

  const form = await addChannel(page, 'Sound');
  await form.getByLabel('Name').fill('Chime');
  await form.getByRole('button', { name: 'Save' }).click();
  const row = channelRow(page, 'Chime');
  await expect(row).toContainText('Nothing sent yet.');
  await row.getByRole('button', { name: 'Test Chime' }).click();
  await expect(row.locator('.jp-lmk-Channel-status')).toHaveText('Last: sent.');
  expect(await notes()).toEqual([660, 880]);

  await openNotebook(page, tmpPath, 'failing.ipynb');
  await page.menu.clickMenuItem('Run>Run All Cells');
  await expect.poll(notes).toEqual([660, 880, 440, 294]);
});

test('bad input is named before saving, and nothing typed is lost: ntfy topic, unreachable server, Matrix homeserver', async ({
  page
}) => {
  // A port nothing listens on.
  const nowhere = 'http://127.0.0.1:9';
  const form = await addChannel(page, 'ntfy push');
  await form.getByLabel('Name').fill('Phone');
  await form.getByLabel('Topic *').fill('my topic!');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.locator('.jp-lmk-Field-error')).toContainText(
    'no spaces or other signs'
  );
  await form.getByLabel('Topic *').fill('lmk-runs-7f3a');
  await form.getByLabel('Server *').fill(nowhere);
  await form.getByRole('button', { name: 'Save' }).click();
  const check = form.locator('.jp-lmk-ChannelForm-check');
  await expect(check).toContainText('could not be reached');
  await expect(form.getByLabel('Topic *')).toHaveValue('lmk-runs-7f3a');
  await check.getByRole('button', { name: 'Save anyway' }).click();
  await expect(channelRow(page, 'Phone')).toContainText('127.0.0.1:9');
  // The topic is only hinted at in the list.
  await expect(channelRow(page, 'Phone')).not.toContainText('lmk-runs-7f3a');

  const matrixForm = await addChannel(page, 'Matrix room');
  await expect(matrixForm).toBeVisible();
  const matrix = channelDialog(page).getByRole('form', {
    name: 'Matrix login'
  });
  await matrix.getByLabel('Homeserver').fill(nowhere);
  await matrix.getByRole('button', { name: 'Continue' }).click();
  await expect(matrix.locator('[role="alert"]')).toContainText(
    'could not be reached'
  );
  await expect(matrix.getByLabel('Homeserver')).toHaveValue(nowhere);
});

test.describe('a webhook channel (loopback receiver standing in for a webhook endpoint)', () => {
  let receiver: LoopbackReceiver;
  let base = '';

  test.beforeAll(async () => {
    receiver = await LoopbackReceiver.start({ cors: {} });
    base = receiver.origin;
  });

  test.afterAll(async () => {
    await receiver.close();
  });

  test('is checked before saving, keeps its secrets masked, tests and delivers a notebook’s runs when the notebook chooses it', async ({
    page,
    tmpPath
  }) => {
    const hookUrl = `${base}/hooks/s3cr3t-path`;
    const form = await addChannel(page, 'Webhook (JSON)');
    await form.getByLabel('Name').fill('Receiver');
    const address = form.getByLabel('Receiver address *');
    await address.fill('not an address');
    await form.getByRole('button', { name: 'Save' }).click();
    // Told what is wrong, and nothing typed is lost.
    await expect(form.locator('.jp-lmk-Field-error')).toContainText(
      'not a web address'
    );
    await expect(form.getByLabel('Name')).toHaveValue('Receiver');
    await address.fill(hookUrl);
    await form.getByLabel('Signing secret').fill('hmac-key');
    await form.getByRole('button', { name: 'Save' }).click();

    const row = channelRow(page, 'Receiver');
    // Only the host is shown, never the address's secret path.
    await expect(row.locator('.jp-lmk-Channel-summary')).toHaveText(
      new URL(base).host
    );
    await expect(channelsSection(page)).not.toContainText('s3cr3t-path');

    await row.getByRole('button', { name: 'Test Receiver' }).click();
    await expect(row.locator('.jp-lmk-Channel-status')).toHaveText(
      'Last: sent.'
    );
    expect(receiver.received()).toHaveLength(1);
    const [test] = receiver.received();
    expect(test.path).toBe('/hooks/s3cr3t-path');
    expect(JSON.parse(test.text)).toMatchObject({
      version: 1,
      event: 'manual',
      title: 'Test notification'
    });
    expect(test.headers['x-lmk-signature-256']).toMatch(
      /^sha256=[0-9a-f]{64}$/
    );

    // Editing shows the secrets masked, not in clear.
    await row.getByRole('button', { name: 'Edit Receiver' }).click();
    const edit = channelDialog(page).locator('form.jp-lmk-ChannelForm');
    await expect(edit.getByLabel('Receiver address *')).toHaveValue('');
    await expect(edit.getByLabel('Receiver address *')).toHaveAttribute(
      'type',
      'password'
    );
    await expect(edit.getByLabel('Signing secret')).toHaveValue('');
    await edit.getByRole('button', { name: 'Cancel' }).click();

    // This notebook sends only to the webhook: no toast for its run.
    await openNotebook(page, tmpPath, 'quick.ipynb');
    await execute(page, 'lmk:choose-notebook-channels', {
      channels: ['webhook']
    });
    await page.menu.clickMenuItem('Run>Run All Cells');
    await expect.poll(() => receiver.received().length).toBe(2);
    const run = JSON.parse(receiver.received()[1].text);
    expect(run.event).toBe('run.finished');
    expect(run.notebook.name).toBe('quick.ipynb');
    expect(receiver.received()[1].headers['x-lmk-event-id']).toMatch(/^run:/);
    await expect(
      page.locator('.jp-toast-message', { hasText: 'quick.ipynb' })
    ).toHaveCount(0);

    // The notebook keeps the channel's id, never its address or secret.
    await page.notebook.save();
    const saved = await page.evaluate(
      async file =>
        JSON.stringify(
          (await window.jupyterapp.serviceManager.contents.get(file)).content
        ),
      `${tmpPath}/quick.ipynb`
    );
    expect(JSON.parse(saved).metadata.lmk).toEqual({ channels: ['webhook'] });
    expect(saved).not.toContain('s3cr3t');
    expect(saved).not.toContain('hmac-key');
  });
});
