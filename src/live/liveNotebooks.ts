import type { ICodeCellModel } from '@jupyterlab/cells';
import type { NotebookPanel } from '@jupyterlab/notebook';
import { KernelAPI } from '@jupyterlab/services';
import type { IActiveRun } from '../tokens';
import type { ILiveNotebooks } from './liveHost';
import { lastLine } from './liveStatusText';

/** Characters of a stream's tail read to find its last line. */
const TAIL_CHARS = 4000;

/**
 * An open notebook: its model and its session.
 */
export type OpenNotebook = Pick<NotebookPanel, 'model' | 'sessionContext'>;

/**
 * The lab's open notebooks as the live status sees them: their `lmk`
 * metadata, the first line and last output of a cell (read from the end
 * of its last output, never its whole output), and their kernels.
 *
 * @param find - the open notebook at a path, if any.
 * @param paths - the paths of the open notebooks.
 */
export function liveNotebooks(
  find: (path: string) => OpenNotebook | null | undefined,
  paths: () => string[]
): ILiveNotebooks {
  return {
    openPaths: paths,
    lmkMetadata: path => find(path)?.model?.getMetadata('lmk'),
    setLmkMetadata: (path, value) => {
      const model = find(path)?.model;
      if (!model) {
        return;
      }
      if (value) {
        model.setMetadata('lmk', value);
      } else {
        model.deleteMetadata('lmk');
      }
    },
    readCell: (path, cellId) => {
      const model = find(path)?.model;
      if (!model) {
        return null;
      }
      for (const cell of model.cells) {
        if (cell.id !== cellId) {
          continue;
        }
        return {
          source: cell.sharedModel.getSource(),
          lastOutput:
            cell.type === 'code'
              ? Private.lastOutput(cell as ICodeCellModel)
              : ''
        };
      }
      return null;
    },
    interrupt: async (run: IActiveRun) => {
      const kernel = find(run.notebookPath)?.sessionContext.session?.kernel;
      if (kernel && (!run.kernel || kernel.id === run.kernel.id)) {
        await kernel.interrupt();
      } else if (run.kernel) {
        // The notebook's panel is gone or moved to another kernel: the
        // run's own kernel, through the server.
        await KernelAPI.interruptKernel(run.kernel.id);
      }
    }
  };
}

namespace Private {
  /**
   * The last line of a cell's last output: a stream's tail (after its
   * last carriage return, as a progress bar shows), or a result's plain
   * text.
   */
  export function lastOutput(cell: ICodeCellModel): string {
    const outputs = cell.outputs;
    if (outputs.length === 0) {
      return '';
    }
    const output = outputs.get(outputs.length - 1);
    const stream = output.streamText?.text;
    if (typeof stream === 'string') {
      return lastLine(stream.slice(-TAIL_CHARS));
    }
    if (output.type === 'execute_result' || output.type === 'display_data') {
      const plain = output.data['text/plain'];
      return typeof plain === 'string'
        ? lastLine(plain.slice(-TAIL_CHARS))
        : '';
    }
    return '';
  }
}
