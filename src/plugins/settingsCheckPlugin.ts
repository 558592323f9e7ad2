import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

/**
 * When the lab cannot load its settings at all, says whether this
 * extension's settings file is the cause, and what to do. JupyterLab shows
 * a blank page when a user settings file is not JSON; the settings
 * registry then fails, and this plugin (which only takes it as optional)
 * is the one left to explain. With a working registry it does nothing.
 */
export const settingsCheckPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-lmk:settings-check',
  description:
    'Says so when the lab cannot start because the extension’s settings file is not valid JSON.',
  autoStart: true,
  optional: [ISettingRegistry, ITranslator],
  activate: (
    _,
    registry: ISettingRegistry | null,
    translator: ITranslator | null
  ): void => {
    if (registry) {
      return;
    }
    const trans = (translator ?? nullTranslator).load('jupyterlab_lmk');
    void import('../widgets/settingsFileBroken').then(
      ({ explainBrokenSettings }) => explainBrokenSettings(trans)
    );
  }
};
