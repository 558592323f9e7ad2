/**
 * Shared by the suites that run against a real Jupyter server and real
 * ipykernel. Each suite starts one server for all its tests.
 */
import type { SessionContext } from '@jupyterlab/apputils';
import { createSessionContext } from '@jupyterlab/apputils/lib/testutils';
import type * as nbformat from '@jupyterlab/nbformat';
import { Notebook, NotebookModel } from '@jupyterlab/notebook';
import { NBTestUtils } from '@jupyterlab/notebook/lib/testutils';
import { JupyterServer } from '@jupyterlab/testing';
import type { JSONObject } from '@lumino/coreutils';
import * as path from 'path';
import { nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { Notifier } from '../delivery/notifier';
import type { ILmkNotification } from '../tokens';

/**
 * The kernelspec of the test-only ipykernel 6 environment (Makefile:
 * .make/ipykernel6), for suites that run on both ipykernel 6 and 7.
 */
export const IPYKERNEL6_SPEC = {
  argv: [
    path.resolve(__dirname, '../../.venv-ipykernel6/bin/python'),
    '-m',
    'ipykernel_launcher',
    '-f',
    '{connection_file}'
  ],
  display_name: 'Python 3 (ipykernel 6)',
  language: 'python'
};

/**
 * Start a Jupyter server before the suite and stop it after.
 *
 * @param kernelSpecs - kernelspecs to add to the test server's ('ipython'
 *   is ipykernel 7 from .venv; see `IPYKERNEL6_SPEC`).
 */
export function useJupyterServer(
  kernelSpecs: {
    [name: string]: object;
  } = {}
): void {
  const server = new JupyterServer();
  beforeAll(async () => {
    // The server's start-up chatter is echoed through console.debug.
    jest.spyOn(console, 'debug').mockImplementation(() => undefined);
    await server.start({
      additionalKernelSpecs: kernelSpecs as JSONObject,
      configData: {
        // The default ip, localhost, is loopback only.
        ServerApp: { allow_root: true, log_level: 'INFO' },
        LabApp: { log_level: 'INFO' }
      }
    });
  }, 120_000);
  afterAll(async () => {
    await server.shutdown();
  });
}

/**
 * A session with a real ipykernel ('ipython' is the spec the test server
 * installs), ready to execute.
 */
export async function startKernel(
  name = 'ipython',
  notebookPath?: string,
  waitForInfo = true
): Promise<SessionContext> {
  const sessionContext = await createSessionContext({
    path: notebookPath,
    kernelPreference: { name, shouldStart: true, canStart: true }
  });
  await sessionContext.initialize();
  if (waitForInfo) {
    // A kernel busy with a cell answers only once the cell is done.
    await sessionContext.session!.kernel!.info;
  }
  return sessionContext;
}

/**
 * One real kernel for the suite: started before it, shut down after.
 * Returns a getter, since the kernel only exists once the suite has begun.
 */
export function useKernel(): () => SessionContext {
  let sessionContext: SessionContext | null = null;
  beforeAll(async () => {
    sessionContext = await startKernel();
  }, 60_000);
  afterAll(async () => {
    await sessionContext?.shutdown();
    sessionContext?.dispose();
  });
  return () => sessionContext!;
}

/**
 * Notebook content from cell sources; a source starting with "# md " makes
 * a markdown cell.
 */
export function notebookContent(sources: string[]): nbformat.INotebookContent {
  return {
    cells: sources.map(source =>
      source.startsWith('# md ')
        ? { cell_type: 'markdown', source: source.slice(5), metadata: {} }
        : {
            cell_type: 'code',
            source,
            metadata: {},
            outputs: [],
            execution_count: null
          }
    ),
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5
  };
}

/**
 * A notebook widget attached to the page, with the given content.
 */
export function createNotebook(
  sessionContext: SessionContext,
  content: nbformat.INotebookContent
): Notebook {
  const notebook = NBTestUtils.createNotebook(sessionContext);
  const model = new NotebookModel();
  model.fromJSON(content);
  notebook.model = model;
  Widget.attach(notebook, document.body);
  return notebook;
}

/**
 * A notifier with one enabled channel that records what it is given.
 */
export function recordingNotifier(sent: ILmkNotification[]): Notifier {
  const notifier = new Notifier({
    channels: () => [{ id: 'rec', type: 'recording', enabled: true }],
    trans: nullTranslator.load('jupyterlab_lmk')
  });
  notifier.registerChannelType({
    type: 'recording',
    send: async (notification, config) => {
      sent.push(notification);
      return { channelId: config.id, status: 'sent' };
    }
  });
  return notifier;
}
