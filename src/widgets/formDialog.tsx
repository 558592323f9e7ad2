import { Dialog } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import type * as React from 'react';

/**
 * The lab's dialog around a form that has its own buttons (a form that
 * checks what was typed, over the network too, before it closes). Enter in
 * a field submits the form rather than closing the dialog; Escape and the
 * close button close it.
 */
class FormDialog extends Dialog<void> {
  protected _evtKeydown(event: KeyboardEvent): void {
    if (event.key === 'Enter') {
      // The form's own submit button takes it (the browser's implicit
      // submission), after its checks.
      return;
    }
    super._evtKeydown(event);
  }
}

/**
 * Show a form in a dialog; `render` gets `close` for its Cancel and for
 * after a save. Resolves when the dialog is closed.
 */
export async function showFormDialog(options: {
  title: string;
  /** Class of the dialog (`jp-lmk-<Part>Dialog`), for its width. */
  className: string;
  render: (close: () => void) => React.ReactElement;
}): Promise<void> {
  // The form's close needs the dialog, which needs the form.
  const shown: { dialog?: FormDialog } = {};
  const body = ReactWidget.create(options.render(() => shown.dialog?.reject()));
  body.addClass('jp-lmk-FormDialog-body');
  const dialog = new FormDialog({
    title: options.title,
    body,
    buttons: [],
    hasClose: true,
    // The first field (or button) takes the focus, and keeps it in the
    // dialog when the focus would leave it.
    focusNodeSelector: 'input, select, textarea, button'
  });
  shown.dialog = dialog;
  dialog.addClass('jp-lmk-FormDialog');
  dialog.addClass(options.className);
  try {
    await dialog.launch();
  } finally {
    body.dispose();
    dialog.dispose();
  }
}
