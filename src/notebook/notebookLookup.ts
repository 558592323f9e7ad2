import type { ICellModel, ICodeCellModel } from '@jupyterlab/cells';
import type * as nbformat from '@jupyterlab/nbformat';
import type { NotebookPanel } from '@jupyterlab/notebook';
import type { INotebookLookup } from '../delivery/runNotifier';

/**
 * What the rules and messages read from an open notebook: its `lmk`
 * metadata and its cells' (modes, source, output). Read when a run ends,
 * never while it runs.
 */
export function notebookLookup(
  panel: Pick<NotebookPanel, 'model' | 'sessionContext'>
): INotebookLookup {
  return {
    get lmkMetadata() {
      return panel.model?.getMetadata('lmk');
    },
    get kernel() {
      return panel.sessionContext.session?.kernel ?? null;
    },
    cellsLmkMetadata: cellIds => {
      const model = panel.model;
      if (!model || !Private.anyCellLmkMetadata(model.cells)) {
        // Most notebooks: no cell has a mode of its own, every cell of the
        // run follows the notebook, and no id needs reading.
        return [];
      }
      const wanted = new Set(cellIds);
      const found: unknown[] = [];
      for (const cell of model.cells) {
        if (wanted.has(cell.id)) {
          found.push(cell.getMetadata('lmk'));
          if (found.length === wanted.size) {
            break;
          }
        }
      }
      return found;
    },
    cellContent: cellId => {
      const model = panel.model;
      if (!model) {
        return null;
      }
      for (const cell of model.cells) {
        if (cell.id === cellId) {
          const outputs =
            cell.type === 'code'
              ? (cell as ICodeCellModel).outputs.toJSON()
              : [];
          return {
            source: cell.sharedModel.getSource(),
            output: outputs.map(Private.outputText).join('')
          };
        }
      }
      return null;
    }
  };
}

namespace Private {
  /**
   * Whether any cell has `lmk` metadata: one lookup per cell, where
   * matching cells to a run's ids costs two more.
   */
  export function anyCellLmkMetadata(cells: Iterable<ICellModel>): boolean {
    for (const cell of cells) {
      if (cell.getMetadata('lmk') !== undefined) {
        return true;
      }
    }
    return false;
  }

  /**
   * The text a person would read in an output: streams and plain-text
   * results; errors are in the notification already.
   */
  export function outputText(output: nbformat.IOutput): string {
    if (output.output_type === 'stream') {
      return join((output as nbformat.IStream).text);
    }
    if (
      output.output_type === 'execute_result' ||
      output.output_type === 'display_data'
    ) {
      const data = (output as nbformat.IDisplayData).data ?? {};
      const plain = data['text/plain'];
      return plain === undefined
        ? ''
        : join(plain as nbformat.MultilineString) + '\n';
    }
    return '';
  }

  function join(text: nbformat.MultilineString): string {
    return Array.isArray(text) ? text.join('') : text;
  }
}
