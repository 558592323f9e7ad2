/**
 * One benchmark measurement in headless Debian Chromium, driven by
 * playwright-core (from ui-tests' dependencies; no browser is downloaded).
 *
 * Usage: node driver.mjs <measurement> <json options>
 * Prints one JSON object on its last line.
 */
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';

const require = createRequire(
  new URL('../ui-tests/package.json', import.meta.url)
);
const { chromium } = require('playwright-core');

const [, , measurement, rawOptions] = process.argv;
const options = JSON.parse(rawOptions ?? '{}');

// Every measurement is bounded in time.
setTimeout(
  () => {
    console.error(
      `${measurement}: no result within ${options.timeoutS ?? 900} s`
    );
    process.exit(2);
  },
  (options.timeoutS ?? 900) * 1000
).unref();
const base = options.url; // e.g. http://127.0.0.1:9001/

// The same Chromium and flags as the UI tests, plus a GC the page can call.
const { launchOptions } = require('./playwright.config.js').use;
const browser = await chromium.launch({
  ...launchOptions,
  args: [...launchOptions.args, '--js-flags=--expose-gc']
});

/**
 * A fresh page on the lab, with the app exposed and restored. `?reset`
 * starts from an empty workspace, so no notebook of an earlier
 * measurement is restored with the page. With `hide`, without this
 * extension (see `pageSetup`).
 */
async function openLab(path = 'lab?reset', { hide = false } = {}) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 }
  });
  await context.addInitScript(pageSetup, {
    name: options.extension ?? 'jupyterlab-lmk',
    hide,
    disable: options.disable ?? []
  });
  const page = await context.newPage();
  await restoredAt(page, base + path);
  return { context, page };
}

/**
 * Go to `url` (a lab page) and wait for `app.restored`; the page's time
 * then (ms since navigation).
 */
async function restoredAt(page, url) {
  await page.goto(url);
  await page.waitForFunction(() => window.jupyterapp !== undefined, null, {
    timeout: 60000
  });
  return page.evaluate(async () => {
    await window.jupyterapp.restored;
    return performance.now();
  });
}

/**
 * A loopback webhook receiver for the latency figure: answers the CORS
 * preflight, records when each POST arrives (system clock, ms).
 */
async function hookReceiver(port) {
  const http = await import('node:http');
  const arrivals = [];
  const waiting = [];
  const server = http.createServer((request, response) => {
    response.setHeader('Access-Control-Allow-Origin', '*');
    if (request.method === 'OPTIONS') {
      response.setHeader('Access-Control-Allow-Methods', 'POST');
      response.setHeader(
        'Access-Control-Allow-Headers',
        'Content-Type, X-Lmk-Event-Id'
      );
      response.writeHead(204).end();
      return;
    }
    if (request.method !== 'POST') {
      response.writeHead(200).end();
      return;
    }
    // The request's head has arrived: that is when the receiver "has" it.
    arrivals.push(Date.now());
    request.resume();
    request.on('end', () => response.writeHead(200).end('ok'));
    for (const wait of waiting.splice(0)) {
      wait();
    }
  });
  await new Promise(resolve => server.listen(port, '127.0.0.1', resolve));
  return {
    count: () => arrivals.length,
    arrival: async n => {
      const deadline = Date.now() + 10000;
      while (arrivals.length <= n && Date.now() < deadline) {
        await new Promise(resolve => {
          waiting.push(resolve);
          setTimeout(resolve, 100);
        });
      }
      return arrivals[n] ?? Number.NaN;
    },
    close: () => server.close()
  };
}

/** Open a notebook and wait until its kernel is idle. */
async function openNotebook(page, path) {
  await page.evaluate(async path => {
    const app = window.jupyterapp;
    const panel = await app.commands.execute('docmanager:open', { path });
    await panel.context.ready;
    await panel.sessionContext.ready;
    const kernel = panel.sessionContext.session.kernel;
    await kernel.info;
    window.__benchPanel = panel;
  }, path);
  await page.waitForFunction(
    () => window.__benchPanel.sessionContext.session?.kernel?.status === 'idle',
    null,
    { timeout: 60000 }
  );
}

