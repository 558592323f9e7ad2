/// <reference types="node" />
import { KernelAPI, KernelConnection, SessionAPI } from '@jupyterlab/services';
import type { ServerConnection } from '@jupyterlab/services';
import { RunningSessionManagers } from '@jupyterlab/running';
import { nullTranslator } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';
import * as React from 'react';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import { JupyterServerView } from '../../../widgets/remote/jupyterServerView';
import { forgetAnsweredHosts } from '../../../delivery/http';
import { LoopbackReceiver } from '../../../__tests__/loopbackReceiver';
import type { ILmkNotification, ILmkNotifier } from '../../../tokens';
import type { IRemoteContext, IRemoteServerConfig } from '../../remoteServer';
import { diagnoseJupyterServer } from '../diagnose';
import {
  JupyterRemote,
  normaliseServerUrl,
  remoteServerSettings,
  settingsForServer
} from '../jupyterConnection';
import { KernelWatcher } from '../kernelWatcher';
import { KernelWatches } from '../kernelWatches';
import { RemoteRunningGroups } from '../runningGroups';
import { waitUntil } from '../../../__tests__/waitUntil';
import {
  pageFetch,
  startRemoteJupyter,
  stopRemoteJupyter
} from './remoteFixtures';
import type { IRemoteJupyter } from './remoteFixtures';

const trans = nullTranslator.load('jupyterlab_lmk');
const TOKEN = 'lmk-remote-test-token';

/** The lab's origin in these tests: the page's (jsdom's) own. */
const LAB_ORIGIN = location.origin;

let allowed: IRemoteJupyter;
let refusing: IRemoteJupyter;
const nativeFetch = globalThis.fetch;
/** Made before it is installed: it wraps Node's own fetch. */
const labFetch = pageFetch(LAB_ORIGIN);

beforeAll(async () => {
  [allowed, refusing] = await Promise.all([
    startRemoteJupyter({ token: TOKEN, allowOrigin: LAB_ORIGIN }),
    startRemoteJupyter({ token: TOKEN })
  ]);
  // What a page at LAB_ORIGIN would see.
  globalThis.fetch = labFetch;
}, 90_000);

afterAll(async () => {
  globalThis.fetch = nativeFetch;
  await Promise.all([stopRemoteJupyter(allowed), stopRemoteJupyter(refusing)]);
}, 30_000);

beforeEach(() => forgetAnsweredHosts());

function configOf(
  server: IRemoteJupyter,
  overrides: Partial<IRemoteServerConfig> = {}
): IRemoteServerConfig {
  return {
    id: 'jupyter',
    kind: 'jupyter',
    name: 'Cluster',
    url: server.url,
    token: server.token,
    ...overrides
  };
}

function settingsOf(server: IRemoteJupyter): ServerConnection.ISettings {
  return remoteServerSettings(configOf(server), { fetch: labFetch });
}

/** A notifier that records what it is asked to send. */
function recordingNotifier(sent: ILmkNotification[]): ILmkNotifier {
  const notifier: ILmkNotifier = {
    notify: async (notification: ILmkNotification) => {
      sent.push(notification);
      return [];
    },
    registerChannelType: () => ({
      dispose: () => undefined,
      isDisposed: false
    }),
    hasChannelType: () => false,
    markSeen: () => undefined,
    get delivered() {
      return delivered;
    }
  };
  const delivered = new Signal<ILmkNotifier, any>(notifier);
  return notifier;
}

/** A storage like localStorage, in memory. */
function memoryStorage(): Storage {
  const data = new Map<string, string>();
  return {
    get length() {
      return data.size;
    },
    clear: () => data.clear(),
    getItem: key => data.get(key) ?? null,
    key: index => Array.from(data.keys())[index] ?? null,
    removeItem: key => void data.delete(key),
    setItem: (key, value) => void data.set(key, String(value))
  };
}

