import { expect, galata, test } from '@jupyterlab/galata';
import { NtfyLoopback } from '../../src/__tests__/ntfyLoopback';
import { execute, openNotebook, uploadNotebooks } from './fixtures';
import {
  createRoom,
  type IRoomMessage,
  type ISynapseUser,
  registerUser,
  roomMessages,
  SYNAPSE_URL,
  synapseCall,
  uniqueName
} from './synapse';

/**
 * Watch a run live and stop it from the phone, in a real JupyterLab in
 * Chromium: the lab posts as alice's lab device to a room of the suite's
 * real Synapse; "the phone" is alice on another device (reactions sent
 * through Synapse's client-server API). ntfy is a loopback stand-in that
 * follows ntfy's documented wire format, started by the test process.
 */
const PASSWORD = 'correct horse battery staple';
let phone: ISynapseUser;
let lab: { userId: string; deviceId: string; accessToken: string };
let roomId: string;
let ntfy: NtfyLoopback;

test.beforeAll(async () => {
  phone = await registerUser(uniqueName('alice'), PASSWORD);
  const login = await synapseCall(null, 'POST', '/_matrix/client/v3/login', {
    type: 'm.login.password',
    identifier: { type: 'm.id.user', user: phone.name },
    password: PASSWORD,
    initial_device_display_name: 'JupyterLab (jupyterlab-lmk)'
  });
  lab = {
    userId: login.user_id,
    deviceId: login.device_id,
    accessToken: login.access_token
  };
  roomId = await createRoom(phone, { name: uniqueName('LMK runs') });
  ntfy = await NtfyLoopback.start();
});

test.afterAll(async () => {
  await ntfy.close();
});

test.use({
  // Galata's kernel mock reads every kernel request's answer as JSON; an
  // interrupt's answer is empty (204). The kernels are real and stopped by
  // each test.
  kernels: null,
  // The homeserver's users and the stand-in's port are known once they
  // have started: the settings are built per test.
  // eslint-disable-next-line no-empty-pattern
  mockSettings: async ({}, use) => {
    await use({
      ...galata.DEFAULT_SETTINGS,
      'jupyterlab-lmk:plugin': {
        threshold: 0,
        awayOnly: false,
        includeSource: true,
        outputLines: 2,
        channels: [
          { id: 'lab', type: 'toast', enabled: true },
          {
            id: 'runs',
            type: 'matrix',
            enabled: true,
            roomId,
            roomName: 'LMK runs'
          },
          {
            id: 'phone',
            type: 'ntfy',
            enabled: false,
            server: ntfy.origin,
            topic: 'lmk-alerts-ui'
          }
        ],
        accounts: {
          matrix: { homeserver: SYNAPSE_URL, ...lab }
        }
      }
    });
  }
});

test.beforeEach(async ({ page, tmpPath }) => {
  await uploadNotebooks(page, tmpPath);
});

/** The lab's status notices in the room about a notebook, oldest first. */
async function statusNotices(name: string): Promise<IRoomMessage[]> {
  return (await roomMessages(phone, roomId)).filter(
    message =>
      message.content.msgtype === 'm.notice' &&
      !message.content['m.relates_to'] &&
      String(message.content.body).startsWith(name)
  );
}

/** The text of a status as it reads now (its latest edit). */
async function statusText(eventId: string): Promise<string> {
  const edits = (await roomMessages(phone, roomId)).filter(
    message =>
      message.content['m.relates_to']?.rel_type === 'm.replace' &&
      message.content['m.relates_to']?.event_id === eventId
  );
  const last = edits[edits.length - 1];
  return last ? last.content['m.new_content'].body : '';
}

async function react(eventId: string, key: string): Promise<void> {
  await synapseCall(
    phone.accessToken,
    'PUT',
    `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.reaction/${uniqueName('r')}`,
    { 'm.relates_to': { rel_type: 'm.annotation', event_id: eventId, key } }
  );
}

