/**
 * Stopping a run from the phone, with the lab page open in headless Debian Chromium:
 * from a command of the phone reaching the service to the kernel's
 * interrupt.
 *
 * - Matrix (a real Synapse, started by run.py): the phone (the owner on
 *   another device) reacts 🛑 to the run's status; "reached" is the
 *   reaction's `origin_server_ts`, the homeserver's own clock.
 * - ntfy (the tests' loopback stand-in, which follows ntfy's documented
 *   wire format; ntfy itself cannot run here): the phone taps the status's
 *   Interrupt button; "reached" is when its request is sent, on loopback.
 *
 * The interrupt is when `KeyboardInterrupt` is raised in the kernel's
 * `time.sleep`, read from `time.time()` in the cell. Every clock is this
 * machine's system clock.
 *
 * Usage: node phone.mjs <json options: url, synapse, notebook, tries>
 * Prints one JSON object on its last line.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const uiRequire = createRequire(
  new URL('../ui-tests/package.json', import.meta.url)
);
const rootRequire = createRequire(new URL('../package.json', import.meta.url));
const { chromium } = uiRequire('playwright-core');

const options = JSON.parse(process.argv[2] ?? '{}');
const base = options.url; // the lab, e.g. http://127.0.0.1:9001/
const synapse = options.synapse; // e.g. http://127.0.0.1:9002
const notebook = options.notebook;
const tries = options.tries ?? 20;
// testing/synapse/run_synapse.py's (tests only, not a secret).
const SHARED_SECRET = 'lmk-test-registration-secret';
const PASSWORD = 'correct horse battery staple';
// How long the phone's user looks at the status before acting.
const READ_MS = 1000;

// Every measurement is bounded in time.
setTimeout(
  () => {
    console.error(`phone: no result within ${options.timeoutS ?? 900} s`);
    process.exit(2);
  },
  (options.timeoutS ?? 900) * 1000
).unref();

/**
 * The tests' ntfy stand-in (src/__tests__/ntfyLoopback.ts), transpiled
 * here so that the figure and the tests use the same wire format.
 */
function loadNtfyLoopback() {
  const ts = rootRequire('typescript');
  const source = readFileSync(
    new URL('../src/__tests__/ntfyLoopback.ts', import.meta.url),
    'utf8'
  );
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2020
    }
  });
  const module = { exports: {} };
  new Function('require', 'module', 'exports', outputText)(
    rootRequire,
    module,
    module.exports
  );
  return module.exports.NtfyLoopback;
}

/** A call of Synapse's client-server API; resolves with the JSON answer. */
async function matrix(token, method, path, body) {
  const response = await fetch(synapse + path, {
    method,
    headers: {
      'Content-Type': 'application/json',
      ...(token ? { Authorization: `Bearer ${token}` } : {})
    },
    body: body === undefined ? undefined : JSON.stringify(body)
  });
  const json = await response.json();
  if (!response.ok) {
    throw new Error(`${method} ${path}: ${response.status}`);
  }
  return json;
}

/** A new user (Synapse's shared-secret registration) and one login. */
async function matrixUser(name) {
  const endpoint = '/_synapse/admin/v1/register';
  const { nonce } = await matrix(null, 'GET', endpoint);
  const mac = createHmac('sha1', SHARED_SECRET)
    .update([nonce, name, PASSWORD, 'notadmin'].join('\x00'))
    .digest('hex');
  await matrix(null, 'POST', endpoint, {
    nonce,
    username: name,
    password: PASSWORD,
    admin: false,
    mac
  });
  const login = device =>
    matrix(null, 'POST', '/_matrix/client/v3/login', {
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user: name },
      password: PASSWORD,
      initial_device_display_name: device
    });
  return {
    lab: await login('JupyterLab (jupyterlab-lmk)'),
    phone: await login('Phone')
  };
}

async function sleep(ms) {
  await new Promise(resolve => setTimeout(resolve, ms));
}

