/// <reference types="node" />
/**
 * Parity of the kernel-side formats (`src/relay/kernel/lmk_formats.py`) with
 * the lab's own (TypeScript): the same run gives the same event, the same
 * event the same request on every remote channel, byte for byte. The Python
 * runs once per suite, in the project's virtual environment (pythonDriver.ts).
 */
import { webcrypto } from 'crypto';
import {
  Gettext,
  nullTranslator,
  type TranslationBundle
} from '@jupyterlab/translation';
import { DeliveryError } from '../../delivery/deliveryError';
import { hostOf, type IHttpRequest } from '../../delivery/http';
import {
  registerChannelTypes,
  withNtfyLogin
} from '../../delivery/channels/channelCatalog';
import { discordRequest } from '../../delivery/channels/discordChannel';
import {
  matrixRequest,
  matrixTarget
} from '../../delivery/channels/matrixChannel';
import { mattermostRequest } from '../../delivery/channels/mattermostChannel';
import { ntfyRequest } from '../../delivery/channels/ntfyChannel';
import { slackRequest } from '../../delivery/channels/slackChannel';
import { teamsRequest } from '../../delivery/channels/teamsChannel';
import { webhookRequest } from '../../delivery/channels/webhookChannel';
import {
  failedRunEvent,
  finishedRunEvent,
  hugeTraceback
} from '../../delivery/channels/__tests__/sampleEvents';
import {
  withHeld,
  withOutputTail,
  withSource,
  withTitlePrefix
} from '../../messages/eventExtras';
import {
  buildKernelNotifyEvent,
  withReport
} from '../../messages/kernelEvents';
import { readNotifyPayload } from '../../kernelNotify/payload';
import { markdownToMatrixHtml } from '../../messages/matrixFormat';
import { buildRunEvent } from '../../messages/runEvent';
import type { HeldCounts } from '../../rules/floodGuard';
import type { ILmkAccounts } from '../../settings/lmkSettings';
import type {
  IChannelConfig,
  IChannelType,
  ILmkEvent,
  IRunSummary
} from '../../tokens';
import { relayStrings } from '../relayStrings';
import {
  type IPythonJob,
  type IPythonRequest,
  runPython
} from './pythonDriver';

/** A translation with three plural forms and markdown in its strings. */
function polishBundle(): TranslationBundle {
  const gettext = new Gettext({ domain: 'jupyterlab_lmk', locale: 'pl' });
  gettext.loadJSON(
    {
      '': {
        domain: 'jupyterlab_lmk',
        language: 'pl',
        pluralForms:
          'nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);'
      },
      '%1 finished': ['%1 — zakończony'],
      '%1 failed': ['%1 — błąd'],
      'Finished in %1.': ['Zakończono po %1.'],
      'Failed at %1 after %2.': ['Błąd w %1 po %2 (sic: 50%% <b>)'],
      '%1 s': ['%1 sek.'],
      '%1 min %2 s': ['%1 min %2 sek.'],
      'cell %1 (In [%2])': ['komórka %1 (In [%2])'],
      '%2 of %1 cell executed.': [
        'Wykonano %2 z %1 komórki.',
        'Wykonano %2 z %1 komórek (2-4).',
        'Wykonano %2 z %1 komórek.'
      ],
      '%1 more failure': [
        '%1 błąd więcej',
        '%1 błędy więcej',
        '%1 błędów więcej'
      ],
      Report: ['Raport'],
      Notebook: ['Notatnik'],
      Duration: ['Czas'],
      'Open notebook': ['Otwórz notatnik'],
      'The %1 channel cannot send: %2': ['Kanał %1 nie może wysłać: %2'],
      'Enter a topic.': ['Podaj temat.']
    },
    'jupyterlab_lmk'
  );
  return gettext as unknown as TranslationBundle;
}

const trans = nullTranslator.load('jupyterlab_lmk');

const BUNDLES: { [name: string]: TranslationBundle } = {
  english: trans,
  polish: polishBundle()
};

const URL_BASE = 'http://127.0.0.1:8888/lab/tree/';

/**
 * A run as the lab would notify it: its summary and what the page adds.
 */
