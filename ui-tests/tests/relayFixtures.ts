import {
  galata,
  type IJupyterLabPage,
  type IJupyterLabPageFixture
} from '@jupyterlab/galata';
import type { Kernel, Session, TerminalAPI, User } from '@jupyterlab/services';
import type { Browser, Page } from '@playwright/test';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * What the kernel relay's UI tests share (browser-closed.spec.ts,
 * email.spec.ts): a run the test lets go on, a page in a browser context of
 * its own (closed like a quit browser), and asking the kernel whether it
 * has the run.
 */

/**
 * A notebook that fails at its fourth cell; its second cell waits until
 * the test lets it go on, so the page can close mid-run without racing
 * the run's end.
 */
export function gatedNotebook(kernelName: string): {
  text: string;
  go: () => void;
} {
  const flag = path.join(
    os.tmpdir(),
    `lmk-ui-go-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`
  );
  const cells = [
    'import os, time',
    `while not os.path.exists(${JSON.stringify(flag)}): time.sleep(0.05)`,
    'x = 1',
    "raise ValueError('boom in the fourth cell')",
    'y = 2'
  ];
  const notebook = {
    cells: cells.map((source, i) => ({
      cell_type: 'code',
      id: `cell-${i}`,
      source,
      metadata: {},
      outputs: [],
      execution_count: null
    })),
    metadata: {
      kernelspec: {
        name: kernelName,
        display_name: kernelName,
        language: 'python'
      }
    },
    nbformat: 4,
    nbformat_minor: 5
  };
  return {
    text: JSON.stringify(notebook),
    go: () => fs.writeFileSync(flag, '')
  };
}

/** The Galata fixtures a page of its own is made from. */
export interface IFixtures {
  page: IJupyterLabPageFixture;
  browser: Browser;
  appPath: string;
  baseURL: string | undefined;
  mockConfig: boolean | Record<string, unknown>;
  mockSettings: boolean | Record<string, unknown>;
  mockState: boolean | Record<string, unknown>;
  mockUser: boolean | Partial<User.IUser>;
  sessions: Map<string, Session.IModel> | null;
  terminals: Map<string, TerminalAPI.IModel> | null;
  kernels: Map<string, Kernel.IModel> | null;
  tmpPath: string;
  waitForApplication: (page: Page, helpers: IJupyterLabPage) => Promise<void>;
}

/**
 * Another page of the lab in a browser context of its own (another
 * browser, or the same one after it was quit), on the test's folder.
 */
export async function newBrowserPage(fixtures: IFixtures, workspace: string) {
  const context = await fixtures.browser.newContext();
  const page = await galata.initTestPage(
    fixtures.appPath,
    false,
    fixtures.baseURL!,
    fixtures.mockConfig,
    fixtures.mockSettings,
    fixtures.mockState,
    fixtures.mockUser,
    await context.newPage(),
    fixtures.sessions,
    fixtures.terminals,
    fixtures.tmpPath,
    fixtures.waitForApplication,
    fixtures.kernels,
    false
  );
  await page.goto(`workspaces/${workspace}/tree/${fixtures.tmpPath}`);
  return { page, context };
}

/** Start Run All without waiting for it to end. */
export async function startRunAll(page: IJupyterLabPageFixture): Promise<void> {
  await page.evaluate(() => {
    void window.jupyterapp.commands.execute('notebook:run-all-cells');
  });
}

/**
 * Until the notebook's kernel has the run going on: asked on the control
 * channel as the lab asks it (docs/kernel-relay.md).
 */
export async function kernelHasRun(
  page: IJupyterLabPageFixture
): Promise<void> {
  await page.waitForFunction(
    async () => {
      const panel = window.jupyterapp.shell.currentWidget as any;
      const kernel = panel?.sessionContext?.session?.kernel;
      if (!kernel) {
        return false;
      }
      const future = kernel.sendControlMessage(
        {
          header: {
            msg_id: `ui-${Math.random()}`,
            msg_type: 'comm_info_request',
            session: kernel.clientId,
            username: '',
            date: new Date().toISOString(),
            version: '5.3'
          },
          parent_header: {},
          metadata: {},
          content: {
            target_name: 'jupyterlab_lmk.relay.v1',
            lmk: { op: 'hello', holder: 'ui-test', client: 'ui-test' }
          },
          channel: 'control',
          buffers: []
        },
        true,
        true
      );
      const reply = await future.done;
      return (reply.content.lmk?.running ?? []).length > 0;
    },
    null,
    { timeout: 60_000, polling: 250 }
  );
}
