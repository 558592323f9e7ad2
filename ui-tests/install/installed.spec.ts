/**
 * The built wheel, installed into clean environments (make install-check):
 * every plugin of ours activates, the panel and a notification from kernel
 * code work, and the console holds no error or warning of ours — in
 * particular none of module federation's "Unsatisfied version" or "No
 * satisfying version" messages, which the lab prints when an extension was
 * built for another JupyterLab than the one loading it.
 */
import { expect, test, type ConsoleMessage, type Page } from '@playwright/test';
import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';

/** The environments (Makefile: INSTALL_ENVS), their ports and pages. */
const servers: { env: string; app: string; port: number; page: string }[] =
  JSON.parse(readFileSync(path.resolve(__dirname, 'servers.json'), 'utf8'));

/** The lab's application object, exposed by the server's configuration. */
type App = {
  restored: Promise<void>;
  listPlugins(): string[];
  isPluginActivated(id: string): boolean;
  commands: { execute(id: string): Promise<unknown> };
  shell: {
    currentWidget: {
      context?: { isReady: boolean };
      sessionContext?: {
        session?: { kernel?: { status: string } | null } | null;
      };
    } | null;
  };
};
declare const window: { jupyterapp?: App };

/** Our plugin ids, from the plugins' sources (the wheel must register them all). */
const OUR_PLUGINS = readdirSync(path.resolve(__dirname, '../../src/plugins'))
  .flatMap(name =>
    [
      ...readFileSync(
        path.resolve(__dirname, '../../src/plugins', name),
        'utf8'
      ).matchAll(/id: '(jupyterlab-lmk:[a-z-]+)'/g)
    ].map(match => match[1])
  )
  .sort();

/** What the console said that concerns us. */
function ours(message: { text: string; url: string }): boolean {
  return (
    /lmk|Unsatisfied version|No satisfying version|shared module/i.test(
      message.text
    ) || message.url.includes('jupyterlab-lmk')
  );
}

/**
 * JupyterLab's start-up timing notes ("Plugin … took 5493.10ms to
 * activate"): the time includes waiting for the services the plugin needs
 * while the whole lab starts, so on a busy machine any plugin can pass the
 * 5 s mark. They measure the machine's pace, not a fault: printed, not
 * failed on (numbers belong in bench/).
 */
function timing(message: { text: string }): boolean {
  return /^Plugin [\w:-]+ (\(with \d+ dependants\) took [\d.]+ms to activate|is taking too long to activate)\.$/.test(
    message.text
  );
}

function record(page: Page) {
  const said: { type: string; text: string; url: string }[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      said.push({
        type: message.type(),
        text: message.text(),
        url: message.location().url
      });
    }
  });
  page.on('pageerror', error => {
    // Where it was thrown: our files' addresses name our extension.
    said.push({
      type: 'pageerror',
      text: String(error),
      url: error.stack ?? ''
    });
  });
  return said;
}

for (const server of servers) {
  test(`${server.env}: the installed wheel loads with every plugin active and nothing of ours in the console`, async ({
    page
  }) => {
    const said = record(page);
    await page.goto(`http://127.0.0.1:${server.port}/${server.page}`);
    await page.waitForFunction(() => !!window.jupyterapp, null, {
      timeout: 60_000
    });
    await page.evaluate(() => window.jupyterapp!.restored);

    const plugins: [string, boolean][] = await page.evaluate(() => {
      const app = window.jupyterapp!;
      return app
        .listPlugins()
        .filter((id: string) => id.startsWith('jupyterlab-lmk:'))
        .map((id: string) => [id, app.isPluginActivated(id)]);
    });
    expect(OUR_PLUGINS.length).toBeGreaterThan(5);
    expect(plugins.map(([id]) => id).sort()).toEqual(OUR_PLUGINS);
    expect(plugins.filter(([, active]) => !active)).toEqual([]);

    // The server extension from the wheel: it tells the lab whether others
    // can read the settings file that holds the tokens.
    const settingsFile = await page.request.get(
      `http://127.0.0.1:${server.port}/lmk/api/settings-file`
    );
    expect(settingsFile.status()).toBe(200);
    expect(await settingsFile.json()).toMatchObject({
      path: expect.stringContaining('jupyterlab-lmk'),
      exists: expect.any(Boolean)
    });

    // The panel's lazily loaded parts (channels, history, remote sessions).
    await page.evaluate(() =>
      window.jupyterapp!.commands.execute('lmk:open-remote-sessions')
    );
    await expect(
      page.locator('#jp-lmk-sidebar').getByText('This server')
    ).toBeVisible({ timeout: 30_000 });

    // A notification from kernel code, through the installed package, once
    // the notebook is open and its kernel ready.
    await page.waitForFunction(
      () => {
        const notebook = window.jupyterapp!.shell.currentWidget;
        return (
          !!notebook?.context?.isReady &&
          notebook.sessionContext?.session?.kernel?.status === 'idle'
        );
      },
      null,
      { timeout: 60_000 }
    );
    await page.evaluate(() =>
      window.jupyterapp!.commands.execute('notebook:run-all-cells')
    );
    await expect(
      page.locator('.jp-toast-message', {
        hasText: 'installed from the wheel'
      })
    ).toBeVisible({ timeout: 60_000 });
    await expect(
      page.getByText('Notification: sent to lab', { exact: false })
    ).toBeVisible();

    // Printed for whoever reads the log, not failed on: other components'
    // messages in full, the timing notes (dozens on a busy machine, each
    // plugin more than once) as a count and the slowest.
    const others = said.filter(message => !ours(message) && !timing(message));
    const notes = said.filter(timing);
    if (others.length) {
      console.log(
        `${server.env}: console messages of other components:\n` +
          others
            .map(
              m => `  ${m.type}: ${m.text.slice(0, 200)} ${m.url.slice(0, 300)}`
            )
            .join('\n')
      );
    }
    if (notes.length) {
      const slowest = notes
        .map(m => ({
          text: m.text,
          ms: Number(/took ([\d.]+)ms/.exec(m.text)?.[1] ?? 0)
        }))
        .reduce((a, b) => (b.ms > a.ms ? b : a));
      console.log(
        `${server.env}: ${notes.length} start-up timing notes from the lab; slowest: ${slowest.text}`
      );
    }
    expect(said.filter(message => ours(message) && !timing(message))).toEqual(
      []
    );
  });
}