interface IRunCase {
  name: string;
  summary: IRunSummary;
  notebookUrl?: string;
  source?: string;
  output?: string;
  includeSource?: boolean;
  outputLines?: number;
  report?: { [name: string]: string };
  held?: HeldCounts;
  titlePrefix?: string;
}

function summary(extra: Partial<IRunSummary> = {}): IRunSummary {
  return {
    id: 'msg-1',
    outcome: 'finished',
    notebookPath: 'work/train_model.ipynb',
    kernel: { id: 'k-1', name: 'python3' },
    cells: 5,
    executed: 5,
    started: '2024-05-01T10:00:00.000Z',
    finished: '2024-05-01T10:02:05.000Z',
    durationSeconds: 125.4,
    kernelTiming: true,
    lastCellId: 'c5',
    cellIds: ['c1', 'c2', 'c3', 'c4', 'c5'],
    failure: null,
    ...extra
  };
}

function failure(
  extra: Partial<NonNullable<IRunSummary['failure']>> = {}
): NonNullable<IRunSummary['failure']> {
  return {
    cellId: 'c3',
    index: 2,
    executionCount: 12,
    ename: 'ZeroDivisionError',
    evalue: 'division by zero',
    traceback: [
      '\u001b[0;31m---------------------------------------------------------------------------\u001b[0m',
      '\u001b[0;31mZeroDivisionError\u001b[0m                         Traceback (most recent call last)',
      'Cell \u001b[0;32mIn[12], line 1\u001b[0m\n\u001b[0;32m----> 1\u001b[0m \u001b[38;5;241m1\u001b[39m\u001b[38;5;241m/\u001b[39m\u001b[38;5;241m0\u001b[39m',
      '\u001b]8;;file:///tmp/x.py\u0007link\u001b]8;;\u0007',
      '\u001b[0;31mZeroDivisionError\u001b[0m: division by zero'
    ],
    ...extra
  };
}

const HOSTILE_NAME =
  'dir/<script>alert(1)</script> *_[x](javascript:alert(2))_* `tick` @everyone.ipynb';