test('Share Live Status… from the bell menu, then 🛑 from the phone stops the run', async ({
  page,
  tmpPath
}) => {
  await openNotebook(page, tmpPath, 'live.ipynb');
  await page.locator('.jp-lmk-NotebookBell').click();
  await page
    .locator('.lm-Menu-item', { hasText: 'Share Live Status…' })
    .click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText('Share Live Status of live.ipynb');
  await expect(dialog.getByRole('radio', { name: /LMK runs/ })).toBeChecked();
  await expect(dialog).toContainText('the next run of this notebook is shared');
  // From the keyboard: the chosen room has the focus, Enter shares.
  await expect(dialog.getByRole('radio', { name: /LMK runs/ })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(dialog).toHaveCount(0);

  await execute(page, 'lmk:open-panel');
  const shares = page.locator('#jp-lmk-sidebar .jp-lmk-LiveShares');
  const entry = shares.locator('.jp-lmk-LiveShare', { hasText: 'live.ipynb' });
  await expect(entry).toContainText('next run');
  await expect(entry).toContainText('Matrix room LMK runs');

  await page.menu.clickMenuItem('Run>Run All Cells');
  await expect(entry).toContainText('live', { timeout: 30_000 });
  await expect(
    entry.getByRole('button', { name: 'Stop sharing' })
  ).toBeVisible();
  await expect
    .poll(async () => (await statusNotices('live.ipynb')).length, {
      timeout: 30_000
    })
    .toBe(1);
  const [status] = await statusNotices('live.ipynb');
  expect(status.sender).toBe(lab.userId);
  expect(status.content.body).toContain('react with 🛑');

  await react(status.eventId, '🛑');
  await expect(
    page.locator('.jp-OutputArea-output', { hasText: 'KeyboardInterrupt' })
  ).toBeVisible({ timeout: 30_000 });
  await expect
    .poll(() => statusText(status.eventId), { timeout: 30_000 })
    .toMatch(/live\.ipynb was interrupted from the phone at \d\d:\d\d/);
  await expect(entry).toContainText('ended');
  await expect(
    page.locator('#jp-lmk-sidebar .jp-lmk-HistoryEntry', {
      hasText: 'interrupted from the phone'
    })
  ).toBeVisible();
  // The last cell never ran.
  await expect(
    page.locator('.jp-OutputArea-output', { hasText: /^done$/ })
  ).toHaveCount(0);
});

test('a notebook with lmk.live shares every run; Stop sharing from the panel says so and forgets it', async ({
  page,
  tmpPath
}) => {
  await openNotebook(page, tmpPath, 'live-every.ipynb');
  await execute(page, 'lmk:open-panel');
  const entry = page
    .locator('#jp-lmk-sidebar .jp-lmk-LiveShare')
    .filter({ hasText: 'live-every.ipynb' });
  await expect(entry).toContainText('every run');

  await page.menu.clickMenuItem('Run>Run All Cells');
  // Posted once the run has lasted 10 s.
  await expect
    .poll(async () => (await statusNotices('live-every.ipynb')).length, {
      timeout: 40_000
    })
    .toBe(1);
  const [status] = await statusNotices('live-every.ipynb');
  await expect(entry).toContainText('live');

  await entry.getByRole('button', { name: 'Stop sharing' }).click();
  await expect
    .poll(() => statusText(status.eventId), { timeout: 30_000 })
    .toMatch(/live-every\.ipynb: no longer shared live/);
  await expect(entry).toHaveCount(0);
  const live = await page.evaluate(
    () =>
      (window.jupyterapp.shell.currentWidget as any).context.model.getMetadata(
        'lmk'
      )?.live ?? null
  );
  expect(live).toBeNull();
  // The run goes on, no longer shared: stop it from the lab.
  await execute(page, 'notebook:interrupt-kernel');
  await expect(
    page.locator('.jp-OutputArea-output', { hasText: 'KeyboardInterrupt' })
  ).toBeVisible({ timeout: 30_000 });
});

test('(ntfy stand-in) lmk:share-live-status with a channel; the Interrupt button stops the run', async ({
  page,
  tmpPath
}) => {
  await openNotebook(page, tmpPath, 'live.ipynb');
  await execute(page, 'lmk:share-live-status', { channel: 'phone' });
  await page.menu.clickMenuItem('Run>Run All Cells');
  const status = await ntfy.waitFor(
    message =>
      message.topic === 'lmk-alerts-ui' &&
      !!message.title?.startsWith('live.ipynb') &&
      !!message.actions,
    30_000
  );
  const control = new URL(status.actions![0].url!).pathname.slice(1);
  await expect.poll(() => ntfy.subscribers(control)).toBe(1);
  expect(await ntfy.tap(status, 'Interrupt')).toBe(200);
  await expect(
    page.locator('.jp-OutputArea-output', { hasText: 'KeyboardInterrupt' })
  ).toBeVisible({ timeout: 30_000 });
  await expect
    .poll(
      () =>
        ntfy
          .topic('lmk-alerts-ui')
          .filter(m => m.sequence_id === status.sequence_id)
          .pop()?.title
    )
    .toMatch(/interrupted from the phone/);
});
