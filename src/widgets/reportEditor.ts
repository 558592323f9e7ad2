import type { Dialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

/**
 * The body of the "Report values" dialog: one `name: expression` per line,
 * with the problems of the last attempt shown above the text.
 */
export class ReportEditor extends Widget implements Dialog.IBodyWidget<string> {
  constructor(options: {
    text: string;
    errors: string[];
    trans: TranslationBundle;
  }) {
    super();
    const { trans } = options;
    this.addClass('jp-lmk-ReportEditor');

    const help = document.createElement('p');
    help.textContent = trans.__(
      'When a run of this notebook sends a notification, these expressions are evaluated in its kernel (quietly: no output, no execution count) and their values are added to the message. One per line, "name: expression".'
    );
    this.node.appendChild(help);

    if (options.errors.length) {
      const errors = document.createElement('ul');
      errors.className = 'jp-lmk-ReportEditor-errors';
      errors.setAttribute('role', 'alert');
      for (const error of options.errors) {
        const item = document.createElement('li');
        item.textContent = error;
        errors.appendChild(item);
      }
      this.node.appendChild(errors);
    }

    this._textarea = document.createElement('textarea');
    this._textarea.className = 'jp-mod-styled jp-lmk-ReportEditor-text';
    this._textarea.rows = 6;
    this._textarea.spellcheck = false;
    // A code sample, the same in every language.
    // eslint-disable-next-line jupyter/no-untranslated-string
    this._textarea.placeholder = 'loss: f"{loss:.4f}"\nrows: len(df)';
    this._textarea.setAttribute('aria-label', trans.__('Report expressions'));
    this._textarea.value = options.text;
    this.node.appendChild(this._textarea);
  }

  /** The text as typed. */
  getValue(): string {
    return this._textarea.value;
  }

  private _textarea: HTMLTextAreaElement;
}