const RUN_CASES: IRunCase[] = [
  { name: 'finished', summary: summary() },
  {
    name: 'finished in 0.04 s, no kernel',
    summary: summary({ durationSeconds: 0.04, kernel: null })
  },
  {
    name: 'finished in 9.95 s',
    summary: summary({ durationSeconds: 9.95, cells: 1, executed: 1 })
  },
  { name: 'finished in 59.5 s', summary: summary({ durationSeconds: 59.5 }) },
  {
    name: 'finished after 1 h 59 min 59.6 s',
    summary: summary({ durationSeconds: 7199.6 })
  },
  {
    name: 'finished after 3 days',
    summary: summary({ durationSeconds: 3 * 86400 + 4 * 3600 + 17.123456 })
  },
  {
    name: 'failed, with everything the page adds',
    summary: summary({
      outcome: 'failed',
      executed: 3,
      failure: failure()
    }),
    source: 'x = 1\n```\ny = "``` inside"\n1/0\n\n\n',
    output: '\u001b[31mepoch 1\u001b[0m\nepoch 2\nepoch 3\n',
    includeSource: true,
    outputLines: 2,
    report: { loss: '0.031', acc: '`97 %`' },
    held: { 'run.failed': 3, 'run.finished': 1, 'input.requested': 2 },
    titlePrefix: '[GPU-2]'
  },
  {
    name: 'failed with a huge traceback and no execution count',
    summary: summary({
      outcome: 'failed',
      executed: 1,
      failure: failure({
        executionCount: null,
        ename: 'ValueError',
        evalue: 'the real error',
        traceback: [hugeTraceback()]
      })
    })
  },
  {
    name: 'failed on one huge line',
    summary: summary({
      outcome: 'failed',
      failure: failure({ traceback: ['x'.repeat(9000)] })
    })
  },
  {
    name: 'failed with a multi-line error that holds markdown',
    summary: summary({
      outcome: 'failed',
      failure: failure({
        ename: 'KeyError',
        evalue:
          "'missing' — see https://docs.example.org/errors?id=42 or mail help@example.org\n- not a list\n# not a heading"
      })
    })
  },
  {
    name: 'failed with a link, an e-mail and entities in the error',
    summary: summary({
      outcome: 'failed',
      failure: failure({
        ename: 'HTTPError',
        evalue:
          '404 Client Error: Not Found for url: https://api.example.com/v1/items?q=a&b=c (see www.example.org, ops@example.org) &amp; &copy; & 5 > 3'
      })
    })
  },
  {
    name: 'failed: hostile notebook name and error',
    summary: summary({
      outcome: 'failed',
      notebookPath: HOSTILE_NAME,
      failure: failure({
        ename: '<img src=x onerror=alert(1)>',
        evalue:
          '@here **bold** _it_ [a](javascript:alert(3)) <b onclick="x()">b</b> \\ \u0000'
      })
    }),
    report: { '@channel': '<script>', 'a`b': 'c`d' }
  },
  {
    name: 'failed: unicode, emoji and right-to-left text',
    summary: summary({
      outcome: 'failed',
      notebookPath: 'données/实验 📈 עברית.ipynb',
      failure: failure({
        ename: 'UnicodeError',
        evalue:
          'ça ne marche pas 😱 \u200b\u202e reversed \u{1F468}\u200d\u{1F469}'
      })
    }),
    titlePrefix: '🔥 prod'
  },
  {
    name: 'interrupted without a failing cell',
    summary: summary({ outcome: 'interrupted', executed: 2 })
  },
  {
    name: 'interrupted at a cell',
    summary: summary({
      outcome: 'interrupted',
      executed: 2,
      failure: failure({
        ename: 'KeyboardInterrupt',
        evalue: '',
        traceback: ['KeyboardInterrupt: ']
      })
    })
  },
  {
    name: 'kernel died',
    summary: summary({ outcome: 'kernel-died', executed: 4 })
  },
  {
    name: 'kernel restarted',
    summary: summary({ outcome: 'kernel-restarted', executed: 0 })
  },
  { name: 'cancelled', summary: summary({ outcome: 'cancelled' }) },
  {
    name: 'a long title and many cells',
    summary: summary({
      notebookPath: 'a/' + 'very long name '.repeat(30) + '.ipynb',
      cells: 1234,
      executed: 1102
    }),
    titlePrefix: 'p'.repeat(40)
  },
  {
    name: 'counts around the plural rules',
    summary: summary({ cells: 22, executed: 1 }),
    held: { 'run.failed': 112, 'run.finished': 1, manual: 5 }
  },
  {
    name: 'many report values, multi-line and long',
    summary: summary(),
    report: Object.fromEntries(
      Array.from({ length: 30 }, (_, i) => [
        `value_${i}`,
        i % 3 === 0 ? 'array([1, 2,\n       3])' : 'x'.repeat(i * 20)
      ])
    )
  },
  {
    name: 'a notebook address that is not a web address',
    summary: summary({ outcome: 'failed', failure: failure() }),
    notebookUrl: 'javascript:alert(1)'
  }
];

/** Manual payloads, as `jupyterlab_lmk.notify` and other kernels send them. */
const PAYLOADS: { name: string; data: unknown }[] = [
  { name: 'a plain message', data: { id: 'a1', message: 'epoch 10 done' } },
  {
    name: 'a title and channels',
    data: {
      id: 'a2',
      message: 'loss 0.1',
      title: '  Training  ',
      channels: ['phone', '', 3],
      content_type: 'text/plain'
    }
  },
  {
    name: 'R boxes its scalars',
    data: { message: ['from R'], title: ['T'], content_type: ['text/plain'] }
  },
  {
    name: 'markdown',
    data: {
      message:
        '# Done\n\n**loss** is `0.1`, see [the plot](https://example.org/p.png).\n\n- a\n- b\n\n```python\nprint(1)\n```',
      title: 'Run report'
    }
  },
  {
    name: 'a huge message with an emoji at the cut',
    data: { message: 'x'.repeat(9998) + '😀 and more', title: 't'.repeat(300) }
  },
  { name: 'no message', data: { message: '   ' } },
  { name: 'not an object', data: ['message'] },
  {
    name: 'hostile markdown',
    data: {
      message:
        '<img src=x onerror=alert(1)> [x](javascript:alert(2)) @channel @everyone ![i](http://e.org/i.png)'
    }
  }
];