/** Wait for `find()` to give something (at most `ms`). */
async function eventually(find, ms, what, explain = async () => null) {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await find();
    if (found) {
      return found;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `phone: no ${what} within ${ms} ms ${JSON.stringify(await explain())}`
      );
    }
    await sleep(50);
  }
}

const NtfyLoopback = loadNtfyLoopback();
const ntfy = await NtfyLoopback.start();
const name = `bench${randomBytes(4).toString('hex')}`;
const alice = await matrixUser(name);
const { room_id: roomId } = await matrix(
  alice.phone.access_token,
  'POST',
  '/_matrix/client/v3/createRoom',
  { name: 'LMK runs', preset: 'private_chat' }
);
const topic = `lmk_bench_${randomBytes(8).toString('hex')}`;

// The lab's settings, before the page reads them. The room and the topic
// are off for notifications: what the lab posts there is the live status.
const settings = {
  threshold: 0,
  awayOnly: false,
  channels: [
    { id: 'lab', type: 'toast', enabled: true },
    {
      id: 'runs',
      type: 'matrix',
      enabled: false,
      roomId,
      roomName: 'LMK runs'
    },
    { id: 'phone', type: 'ntfy', enabled: false, server: ntfy.origin, topic }
  ],
  accounts: {
    matrix: {
      homeserver: synapse,
      userId: alice.lab.user_id,
      deviceId: alice.lab.device_id,
      accessToken: alice.lab.access_token
    }
  }
};
const put = await fetch(`${base}lab/api/settings/jupyterlab-lmk:plugin`, {
  method: 'PUT',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ raw: JSON.stringify(settings) })
});
if (!put.ok) {
  throw new Error(`settings: ${put.status}`);
}

