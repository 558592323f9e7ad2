import { Dialog, showDialog } from '@jupyterlab/apputils';
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import type { TranslationBundle } from '@jupyterlab/translation';

/**
 * If the lab's settings failed to load because this extension's settings
 * file is not JSON (the server answers 500 for it), say so in a dialog:
 * which file, the parse error, and what to do. Otherwise nothing.
 */
export async function explainBrokenSettings(
  trans: TranslationBundle
): Promise<void> {
  const settings = ServerConnection.makeSettings();
  const settingsUrl =
    PageConfig.getOption('settingsUrl') ||
    URLExt.join('lab', 'api', 'settings');
  let answer: Response;
  try {
    answer = await ServerConnection.makeRequest(
      URLExt.join(
        settings.baseUrl,
        settingsUrl.replace(/^\//, ''),
        'jupyterlab-lmk:plugin'
      ),
      {},
      settings
    );
  } catch {
    return;
  }
  if (answer.status !== 500) {
    return;
  }
  const reason = await answer.text().catch(() => '');
  if (!reason.includes('jupyterlab-lmk:plugin')) {
    return;
  }
  // Where the file is and what is wrong, from the server extension.
  let where = trans.__('the user settings file of jupyterlab-lmk');
  let error = '';
  try {
    const file = await ServerConnection.makeRequest(
      URLExt.join(settings.baseUrl, 'lmk/api/settings-file'),
      {},
      settings
    );
    if (file.ok) {
      const state = await file.json();
      where = String(state.path ?? where);
      error = state.parseError ? String(state.parseError) : '';
    }
  } catch {
    // Said without the path.
  }
  await showDialog({
    title: trans.__('Your notification settings file is not valid JSON'),
    body: trans.__(
      'JupyterLab cannot load its settings, so it cannot start, while %1 is not valid JSON%2. Fix it in an editor, or move it away to start from the defaults (keep a copy: it holds your channels and tokens), then reload this page.',
      where,
      error ? ` (${error})` : ''
    ),
    buttons: [Dialog.okButton({ label: trans.__('Close') })]
  });
}