describe('normaliseServerUrl', () => {
  it('keeps the base URL of a pasted lab address and takes its token', () => {
    expect(
      normaliseServerUrl(
        ' https://hub.example.org/user/ada/lab/tree/run.ipynb?token=abc123#x '
      )
    ).toEqual({
      baseUrl: 'https://hub.example.org/user/ada/',
      token: 'abc123'
    });
    expect(normaliseServerUrl('http://127.0.0.1:8890')).toEqual({
      baseUrl: 'http://127.0.0.1:8890/',
      token: null
    });
    expect(normaliseServerUrl('http://h:8888/base/tree?token=t')).toEqual({
      baseUrl: 'http://h:8888/base/',
      token: 't'
    });
  });

  it('refuses what is not an http(s) address', () => {
    expect(normaliseServerUrl('localhost:8888')).toBeNull();
    expect(normaliseServerUrl('ftp://h/')).toBeNull();
    expect(normaliseServerUrl('')).toBeNull();
  });

  it('builds websocket settings with the token appended, never the defaults', () => {
    const settings = remoteServerSettings({
      url: 'https://h.example/u/lab?token=pasted',
      token: ''
    });
    expect(settings.baseUrl).toBe('https://h.example/u/');
    expect(settings.wsUrl).toBe('wss://h.example/u/');
    expect(settings.token).toBe('pasted');
    expect(settings.appendToken).toBe(true);
    expect(settingsForServer('gone', [])).toBeNull();
  });
});

describe('a remote Jupyter server', () => {
  it('lists its sessions and kernels through the managers, CORS enforced', async () => {
    const settings = settingsOf(allowed);
    const model = await KernelAPI.startNew({ name: 'python3' }, settings);
    const remote = new JupyterRemote({ serverSettings: settings });
    try {
      await remote.kernels.refreshRunning();
      await remote.sessions.refreshRunning();
      const ids = Array.from(remote.kernels.running()).map(k => k.id);
      expect(ids).toContain(model.id);
      expect(Array.from(remote.sessions.running())).toEqual([]);
    } finally {
      remote.dispose();
      await KernelAPI.shutdownKernel(model.id, settings);
    }
  });

  it('cannot be listed from this lab without allow_origin', async () => {
    const remote = new JupyterRemote({ serverSettings: settingsOf(refusing) });
    const failures: Error[] = [];
    remote.kernels.connectionFailure.connect((_, error) =>
      failures.push(error)
    );
    try {
      await remote.kernels.refreshRunning();
      expect(failures.length).toBeGreaterThan(0);
      expect(Array.from(remote.kernels.running())).toEqual([]);
    } finally {
      remote.dispose();
    }
  });
});

