import { nullTranslator } from '@jupyterlab/translation';
import { NOTIFY_MODES, type NotifyMode } from '../../rules/notifyMode';
import { INHERIT, modeHeading, modeLabel } from '../modeLabels';

const trans = nullTranslator.load('jupyterlab_lmk');
const numbers = { threshold: 30, stillRunningMinutes: 10 };

describe('the words of the bell menus', () => {
  it('say what the choices apply to', () => {
    expect(modeHeading('cell', trans)).toBe('Notify me about this cell’s runs');
    expect(modeHeading('notebook', trans)).toBe(
      'Notify me about this notebook’s runs'
    );
  });

  it('say "follow the level above" in plain words', () => {
    expect(modeLabel(INHERIT, 'cell', numbers, trans)).toBe(
      'Like the Rest of the Notebook'
    );
    expect(modeLabel(INHERIT, 'notebook', numbers, trans)).toBe(
      'Like My Other Notebooks'
    );
  });

  it('quote the settings rather than name them', () => {
    expect(modeLabel('default', 'cell', numbers, trans)).toBe(
      'When It Takes 30 s or More'
    );
    expect(
      modeLabel('default', 'cell', { ...numbers, threshold: 90 }, trans)
    ).toBe('When It Takes 1 min 30 s or More');
    expect(
      modeLabel('default', 'cell', { ...numbers, threshold: 120 }, trans)
    ).toBe('When It Takes 2 min or More');
    expect(modeLabel('still-running', 'notebook', numbers, trans)).toBe(
      'Also When Still Running After 10 min'
    );
  });

  it('give every mode its own words', () => {
    const modes: (NotifyMode | typeof INHERIT)[] = [...NOTIFY_MODES, INHERIT];
    const labels = modes.map(mode => modeLabel(mode, 'cell', numbers, trans));
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels.join(' ')).not.toMatch(/threshold|settings say/i);
  });
});
