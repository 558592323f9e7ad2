/**
 * The Run code panel in jsdom, running code in a real ipykernel.
 */
import {
  RenderMimeRegistry,
  standardRendererFactories
} from '@jupyterlab/rendermime';
import { nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { waitUntil } from '../../../__tests__/waitUntil';
import { useKernel } from '../../../__tests__/kernelFixtures';
import { RunCodePanel } from '../../../widgets/remote/runCodePanel';
import { useUnlimitedJupyterServer } from './runCodeFixtures';

useUnlimitedJupyterServer();

const trans = nullTranslator.load('jupyterlab_lmk');

describe('RunCodePanel with a real kernel', () => {
  const session = useKernel();
  let panel: RunCodePanel;

  const $ = <T extends HTMLElement>(selector: string) =>
    panel.node.querySelector(selector) as T;
  const status = () => $('[role="status"]').textContent ?? '';
  const button = (label: string) =>
    Array.from(panel.node.querySelectorAll('button')).find(
      b => b.textContent === label
    ) as HTMLButtonElement;
  const section = (name: 'stdout' | 'stderr') =>
    $(`section.jp-lmk-RunCode-${name}`);

  /** Type code and press Run; wait until the status says it is over. */
  async function run(code: string): Promise<void> {
    panel.code = code;
    button('Run').click();
    await waitUntil(() => /^(Done|Failed|Interrupted)/.test(status()));
  }

  beforeEach(() => {
    panel = new RunCodePanel({
      kernel: session().session!.kernel!,
      title: 'ipython on this server',
      rendermime: new RenderMimeRegistry({
        initialFactories: standardRendererFactories
      }),
      trans
    });
    Widget.attach(panel, document.body);
  });

  afterEach(() => {
    panel.dispose();
  });

  it('labels its controls and starts with Interrupt disabled', () => {
    const code = $<HTMLTextAreaElement>('textarea');
    expect(
      panel.node.querySelector(`label[for="${code.id}"]`)?.textContent
    ).toBe('Code');
    expect(panel.title.label).toBe('Run code: ipython on this server');
    expect(button('Run').disabled).toBe(false);
    expect(button('Interrupt').disabled).toBe(true);
    expect($<HTMLInputElement>('input[type="number"]').value).toBe('60');
    expect(section('stdout').hidden).toBe(true);
  });

  it('shows stdout and stderr in separate areas', async () => {
    await run('import sys\nprint("hello out")\nsys.stderr.write("careful\\n")');
    expect(status()).toMatch(/^Done in \d+\.\d s/);
    expect(section('stdout').hidden).toBe(false);
    expect(section('stdout').querySelector('h3')?.textContent).toBe(
      'Output (stdout)'
    );
    expect(section('stdout').querySelector('pre')?.textContent).toBe(
      'hello out\n'
    );
    expect(section('stderr').querySelector('pre')?.textContent).toBe(
      'careful\n'
    );
  });

  it('shows progress lines as a terminal would, without colour codes', async () => {
    await run(
      'import sys\nfor p in (10, 50, 100):\n    sys.stdout.write(f"\\r\\x1b[32m{p}%\\x1b[0m")\n    sys.stdout.flush()\nprint()\nprint("next")'
    );
    expect(section('stdout').querySelector('pre')?.textContent).toBe(
      '100%\nnext\n'
    );
  });

  it('renders an HTML display and the value with the lab renderers', async () => {
    await run(
      'from IPython.display import display, HTML\ndisplay(HTML("<b>bold</b><script>alert(1)</script>"))\n6 * 7'
    );
    const results = $('.jp-lmk-RunCode-results');
    await waitUntil(() => results.querySelector('b') !== null);
    expect(results.querySelector('b')?.textContent).toBe('bold');
    // Untrusted: the script is not kept.
    expect(results.querySelector('script')).toBeNull();
    await waitUntil(() => (results.textContent ?? '').includes('42'));
  });

  it('renders the traceback with its colours and says what failed', async () => {
    await run('1/0');
    expect(status()).toMatch(/^Failed with ZeroDivisionError after/);
    const error = $('.jp-lmk-RunCode-error');
    await waitUntil(() =>
      (error.textContent ?? '').includes('ZeroDivisionError')
    );
    expect(error.textContent).not.toContain('\u001b[');
    expect(error.querySelector('span[class*="ansi"]')).not.toBeNull();
  });

  it('offers Interrupt while running and after the timeout, then stops', async () => {
    $<HTMLInputElement>('input[type="number"]').value = '0.3';
    panel.code = 'import time\ntime.sleep(30)';
    button('Run').click();
    await waitUntil(() => button('Interrupt').disabled === false);
    expect(button('Run').disabled).toBe(true);
    await waitUntil(() => status() === 'Taking longer than 0.3 s — Interrupt?');
    button('Interrupt').click();
    await waitUntil(() => status().startsWith('Interrupted after'));
    expect(button('Interrupt').disabled).toBe(true);
    expect(button('Run').disabled).toBe(false);
  });

  it('runs on Shift+Enter and Ctrl+Enter in the code box', async () => {
    const code = $<HTMLTextAreaElement>('textarea');
    panel.code = 'print("by keyboard")';
    code.dispatchEvent(
      new KeyboardEvent('keydown', {
        key: 'Enter',
        shiftKey: true,
        bubbles: true
      })
    );
    await waitUntil(() => status().startsWith('Done'));
    expect(section('stdout').textContent).toContain('by keyboard');
    panel.code = 'print("again")';
    code.dispatchEvent(
      new KeyboardEvent('keydown', {
        key: 'Enter',
        ctrlKey: true,
        bubbles: true
      })
    );
    await waitUntil(() =>
      (section('stdout').textContent ?? '').includes('again')
    );
  });

  it('asks input prompts inline when allowed, passwords hidden', async () => {
    $<HTMLInputElement>('input[type="checkbox"]').checked = true;
    panel.code =
      'import getpass\nname = input("Name? ")\npw = getpass.getpass("Password: ")\nprint("hi", name, len(pw))';
    button('Run').click();
    const prompt = $('.jp-lmk-RunCode-prompt');
    const input = () => prompt.querySelector('input') as HTMLInputElement;
    await waitUntil(() => !prompt.hidden);
    expect(prompt.querySelector('label')?.textContent).toBe('Name?');
    expect(input().type).toBe('text');
    expect(document.activeElement).toBe(input());
    input().value = 'Ada';
    input().dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })
    );
    await waitUntil(() => !prompt.hidden && input().type === 'password');
    expect(prompt.querySelector('label')?.textContent).toBe('Password:');
    input().value = 'secret';
    button('Send').click();
    await waitUntil(() => status().startsWith('Done'));
    expect(prompt.hidden).toBe(true);
    expect(section('stdout').textContent).toContain('hi Ada 6');
  });

  it('keeps only the tail of a big stream in the page and saves it all', async () => {
    await run('for i in range(1000):\n    print(f"{i:06d}" + "." * 1000)');
    const pre = section('stdout').querySelector('pre')!;
    const shown = pre.textContent ?? '';
    expect(shown.length).toBeLessThanOrEqual(200 * 1024);
    expect(shown.endsWith('000999' + '.'.repeat(1000) + '\n')).toBe(true);
    expect(shown).not.toContain('000000.');
    expect(section('stdout').textContent).toMatch(
      /\d+ KB of earlier output not shown\./
    );

    // jsdom has no object URLs; stand in for the browser's.
    const blobs: Blob[] = [];
    const saved: string[] = [];
    Object.assign(URL, {
      createObjectURL: (blob: Blob) => {
        blobs.push(blob);
        return 'blob:test';
      },
      revokeObjectURL: () => undefined
    });
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function (this: HTMLAnchorElement) {
        saved.push(this.download);
      });
    try {
      button('Save full output').click();
      expect(saved).toEqual(['stdout.txt']);
      expect(blobs).toHaveLength(1);
      expect(blobs[0].size).toBe(1000 * 1007);
    } finally {
      click.mockRestore();
      // revokeObjectURL stays: the panel calls it 10 s after the click, when
      // a later test of this file may be running.
      delete (URL as any).createObjectURL;
    }
  });

  it('draws 20 MB of output as it arrives and keeps only its tail', async () => {
    // How long its main-thread tasks take is measured in a real browser by
    // the benchmark (bench/run.py, remote scale); here: that the panel draws
    // in many animation frames while the output arrives, not once at the
    // end, and keeps what it shows bounded.
    let frames = 0;
    let drawnBeforeEnd = false;
    const request = window.requestAnimationFrame;
    const spy = jest
      .spyOn(window, 'requestAnimationFrame')
      .mockImplementation(callback =>
        request(time => {
          callback(time);
          frames++;
          const shown = section('stdout')?.querySelector('pre')?.textContent;
          drawnBeforeEnd ||= !!shown && panel.run?.isEnded === false;
        })
      );
    try {
      await run(
        'import sys\nfor i in range(4000):\n    sys.stdout.write("w" * 4999 + "\\n")\n    if i % 4 == 0: sys.stdout.flush()'
      );
    } finally {
      spy.mockRestore();
    }
    expect(panel.run?.stdout.total).toBe(20_000_000);
    expect(section('stdout').querySelector('pre')?.textContent?.length).toBe(
      200 * 1024
    );
    // 20,000,000 - 204,800 characters.
    expect(
      section('stdout').querySelector('.jp-lmk-RunCode-omitted')?.textContent
    ).toBe('18.9 MB of earlier output not shown.Save full output');
    expect(frames).toBeGreaterThan(1);
    expect(drawnBeforeEnd).toBe(true);
  }, 30_000);
});
