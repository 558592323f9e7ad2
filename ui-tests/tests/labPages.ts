import {
  galata,
  type IJupyterLabPageFixture,
  test as galataTest
} from '@jupyterlab/galata';
import type { BrowserContext } from '@playwright/test';

/** Opens another page of the lab, on the test's folder, in a workspace. */
type OpenLabPage = (
  workspace: string,
  settings?: Record<string, unknown>
) => Promise<{ page: IJupyterLabPageFixture; context: BrowserContext }>;

/**
 * Galata's test with two more fixtures, for more than one page of the lab
 * (each in a workspace of its own, as JupyterLab gives a second window), on
 * the test's folder, with the test's mocked settings or `settings`:
 * - `otherTab(workspace)`: another tab of the test's browser (same
 *   context, so the same storage as `page`);
 * - `otherBrowser(workspace)`: a page in a browser context of its own
 *   (another browser, or the same one after it was quit); its contexts are
 *   closed when the test ends.
 */
export const test = galataTest.extend<{
  otherTab: OpenLabPage;
  otherBrowser: OpenLabPage;
  /** What the two share: a page of the lab in a given browser context. */
  labPageIn: (
    context: BrowserContext,
    workspace: string,
    settings?: Record<string, unknown>
  ) => Promise<IJupyterLabPageFixture>;
}>({
  labPageIn: async (
    {
      appPath,
      baseURL,
      mockConfig,
      mockSettings,
      mockState,
      mockUser,
      sessions,
      terminals,
      kernels,
      tmpPath,
      waitForApplication
    },
    use
  ) => {
    await use(async (context, workspace, settings) => {
      const page = await galata.initTestPage(
        appPath,
        false,
        baseURL!,
        mockConfig,
        settings ?? mockSettings,
        mockState,
        mockUser,
        await context.newPage(),
        sessions,
        terminals,
        tmpPath,
        waitForApplication,
        kernels,
        false
      );
      await page.goto(`workspaces/${workspace}/tree/${tmpPath}`);
      return page;
    });
  },
  otherTab: async ({ context, labPageIn }, use) => {
    await use(async (workspace, settings) => ({
      page: await labPageIn(context, workspace, settings),
      context
    }));
  },
  otherBrowser: async ({ browser, labPageIn }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async (workspace, settings) => {
      const context = await browser.newContext();
      contexts.push(context);
      return { page: await labPageIn(context, workspace, settings), context };
    });
    for (const context of contexts) {
      await context.close().catch(() => undefined);
    }
  }
});
