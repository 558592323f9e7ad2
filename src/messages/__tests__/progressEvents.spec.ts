import { nullTranslator } from '@jupyterlab/translation';
import type { IActiveRun, ILmkEvent } from '../../tokens';
import {
  outputTail,
  readTitlePrefix,
  sourceExcerpt,
  withHeld,
  withOutputTail,
  withSource,
  withTitlePrefix
} from '../eventExtras';
import {
  buildHeldEvent,
  buildInputEvent,
  buildStillRunningEvent
} from '../progressEvents';
import { buildManualEvent } from '../runEvent';

const trans = nullTranslator.load('jupyterlab_lmk');
const url = 'http://127.0.0.1:8888/lab/tree/train.ipynb';

function activeRun(overrides: Partial<IActiveRun> = {}): IActiveRun {
  return {
    id: 'run-1',
    notebookPath: 'train.ipynb',
    kernel: { id: 'k1', name: 'python3' },
    cellIds: ['a', 'b', 'c', 'd'],
    isDone: false,
    executed: 2,
    started: '2026-01-01T10:00:00.000Z',
    durationSeconds: 90_000,
    current: () => ({ cellId: 'c', index: 4 }),
    ...overrides
  };
}

describe('progress events', () => {
  it('still running: elapsed time past a day, the cell it is on, progress', () => {
    const event = buildStillRunningEvent(activeRun(), url, trans);
    expect(event).toMatchObject({
      version: 1,
      event: 'run.still_running',
      title: 'train.ipynb is still running',
      text: 'Still running after 1 d 1 h, on cell 5. 2 of 4 cells executed.',
      notebook: { path: 'train.ipynb', name: 'train.ipynb', url },
      run: { cells: 4, executed: 2, finished: null, duration_s: 90_000 },
      cell: { index: 4, execution_count: null },
      error: null,
      kernel: { id: 'k1', name: 'python3' }
    });
    expect(event.message).toContain(`[train.ipynb](${url})`);
  });

  it('waiting for input: quotes the prompt, but says only "password" for getpass', () => {
    const request = {
      run: activeRun(),
      cellId: 'c',
      index: 2,
      prompt: 'Your name? ',
      password: false
    };
    const plain = buildInputEvent(request, url, trans);
    expect(plain.event).toBe('input.requested');
    expect(plain.title).toBe('train.ipynb is waiting for input');
    expect(plain.text).toBe(
      'cell 3 asks: Your name? The run waits until someone answers.'
    );
    const secret = buildInputEvent(
      { ...request, prompt: 'Password for ada@db: ', password: true },
      url,
      trans
    );
    expect(secret.text).toBe(
      'cell 3 asks for a password. The run waits until someone answers.'
    );
    expect(JSON.stringify(secret)).not.toContain('ada@db');
  });

  it('held summary: "3 more failures" in the title', () => {
    const event = buildHeldEvent(
      'train.ipynb',
      url,
      { 'run.failed': 3, 'run.finished': 1 },
      trans
    );
    expect(event.event).toBe('run.failed');
    expect(event.title).toBe(
      'train.ipynb: 3 more failures, 1 more run finished'
    );
  });
});

describe('event extras', () => {
  const base: ILmkEvent = buildManualEvent('Body', 'Title');

  it('puts the notebook title prefix in front of the title, bounded', () => {
    expect(readTitlePrefix({ titlePrefix: '  [GPU-1]\n ' })).toBe('[GPU-1]');
    expect(readTitlePrefix({ titlePrefix: 'x'.repeat(100) })).toHaveLength(40);
    expect(readTitlePrefix({ titlePrefix: 3 })).toBe('');
    expect(withTitlePrefix(base, '[GPU-1]').title).toBe('[GPU-1] Title');
    expect(withTitlePrefix(base, '')).toBe(base);
  });

  it('quotes the first lines of a cell source, bounded', () => {
    const source = Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n');
    const excerpt = sourceExcerpt(source);
    expect(excerpt.split('\n')).toHaveLength(16);
    expect(excerpt.endsWith('line 14\n…')).toBe(true);
    const event = withSource(base, 'x = 1\n1 / 0', trans);
    expect(event.text).toBe('Body\nCell source:\nx = 1\n1 / 0');
    expect(event.message).toContain('```\nx = 1\n1 / 0\n```');
  });

  it('keeps a fence longer than any backticks in the quoted text', () => {
    const event = withSource(base, 'doc = """```"""', trans);
    expect(event.message).toContain('````\ndoc = """```"""\n````');
  });

  it('quotes the last N lines of output without terminal colours', () => {
    const output = 'epoch 1\nepoch 2\n\u001b[31mepoch 3\u001b[0m\n';
    expect(outputTail(output, 2)).toBe('…\nepoch 2\nepoch 3');
    expect(outputTail(output, 0)).toBe('');
    expect(outputTail('x'.repeat(10_000), 1)).toHaveLength(2000);
    expect(withOutputTail(base, output, 1, trans).text).toBe(
      'Body\nLast output:\n…\nepoch 3'
    );
    expect(withOutputTail(base, '   \n', 5, trans)).toBe(base);
  });

  it('mentions what the flood guard held back', () => {
    const event = withHeld(base, { 'run.failed': 3 }, trans);
    expect(event.text).toBe(
      'Body\nAlso, since the last notification: 3 more failures.'
    );
  });
});