/** Channel settings, valid and not. */
const CONFIGS: IChannelConfig[] = [
  { id: 'n1', type: 'ntfy', enabled: true, topic: 'lmk-test_topic' },
  {
    id: 'n2',
    type: 'ntfy',
    enabled: true,
    server: ' https://NTFY.Example.org:443/base/ ',
    topic: ' t1 ',
    token: 'tk_abcdef123',
    priority: '5',
    tags: 'rocket, gpu ,,rocket',
    email: ' me@example.org '
  },
  {
    id: 'n3',
    type: 'ntfy',
    enabled: true,
    server: 'http://127.0.0.1:8090',
    topic: 'x',
    priority: 2,
    tags: ['a', 3, 'b']
  },
  {
    id: 'n4',
    type: 'ntfy',
    enabled: true,
    topic: 'uses-login',
    priority: 'urgent'
  },
  { id: 'n5', type: 'ntfy', enabled: true, topic: 'bad topic!' },
  { id: 'n6', type: 'ntfy', enabled: true, server: 'ftp://x', topic: 't' },
  {
    id: 'w1',
    type: 'webhook',
    enabled: true,
    url: 'https://hooks.example.org/lmk/abc123secretpath'
  },
  {
    id: 'w2',
    type: 'webhook',
    enabled: true,
    url: ' HTTPS://Hooks.Example.org:8443/a b/ü?token=sécret+1&x=%20y#frag ',
    secret: 'correct-horse-battery-staple'
  },
  { id: 'w3', type: 'webhook', enabled: true, url: '' },
  { id: 'w4', type: 'webhook', enabled: true, url: 'not a url' },
  { id: 'w5', type: 'webhook', enabled: true, url: 'ftp://example.org/x' },
  {
    id: 's1',
    type: 'slack',
    enabled: true,
    url: 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXX'
  },
  {
    id: 'd1',
    type: 'discord',
    enabled: true,
    url: 'https://discord.com/api/webhooks/123/abc-DEF_ghi'
  },
  {
    id: 'd2',
    type: 'discord',
    enabled: true,
    url: 'https://discord.com/api/webhooks/123/abc?thread_id=9&wait=false&x=a+b%2Bc'
  },
  {
    id: 't1',
    type: 'teams',
    enabled: true,
    url: 'https://prod-01.westus.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=s3cr3tSIGNATURE'
  },
  {
    id: 'm1',
    type: 'mattermost',
    enabled: true,
    url: 'https://chat.example.org/hooks/xyz123secret',
    channel: ' town-square ',
    username: 'lmk'
  },
  {
    id: 'm2',
    type: 'mattermost',
    enabled: true,
    url: 'https://chat.example.org/hooks/xyz123secret'
  },
  { id: 'x1', type: 'matrix', enabled: true, roomId: '!abcdef:example.org' },
  { id: 'x2', type: 'matrix', enabled: true, roomId: ' #lmk:example.org ' },
  { id: 'x3', type: 'matrix', enabled: true, roomId: '#unknown:example.org' },
  { id: 'x4', type: 'matrix', enabled: true, roomId: 'not a room' },
  { id: 'toast', type: 'toast', enabled: true },
  { id: 'desktop', type: 'desktop', enabled: true },
  { id: 'sound', type: 'sound', enabled: true },
  { id: 'unknown', type: 'carrier-pigeon', enabled: true }
];

const ACCOUNTS: ILmkAccounts = {
  matrix: {
    homeserver: 'https://matrix.example.org/',
    userId: '@me:example.org',
    deviceId: 'DEV',
    accessToken: 'syt_secret_token'
  },
  ntfy: { server: 'https://ntfy.sh', username: 'me', token: 'tk_login' }
};
const MATRIX_ROOMS = { '#lmk:example.org': '!resolved:example.org' };

/** Notification ids as the lab makes them. */
const IDS = ['run:msg-1', 'kernel:7f3a_b', 'held:work/a b.ipynb:1714557600000'];

