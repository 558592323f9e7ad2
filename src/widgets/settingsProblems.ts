import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import '../../style/settings.css';

/**
 * Tell the user which settings were ignored: a short toast (the lab cuts
 * toasts at 140 characters) whose **Details** lists every problem in a
 * dialog, with a way to the Settings Editor.
 *
 * @param openSettings - opens the Settings Editor at these settings, or
 * null if it is not available.
 * @returns the toast's id.
 */
export function showSettingsProblems(
  problems: readonly string[],
  trans: TranslationBundle,
  openSettings: (() => void) | null
): string {
  const details = async () => {
    const list = document.createElement('ul');
    list.className = 'jp-lmk-SettingsProblems';
    for (const problem of problems) {
      const item = document.createElement('li');
      item.textContent = problem;
      list.appendChild(item);
    }
    const body = new Widget();
    const intro = document.createElement('p');
    intro.textContent = trans.__(
      'These values are left in your settings file, but not used; the defaults apply instead. Nothing was deleted.'
    );
    body.node.append(intro, list);
    const answer = await showDialog({
      title: trans.__('Notification settings that were ignored'),
      body,
      buttons: [
        Dialog.cancelButton({ label: trans.__('Close') }),
        ...(openSettings
          ? [Dialog.okButton({ label: trans.__('Open the Settings Editor') })]
          : [])
      ]
    });
    if (answer.button.accept && openSettings) {
      openSettings();
    }
  };
  return Notification.warning(
    trans._n(
      'One notification setting was ignored.',
      '%1 notification settings were ignored.',
      problems.length
    ),
    {
      autoClose: false,
      actions: [
        {
          label: trans.__('Details'),
          caption: trans.__('List every ignored setting'),
          callback: event => {
            // Keep the toast: it is the way back to the list.
            event.preventDefault();
            void details();
          }
        }
      ]
    }
  );
}

/**
 * Tell the user that the settings file, which holds their tokens, can be
 * read by other users of the server's machine, with the command that
 * makes it private (JupyterLab writes it so; the extension cannot).
 */
export function showSettingsFileWarning(
  state: { path: string; mode: string | null; fix: string },
  trans: TranslationBundle
): string {
  const details = async () => {
    const body = new Widget();
    const intro = document.createElement('p');
    intro.textContent = trans.__(
      'JupyterLab keeps your notification settings, with their tokens and webhook addresses, in %1 (mode %2), which other users of the server’s machine can read. To keep it to yourself, run this in a terminal on that machine:',
      state.path,
      state.mode ?? '?'
    );
    const command = document.createElement('pre');
    command.className = 'jp-lmk-SettingsProblems-command';
    command.textContent = state.fix;
    const after = document.createElement('p');
    after.textContent = trans.__(
      'JupyterLab keeps the mode when it saves the file again.'
    );
    body.node.append(intro, command, after);
    await showDialog({
      title: trans.__('Your tokens can be read by others'),
      body,
      buttons: [Dialog.okButton({ label: trans.__('Close') })]
    });
  };
  return Notification.warning(
    trans.__(
      'Other users of this machine can read the file that holds your notification tokens.'
    ),
    {
      autoClose: false,
      actions: [
        {
          label: trans.__('How to fix'),
          caption: trans.__('The command that makes the file private'),
          callback: event => {
            event.preventDefault();
            void details();
          }
        }
      ]
    }
  );
}
