import { Dialog } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import { PromiseDelegate } from '@lumino/coreutils';
import type { Message } from '@lumino/messaging';
import * as React from 'react';

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
 * The dialog's body. The lab's dialog focuses its first field once the
 * body's `renderPromise` resolves, which the lab resolves at the browser's
 * next idle time; a browser that is never idle (headless Chromium with no
 * frame to draw waits until the next input) then leaves the focus on the
 * button that opened the dialog. Here it resolves once React has put the
 * form in the page.
 */
class FormBody extends ReactWidget {
  constructor(private readonly _form: React.ReactElement) {
    super();
    this.addClass('jp-lmk-FormDialog-body');
  }

  protected onUpdateRequest(msg: Message): void {
    super.onUpdateRequest(msg);
    this.renderPromise = this._rendered.promise;
  }

  protected render(): React.ReactElement {
    return <Rendered onRendered={this._onRendered}>{this._form}</Rendered>;
  }

  private readonly _rendered = new PromiseDelegate<void>();
  private readonly _onRendered = (): void => this._rendered.resolve();
}

/** Its children, and a call once they are in the page. */
function Rendered(props: {
  onRendered: () => void;
  children: React.ReactElement;
}): React.ReactElement {
  const { onRendered } = props;
  React.useEffect(onRendered, [onRendered]);
  return props.children;
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
  const body = new FormBody(options.render(() => shown.dialog?.reject()));
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