function summaryForPython(c: IRunCase): unknown {
  const s = c.summary;
  return {
    outcome: s.outcome,
    notebook_path: s.notebookPath,
    kernel: s.kernel,
    cells: s.cells,
    executed: s.executed,
    started: s.started,
    finished: s.finished,
    duration_s: s.durationSeconds,
    failure: s.failure
      ? {
          index: s.failure.index,
          execution_count: s.failure.executionCount,
          ename: s.failure.ename,
          evalue: s.failure.evalue,
          traceback: s.failure.traceback,
          source: c.source
        }
      : null,
    output: c.output,
    report: c.report,
    held: c.held
  };
}

function contextForPython(c: IRunCase, strings: unknown): unknown {
  return {
    notebook_url: c.notebookUrl ?? URL_BASE + c.summary.notebookPath,
    include_source: c.includeSource ?? false,
    output_lines: c.outputLines ?? 0,
    title_prefix: c.titlePrefix ?? '',
    strings
  };
}

/**
 * The event the lab builds for a run (RunNotifier's steps), sent by the
 * kernel.
 */
function labRunEvent(c: IRunCase, trans: TranslationBundle): ILmkEvent | null {
  const s = c.summary;
  let event = buildRunEvent(
    s,
    c.notebookUrl ?? URL_BASE + s.notebookPath,
    trans
  );
  if (!event) {
    return null;
  }
  if (c.source !== undefined && c.includeSource && s.failure) {
    event = withSource(event, c.source, trans);
  }
  if (c.output !== undefined && (c.outputLines ?? 0) > 0) {
    event = withOutputTail(event, c.output, c.outputLines ?? 0, trans);
  }
  if (c.report) {
    event = withReport(event, c.report, trans);
  }
  if (c.held) {
    event = withHeld(event, c.held, trans);
  }
  event = withTitlePrefix(event, c.titlePrefix ?? '');
  return { ...event, sender: 'kernel' };
}

type RequestResult = IHttpRequest | { error: string } | null;

/**
 * The request the lab's channel would send, or its refusal.
 */
async function labRequest(
  config: IChannelConfig,
  event: ILmkEvent,
  id: string,
  trans: TranslationBundle
): Promise<RequestResult> {
  try {
    switch (config.type) {
      case 'ntfy':
        return ntfyRequest(event, withNtfyLogin(config, ACCOUNTS), trans);
      case 'webhook':
        return await webhookRequest({ id, event, target: null }, config, trans);
      case 'slack':
        return slackRequest(event, config, trans);
      case 'discord':
        return discordRequest(event, config, trans);
      case 'teams':
        return teamsRequest(event, config, trans);
      case 'mattermost':
        return mattermostRequest(event, config, trans);
      case 'matrix': {
        const { room, session } = matrixTarget(
          config,
          ACCOUNTS.matrix ?? null,
          trans
        );
        let roomId = room;
        if (room.startsWith('#')) {
          roomId = (MATRIX_ROOMS as { [alias: string]: string })[room];
          if (!roomId) {
            // What resolveRoom says when the homeserver knows no such alias.
            return {
              error: trans.__(
                'Matrix at %1 knows no room called %2.',
                hostOf(session.homeserver),
                room
              )
            };
          }
        }
        return await matrixRequest(
          { id, event, target: null },
          session,
          roomId
        );
      }
      default:
        return null;
    }
  } catch (reason) {
    if (reason instanceof DeliveryError) {
      return { error: reason.message };
    }
    throw reason;
  }
}

/**
 * Where two values first differ (path and both values, cut short), or null.
 */
function difference(python: unknown, lab: unknown, at = ''): string | null {
  if (
    typeof python === 'object' &&
    python !== null &&
    typeof lab === 'object' &&
    lab !== null &&
    Array.isArray(python) === Array.isArray(lab)
  ) {
    const a = python as { [key: string]: unknown };
    const b = lab as { [key: string]: unknown };
    const keys = Object.keys(b);
    if (Object.keys(a).join() !== keys.join()) {
      return `${at}: keys ${Object.keys(a)} instead of ${keys}`;
    }
    for (const key of keys) {
      const found = difference(a[key], b[key], `${at}.${key}`);
      if (found) {
        return found;
      }
    }
    return null;
  }
  if (python === lab) {
    return null;
  }
  if (typeof python === 'string' && typeof lab === 'string') {
    let i = 0;
    while (python[i] === lab[i]) {
      i++;
    }
    const show = (text: string) =>
      JSON.stringify(text.slice(Math.max(0, i - 40), i + 60));
    return `${at} at ${i}: python ${show(python)}, lab ${show(lab)}`;
  }
  const show = (value: unknown) => JSON.stringify(value)?.slice(0, 200);
  return `${at}: python ${show(python)}, lab ${show(lab)}`;
}

