/// <reference types="node" />
/**
 * The email channel: its form's rules, and the page handing a message to a
 * real ipykernel (through a real Jupyter server) that sends it to a real
 * SMTP server on loopback (aiosmtpd, `src/relay/kernel/tests/smtp_server.py`;
 * without TLS here, the channel's "none" for a server on localhost: the
 * STARTTLS path is tested on real kernels in test_email_kernel.py).
 */
import type { SessionContext } from '@jupyterlab/apputils';
import { nullTranslator } from '@jupyterlab/translation';
import {
  startKernel,
  useJupyterServer
} from '../../../__tests__/kernelFixtures';
import {
  freePort,
  LoopbackSmtp,
  SMTP_USER
} from '../../../__tests__/loopbackSmtp';
import type { IChannelConfig } from '../../../tokens';
import { DeliveryError } from '../../deliveryError';
import {
  checkEmail,
  EmailChannel,
  emailDescription,
  type EmailKernelFinder
} from '../emailChannel';
import {
  emailFailureText,
  emailRecipients,
  validateEmail
} from '../emailWords';
import { failedRunEvent, notificationOf } from './sampleEvents';

const trans = nullTranslator.load('jupyterlab_lmk');
const PASSWORD = `pw-${Math.random().toString(36).slice(2)}`;

function channel(overrides: Partial<IChannelConfig> = {}): IChannelConfig {
  return {
    id: 'mail',
    type: 'email',
    enabled: true,
    host: 'smtp.example.org',
    from: 'lab@example.org',
    to: 'me@example.org, team@example.org',
    ...overrides
  };
}

describe('the email form', () => {
  it('accepts a complete channel', () => {
    expect(validateEmail(channel(), trans)).toEqual({});
    expect(emailDescription.summary(channel())).toBe(
      'me@example.org +1 · smtp.example.org:587'
    );
  });

  it('names each field that cannot work', () => {
    const problems = validateEmail(
      channel({ host: '', from: 'lab', to: 'me@example.org, nobody', port: 0 }),
      trans
    );
    expect(Object.keys(problems).sort()).toEqual([
      'from',
      'host',
      'port',
      'to'
    ]);
    expect(problems.to).toBe('"nobody" is not an email address.');
  });

  it('refuses no TLS except for a server on this machine', () => {
    expect(
      validateEmail(channel({ security: 'none' }), trans).security
    ).toMatch(/in clear/);
    expect(
      validateEmail(channel({ security: 'none', host: 'localhost' }), trans)
    ).toEqual({});
  });

  it('reads recipients separated by commas, semicolons or spaces', () => {
    expect(emailRecipients('a@x.org; b@y.org\n c@z.org,')).toEqual([
      'a@x.org',
      'b@y.org',
      'c@z.org'
    ]);
  });

  it('names each failure in one sentence with the host, never more', () => {
    for (const kind of ['unreachable', 'tls', 'login', 'sender', 'other']) {
      const text = emailFailureText(kind, 'smtp.example.org', trans);
      expect(text).toContain('smtp.example.org');
      expect(text.split('. ').length).toBe(1);
    }
  });
});

describe('email through a real kernel and SMTP server', () => {
  useJupyterServer();
  let smtp: LoopbackSmtp;
  let sessionContext: SessionContext;
  let find: EmailKernelFinder;

  beforeAll(async () => {
    smtp = await LoopbackSmtp.start(PASSWORD);
    sessionContext = await startKernel();
    find = async () => ({
      kernel: sessionContext.session!.kernel!,
      done: () => undefined
    });
  }, 120_000);

  afterAll(async () => {
    smtp?.stop();
    // The server may be gone first: its kernels go with it.
    await sessionContext?.shutdown().catch(() => undefined);
    sessionContext?.dispose();
  });

  const local = (overrides: Partial<IChannelConfig> = {}) =>
    channel({
      host: '127.0.0.1',
      security: 'none',
      port: smtp.port,
      username: SMTP_USER,
      password: PASSWORD,
      ...overrides
    });

  const mails = () => smtp.mails();

  it('sends one mail with both parts and the failing cell', async () => {
    const email = new EmailChannel({ trans, find });
    const result = await email.send(
      notificationOf(failedRunEvent(), 'run:r-1'),
      local()
    );
    expect(result).toEqual({
      channelId: 'mail',
      status: 'sent',
      confirmed: true
    });
    const [mail, ...more] = mails();
    expect(more).toEqual([]);
    expect(mail).toMatch(/^Subject: train_model.ipynb failed$/m);
    expect(mail).toMatch(/^Auto-Submitted: auto-generated$/m);
    expect(mail).toMatch(/^Message-ID: <lmk\.[0-9a-f]{32}@example\.org>$/m);
    expect(mail).toMatch(/Content-Type: text\/plain/);
    expect(mail).toMatch(/Content-Type: text\/html/);
    expect(mail).toContain('Failed at cell 3 (In [12])');
    expect(mail).toContain(
      '<strong>ZeroDivisionError: division by zero</strong>'
    );
    expect(mail).not.toContain(PASSWORD);
  }, 120_000);

  it("the form's check says the login was refused, and sends nothing", async () => {
    const before = mails().length;
    expect(await checkEmail(local(), trans, find)).toBeNull();
    expect(await checkEmail(local({ password: 'wrong' }), trans, find)).toBe(
      'The mail server 127.0.0.1 refused the login: check the user name and password.'
    );
    expect(mails().length).toBe(before);
  }, 120_000);

  it('a failure is a delivery error the outbox retries or not', async () => {
    const email = new EmailChannel({ trans, find });
    const closed = await freePort();
    const error = await email
      .send(notificationOf(failedRunEvent()), local({ port: closed }))
      .catch(reason => reason as DeliveryError);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).kind).toBe('unreachable');
    expect((error as DeliveryError).retryable).toBe(true);
    expect((error as DeliveryError).message).not.toContain(PASSWORD);
    const refused = await email
      .send(notificationOf(failedRunEvent()), local({ password: 'wrong' }))
      .catch(reason => reason as DeliveryError);
    expect((refused as DeliveryError).retryable).toBe(false);
  }, 120_000);

  it('without a Python kernel the history says why it was not sent', async () => {
    const email = new EmailChannel({ trans, find: async () => null });
    expect(await email.send(notificationOf(failedRunEvent()), local())).toEqual(
      {
        channelId: 'mail',
        status: 'failed',
        detail: 'not sent: email needs a Python kernel'
      }
    );
    expect(await checkEmail(local(), trans, async () => null)).toMatch(
      /none is running/
    );
  });
});
