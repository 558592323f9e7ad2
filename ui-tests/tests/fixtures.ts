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
  await page.notebook.openByPath(`${tmpPath}/${name}`);
  await page.notebook.activate(name);
  await page.locator('#jp-main-statusbar >> text=Idle').waitFor();
}