/** Run all cells; resolve with ms from the command to the last count appearing. */
async function runAllTimed(page) {
  return page.evaluate(async () => {
    const panel = window.__benchPanel;
    const cells = panel.content.widgets;
    const last = cells[cells.length - 1].model;
    // Clear counts from a previous run so "appeared" means this run.
    for (const cell of cells) {
      cell.model.sharedModel.transact(() => cell.model.clearExecution?.());
    }
    const done = new Promise(resolve => {
      const onChange = (_, args) => {
        if (args.name === 'executionCount' && last.executionCount !== null) {
          last.stateChanged.disconnect(onChange);
          resolve(performance.now());
        }
      };
      last.stateChanged.connect(onChange);
    });
    const start = performance.now();
    void window.jupyterapp.commands.execute('notebook:run-all-cells');
    const end = await done;
    return end - start;
  });
}

/**
 * Whether the notebook's kernel has the kernel relay's watcher: asked on
 * the control channel as the lab asks it (docs/kernel-relay.md).
 */
async function relayAnswers(page) {
  return page.evaluate(async () => {
    const kernel = window.__benchPanel.sessionContext.session.kernel;
    const future = kernel.sendControlMessage(
      {
        header: {
          msg_id: `bench-${Math.random()}`,
          msg_type: 'comm_info_request',
          session: kernel.clientId,
          username: '',
          date: new Date().toISOString(),
          version: '5.3'
        },
        parent_header: {},
        metadata: {},
        content: {
          target_name: 'jupyterlab_lmk.relay.v1',
          lmk: { op: 'probe' }
        },
        channel: 'control',
        buffers: []
      },
      true,
      true
    );
    const reply = await future.done;
    return reply.content.lmk?.protocol === 1;
  });
}

async function shutdownSessions(page) {
  await page.evaluate(() =>
    window.jupyterapp.serviceManager.sessions.shutdownAll()
  );
}

async function heapUsed(page) {
  const cdp = await page.context().newCDPSession(page);
  for (let i = 0; i < 3; i++) {
    await cdp.send('HeapProfiler.collectGarbage');
  }
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usedSize;
}

/**
 * Runs in the page before its own scripts (`addInitScript`). Records when
 * `app.restored` resolves, as the app is exposed. With `hide`, takes the
 * extension `name` out of the page's configuration before the lab reads
 * it: the lab then neither loads its files nor compiles its settings
 * schema, as if it were not installed. Every load runs the same observer,
 * hidden or not, so both sides of a pair do the same work but ours.
 */
function pageSetup({ name, hide, disable }) {
  let app;
  Object.defineProperty(window, 'jupyterapp', {
    configurable: true,
    get: () => app,
    set: value => {
      app = value;
      void value.restored.then(() => {
        window.lmkBenchRestoredAt = performance.now();
      });
    }
  });
  const observer = new MutationObserver(() => {
    const element = document.getElementById('jupyter-config-data');
    if (!element) {
      return;
    }
    observer.disconnect();
    if (hide || disable.length) {
      const config = JSON.parse(element.textContent);
      if (hide) {
        config.federated_extensions = config.federated_extensions.filter(
          e => e.name !== name
        );
      }
      // `disable`: plugins of the extension left out (their tokens are
      // optional for the others), e.g. the kernel relay.
      config.disabledExtensions = [
        ...config.disabledExtensions,
        ...(hide ? [name] : []),
        ...disable
      ];
      element.textContent = JSON.stringify(config);
    }
  });
  observer.observe(document, { childList: true, subtree: true });
}

/**
 * One page load in a fresh context: ms from navigation to app.restored,
 * how many of this extension's files were fetched, and (with `record`)
 * those files. With `hide`, the page is loaded without this extension
 * (see `pageSetup`).
 */
async function timedLoad(url, { record = false, hide = false } = {}) {
  const context = await browser.newContext();
  await context.addInitScript(pageSetup, {
    name: options.extension ?? 'jupyterlab-lmk',
    hide
  });
  const page = await context.newPage();
  const loaded = record ? [] : null;
  let ours = 0;
  page.on('response', async response => {
    const file = response.url();
    if (!file.includes(options.prefix)) {
      return;
    }
    ours++;
    if (loaded) {
      try {
        const body = await response.body();
        loaded.push({
          file: file.split('/').pop(),
          bytes: body.length,
          gzip: gzipSync(body).length
        });
      } catch {
        // Not every response has a body (redirects).
      }
    }
  });
  await page.goto(url + 'lab?reset');
  await page.waitForFunction(
    () => window.lmkBenchRestoredAt !== undefined,
    null,
    {
      timeout: 60000,
      polling: 20
    }
  );
  const ms = await page.evaluate(() => window.lmkBenchRestoredAt);
  await page.waitForTimeout(300);
  await context.close();
  return { ms, loaded, ours };
}

