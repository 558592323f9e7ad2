import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { type ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Each plugin disabled the way a user or an admin does it
 * (`jupyter labextension disable jupyterlab-lmk:<plugin>`), in a real lab
 * of its own (its own config directory, port 8892): no console error from
 * our plugins, and what remains works.
 */
const PORT = 8892;
const BASE = `http://127.0.0.1:${PORT}/`;
const JUPYTER = path.resolve(__dirname, '../../.venv/bin/jupyter');

let server: ChildProcess;
let configDir: string;
let rootDir: string;

/** Run `jupyter labextension <args>` against this lab's config only. */
function labextension(...args: string[]): void {
  execFileSync(JUPYTER, ['labextension', ...args, '--level=user'], {
    env: { ...process.env, JUPYTER_CONFIG_DIR: configDir },
    stdio: 'pipe'
  });
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lmk-plugins-config-'));
  rootDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lmk-plugins-root-'));
  fs.copyFileSync(
    path.resolve(__dirname, '../notebooks/quick.ipynb'),
    path.join(rootDir, 'quick.ipynb')
  );
  server = spawn(
    JUPYTER,
    [
      'lab',
      '--config',
      path.resolve(__dirname, '../jupyter_server_test_config.py'),
      `--port=${PORT}`,
      `--ServerApp.root_dir=${rootDir}`
    ],
    {
      env: { ...process.env, JUPYTER_CONFIG_DIR: configDir },
      stdio: 'ignore'
    }
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${BASE}api/status`)).ok) {
        break;
      }
    } catch {
      // Not up yet.
    }
    if (Date.now() > deadline) {
      throw new Error('the lab for the plugin tests did not start');
    }
    await new Promise(resolve => setTimeout(resolve, 500));
  }
});

test.afterAll(async () => {
  server?.kill('SIGTERM');
  await new Promise(resolve => setTimeout(resolve, 1000));
  fs.rmSync(configDir, { recursive: true, force: true });
  fs.rmSync(rootDir, { recursive: true, force: true });
});

/**
 * Open the lab on a notebook; returns what our plugins put in the console
 * as errors (and uncaught exceptions) while it loaded and settled.
 */
async function openLab(page: Page): Promise<string[]> {
  const errors: string[] = [];
  page.on('console', message => {
    if (message.type() === 'error' && /lmk/i.test(message.text())) {
      errors.push(message.text());
    }
  });
  page.on('pageerror', error => errors.push(String(error.stack ?? error)));
  await page.goto(`${BASE}lab/tree/quick.ipynb`);
  await page.waitForFunction(() => (window as any).jupyterapp?.started);
  await page.evaluate(() => (window as any).jupyterapp.restored);
  await expect(page.locator('.jp-NotebookPanel-toolbar')).toBeVisible({
    timeout: 60_000
  });
  await expect(page.locator('#jp-main-statusbar')).toContainText('Idle', {
    timeout: 60_000
  });
  return errors;
}

async function execute(page: Page, command: string, args = {}) {
  return page.evaluate(
    ({ command, args }) =>
      (window as any).jupyterapp.commands.execute(command, args),
    { command, args }
  );
}

/** `lmk:notify` still shows a toast. */
async function notifyWorks(page: Page): Promise<void> {
  await execute(page, 'lmk:notify', { message: 'still here', title: 'Hello' });
  await expect(
    page.locator('.jp-toast-message', { hasText: 'still here' })
  ).toHaveCount(1);
}

/** No blank button took the place of one of ours in the toolbars. */
async function noBlankToolbarButtons(page: Page): Promise<void> {
  const blank = await page.evaluate(
    () =>
      Array.from(
        document.querySelectorAll(
          '.jp-NotebookPanel-toolbar .jp-ToolbarButtonComponent, .jp-cell-toolbar .jp-ToolbarButtonComponent'
        )
      ).filter(
        button =>
          (button as HTMLElement).offsetParent !== null &&
          !button.getAttribute('aria-label') &&
          !button.getAttribute('title') &&
          !button.textContent?.trim()
      ).length
  );
  expect(blank).toBe(0);
}

const bell = (page: Page) => page.locator('.jp-lmk-NotebookBell');
const panel = (page: Page) => page.locator('#jp-lmk-sidebar');
const titles = (page: Page) => panel(page).locator('.jp-AccordionPanel-title');

/** What must still work with each plugin disabled. */
const REMAINS: {
  [plugin: string]: (page: Page) => Promise<void>;
} = {
  tracker: async page => {
    // Modes choose which runs notify: without run tracking, no bells (and
    // no live status, which follows runs).
    await expect(bell(page)).toHaveCount(0);
    await noBlankToolbarButtons(page);
    await notifyWorks(page);
    await execute(page, 'lmk:open-panel');
    await expect(titles(page)).toHaveText([
      /Channels/,
      /History/,
      /Remote sessions/
    ]);
  },
  'notify-when-done': async page => {
    await bell(page).click();
    const menu = page.locator('.jp-lmk-ModeMenu');
    await expect(menu).toContainText('Every Run, However Short');
    await expect(menu).not.toContainText('Notify Me When This Run Ends');
    await page.keyboard.press('Escape');
    await notifyWorks(page);
  },
  plugin: async page => {
    // The core: nothing is sent, so no bells; the panel still edits channels.
    await expect(bell(page)).toHaveCount(0);
    await noBlankToolbarButtons(page);
    expect(
      await page.evaluate(() =>
        (window as any).jupyterapp.commands.hasCommand('lmk:notify')
      )
    ).toBe(false);
    await execute(page, 'lmk:open-panel');
    await expect(titles(page)).toHaveText([
      /Channels/,
      /Remote sessions/,
      /Shared Live/
    ]);
    await expect(panel(page).locator('.jp-lmk-Channel')).toHaveCount(2);
  },
  'kernel-notify': async page => {
    await expect(bell(page)).toHaveCount(1);
    await notifyWorks(page);
  },
  report: async page => {
    await expect(
      page.getByRole('button', { name: 'Report values' })
    ).toHaveCount(0);
    await noBlankToolbarButtons(page);
    await bell(page).click();
    await expect(page.locator('.jp-lmk-ModeMenu')).not.toContainText(
      'Report Values'
    );
    await page.keyboard.press('Escape');
    await notifyWorks(page);
  },
  'notebook-modes': async page => {
    await expect(bell(page)).toHaveCount(0);
    await expect(page.locator('.jp-lmk-CellBell')).toHaveCount(0);
    await noBlankToolbarButtons(page);
    await notifyWorks(page);
  },
  sidebar: async page => {
    // Remote sessions get a side panel of their own.
    await expect(panel(page)).toHaveCount(0);
    await execute(page, 'lmk:open-remote-sessions');
    const own = page.locator('#jp-lmk-remote-sidebar');
    await expect(own).toBeVisible();
    await expect(own).toContainText('This server');
    await notifyWorks(page);
  },
  'remote-sessions': async page => {
    await execute(page, 'lmk:open-panel');
    await expect(titles(page)).toHaveText([
      /Channels/,
      /History/,
      /Shared Live/
    ]);
    await notifyWorks(page);
  },
  'live-status': async page => {
    // No sharing: the bell's menu loses its item, the panel its section.
    await bell(page).click();
    const menu = page.locator('.jp-lmk-ModeMenu');
    await expect(menu).toContainText('Every Run, However Short');
    await expect(menu).not.toContainText('Share Live Status');
    await page.keyboard.press('Escape');
    await execute(page, 'lmk:open-panel');
    await expect(titles(page)).toHaveText([
      /Channels/,
      /History/,
      /Remote sessions/
    ]);
    await notifyWorks(page);
  },
  'live-status-panel': async page => {
    await execute(page, 'lmk:open-panel');
    await expect(titles(page)).toHaveText([
      /Channels/,
      /History/,
      /Remote sessions/
    ]);
    await bell(page).click();
    await expect(page.locator('.jp-lmk-ModeMenu')).toContainText(
      'Share Live Status'
    );
    await page.keyboard.press('Escape');
    await notifyWorks(page);
  },
  'kernel-relay': async page => {
    // Nothing is handed to kernels: the bell's menu and the panel's
    // Channels section no longer say what happens with the browser closed.
    expect(
      await page.evaluate(() =>
        (window as any).jupyterapp.commands.hasCommand(
          'lmk:show-closed-browser-delivery'
        )
      )
    ).toBe(false);
    await bell(page).click();
    const menu = page.locator('.jp-lmk-ModeMenu');
    await expect(menu).toContainText('Every Run, However Short');
    await expect(menu).toContainText('Share Live Status');
    await expect(menu).not.toContainText('When the Browser Is Closed');
    await page.keyboard.press('Escape');
    await execute(page, 'lmk:open-panel');
    await expect(titles(page)).toHaveText([
      /Channels/,
      /History/,
      /Remote sessions/,
      /Shared Live/
    ]);
    await expect(panel(page).locator('.jp-lmk-Channel')).toHaveCount(2);
    await expect(panel(page).locator('.jp-lmk-RelayStatus')).toHaveCount(0);
    await notifyWorks(page);
  },
  email: async page => {
    // Email cannot be sent: the channel form no longer offers it.
    await execute(page, 'lmk:open-panel');
    await panel(page).getByRole('button', { name: 'Add a channel…' }).click();
    const type = page.locator('.jp-Dialog').getByLabel('Send notifications to');
    await expect(type).toContainText('ntfy push');
    await expect(type).not.toContainText('Email');
    await page.keyboard.press('Escape');
    await notifyWorks(page);
  },
  'settings-form': async page => {
    // The Settings Editor still shows our settings, with the lab's own form.
    await execute(page, 'settingeditor:open', { query: 'Notifications (LMK)' });
    await expect(page.locator('input[id$="plugin_threshold"]')).toBeVisible();
    await expect(page.locator('.jp-lmk-SettingsField')).toHaveCount(0);
    await expect(bell(page)).toHaveCount(1);
    await notifyWorks(page);
  },
  'settings-check': async page => {
    // It only speaks when the settings cannot be read; here they can.
    await expect(bell(page)).toHaveCount(1);
    await notifyWorks(page);
  }
};

test('with every plugin on, the lab loads without an error of ours', async ({
  page
}) => {
  expect(await openLab(page)).toEqual([]);
  await expect(bell(page)).toHaveCount(1);
  // The relay's status: in the bell's menu and atop the panel's channels.
  await bell(page).click();
  await expect(page.locator('.jp-lmk-ModeMenu')).toContainText(
    'When the Browser Is Closed'
  );
  await page.keyboard.press('Escape');
  await execute(page, 'lmk:open-panel');
  await expect(panel(page).locator('.jp-lmk-RelayStatus')).toHaveCount(1);
});

for (const [plugin, remains] of Object.entries(REMAINS)) {
  test(`jupyter labextension disable jupyterlab-lmk:${plugin}: no console error of ours, and the rest works`, async ({
    page
  }) => {
    labextension('disable', `jupyterlab-lmk:${plugin}`);
    try {
      const errors = await openLab(page);
      await remains(page);
      expect(errors).toEqual([]);
    } finally {
      labextension('enable', `jupyterlab-lmk:${plugin}`);
    }
  });
}
