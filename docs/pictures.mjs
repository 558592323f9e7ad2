/**
 * The README's pictures, made from the real UI: a JupyterLab of this
 * checkout (.venv) on a loopback port, a notebook run that fails, and
 * headless Debian Chromium (playwright-core from ui-tests' dependencies; no
 * browser is downloaded). Rerun it whenever the UI changes: `make pictures`.
 *
 * Writes docs/images/failure-toast.png and docs/images/panel.png.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..');
const images = join(here, 'images');
const require = createRequire(join(repo, 'ui-tests', 'package.json'));
const { chromium } = require('playwright-core');
// The same Chromium and flags as the UI tests.
const { launchOptions } = require('./playwright.config.js').use;

// Everything is bounded in time.
setTimeout(() => {
  console.error('pictures: not done within 5 minutes');
  process.exit(2);
}, 300_000).unref();

/** A notebook whose run takes a few seconds, then fails. */
const NOTEBOOK = {
  cells: [
    code('import time\n\nfor epoch in range(1, 4):\n    time.sleep(1)'),
    code(
      'loss = float("nan")\nif loss != loss:\n' +
        '    raise ValueError(f"loss is NaN at epoch {epoch}")'
    )
  ],
  metadata: {
    kernelspec: {
      name: 'python3',
      display_name: 'Python 3',
      language: 'python'
    }
  },
  nbformat: 4,
  nbformat_minor: 5
};

/** Settings: a 2 s threshold, and a phone that waits until you are away. */
const SETTINGS = {
  'jupyterlab-lmk/plugin': {
    threshold: 2,
    awaySeconds: 0,
    channels: [
      { id: 'lab', type: 'toast', enabled: true },
      { id: 'desktop', type: 'desktop', enabled: true },
      {
        id: 'phone',
        name: 'Phone',
        type: 'ntfy',
        enabled: true,
        topic: 'lmk-training-7f3a9c2e'
      }
    ]
  },
  // No news or update prompts in the pictures.
  '@jupyterlab/apputils-extension/notification': {
    fetchNews: 'false',
    checkForUpdates: false
  }
};

function code(source) {
  return {
    cell_type: 'code',
    id: Math.random().toString(16).slice(2, 10),
    execution_count: null,
    metadata: {},
    outputs: [],
    source
  };
}

async function freePort() {
  const server = createServer();
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise(resolve => server.close(resolve));
  return port;
}

async function waitForServer(url, lab) {
  for (let attempt = 0; attempt < 240; attempt++) {
    if (lab.exitCode !== null) {
      throw new Error(`jupyter lab exited with ${lab.exitCode}`);
    }
    try {
      if ((await fetch(url)).ok) {
        return;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise(resolve => setTimeout(resolve, 250));
  }
  throw new Error(`no answer from ${url}`);
}

/** Start JupyterLab of this checkout on a temporary folder. */
async function startLab() {
  const home = mkdtempSync(join(tmpdir(), 'lmk-pictures-'));
  const root = join(home, 'notebooks');
  mkdirSync(root);
  writeFileSync(join(root, 'training.ipynb'), JSON.stringify(NOTEBOOK));
  for (const [name, values] of Object.entries(SETTINGS)) {
    const file = join(home, 'settings', `${name}.jupyterlab-settings`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(values));
  }
  const port = await freePort();
  const lab = spawn(
    join(repo, '.venv', 'bin', 'jupyter'),
    [
      'lab',
      `--ServerApp.root_dir=${root}`,
      `--ServerApp.port=${port}`,
      '--ServerApp.port_retries=0',
      '--ServerApp.ip=127.0.0.1',
      '--ServerApp.open_browser=False',
      '--ServerApp.allow_root=True',
      '--IdentityProvider.token=',
      '--LabApp.expose_app_in_browser=True',
      `--LabApp.user_settings_dir=${join(home, 'settings')}`,
      `--LabApp.workspaces_dir=${join(home, 'workspaces')}`
    ],
    {
      cwd: root,
      env: {
        ...process.env,
        JUPYTER_PLATFORM_DIRS: '1',
        JUPYTER_CONFIG_DIR: join(home, 'config'),
        JUPYTER_RUNTIME_DIR: join(home, 'runtime')
      },
      stdio: ['ignore', 'ignore', 'pipe']
    }
  );
  let log = '';
  lab.stderr.on('data', chunk => (log = (log + chunk).slice(-4000)));
  const url = `http://127.0.0.1:${port}/`;
  try {
    await waitForServer(`${url}api/status`, lab);
  } catch (error) {
    console.error(log);
    throw error;
  }
  return {
    url,
    stop: async () => {
      lab.kill('SIGTERM');
      await new Promise(resolve => lab.once('exit', resolve));
      rmSync(home, { recursive: true, force: true });
    }
  };
}

/** A PNG of a region around `box`, `margin` pixels wider on each side. */
async function shoot(page, box, file, margin = 12) {
  const viewport = page.viewportSize();
  const x = Math.max(0, box.x - margin);
  const y = Math.max(0, box.y - margin);
  await page.screenshot({
    path: join(images, file),
    clip: {
      x,
      y,
      width: Math.min(viewport.width - x, box.width + 2 * margin),
      height: Math.min(viewport.height - y, box.height + 2 * margin)
    }
  });
  console.log(`docs/images/${file}`);
}

const lab = await startLab();
const browser = await chromium.launch(launchOptions);
try {
  const context = await browser.newContext({
    viewport: { width: 1040, height: 600 },
    deviceScaleFactor: 1
  });
  await context.grantPermissions(['notifications'], { origin: lab.url });
  const page = await context.newPage();
  await page.goto(`${lab.url}lab/tree/training.ipynb?reset`);
  await page.waitForFunction(() => window.jupyterapp?.restored, null, {
    timeout: 120_000
  });
  await page.evaluate(() => window.jupyterapp.restored);
  await page
    .locator('#jp-main-statusbar', { hasText: 'Idle' })
    .waitFor({ timeout: 120_000 });

  // A run that fails after about three seconds.
  await page.evaluate(() =>
    window.jupyterapp.commands.execute('notebook:run-all-cells')
  );
  const toast = page.locator('.Toastify__toast', { hasText: 'ValueError' });
  await toast.waitFor({ timeout: 60_000 });
  // Let the toast's entrance animation end.
  await page.waitForTimeout(1000);
  // The notebook with its failed cell, and the toast over it.
  const dock = await page.locator('#jp-main-dock-panel').boundingBox();
  const width = page.viewportSize().width;
  await shoot(
    page,
    { x: dock.x, y: dock.y, width: width - dock.x, height: dock.height },
    'failure-toast.png',
    0
  );

  // The panel, with that failure in its history, on a taller page.
  await page.setViewportSize({ width: 1040, height: 860 });
  await page.evaluate(() =>
    window.jupyterapp.commands.execute('lmk:open-panel')
  );
  // The toast stays: dismissed, it would count as seen, and the channels
  // waiting until you are away would show "not sent" (the picture is of
  // the side panel only).
  const panel = page.locator('#jp-lmk-sidebar');
  await panel
    .getByText(/cells executed/)
    .first()
    .waitFor({ timeout: 30_000 });
  await page.waitForTimeout(500);
  const bar = await page.locator('.jp-SideBar.jp-mod-left').boundingBox();
  const stack = await page.locator('#jp-left-stack').boundingBox();
  await shoot(
    page,
    {
      x: bar.x,
      y: stack.y,
      width: stack.x + stack.width - bar.x,
      height: stack.height
    },
    'panel.png',
    0
  );
} finally {
  await browser.close();
  await lab.stop();
}
