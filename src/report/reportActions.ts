import {
  Dialog,
  InputDialog,
  Notification,
  showDialog
} from '@jupyterlab/apputils';
import type { NotebookPanel } from '@jupyterlab/notebook';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { buildSnippetEvent } from '../messages/kernelEvents';
import { notebookUrl } from '../navigation/notebookUrl';
import type { IDeliveryResult, ILmkNotifier } from '../tokens';
import { ReportEditor } from '../widgets/reportEditor';
import { runSnippet } from './kernelEvaluation';
import {
  formatReportText,
  parseReportText,
  readReport,
  reportToMetadata
} from './reportExpressions';

/** Default time a `lmk:run-and-report` snippet may take, in seconds. */
const SNIPPET_TIMEOUT_S = 60;

/**
 * Edit the notebook's report expressions; on a mistake the dialog comes
 * back with the text as typed and the problems listed.
 */
export async function editReport(
  panel: NotebookPanel,
  trans: TranslationBundle
): Promise<void> {
  const model = panel.model;
  if (!model) {
    return;
  }
  let text = formatReportText(readReport(model.getMetadata('lmk')));
  let errors: string[] = [];
  for (;;) {
    const result = await showDialog({
      title: trans.__('Report values for %1', panel.context.path),
      body: new ReportEditor({ text, errors, trans }),
      focusNodeSelector: '.jp-lmk-ReportEditor-text',
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({ label: trans.__('Save') })
      ]
    });
    if (!result.button.accept || result.value === null) {
      return;
    }
    text = result.value;
    const parsed = parseReportText(text, trans);
    errors = parsed.errors;
    if (errors.length) {
      continue;
    }
    const lmk = {
      ...((model.getMetadata('lmk') as object | undefined) ?? {})
    };
    if (parsed.expressions.length) {
      (lmk as { report?: unknown }).report = reportToMetadata(
        parsed.expressions
      );
    } else {
      delete (lmk as { report?: unknown }).report;
    }
    if (Object.keys(lmk).length) {
      model.setMetadata('lmk', lmk);
    } else {
      model.deleteMetadata('lmk');
    }
    return;
  }
}

/**
 * Run a snippet in the notebook's kernel and send what it produced.
 */
export async function runAndReport(
  panel: NotebookPanel,
  args: ReadonlyPartialJSONObject,
  notifier: ILmkNotifier,
  trans: TranslationBundle
): Promise<IDeliveryResult[]> {
  let code = typeof args.code === 'string' ? args.code : '';
  if (!code.trim()) {
    const answer = await InputDialog.getText({
      title: trans.__('Run Code and Send the Result'),
      label: trans.__('Code'),
      okLabel: trans.__('Run')
    });
    if (!answer.button.accept || !answer.value?.trim()) {
      return [];
    }
    code = answer.value;
  }
  const kernel = panel.sessionContext.session?.kernel;
  if (!kernel) {
    Notification.warning(
      trans.__(
        '%1 has no running kernel to run the code in.',
        panel.context.path
      ),
      { autoClose: false }
    );
    return [];
  }
  const channels = Array.isArray(args.channels)
    ? args.channels.filter((c): c is string => typeof c === 'string')
    : undefined;
  const timeout =
    typeof args.timeout === 'number' && args.timeout > 0
      ? args.timeout
      : SNIPPET_TIMEOUT_S;
  const result = await runSnippet(kernel, code, {
    timeoutMs: timeout * 1000
  });
  const path = panel.context.path;
  const event = buildSnippetEvent(
    result,
    {
      notebookPath: path,
      notebookUrl: notebookUrl(path),
      kernel: { id: kernel.id, name: kernel.name }
    },
    trans
  );
  return notifier.notify(
    { id: `snippet:${kernel.id}:${Date.now()}`, event, target: { path } },
    { channels }
  );
}
