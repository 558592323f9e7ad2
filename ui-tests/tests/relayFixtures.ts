import { expect, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * What the kernel relay's UI tests share (browser-closed.spec.ts,
 * email.spec.ts): a run the test lets go on, asking the kernel whether it
 * has the run, and `test` with `otherBrowser` (./labPages.ts), a page in a
 * browser context of its own (closed like a quit browser).
 */

export { test } from './labPages';

/**
 * The kernel's grace window in the suite's lab, in seconds: the page config
 * option `lmkRelayGraceSeconds` of ../jupyter_server_test_config.py (10 s
 * by default, docs/kernel-relay.md).
 */
export const GRACE_S = 4;

/**
 * How long to go on waiting after a delivery to be sure that no second one
 * follows: past the grace window of a run that just ended, with room to
 * spare.
 */
export const PAST_GRACE_MS = (GRACE_S + 4) * 1000;

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

/** Start Run All without waiting for it to end. */
export async function startRunAll(page: IJupyterLabPageFixture): Promise<void> {
  await page.evaluate(() => {
    void window.jupyterapp.commands.execute('notebook:run-all-cells');
  });
}

/**
 * Until the notebook's kernel has the run going on: asked on the control
 * channel as the lab asks it (docs/kernel-relay.md). The kernel lists a
 * run as going on once the page's seal reached it (it then has the run's
 * channels). Polled with `expect.poll`: `page.waitForFunction` takes the
 * promise an async predicate returns for a true answer and returns at once.
 */
export async function kernelHasRun(
  page: IJupyterLabPageFixture
): Promise<void> {
  await expect
    .poll(
      () =>
        page.evaluate(async () => {
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
        }),
      { timeout: 60_000, intervals: [250] }
    )
    .toBe(true);
}