/**
 * CPU time of the profile's samples in scripts whose URL contains `prefix`:
 * `ours` in those scripts themselves, `within` also in what they called
 * (the lab's React, Lumino and services code run for us), `top` the
 * functions of ours that took the most and `called` those of the lab's that
 * took the most when ours called them (five each, or `options.top`).
 *
 * Each figure counts samples and multiplies them by the profile's sampling
 * interval (the median gap between samples). The gaps themselves are wall
 * clock: when the machine takes the core away, the next sample carries the
 * whole wait (one sample of a once-per-run constructor once weighed 2 ms),
 * so summing them (`oursDeltaMs`, `withinDeltaMs`, the measure before
 * issue 27) charges other processes' time to whatever ran when the page was
 * preempted. A sample is only taken while the page's thread runs, so the
 * count follows the CPU the scripts used.
 */
function scriptTime(profile, prefix) {
  const count = new Map();
  const gap = new Map();
  const deltas = profile.timeDeltas;
  profile.samples.forEach((id, i) => {
    count.set(id, (count.get(id) ?? 0) + 1);
    gap.set(id, (gap.get(id) ?? 0) + (deltas[i + 1] ?? 0));
  });
  const sorted = [...deltas.slice(1)].sort((a, b) => a - b);
  // µs per sample; the requested interval if there are too few samples.
  const interval = sorted.length
    ? sorted[Math.floor(sorted.length / 2)]
    : 100;
  const byId = new Map(profile.nodes.map(node => [node.id, node]));
  const isOurs = node => node.callFrame.url.includes(prefix);
  const samples = { ours: 0, within: 0, total: 0, idle: 0 };
  let oursGap = 0;
  let withinGap = 0;
  const byFunction = new Map();
  const called = new Map();
  const keyOf = node =>
    `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.split('/').pop()}:${node.callFrame.lineNumber}:${node.callFrame.columnNumber}`;
  // Depth first from the root, knowing whether one of ours is up the stack.
  const stack = [[profile.nodes[0], false]];
  while (stack.length) {
    const [node, below] = stack.pop();
    const n = count.get(node.id) ?? 0;
    const us = gap.get(node.id) ?? 0;
    samples.total += n;
    if (node.callFrame.functionName === '(idle)') {
      samples.idle += n;
    }
    const inOurs = below || isOurs(node);
    if (inOurs) {
      samples.within += n;
      withinGap += us;
    }
    if (isOurs(node)) {
      samples.ours += n;
      oursGap += us;
      const key = keyOf(node);
      byFunction.set(key, (byFunction.get(key) ?? 0) + n);
    } else if (inOurs) {
      const key = keyOf(node);
      called.set(key, (called.get(key) ?? 0) + n);
    }
    for (const child of node.children ?? []) {
      stack.push([byId.get(child), inOurs]);
    }
  }
  const ms = n => (n * interval) / 1000;
  const rank = map =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, options.top ?? 5)
      .map(([key, n]) => [key, ms(n)]);
  return {
    called: rank(called),
    ours: ms(samples.ours),
    within: ms(samples.within),
    total: ms(samples.total),
    busy: ms(samples.total - samples.idle),
    samples,
    intervalMs: interval / 1000,
    oursDeltaMs: oursGap / 1000,
    withinDeltaMs: withinGap / 1000,
    top: rank(byFunction)
  };
}

