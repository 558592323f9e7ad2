import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import type { INotificationTarget } from '../tokens';

/**
 * Bring the user to a notebook and, if given, one of its cells: opens the
 * notebook when it is closed, activates it, selects the cell in command mode
 * (as a click on the cell's prompt does: the cell to look at, not an editor
 * to type in) and scrolls it into view.
 */
export async function goToCell(
  app: JupyterFrontEnd,
  notebooks: INotebookTracker | null,
  target: INotificationTarget
): Promise<void> {
  let panel: NotebookPanel | null =
    notebooks?.find(p => p.context.path === target.path) ?? null;
  if (!panel) {
    const opened = await app.commands.execute('docmanager:open', {
      path: target.path
    });
    panel = (opened as NotebookPanel | undefined) ?? null;
    if (!panel || !('content' in panel)) {
      return;
    }
    await panel.context.ready;
  }
  app.shell.activateById(panel.id);
  if (!target.cellId) {
    return;
  }
  const notebook = panel.content;
  const index = notebook.widgets.findIndex(
    cell => cell.model.id === target.cellId
  );
  if (index < 0) {
    return;
  }
  // Command mode first: made active in edit mode (how a run usually
  // leaves the notebook), the cell would take the cursor.
  notebook.mode = 'command';
  notebook.deselectAll();
  notebook.activeCellIndex = index;
  // Not `scrollToCell`: it activates the cell, whose editor then takes
  // the focus, and the notebook goes back to edit mode.
  try {
    await notebook.scrollToItem(index, 'center');
  } catch {
    // Scrolling is a nicety; the cell is selected anyway.
  }
  // The keyboard goes to the notebook, so arrows and Enter act on the cell.
  notebook.activate();
}