describe('diagnoseJupyterServer', () => {
  it('is happy with a reachable server, the right token and allow_origin', async () => {
    expect(await diagnoseJupyterServer(allowed.url, TOKEN, trans)).toBeNull();
  });

  it('says the token is wrong, without quoting it', async () => {
    const message = await diagnoseJupyterServer(
      allowed.url,
      'not-the-token',
      trans
    );
    expect(message).toMatch(/refused the token/);
    expect(message).not.toContain('not-the-token');
  });

  it('says a token is needed when there is none', async () => {
    expect(await diagnoseJupyterServer(allowed.url, '', trans)).toMatch(
      /needs a token/
    );
  });

  it('without allow_origin, even the right token cannot be used from a browser: says the token is right and the setting to add', async () => {
    const message = await diagnoseJupyterServer(refusing.url, TOKEN, trans);
    expect(message).toMatch(/accepts the token, but does not allow this lab/);
    expect(message).toContain(`--ServerApp.allow_origin=${LAB_ORIGIN}`);
    expect(message).not.toContain(TOKEN);
  });

  it('without allow_origin and with a wrong token: "not a Jupyter server, or one that refuses this lab", with what to check (also after the page read one of its answers)', async () => {
    // The right token in the address is readable: the host has answered.
    await diagnoseJupyterServer(refusing.url, TOKEN, trans);
    const message = await diagnoseJupyterServer(
      refusing.url,
      'not-the-token',
      trans
    );
    expect(message).toMatch(
      /it is not a Jupyter server \(check the address\), or it is one that refuses requests from this lab \(CORS\) — then check the token/
    );
    expect(message).toContain(`--ServerApp.allow_origin=${LAB_ORIGIN}`);
    expect(message).not.toContain('not-the-token');
  });

  it('a page that is not a Jupyter server and sends no CORS headers: "not a Jupyter server (or it refuses this lab)", the first time and later', async () => {
    const receiver = await LoopbackReceiver.start({
      defaultAnswer: { status: 200, body: '<html>a blog</html>' }
    });
    try {
      const first = await diagnoseJupyterServer(
        receiver.url('/'),
        TOKEN,
        trans
      );
      expect(first).toMatch(/it is not a Jupyter server/);
      // The panel asks again when a later poll fails.
      expect(await diagnoseJupyterServer(receiver.url('/'), TOKEN, trans)).toBe(
        first
      );
      expect(first).not.toMatch(/could not be reached/);
    } finally {
      await receiver.close();
    }
  });

  it('says an unused port cannot be reached', async () => {
    const receiver = await LoopbackReceiver.start();
    const url = receiver.url('/');
    await receiver.close();
    expect(await diagnoseJupyterServer(url, TOKEN, trans)).toMatch(
      /could not be reached/
    );
  });

  it('says a loopback web server that is not Jupyter is not a Jupyter server', async () => {
    const receiver = await LoopbackReceiver.start({
      cors: { origin: '*' },
      defaultAnswer: { status: 404, body: 'no such page' }
    });
    try {
      expect(
        await diagnoseJupyterServer(receiver.url('/lab'), TOKEN, trans)
      ).toMatch(/not a Jupyter server \(check the base URL/);
      receiver.defaultAnswer = { status: 200, body: '<html>hello</html>' };
      expect(
        await diagnoseJupyterServer(receiver.url('/'), TOKEN, trans)
      ).toMatch(/not a Jupyter server/);
    } finally {
      await receiver.close();
    }
  });

  it('says an invalid address is not a server address', async () => {
    expect(await diagnoseJupyterServer('127.0.0.1:8888', TOKEN, trans)).toMatch(
      /not a Jupyter server address/
    );
  });
});

describe('kernel watches', () => {
  it('survive a new watch list on the same storage, bounded', () => {
    const storage = memoryStorage();
    const first = new KernelWatches({ storage, key: 'k', max: 3 });
    let changes = 0;
    first.changed.connect(() => changes++);
    for (let i = 0; i < 5; i++) {
      first.add({
        serverId: 'jupyter',
        serverName: 'Cluster',
        kernelId: `k${i}`,
        kernelName: 'python3',
        path: i === 4 ? 'a/run.ipynb' : undefined
      });
    }
    expect(changes).toBe(5);
    const second = new KernelWatches({ storage, key: 'k', max: 3 });
    expect(second.list().map(w => w.kernelId)).toEqual(['k2', 'k3', 'k4']);
    expect(second.has('jupyter', 'k4')).toBe(true);
    expect(second.list()[2].path).toBe('a/run.ipynb');
    second.remove('jupyter', 'k3');
    const third = new KernelWatches({ storage, key: 'k' });
    expect(third.has('jupyter', 'k3')).toBe(false);
    third.dispose();
    first.dispose();
    second.dispose();
  });

  it('notify once when a remote kernel is done, then kernel.died when it is shut down', async () => {
    const settings = settingsOf(allowed);
    const sent: ILmkNotification[] = [];
    const watches = new KernelWatches({ storage: memoryStorage(), key: 'w' });
    const watcher = new KernelWatcher({
      watches,
      notifier: recordingNotifier(sent),
      trans,
      resolveSettings: id => (id === 'jupyter' ? settings : null),
      settleMs: 500
    });
    const model = await KernelAPI.startNew({ name: 'python3' }, settings);
    const other = new KernelConnection({
      model,
      serverSettings: settings,
      handleComms: false
    });
    try {
      await other.info;
      const target = {
        serverId: 'jupyter',
        serverName: 'Cluster',
        kernelId: model.id,
        kernelName: 'python3',
        path: 'analysis/run.ipynb'
      };
      watches.add(target);
      await waitUntil(() => watcher.activeCount === 1, 5000, 'watch started');
      // Let the watcher's websocket connect before the run starts.
      await new Promise(resolve => setTimeout(resolve, 1500));
      await other.requestExecute({ code: 'import time; time.sleep(1)' }).done;
      await waitUntil(() => sent.length > 0, 20_000, 'run.finished');
      expect(sent).toHaveLength(1);
      const event = sent[0].event;
      expect(event.event).toBe('run.finished');
      expect(event.title).toBe('run.ipynb on Cluster is done');
      expect(event.kernel).toEqual({ id: model.id, name: 'python3' });
      expect(event.run!.duration_s).toBeGreaterThanOrEqual(0.9);
      expect(JSON.stringify(sent[0])).not.toContain(TOKEN);
      expect(JSON.stringify(sent[0])).not.toContain('127.0.0.1');
      // One-shot: the watch ended.
      expect(watches.has('jupyter', model.id)).toBe(false);
      expect(watcher.activeCount).toBe(0);

      watches.add(target);
      await waitUntil(() => watcher.activeCount === 1, 5000, 'second watch');
      await new Promise(resolve => setTimeout(resolve, 1000));
      await KernelAPI.shutdownKernel(model.id, settings);
      await waitUntil(() => sent.length > 1, 30_000, 'kernel.died');
      expect(sent).toHaveLength(2);
      expect(sent[1].event.event).toBe('kernel.died');
      expect(sent[1].event.title).toBe('run.ipynb on Cluster: the kernel died');
      expect(sent[0].id).not.toBe(sent[1].id);
      expect(watches.list()).toEqual([]);
    } finally {
      other.dispose();
      watcher.dispose();
      watches.dispose();
      await KernelAPI.shutdownKernel(model.id, settings).catch(() => undefined);
    }
  }, 60_000);

  it('drop a watch of a server that is no longer configured', () => {
    const watches = new KernelWatches({ storage: memoryStorage(), key: 'x' });
    watches.add({
      serverId: 'removed',
      serverName: 'Old',
      kernelId: 'k',
      kernelName: 'python3'
    });
    const watcher = new KernelWatcher({
      watches,
      notifier: recordingNotifier([]),
      trans,
      resolveSettings: () => null
    });
    expect(watches.list()).toEqual([]);
    expect(watcher.activeCount).toBe(0);
    watcher.dispose();
    watches.dispose();
  });
});

describe('Running panel groups', () => {
  it('list the remote kernels as "Kernels on <name>" and shut one down', async () => {
    const settings = settingsOf(allowed);
    const model = await KernelAPI.startNew({ name: 'python3' }, settings);
    const managers = new RunningSessionManagers();
    const changed = new Signal<unknown, void>({});
    let configs: IRemoteServerConfig[] = [
      configOf(allowed),
      { id: 'hub', kind: 'hub', name: 'Hub', url: 'https://h/', token: 't' }
    ];
    const groups = new RemoteRunningGroups({
      runningManagers: managers,
      servers: () => configs,
      changed,
      trans,
      settingsOptions: { fetch: labFetch }
    });
    try {
      expect(managers.items().map(m => m.name)).toEqual(['Kernels on Cluster']);
      const group = managers.items()[0];
      group.refreshRunning();
      await waitUntil(
        () => group.running({ mode: 'list' }).length > 0,
        10_000,
        'kernels listed'
      );
      const item = group.running({ mode: 'list' })[0];
      expect(item.label()).toBe('python3');
      let changes = 0;
      group.runningChanged.connect(() => changes++);
      item.shutdown!();
      await waitUntil(
        async () =>
          !(await KernelAPI.listRunning(settings)).some(k => k.id === model.id),
        10_000,
        'kernel shut down'
      );
      group.refreshRunning();
      await waitUntil(
        () => group.running({ mode: 'list' }).length === 0,
        10_000,
        'list emptied'
      );
      expect(changes).toBeGreaterThan(0);

      configs = [configOf(allowed, { name: 'Renamed' })];
      changed.emit();
      expect(managers.items().map(m => m.name)).toEqual(['Kernels on Renamed']);
      configs = [];
      changed.emit();
      expect(managers.items()).toEqual([]);
    } finally {
      groups.dispose();
      await KernelAPI.shutdownKernel(model.id, settings).catch(() => undefined);
    }
  }, 40_000);
});

describe('JupyterServerView', () => {
  /** A context that records what the view asks of the panel. */
  function fakeContext(log: string[]): IRemoteContext {
    const watched = new Set<string>();
    const watchesChanged = new Signal<unknown, void>({});
    return {
      trans,
      canWatch: true,
      isVisible: () => true,
      shown: new Signal<unknown, void>({}),
      confirm: async (title: string) => {
        log.push(`confirm:${title}`);
        return true;
      },
      runCode: (kernel, title) => {
        log.push(`runCode:${title}`);
        kernel.dispose();
      },
      watch: target => {
        watched.add(target.kernelId);
        log.push(`watch:${target.kernelName}:${target.serverName}`);
        watchesChanged.emit();
      },
      unwatch: (_, kernelId) => {
        watched.delete(kernelId);
        log.push('unwatch');
        watchesChanged.emit();
      },
      isWatched: (_, kernelId) => watched.has(kernelId),
      watchesChanged,
      openLocal: path => log.push(`open:${path}`),
      addJupyterServer: async () => undefined
    };
  }

  function button(host: HTMLElement, label: RegExp): HTMLButtonElement {
    const found = Array.from(host.querySelectorAll('button')).find(b =>
      label.test(b.getAttribute('aria-label') ?? '')
    );
    if (!found) {
      throw new Error(`No button ${label}`);
    }
    return found;
  }

  let widget: Widget | null = null;

  it('lists a remote kernel live and offers its actions by keyboard-usable buttons', async () => {
    const settings = settingsOf(allowed);
    const model = await KernelAPI.startNew({ name: 'python3' }, settings);
    const log: string[] = [];
    try {
      widget = ReactWidget.create(
        React.createElement(JupyterServerView, {
          config: configOf(allowed),
          context: fakeContext(log)
        })
      );
      Widget.attach(widget, document.body);
      const host = widget.node;
      await waitUntil(
        () => host.textContent!.includes('python3'),
        15_000,
        'kernel listed'
      );
      expect(host.textContent).toContain('idle');
      button(host, /^Tell me when the kernel of python3/).click();
      expect(log).toContain('watch:python3:Cluster');
      await waitUntil(
        () => host.textContent!.includes('Stop watching'),
        2000,
        'watch shown'
      );
      button(host, /^Run code in the kernel/).click();
      expect(log).toContain('runCode:python3 on Cluster');
      // No Open for another server's kernels.
      expect(() => button(host, /^Open /)).toThrow();
      button(host, /^Shut down the kernel of python3/).click();
      await waitUntil(
        () => host.textContent!.includes('No sessions or kernels'),
        15_000,
        'kernel gone'
      );
      expect(log).toContain('confirm:Shut down kernel');
    } finally {
      widget?.dispose();
      await KernelAPI.shutdownKernel(model.id, settings).catch(() => undefined);
    }
  }, 40_000);

  it('shows a session’s kernel live: busy while it waits for input, idle after, with its one connection', async () => {
    const settings = settingsOf(allowed);
    const session = await SessionAPI.startSession(
      {
        path: 'live.ipynb',
        name: 'live.ipynb',
        type: 'notebook',
        kernel: { name: 'python3' }
      } as any,
      settings
    );
    const kernel = new KernelConnection({
      model: session.kernel!,
      serverSettings: settings
    });
    try {
      widget = ReactWidget.create(
        React.createElement(JupyterServerView, {
          config: configOf(allowed),
          context: fakeContext([]),
          liveInterval: 200
        })
      );
      Widget.attach(widget, document.body);
      const row = () =>
        Array.from(widget!.node.querySelectorAll('.jp-lmk-Remote-item')).find(
          item => item.textContent!.includes('live.ipynb')
        )?.textContent ?? '';
      await waitUntil(
        () => row().includes('idle') && row().includes('1 connection'),
        20_000,
        'idle with its connection'
      );
      // input() keeps the kernel busy until the test answers.
      const future = kernel.requestExecute({
        code: 'answer = input("go?")',
        allow_stdin: true
      });
      let asked = false;
      future.onStdin = () => {
        asked = true;
      };
      await waitUntil(() => row().includes('busy'), 20_000, 'busy');
      await waitUntil(() => asked, 10_000, 'input asked');
      future.sendInputReply({ status: 'ok', value: 'yes' }, {} as any);
      await future.done;
      await waitUntil(() => row().includes('idle'), 20_000, 'idle again');
      expect(row()).toContain('1 connection');
    } finally {
      widget?.dispose();
      kernel.dispose();
      await SessionAPI.shutdownSession(session.id, settings).catch(
        () => undefined
      );
    }
  }, 60_000);

  it('explains on its error line why a server without allow_origin cannot be listed', async () => {
    try {
      widget = ReactWidget.create(
        React.createElement(JupyterServerView, {
          config: configOf(refusing),
          context: fakeContext([])
        })
      );
      Widget.attach(widget, document.body);
      const host = widget.node;
      await waitUntil(
        () => !!host.querySelector('.jp-lmk-Remote-error'),
        15_000,
        'error line'
      );
      const line = host.querySelector('.jp-lmk-Remote-error')!.textContent!;
      expect(line).toContain('CORS');
      expect(line).toContain('allow_origin');
      expect(line).not.toContain(TOKEN);
    } finally {
      widget?.dispose();
    }
  }, 30_000);
});