/**
 * How the Python's request differs from the lab's, or null: method, url,
 * headers and secrets equal, the body the same bytes and (to read a
 * difference well) the same once parsed.
 */
function requestDifference(python: unknown, lab: RequestResult): string | null {
  if (lab === null || 'error' in lab) {
    return difference(python, lab);
  }
  const py = python as IPythonRequest | null;
  if (!py || typeof py.body !== 'string') {
    return `no request: ${JSON.stringify(python)}`;
  }
  const body = Buffer.from(py.body, 'base64').toString('utf-8');
  const parse = (text: string): unknown => {
    if (lab.headers['Content-Type'] !== 'application/x-www-form-urlencoded') {
      return JSON.parse(text);
    }
    const form: { [name: string]: unknown } = {};
    new URLSearchParams(text).forEach((value, name) => {
      form[name] = JSON.parse(value);
    });
    return form;
  };
  const labBody = lab.body ?? '';
  return (
    difference(
      { ...py, body: parse(body) },
      { ...lab, body: parse(labBody) }
    ) ?? difference(body, labBody)
  );
}

/**
 * Events whose markdown goes beyond what the Python renders to HTML: their
 * Matrix notice goes without `formatted_body` (the plain body says it all).
 */
const MATRIX_TEXT_ONLY = new Set([
  'run: failed with a multi-line error that holds markdown',
  'run: failed: hostile notebook name and error',
  'manual: hostile markdown'
]);

