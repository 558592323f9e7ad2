import { galata, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import * as path from 'path';

/**
 * Settings with the threshold lowered to 2 s, so a 3 s run is "long".
 */
export const lowThresholdSettings = {
  ...galata.DEFAULT_SETTINGS,
  'jupyterlab-lmk:plugin': { threshold: 2 }
};

/**
 * Upload the fixture notebooks into the test's folder and show it.
 */
export async function uploadNotebooks(
  page: IJupyterLabPageFixture,
  tmpPath: string
): Promise<void> {
  await page.contents.uploadDirectory(
    path.resolve(__dirname, '../notebooks'),
    tmpPath
  );
  await page.filebrowser.openDirectory(tmpPath);
}

/**
 * Open a fixture notebook and wait until its kernel is idle.
 */
export async function openNotebook(
  page: IJupyterLabPageFixture,
  tmpPath: string,
  name: string
): Promise<void> {
  // Galata opens files through the file browser, which must be shown.
  await page.sidebar.openTab('filebrowser');
  await page.notebook.openByPath(`${tmpPath}/${name}`);
  await page.notebook.activate(name);
  await page.locator('#jp-main-statusbar >> text=Idle').waitFor();
}

/**
 * Reload the page like a user would and wait until the extension is back.
 * (Galata's own reload waits for a Launcher tab, which a restored
 * workspace may not have.)
 */
export async function reloadLab(page: IJupyterLabPageFixture): Promise<void> {
  await page.evaluate(() => location.reload());
  await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
  await page.waitForFunction(() =>
    window.jupyterapp?.commands.hasCommand('lmk:open-history')
  );
  // The layout is restored (side panels included) once this resolves.
  await page.evaluate(() => window.jupyterapp.restored);
}

/**
 * Run a lab command in the page.
 */
export async function execute(
  page: IJupyterLabPageFixture,
  command: string,
  args: { [key: string]: unknown } = {}
): Promise<void> {
  await page.evaluate(
    ({ command, args }) => window.jupyterapp.commands.execute(command, args),
    { command, args }
  );
}

/**
 * Record what the page asks of the browser's Notification API: the
 * notifications it creates (kept, so a test can click one) and each
 * permission request. Also lets `setTabHidden` emulate the tab's
 * visibility.
 */
export async function recordDesktopNotifications(
  page: IJupyterLabPageFixture
): Promise<void> {
  await page.addInitScript(() => {
    const Native = window.Notification;
    const record = {
      shown: [] as { title: string; body?: string }[],
      instances: [] as Notification[],
      permissionRequests: 0
    };
    (window as any).lmkDesktop = record;
    class Recording extends Native {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        record.shown.push({ title, body: options?.body });
        record.instances.push(this);
      }
      static get permission() {
        return Native.permission;
      }
      static requestPermission() {
        record.permissionRequests++;
        return Native.requestPermission();
      }
    }
    (window as any).Notification = Recording;
    // The tab's visibility, as `setTabHidden` emulates it.
    (window as any).lmkHidden = false;
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      get: () => ((window as any).lmkHidden ? 'hidden' : 'visible')
    });
  });
  await page.reload();
}

/**
 * Emulate the lab's tab being hidden (another tab in front) or shown;
 * needs `recordDesktopNotifications` first.
 */
export async function setTabHidden(
  page: IJupyterLabPageFixture,
  hidden: boolean
): Promise<void> {
  await page.evaluate(value => {
    (window as any).lmkHidden = value;
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}