const result = {};
try {
  switch (measurement) {
    case 'exec': {
      // Run All on a notebook of trivial cells: click to last execution count.
      const { context, page } = await openLab('lab?reset', {
        hide: options.hide ?? false
      });
      await openNotebook(page, options.notebook);
      result.ms = await runAllTimed(page);
      if (options.probeRelay) {
        result.relay = await relayAnswers(page);
      }
      await shutdownSessions(page);
      await context.close();
      break;
    }
    case 'profile': {
      // CPU time spent in this extension's code during one Run All, from
      // Chromium's sampling profiler: what the wall-clock ratio cannot resolve.
      const { context, page } = await openLab('lab?reset', {
        hide: options.hide ?? false
      });
      await openNotebook(page, options.notebook);
      const cdp = await context.newCDPSession(page);
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
      await cdp.send('Profiler.start');
      result.runMs = await runAllTimed(page);
      const { profile } = await cdp.send('Profiler.stop');
      const time = scriptTime(profile, options.prefix);
      result.top = time.top;
      result.called = time.called;
      result.oursMs = time.ours;
      result.withinMs = time.within;
      result.sampledMs = time.total;
      result.busyMs = time.busy;
      result.samples = time.samples;
      result.intervalMs = time.intervalMs;
      result.oursDeltaMs = time.oursDeltaMs;
      result.withinDeltaMs = time.withinDeltaMs;
      await shutdownSessions(page);
      await context.close();
      break;
    }
    case 'load': {
      // Page load to app.restored on each "arm" of `options.urls`
      // ({name: url}) once per round, in one browser, a fresh context per
      // load; the order turns round by round (and runs backwards every
      // other round), and round 0 is a warm-up. Arms named in
      // `options.hidden` load the page without this extension (several
      // arms may share one server). Our JavaScript fetched on the way is
      // recorded for the arm named `options.ours`.
      const names = Object.keys(options.urls);
      const hidden = new Set(options.hidden ?? []);
      result.ms = Object.fromEntries(names.map(name => [name, []]));
      for (let round = -1; round < options.count; round++) {
        const shift = (round + 1) % names.length;
        const turned = [...names.slice(shift), ...names.slice(0, shift)];
        const order = round % 2 === 0 ? turned : turned.reverse();
        for (const name of order) {
          const hide = hidden.has(name);
          const { ms, loaded, ours } = await timedLoad(options.urls[name], {
            record: name === options.ours,
            hide
          });
          // The comparison is only worth something if hiding worked.
          if (hide && ours > 0) {
            throw new Error(
              `${name}: the extension was loaded although hidden`
            );
          }
          if (name === options.ours && ours === 0) {
            throw new Error(`${name}: the extension was not loaded`);
          }
          if (round >= 0) {
            result.ms[name].push(ms);
          }
          if (loaded) {
            result.loaded = loaded;
          }
        }
      }
      break;
    }
    case 'load-profile': {
      // CPU time in this extension's scripts from navigation to
      // app.restored (Chromium's sampling profiler), `options.count` loads.
      result.oursMs = [];
      result.withinMs = [];
      result.restoredMs = [];
      result.top = [];
      for (let i = 0; i < options.count; i++) {
        const context = await browser.newContext();
        const page = await context.newPage();
        // A same-origin page first, so the profiled renderer stays the same.
        await page.goto(base + 'api');
        const cdp = await context.newCDPSession(page);
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
        await cdp.send('Profiler.start');
        result.restoredMs.push(await restoredAt(page, base + 'lab?reset'));
        const { profile } = await cdp.send('Profiler.stop');
        const { ours, within, top } = scriptTime(profile, options.prefix);
        result.oursMs.push(ours);
        result.withinMs.push(within);
        result.top = top; // of the last load
        await context.close();
      }
      break;
    }
    case 'tell': {
      // From the kernel's execute_reply to the toast in the DOM and, with
      // `hookPort`, to a loopback webhook receiving the POST; N runs.
      const { context, page } = await openLab();
      const hook = options.hookPort
        ? await hookReceiver(options.hookPort)
        : null;
      if (hook) {
        // The page waits for the n-th POST; times are the system clock's.
        await page.exposeFunction('benchHookArrival', n => hook.arrival(n));
      }
      await openNotebook(page, options.notebook);
      const measured = await page.evaluate(async runs => {
        const panel = window.__benchPanel;
        const kernel = panel.sessionContext.session.kernel;
        const samples = [];
        const hookSamples = [];
        for (let i = 0; i < runs; i++) {
          let replyAt = null;
          const onMessage = (_, args) => {
            if (
              args.direction === 'recv' &&
              args.msg.header.msg_type === 'execute_reply'
            ) {
              replyAt = performance.now();
            }
          };
          kernel.anyMessage.connect(onMessage);
          // Only a toast element that was not there before counts.
          const seen = new Set(document.querySelectorAll('.jp-toast-message'));
          const toastAt = new Promise(resolve => {
            const observer = new MutationObserver(() => {
              for (const toast of document.querySelectorAll(
                '.jp-toast-message'
              )) {
                if (
                  !seen.has(toast) &&
                  toast.textContent.includes('one.ipynb')
                ) {
                  observer.disconnect();
                  resolve(performance.now());
                  return;
                }
              }
            });
            observer.observe(document.body, { childList: true, subtree: true });
            // Bounded: a toast that never comes is a missing sample, not a hang.
            setTimeout(() => {
              observer.disconnect();
              resolve(Number.NaN);
            }, 10000);
          });
          panel.content.activeCellIndex = 0;
          void window.jupyterapp.commands.execute('notebook:run-cell');
          const shownAt = await toastAt;
          kernel.anyMessage.disconnect(onMessage);
          samples.push(shownAt - replyAt);
          if (window.benchHookArrival) {
            const postedAt = await window.benchHookArrival(i);
            hookSamples.push(postedAt - (performance.timeOrigin + replyAt));
          }
          // Dismiss every notification (no id: all of them), let the lab settle.
          await window.jupyterapp.commands.execute(
            'apputils:dismiss-notification'
          );
          for (
            let wait = 0;
            document.querySelector('.jp-toast-message') && wait < 100;
            wait++
          ) {
            await new Promise(r => setTimeout(r, 20));
          }
          await new Promise(r => setTimeout(r, 100));
        }
        return { samples, hookSamples };
      }, options.runs);
      result.samples = measured.samples;
      result.hookSamples = measured.hookSamples;
      result.hookRequests = hook ? hook.count() : 0;
      await shutdownSessions(page);
      await context.close();
      hook?.close();
      break;
    }
    case 'remote-list': {
      // A platform with 1,000 sessions (a loopback Skaha API, see run.py):
      // from the end of the session list's response to its rows in the
      // DOM, and the longest main-thread task in between. Fresh page per
      // sample, so every sample is a first render.
      const samples = [];
      const longest = [];
      for (let i = 0; i < options.samples; i++) {
        const { context, page } = await openLab();
        await page.evaluate(() => {
          window.__benchLong = [];
          new PerformanceObserver(list => {
            for (const entry of list.getEntries()) {
              window.__benchLong.push({
                start: entry.startTime,
                duration: entry.duration
              });
            }
          }).observe({ type: 'longtask', buffered: true });
          window.__benchRowsAt = new Promise(resolve => {
            const observer = new MutationObserver(() => {
              const count = document.querySelector('.jp-lmk-Skaha-count');
              if (count && count.textContent.includes('1000')) {
                observer.disconnect();
                resolve(performance.now());
              }
            });
            observer.observe(document.body, {
              childList: true,
              subtree: true,
              characterData: true
            });
          });
        });
        await page.evaluate(() =>
          window.jupyterapp.commands.execute('lmk:open-remote-sessions')
        );
        const measured = await page.evaluate(async () => {
          const rowsAt = await window.__benchRowsAt;
          // Let the frame with the rows finish.
          await new Promise(r =>
            requestAnimationFrame(() => setTimeout(r, 50))
          );
          const list = performance
            .getEntriesByType('resource')
            .filter(
              e => /\/session(\?|$)/.test(e.name) && !e.name.includes('view=')
            );
          const responseEnd = list[list.length - 1].responseEnd;
          const rows = document.querySelectorAll(
            '.jp-lmk-Skaha [role=listitem]'
          ).length;
          const during = window.__benchLong
            .filter(
              t => t.start + t.duration >= responseEnd && t.start <= rowsAt
            )
            .map(t => t.duration);
          return {
            ms: rowsAt - responseEnd,
            rows,
            longest: during.length ? Math.max(...during) : 0
          };
        });
        samples.push(measured.ms);
        longest.push(measured.longest);
        result.rowsInDom = measured.rows;
        await context.close();
      }
      result.samples = samples;
      result.longest = longest;
      break;
    }
    case 'run-code-stream': {
      // Run code collecting 20 MB of stdout in a kernel of this server:
      // the longest main-thread task while it arrives (long tasks are
      // those over 50 ms; none means the longest was under 50 ms).
      const samples = [];
      const totals = [];
      for (let i = 0; i < options.samples; i++) {
        const { context, page } = await openLab();
        await page.evaluate(async () => {
          await window.jupyterapp.serviceManager.sessions.startNew({
            path: 'stream-bench.ipynb',
            name: 'stream-bench.ipynb',
            type: 'notebook',
            kernel: { name: 'python3' }
          });
          await window.jupyterapp.commands.execute('lmk:open-remote-sessions');
        });
        await page
          .getByRole('button', {
            name: 'Run code in the kernel of stream-bench.ipynb'
          })
          .click();
        const panel = page.locator('.jp-lmk-RunCode').last();
        await panel
          .getByLabel('Code', { exact: true })
          .fill(
            "import sys\nfor i in range(20):\n    sys.stdout.write(('x' * 1023 + '\\n') * 1024)\n    sys.stdout.flush()"
          );
        await page.evaluate(() => {
          window.__benchLong = [];
          new PerformanceObserver(list => {
            for (const entry of list.getEntries()) {
              window.__benchLong.push(entry.duration);
            }
          }).observe({ type: 'longtask' });
        });
        const started = Date.now();
        await panel.getByRole('button', { name: 'Run', exact: true }).click();
        await panel
          .locator('[role=status]')
          .filter({ hasText: 'Done' })
          .waitFor({ timeout: 120000 });
        totals.push(Date.now() - started);
        const stats = await page.evaluate(() => ({
          longest: window.__benchLong.length
            ? Math.max(...window.__benchLong)
            : 0,
          // "19.8 MB of earlier output not shown": what was collected.
          notShown: (document
            .querySelector('.jp-lmk-RunCode')
            .textContent.match(/([\d.]+) MB of earlier output/) || [
            null,
            null
          ])[1]
        }));
        result.notShownMB = stats.notShown;
        samples.push(stats.longest);
        await shutdownSessions(page);
        await context.close();
      }
      result.samples = samples;
      result.totalMs = totals;
      break;
    }
    case 'memory': {
      // JS heap after many runs of a 1000-cell notebook.
      const { context, page } = await openLab('lab?reset', {
        hide: options.hide ?? false
      });
      await openNotebook(page, options.notebook);
      const before = await heapUsed(page);
      const times = [];
      for (let i = 0; i < options.runs; i++) {
        times.push(await runAllTimed(page));
      }
      result.heapBefore = before;
      result.heapAfter = await heapUsed(page);
      result.runMs = times;
      await shutdownSessions(page);
      await context.close();
      break;
    }
    case 'leaks': {
      // Open and close notebooks, then count what is left.
      const { context, page } = await openLab();
      const cdp = await context.newCDPSession(page);
      const logged = [];
      page.on('console', message => {
        if (logged.length < 5) {
          logged.push(`${message.type()}: ${message.text().slice(0, 200)}`);
        }
      });
      for (let i = 0; i < options.count; i++) {
        await openNotebook(page, options.notebook);
        if (i === 0) {
          // Keep a handle on NotebookPanel.prototype to count live panels.
          const { result: proto } = await cdp.send('Runtime.evaluate', {
            expression: 'Object.getPrototypeOf(window.__benchPanel)',
            objectGroup: 'lmk-bench'
          });
          result.protoId = proto.objectId;
        }
        await page.evaluate(async () => {
          const panel = window.__benchPanel;
          await panel.sessionContext.shutdown();
          panel.dispose();
          window.__benchPanel = null;
        });
      }
      // A closed notebook's watcher goes with its document context, which the
      // lab disposes a little after the panel: wait until the count settles.
      const settleStart = Date.now();
      result.watchers = null;
      for (let i = 0; i < 100; i++) {
        result.watchers = await page.evaluate(() => {
          // Benchmark-only introspection: the tracker's count of watched notebooks.
          const plugins =
            window.jupyterapp.pluginRegistry?._plugins ??
            window.jupyterapp._plugins;
          return (
            plugins?.get('jupyterlab-lmk:tracker')?.service?.watched ?? null
          );
        });
        if (!result.watchers) {
          break;
        }
        await page.waitForTimeout(100);
      }
      result.settleMs = Date.now() - settleStart;
      // The inspector keeps what the page logged (its arguments, which may
      // be a panel) for DevTools' console: a tab without DevTools open does
      // not. Drop those entries so they do not count as a leak.
      await cdp.send('Runtime.discardConsoleEntries');
      for (let i = 0; i < 3; i++) {
        await cdp.send('HeapProfiler.collectGarbage');
      }
      const { objects } = await cdp.send('Runtime.queryObjects', {
        prototypeObjectId: result.protoId,
        objectGroup: 'lmk-bench'
      });
      const { result: count } = await cdp.send('Runtime.callFunctionOn', {
        objectId: objects.objectId,
        functionDeclaration: 'function () { return this.length; }',
        returnByValue: true
      });
      result.livePanels = count.value;
      await cdp.send('Runtime.releaseObjectGroup', {
        objectGroup: 'lmk-bench'
      });
      delete result.protoId;
      result.consoleMessages = logged;
      result.openWidgets = await page.evaluate(() =>
        [...window.jupyterapp.shell.widgets('main')].map(w => w.title.label)
      );
      await context.close();
      break;
    }
    default:
      throw new Error(`unknown measurement ${measurement}`);
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