describe('kernel-side formats: parity with the lab', () => {
  const originalSubtle = globalThis.crypto?.subtle;
  const jobs: IPythonJob[] = [];
  const expected: {
    name: string;
    check: (python: unknown) => string | null;
  }[] = [];

  /** Queue one Python job and the check of its result. */
  const queue = (
    name: string,
    job: IPythonJob,
    check: (python: unknown) => string | null
  ) => {
    jobs.push(job);
    expected.push({ name, check });
  };
  let results: unknown[] = [];
  const shared: unknown[] = [];
  /** A reference to a value sent once. */
  const ref = (value: unknown) => {
    shared.push(value);
    return { $ref: shared.length - 1 };
  };

  beforeAll(async () => {
    // jsdom has no Web Crypto; a secure page in a browser has.
    Object.defineProperty(globalThis.crypto, 'subtle', {
      value: webcrypto.subtle,
      configurable: true
    });
    const events: { name: string; event: ILmkEvent }[] = [
      { name: 'sample: failed run', event: failedRunEvent() },
      { name: 'sample: finished run', event: finishedRunEvent() },
      {
        name: 'sample: failed run with a huge traceback',
        event: failedRunEvent(hugeTraceback())
      }
    ];
    for (const [bundleName, trans] of Object.entries(BUNDLES)) {
      const strings = ref(relayStrings(trans));
      const channelContext = ref({
        strings: relayStrings(trans),
        accounts: ACCOUNTS,
        matrix_rooms: MATRIX_ROOMS
      });
      for (const c of RUN_CASES) {
        const lab = labRunEvent(c, trans);
        if (lab && bundleName === 'english') {
          events.push({ name: `run: ${c.name}`, event: lab });
        }
        queue(
          `${bundleName}: run event "${c.name}"`,
          {
            op: 'run_event',
            args: [summaryForPython(c), contextForPython(c, strings)]
          },
          python => difference(python, lab)
        );
      }
      for (const p of PAYLOADS) {
        const payload = readNotifyPayload(p.data);
        const source = {
          notebookPath: 'work/nb.ipynb',
          notebookUrl: URL_BASE + 'work/nb.ipynb',
          kernel: { id: 'k-2', name: 'python3' }
        };
        const lab = payload
          ? { ...buildKernelNotifyEvent(payload, source), sender: 'kernel' }
          : null;
        if (lab && bundleName === 'english') {
          events.push({ name: `manual: ${p.name}`, event: lab as ILmkEvent });
        }
        queue(
          `${bundleName}: manual event "${p.name}"`,
          {
            op: 'manual_event',
            args: [
              p.data,
              {
                notebook_path: source.notebookPath,
                notebook_url: source.notebookUrl,
                kernel: source.kernel,
                strings
              }
            ]
          },
          python => difference(python, lab)
        );
      }
      for (const { name, event } of events) {
        const eventRef = ref(event);
        for (const config of CONFIGS) {
          for (const id of bundleName === 'english' ? IDS : IDS.slice(0, 1)) {
            let lab = await labRequest(config, event, id, trans);
            if (
              lab &&
              !('error' in lab) &&
              config.type === 'matrix' &&
              MATRIX_TEXT_ONLY.has(name)
            ) {
              const content = JSON.parse(lab.body ?? '');
              delete content.format;
              delete content.formatted_body;
              lab = { ...lab, body: JSON.stringify(content) };
            }
            const frozen = lab;
            queue(
              `${bundleName}: ${config.type} ${config.id} "${name}" ${id}`,
              {
                op: 'channel_request',
                args: [config, eventRef, id, channelContext]
              },
              python => requestDifference(python, frozen)
            );
          }
        }
      }
    }
    results = runPython(jobs, shared);
  }, 120_000);

  afterAll(() => {
    Object.defineProperty(globalThis.crypto, 'subtle', {
      value: originalSubtle,
      configurable: true
    });
  });

  it('builds the same events and requests for every case', () => {
    expect(results).toHaveLength(expected.length);
    const failures = expected
      .map(({ name, check }, i) => {
        const found = check(results[i]);
        return found ? `${name}: ${found}` : null;
      })
      .filter(Boolean);
    // The first cases that differ, each in one line.
    expect(failures.slice(0, 12)).toEqual([]);
    expect(failures).toHaveLength(0);
    // The cases do cover every remote channel, valid and refused.
    expect(expected.length).toBeGreaterThan(1000);
  });
});

describe('kernel-side formats: the translated strings', () => {
  it('lists exactly the msgids the Python uses', () => {
    const [used] = runPython([{ op: 'msgids' }]) as [
      { singular: string[]; plural: [string, string][] }
    ];
    const strings = relayStrings(trans);
    const listed = Object.keys(strings).sort();
    expect(listed).toEqual(
      [...used.singular, ...used.plural.map(([one]) => one)].sort()
    );
    for (const [one, other] of used.plural) {
      // In English the table holds the two msgids themselves.
      expect(strings[one]).toEqual({
        forms: [other, one],
        index: '01' + '0'.repeat(198)
      });
    }
    for (const id of used.singular) {
      expect(strings[id]).toBe(id);
    }
  });

  it('keeps placeholders and plural forms through a real translation', () => {
    const strings = relayStrings(polishBundle());
    expect(strings['Failed at %1 after %2.']).toBe(
      'Błąd w %1 po %2 (sic: 50% <b>)'
    );
    const cells = strings['%2 of %1 cell executed.'] as {
      forms: string[];
      index: string;
    };
    const form = (n: number) => cells.forms[parseInt(cells.index[n], 36)];
    expect(form(1)).toBe('Wykonano %2 z %1 komórki.');
    expect(form(22)).toBe('Wykonano %2 z %1 komórek (2-4).');
    expect(form(12)).toBe('Wykonano %2 z %1 komórek.');
    expect(form((112 % 100) + 100)).toBe('Wykonano %2 z %1 komórek.');
  });

  it('knows the same remote channel types as the lab', () => {
    const remote: string[] = [];
    registerChannelTypes(
      (type: IChannelType) => {
        if (type.remote) {
          remote.push(type.type);
        }
      },
      { trans, accounts: () => ({}) }
    );
    const [types] = runPython([{ op: 'remote_types' }]) as string[][];
    expect([...types].sort()).toEqual(remote.sort());
  });
});

