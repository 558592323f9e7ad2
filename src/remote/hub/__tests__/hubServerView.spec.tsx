/// <reference types="node" />
import { nullTranslator } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';
import * as React from 'react';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import type { IRemoteContext, IRemoteServerConfig } from '../../remoteServer';
import { HubServerView } from '../../../widgets/remote/hubServerView';
import { HUB_TOKEN, useJupyterHub } from './hubFixture';

// The Jupyter server view is another part's; here it only shows what it got.
jest.mock(
  '../../../widgets/remote/jupyterServerView',
  () => ({
    JupyterServerView: (props: { config: IRemoteServerConfig }) =>
      jest.requireActual<typeof React>('react').createElement('div', {
        className: 'test-JupyterServerView',
        'data-config': JSON.stringify(props.config)
      })
  }),
  { virtual: true }
);

const trans = nullTranslator.load('jupyterlab_lmk');

/** Wait until `find` returns something (polling the page), at most 20 s. */
async function waitFor<T>(
  find: () => T | null | undefined | false,
  what: string,
  timeoutMs = 20_000
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found) {
      return found;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out waiting for ${what}:\n${document.body.innerHTML}`
      );
    }
    await new Promise(resolve => setTimeout(resolve, 10));
  }
}

function button(label: string): HTMLButtonElement | null {
  return (
    Array.from(document.querySelectorAll('button')).find(
      b => b.getAttribute('aria-label') === label || b.textContent === label
    ) ?? null
  );
}

function badge(name: string): string | null {
  const item = Array.from(document.querySelectorAll('.jp-lmk-HubServer')).find(
    li => li.querySelector('.jp-lmk-HubServer-name')?.textContent === name
  );
  return item?.querySelector('.jp-lmk-HubServer-state')?.textContent ?? null;
}

/** Type into a React-controlled input. */
function type(input: HTMLInputElement, value: string): void {
  const setter = Object.getOwnPropertyDescriptor(
    HTMLInputElement.prototype,
    'value'
  )!.set!;
  setter.call(input, value);
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

describe('HubServerView against a real JupyterHub', () => {
  const hubUrl = useJupyterHub();
  let widget: Widget;
  const confirm = jest.fn(async () => true);
  const shown = new Signal<unknown, void>({});

  function context(): IRemoteContext {
    return {
      trans,
      canWatch: true,
      isVisible: () => true,
      shown,
      confirm,
      runCode: () => undefined,
      watch: () => undefined,
      unwatch: () => undefined,
      isWatched: () => false,
      watchesChanged: new Signal<unknown, void>({}),
      openLocal: () => undefined,
      addJupyterServer: async () => undefined
    };
  }

  function render(token = HUB_TOKEN): void {
    const config: IRemoteServerConfig = {
      id: 'hub',
      kind: 'hub',
      name: 'Test hub',
      url: hubUrl(),
      token
    };
    widget = ReactWidget.create(
      <HubServerView config={config} context={context()} />
    );
    Widget.attach(widget, document.body);
  }

  beforeAll(() => {
    // The view updates on its own (network); the test polls the page.
    (globalThis as any).IS_REACT_ACT_ENVIRONMENT = false;
  });

  afterEach(() => {
    widget.dispose();
    confirm.mockClear();
  });

  it('creates, starts, browses, stops and deletes a named server', async () => {
    render();
    await waitFor(() => badge('Default server') === 'stopped', 'the list');

    const input = document.querySelector<HTMLInputElement>(
      '.jp-lmk-HubNew input'
    )!;
    expect(
      document.querySelector(`label[for="${input.id}"]`)?.textContent
    ).toBe('New server');
    const submit = document.querySelector<HTMLButtonElement>(
      '.jp-lmk-HubNew button[type="submit"]'
    )!;
    type(input, 'Bad Name');
    submit.click();
    const alert = await waitFor(
      () => document.querySelector('.jp-lmk-HubNew [role="alert"]'),
      'the name error'
    );
    expect(alert.textContent).toMatch(/lower-case letters/);

    type(input, 'view-1');
    submit.click();
    const bar = await waitFor(
      () => document.querySelector('[role="progressbar"]'),
      'the progress bar'
    );
    expect(bar.getAttribute('aria-label')).toBe('Starting view-1');
    expect(Number(bar.getAttribute('aria-valuenow'))).toBeGreaterThanOrEqual(0);
    await waitFor(() => badge('view-1') === 'running', 'view-1 running');
    expect(document.querySelector('[role="progressbar"]')).toBeNull();

    button('Browse sessions of view-1')!.click();
    const view = await waitFor(
      () => document.querySelector('.test-JupyterServerView'),
      'the sessions view'
    );
    expect(JSON.parse(view.getAttribute('data-config')!)).toEqual({
      id: 'hub/view-1',
      kind: 'jupyter',
      name: 'Test hub: view-1',
      url: `${hubUrl()}user/alice/view-1/`,
      token: HUB_TOKEN
    });

    button('Stop view-1')!.click();
    await waitFor(() => badge('view-1') === 'stopping…', 'stopping…');
    expect(confirm).toHaveBeenCalledWith(
      'Stop view-1?',
      expect.any(String),
      'Stop'
    );
    expect(document.querySelector('.test-JupyterServerView')).toBeNull();
    await waitFor(() => badge('view-1') === 'stopped', 'view-1 stopped');

    button('Delete view-1')!.click();
    await waitFor(() => badge('view-1') === null, 'view-1 gone');
    expect(document.querySelector('[role="alert"]')).toBeNull();
  }, 60_000);

  it('shows a refused token as one sentence, without the token', async () => {
    render('wrong-token-456');
    const alert = await waitFor(
      () => document.querySelector('[role="alert"]'),
      'the error'
    );
    expect(alert.textContent).toMatch(/refused the token/);
    expect(alert.textContent).not.toContain('wrong-token-456');
  });
});
