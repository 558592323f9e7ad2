import type { TranslationBundle } from '@jupyterlab/translation';

/**
 * The forms of a plural message for the counts 0 to `PLURAL_COUNTS - 1`:
 * `forms[parseInt(index[n], 36)]` is the template for `n`. Larger counts use
 * the form of `100 + n % 100`, which is exact for the plural rules of the
 * gettext languages (they read n below 100 and n % 10, n % 100 above).
 */
export interface IRelayPlural {
  forms: string[];
  index: string;
}

/**
 * Every string the kernel-side formats (`src/relay/kernel/lmk_formats.py`)
 * use, by msgid, translated: templates keep their `%1`, `%2` placeholders
 * for the kernel to fill in. Handed to the kernel in its `context.strings`,
 * since a kernel has no translator.
 */
export type RelayStrings = { [msgid: string]: string | IRelayPlural };

/** Counts whose plural form is sent. */
export const PLURAL_COUNTS = 200;

/**
 * The translated strings of the kernel-side formats. The parity test checks
 * that this lists exactly the msgids the Python uses.
 */
export function relayStrings(trans: TranslationBundle): RelayStrings {
  // Placeholders passed as arguments come back as they were.
  const p = ['%1', '%2'] as const;
  return {
    '%1 s': trans.__('%1 s', ...p),
    '%1 d %2 h': trans.__('%1 d %2 h', ...p),
    '%1 h %2 min': trans.__('%1 h %2 min', ...p),
    '%1 min %2 s': trans.__('%1 min %2 s', ...p),
    'cell %1': trans.__('cell %1', ...p),
    'cell %1 (In [%2])': trans.__('cell %1 (In [%2])', ...p),
    '%1 finished': trans.__('%1 finished', ...p),
    'Finished in %1.': trans.__('Finished in %1.', ...p),
    '%1 failed': trans.__('%1 failed', ...p),
    'Failed at %1 after %2.': trans.__('Failed at %1 after %2.', ...p),
    '%1 was interrupted': trans.__('%1 was interrupted', ...p),
    'Interrupted at %1 after %2.': trans.__(
      'Interrupted at %1 after %2.',
      ...p
    ),
    '%1: the kernel died': trans.__('%1: the kernel died', ...p),
    'The kernel died after %1.': trans.__('The kernel died after %1.', ...p),
    '%1: the kernel restarted': trans.__('%1: the kernel restarted', ...p),
    'The kernel was restarted after %1.': trans.__(
      'The kernel was restarted after %1.',
      ...p
    ),
    '%2 of %1 cell executed.': plural(n =>
      trans._n('%2 of %1 cell executed.', '%2 of %1 cells executed.', n, '%2')
    ),
    'Cell source:': trans.__('Cell source:'),
    'Last output:': trans.__('Last output:'),
    'Also, since the last notification: %1.': trans.__(
      'Also, since the last notification: %1.',
      ...p
    ),
    '%1 more failure': plural(n =>
      trans._n('%1 more failure', '%1 more failures', n)
    ),
    '%1 more run finished': plural(n =>
      trans._n('%1 more run finished', '%1 more runs finished', n)
    ),
    '%1 more notification': plural(n =>
      trans._n('%1 more notification', '%1 more notifications', n)
    ),
    Report: trans.__('Report'),
    '(no value)': trans.__('(no value)'),
    '(error)': trans.__('(error)'),
    Notification: trans.__('Notification'),
    Notebook: trans.__('Notebook'),
    Duration: trans.__('Duration'),
    Cell: trans.__('Cell'),
    Kernel: trans.__('Kernel'),
    'Open notebook': trans.__('Open notebook'),
    'The %1 channel cannot send: %2': trans.__(
      'The %1 channel cannot send: %2',
      ...p
    ),
    'No address is set.': trans.__('No address is set.'),
    'This is not a web address (it should start with https://).': trans.__(
      'This is not a web address (it should start with https://).'
    ),
    'The address must start with https:// or http://.': trans.__(
      'The address must start with https:// or http://.'
    ),
    webhook: trans.__('webhook'),
    'Microsoft Teams': trans.__('Microsoft Teams'),
    'The ntfy channel cannot send: %1': trans.__(
      'The ntfy channel cannot send: %1',
      ...p
    ),
    'Enter a topic.': trans.__('Enter a topic.'),
    'A topic is 1 to 64 letters, digits, - or _ (no spaces or other signs).':
      trans.__(
        'A topic is 1 to 64 letters, digits, - or _ (no spaces or other signs).'
      ),
    'This Matrix channel has no valid room: pick one again.': trans.__(
      'This Matrix channel has no valid room: pick one again.'
    ),
    'Log in to Matrix in the Notifications sidebar.': trans.__(
      'Log in to Matrix in the Notifications sidebar.'
    ),
    'Matrix at %1 knows no room called %2.': trans.__(
      'Matrix at %1 knows no room called %2.',
      ...p
    )
  };
}

/**
 * The plural table of one message, from its `_n` call: the count given is
 * a number to the plural rule and `%1` to the template, so the template
 * comes back with its placeholder.
 */
function plural(form: (count: number) => string): IRelayPlural {
  const forms: string[] = [];
  let index = '';
  for (let n = 0; n < PLURAL_COUNTS; n++) {
    const count = { valueOf: () => n, toString: () => '%1' };
    const text = form(count as unknown as number);
    if (!forms.includes(text)) {
      forms.push(text);
    }
    index += forms.indexOf(text).toString(36);
  }
  return { forms, index };
}