/**
 * Markdown made of what events hold, shuffled: wherever the Python renders
 * HTML, it is marked's; and it renders the ordinary pieces.
 */
describe('kernel-side formats: Matrix HTML against marked', () => {
  const PIECES = [
    'plain words',
    'train\\_model.ipynb',
    '\\*\\*not bold\\*\\*',
    '**ValueError: bad value**',
    '`code`',
    '``a ` b``',
    '[nb.ipynb](http://127.0.0.1:8888/lab/tree/nb.ipynb)',
    '[a (1).ipynb](http://h/a%20(1).ipynb)',
    'https://example.org/a_b?c=d.',
    'www.example.org,',
    'mail me@example.org.',
    'ftp://files.example.org/x',
    'cell 3 [12]',
    '[12](not a link',
    '&amp; & &copy; &#106; &#x41;',
    '"quotes" \'single\'',
    '5 > 3 \\< 4',
    'a ~ b',
    '~~struck~~',
    '_under_',
    'snake_case',
    '*star*',
    'a * b',
    '2 ** 3',
    'trailing  \nbreak',
    'back\\\nslash',
    '\\\\',
    '😀 unicode ünï',
    '@everyone',
    '\n\n',
    '\n',
    '\n- item `x`\n- item `y`\n\n',
    '\n- `a: array([1,\n       2])`\n- `b: c`\n\n',
    '\n- a\n  b\n',
    '\n- a\nlazy\n',
    '\n1. one\n2. two\n\n',
    '\n\n```\ncode <b> & "x"\n```\n\n',
    '\n\n````\n```\ninner\n````\n\n',
    '\n\n```python\nprint(1)\n```\n\n',
    '\n# Heading #\n',
    '\n---\n',
    '\n> quote\n',
    '\n    indented\n',
    '\na | b\n-|-\n',
    '\n<div>raw</div>\n',
    '![img](http://e.org/i.png)',
    '[js](javascript:alert(1))',
    '[t](http://e.org "title")',
    '<http://auto.link>',
    '\t tab'
  ];

  /** A small deterministic generator (mulberry32). */
  function random(seed: number): () => number {
    return () => {
      seed |= 0;
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  const next = random(21);
  const samples = Array.from({ length: 800 }, () =>
    Array.from(
      { length: 1 + Math.floor(next() * 6) },
      () => PIECES[Math.floor(next() * PIECES.length)]
    ).join(next() < 0.5 ? ' ' : '')
  );
  const ordinary = [
    '[train\\_model.ipynb](http://127.0.0.1:8888/lab/tree/train_model.ipynb): Failed at cell 3 (In [12]) after 2 min 05 s. 3 of 5 cells executed.\n\n**ZeroDivisionError: division by zero**\n\n```\nTraceback\n  File "x.py", line 1\nZeroDivisionError: division by zero\n```\n\n**Report**\n\n- `loss: 0.031`\n- `acc: \'97\'`\n\nAlso, since the last notification: 3 more failures.',
    '**HTTPError: 404 Not Found for url: https://api.example.com/v1/items?q=a&b=c**',
    "**KeyError: 'missing' — see https://docs.example.org/x, or help@example.org**",
    'Cell source:\n\n````\nx = "```"\n````',
    '# Done\n\n**loss** is `0.1` and _fine_, see [the plot](https://example.org/p.png).\n\n- a\n- b\n\n```python\nprint(1)\n```'
  ];

  it('matches marked wherever it renders, and renders what events hold', async () => {
    const all = [...ordinary, ...samples];
    const python = runPython(
      all.map(markdown => ({ op: 'matrix_html', args: [markdown] }))
    ) as (string | null)[];
    let rendered = 0;
    for (let i = 0; i < all.length; i++) {
      if (python[i] !== null) {
        rendered++;
        expect({ markdown: all[i], html: python[i] }).toEqual({
          markdown: all[i],
          html: await markdownToMatrixHtml(all[i])
        });
      }
    }
    expect(python.slice(0, ordinary.length)).not.toContain(null);
    // Most shuffles stay within the subset; the rest go as text.
    expect(rendered).toBeGreaterThan(samples.length / 3);
  });
});