const { launchOptions } = uiRequire('./playwright.config.js').use;
const browser = await chromium.launch(launchOptions);
const result = { matrix: [], ntfy: [], statusMs: { matrix: [], ntfy: [] } };
try {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 }
  });
  const page = await context.newPage();
  await page.goto(`${base}lab/tree/${notebook}?reset`);
  await page.waitForFunction(() => window.jupyterapp !== undefined, null, {
    timeout: 60000
  });
  await page.evaluate(async path => {
    const app = window.jupyterapp;
    await app.restored;
    const panel = await app.commands.execute('docmanager:open', { path });
    await panel.context.ready;
    await panel.sessionContext.ready;
    await panel.sessionContext.session.kernel.info;
    window.__benchPanel = panel;
  }, notebook);

  /** Share the next run on `channel`, run the cell; ms to the run's start. */
  async function startSharedRun(channel) {
    await page.waitForFunction(
      () =>
        window.__benchPanel.sessionContext.session?.kernel?.status === 'idle',
      null,
      { timeout: 60000 }
    );
    await page.evaluate(
      async ({ channel, path }) => {
        const app = window.jupyterapp;
        await app.commands.execute('lmk:share-live-status', { path, channel });
        window.__benchPanel.content.activeCellIndex = 0;
        void app.commands.execute('notebook:run-cell');
      },
      { channel, path: notebook }
    );
    return Date.now();
  }

  /** When the kernel raised KeyboardInterrupt (ms, system clock). */
  async function interruptedAt() {
    const handle = await page.waitForFunction(
      () => {
        const cell = window.__benchPanel.content.widgets[0];
        const outputs = cell.model.outputs;
        for (let i = 0; i < outputs.length; i++) {
          const text = String(outputs.get(i).toJSON().text ?? '');
          const found = /LMK-BENCH-INTERRUPTED (\d+\.\d+)/.exec(text);
          if (found) {
            return Number(found[1]) * 1000;
          }
        }
        return null;
      },
      null,
      { timeout: 30000, polling: 20 }
    );
    return handle.jsonValue();
  }

  /** The run's end has reached the status (so the next share is new). */
  async function ended(share) {
    await page.waitForFunction(
      path =>
        !window.jupyterapp.commands.isToggled('lmk:share-live-status', {
          path
        }),
      share,
      { timeout: 30000 }
    );
  }

  // Matrix: a 🛑 on the status message, from the phone.
  const seen = new Set();
  for (let i = 0; i < tries; i++) {
    const started = await startSharedRun('runs');
    const status = await eventually(
      async () => {
        const { chunk } = await matrix(
          alice.phone.access_token,
          'GET',
          `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=20`
        );
        return chunk.find(
          e =>
            e.type === 'm.room.message' &&
            e.sender === alice.lab.user_id &&
            e.content.msgtype === 'm.notice' &&
            !e.content['m.relates_to'] &&
            e.origin_server_ts >= started - 1000 &&
            !seen.has(e.event_id)
        );
      },
      30000,
      'Matrix status',
      async () => ({
        try: i,
        started,
        shares: await page.evaluate(async () => {
          await window.jupyterapp.commands.execute('lmk:open-panel');
          return document.querySelector('.jp-lmk-LiveShares')?.textContent;
        }),
        kernel: await page.evaluate(
          () => window.__benchPanel.sessionContext.session?.kernel?.status
        ),
        room: (
          await matrix(
            alice.phone.access_token,
            'GET',
            `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=4`
          )
        ).chunk.map(e => [e.origin_server_ts, e.type, e.content.body])
      })
    );
    seen.add(status.event_id);
    result.statusMs.matrix.push(status.origin_server_ts - started);
    await sleep(READ_MS);
    const { event_id: reaction } = await matrix(
      alice.phone.access_token,
      'PUT',
      `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.reaction/bench${i}`,
      {
        'm.relates_to': {
          rel_type: 'm.annotation',
          event_id: status.event_id,
          key: '🛑'
        }
      }
    );
    const reached = (
      await matrix(
        alice.phone.access_token,
        'GET',
        `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(reaction)}`
      )
    ).origin_server_ts;
    try {
      result.matrix.push((await interruptedAt()) - reached);
    } catch (reason) {
      console.error(JSON.stringify({ try: i, status, reached }));
      throw reason;
    }
    await ended(notebook);
  }

  // ntfy: the Interrupt button of the status notification.
  for (let i = 0; i < tries; i++) {
    const started = await startSharedRun('phone');
    const status = await ntfy.waitFor(
      m =>
        m.topic === topic &&
        !!m.actions?.length &&
        !seen.has(m.sequence_id ?? m.id),
      30000
    );
    seen.add(status.sequence_id ?? status.id);
    result.statusMs.ntfy.push(Date.now() - started);
    const control = new URL(status.actions[0].url).pathname.slice(1);
    await eventually(
      () => ntfy.subscribers(control) > 0,
      30000,
      'subscription to the control topic'
    );
    await sleep(READ_MS);
    const reached = Date.now();
    const answer = await ntfy.tap(status, 'Interrupt');
    if (answer !== 200) {
      throw new Error(`tap: ${answer}`);
    }
    try {
      result.ntfy.push((await interruptedAt()) - reached);
    } catch (reason) {
      // What the lab and the stand-in saw, to tell why.
      console.error(
        JSON.stringify({
          try: i,
          control: ntfy.topic(control),
          status: ntfy.topic(topic).slice(-3),
          refused: ntfy.refused,
          history: await page.evaluate(() =>
            Object.entries(localStorage)
              .filter(([key]) => key.startsWith('jupyterlab-lmk:history'))
              .map(([, value]) => value.slice(-3000))
          )
        })
      );
      throw reason;
    }
    await ended(notebook);
  }
  await page.evaluate(() =>
    window.jupyterapp.serviceManager.sessions.shutdownAll()
  );
  await context.close();
} finally {
  await browser.close();
  await ntfy.close();
}
console.log(JSON.stringify(result));
