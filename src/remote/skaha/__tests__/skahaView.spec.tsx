/// <reference types="node" />
/**
 * The Skaha view mounted in jsdom against the loopback Skaha API.
 */
import { nullTranslator } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';
import * as React from 'react';
import { act } from 'react';
import { SkahaLoopback } from '../../../__tests__/skahaLoopback';
import { forgetAnsweredHosts } from '../../../delivery/http';
import type { IRemoteContext } from '../../remoteServer';
import { SkahaView } from '../../../widgets/remote/skahaView';

/** react-dom ships no types here; the two calls the test needs. */
interface IRoot {
  render(node: React.ReactNode): void;
  unmount(): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createRoot } = require('react-dom/client') as {
  createRoot(element: Element): IRoot;
};

const TOKEN = 'view-token-5678';
(
  globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }
).IS_REACT_ACT_ENVIRONMENT = true;

function makeContext(confirm = true) {
  const shown = new Signal<unknown, void>({});
  const context = {
    trans: nullTranslator.load('jupyterlab_lmk'),
    canWatch: true,
    isVisible: () => true,
    shown,
    confirm: jest.fn(async () => confirm),
    runCode: jest.fn(),
    watch: jest.fn(),
    unwatch: jest.fn(),
    isWatched: () => false,
    watchesChanged: new Signal<unknown, void>({}),
    openLocal: jest.fn(),
    addJupyterServer: jest.fn(async () => undefined)
  };
  return context as typeof context & IRemoteContext;
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error('Timed out waiting for the view');
    }
    await act(async () => {
      await new Promise(resolve => setTimeout(resolve, 10));
    });
  }
}

function button(container: HTMLElement, text: string): HTMLButtonElement {
  const found = Array.from(container.querySelectorAll('button')).find(
    b => b.textContent === text
  );
  if (!found) {
    throw new Error(`No button "${text}"`);
  }
  return found;
}

function type(input: HTMLInputElement | HTMLTextAreaElement, value: string) {
  const setter = Object.getOwnPropertyDescriptor(
    Object.getPrototypeOf(input),
    'value'
  )!.set!;
  setter.call(input, value);
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

describe('Skaha view (loopback Skaha API)', () => {
  let skaha: SkahaLoopback;
  let container: HTMLDivElement;
  let root: IRoot;

  beforeAll(async () => {
    skaha = await SkahaLoopback.start({ token: TOKEN });
  });
  afterAll(async () => {
    await skaha.close();
  });
  beforeEach(() => {
    skaha.clear();
    forgetAnsweredHosts();
    container = document.createElement('div');
    document.body.appendChild(container);
    root = createRoot(container);
  });
  afterEach(async () => {
    await act(async () => root.unmount());
    container.remove();
  });

  const mount = async (context: IRemoteContext) => {
    await act(async () => {
      root.render(
        <SkahaView
          config={{
            id: 'skaha',
            kind: 'skaha',
            name: 'CANFAR',
            url: skaha.url,
            token: TOKEN
          }}
          context={context}
        />
      );
    });
  };

  it('renders 1,000 sessions with only a window of rows in the DOM (loopback Skaha API)', async () => {
    skaha.seed(1000);
    const started = performance.now();
    await mount(makeContext());
    await until(() => container.querySelector('.jp-lmk-SkahaRow') !== null);
    const elapsed = performance.now() - started;
    const rows = container.querySelectorAll('.jp-lmk-SkahaRow');
    console.log(
      `Skaha view: 1,000 sessions listed and rendered in ${elapsed.toFixed(0)} ms with ${rows.length} rows in the DOM`
    );
    expect(container.textContent).toContain('1000 sessions');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(30);
    expect(container.textContent).toContain('seeded-1');
    expect(container.textContent).not.toContain('seeded-1000');
    // Platform figures came along with the list.
    expect(container.textContent).toContain('of 960 cores requested');
  });

  it('opens New session in a dialog that keeps what was typed when it does not validate, and sends nothing (loopback Skaha API)', async () => {
    await mount(makeContext());
    await until(() => container.textContent!.includes('No sessions.'));
    await act(async () => button(container, 'New session…').click());
    await until(
      () => !!document.querySelector('.jp-lmk-SkahaSessionDialog form')
    );
    const dialog = document.querySelector<HTMLElement>(
      '.jp-lmk-SkahaSessionDialog'
    )!;
    const form = dialog.querySelector('form')!;
    const name = form.querySelector<HTMLInputElement>('input[name="name"]')!;
    const cores = form.querySelector<HTMLInputElement>('input[name="cores"]')!;
    await act(async () => {
      type(name, 'my session');
      type(cores, '3');
    });
    await act(async () => button(dialog, 'Launch').click());
    expect(name.value).toBe('my session');
    expect(cores.value).toBe('3');
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(form.textContent).toContain('letters, digits and "-"');
    expect(form.textContent).toContain('Choose the container image');
    expect(skaha.received('POST')).toHaveLength(0);
    await act(async () => button(dialog, 'Cancel').click());
    await until(() => !document.querySelector('.jp-lmk-SkahaSessionDialog'));
  });

  it('deletes by prefix after a preview and a confirmation (loopback Skaha API)', async () => {
    skaha.seed(3, { prefix: 'tmp' });
    skaha.seed(2, { prefix: 'keep' });
    const context = makeContext(true);
    await mount(context);
    await until(() => container.textContent!.includes('5 sessions'));
    await act(async () => button(container, 'Delete by name…').click());
    const input = container.querySelector<HTMLInputElement>(
      '.jp-lmk-SkahaDelete input[type="text"]'
    )!;
    await act(async () => type(input, 'tmp-'));
    const preview = container.querySelector('.jp-lmk-SkahaDelete-preview')!;
    expect(preview.textContent).toContain('3 sessions match.');
    expect(preview.textContent).not.toContain('keep-1');
    await act(async () => button(container, 'Delete 3 sessions').click());
    await until(() => container.textContent!.includes('3 sessions deleted.'));
    expect(context.confirm).toHaveBeenCalledTimes(1);
    expect(Array.from(skaha.sessions.values()).map(s => s.name)).toEqual([
      'keep-1',
      'keep-2'
    ]);
  });
});
