import { nullTranslator } from '@jupyterlab/translation';
import {
  type IRecordedRequest,
  LoopbackReceiver
} from '../../../__tests__/loopbackReceiver';
import { discordDescription, DiscordChannel } from '../discordChannel';
import { mattermostDescription, MattermostChannel } from '../mattermostChannel';
import { slackDescription, SlackChannel } from '../slackChannel';
import { teamsDescription, TeamsChannel } from '../teamsChannel';
import { describeFaults } from './faultCases';
import {
  failedRunEvent,
  finishedRunEvent,
  hugeTraceback,
  notificationOf
} from './sampleEvents';

const trans = nullTranslator.load('jupyterlab_lmk');
const NOTEBOOK_URL = 'http://127.0.0.1:8888/lab/tree/runs/train_model.ipynb';

/** A JSON POST, as the chat services document it. */
function jsonBody(request: IRecordedRequest): any {
  expect(request.method).toBe('POST');
  expect(request.headers['content-type']).toBe('application/json');
  expect(request.headers.cookie).toBeUndefined();
  return JSON.parse(request.text);
}

describe('Slack channel, against a loopback Slack receiver (Slack’s documented incoming-webhook format)', () => {
  const PATH = '/services/T000/B000/XXXXslacksecret';
  let receiver: LoopbackReceiver;
  const channel = new SlackChannel({ trans, timeoutMs: 600 });

  beforeAll(async () => {
    receiver = await LoopbackReceiver.start();
  });
  afterAll(() => receiver.close());
  beforeEach(() => receiver.clear());

  const config = () => ({
    id: 'team',
    type: 'slack',
    enabled: true,
    url: receiver.url(PATH)
  });

  /** Slack's form variant: `payload=<json>`, form-encoded, needs no preflight. */
  function slackPayloadOf(request: IRecordedRequest): any {
    expect(request.method).toBe('POST');
    expect(request.path).toBe(PATH);
    expect(String(request.headers['content-type'])).toMatch(
      /^application\/x-www-form-urlencoded/
    );
    const form = new URLSearchParams(request.text);
    expect(request.text.split('&').map(pair => pair.split('=')[0])).toEqual([
      'payload'
    ]);
    return JSON.parse(form.get('payload') ?? '');
  }

  it('posts payload=<json> with mrkdwn text, header, section and context blocks', async () => {
    const result = await channel.send(
      notificationOf(failedRunEvent()),
      config()
    );
    expect(result.status).toBe('sent');
    const payload = slackPayloadOf(receiver.single());
    expect(payload.text).toContain('*train_model.ipynb failed*');
    const [header, section, context] = payload.blocks;
    expect(header).toEqual({
      type: 'header',
      text: {
        type: 'plain_text',
        text: 'train_model.ipynb failed',
        emoji: true
      }
    });
    expect(section.type).toBe('section');
    expect(section.text.type).toBe('mrkdwn');
    expect(section.text.text).toContain(
      '<http://127.0.0.1:8888/lab/tree/train_model.ipynb|train_model.ipynb>'
    );
    expect(section.text.text).toContain(
      '*ZeroDivisionError: division by zero*'
    );
    expect(section.text.text).toContain('```\nZeroDivisionError');
    expect(context.type).toBe('context');
    expect(context.elements.map((e: any) => e.text)).toEqual([
      '*Notebook:* train_model.ipynb',
      '*Duration:* 2 min 05 s',
      '*Cell:* cell 3 (In [12])',
      '*Kernel:* python3',
      '*loss:* 0.031'
    ]);
  });

  it('escapes & < > so a notebook name cannot inject Slack markup or mentions', async () => {
    const event = {
      ...finishedRunEvent(),
      title: '<!channel> & friends',
      message: 'a <!here> b & c > d'
    };
    await channel.send(notificationOf(event), config());
    const payload = slackPayloadOf(receiver.single());
    expect(payload.blocks[1].text.text).toBe(
      'a &lt;\u200b!here&gt; b &amp; c &gt; d'
    );
    expect(payload.text).not.toContain('<!');
    // The header is plain text, not escaped: the mention is broken apart.
    expect(payload.blocks[0].text.text).toBe('<\u200b!channel> & friends');
  });

  it('keeps a 1 MB traceback within Slack’s limits (section 3000, header 150), error line kept', async () => {
    const event = {
      ...failedRunEvent(hugeTraceback()),
      title: 'T'.repeat(400)
    };
    await channel.send(notificationOf(event), config());
    const payload = slackPayloadOf(receiver.single());
    expect(payload.blocks[0].text.text.length).toBeLessThanOrEqual(150);
    expect(payload.blocks[1].text.text.length).toBeLessThanOrEqual(3000);
    expect(payload.blocks[1].text.text).toContain('ValueError: the real error');
    expect(payload.text.length).toBeLessThanOrEqual(3000);
  });

  it('an unreachable Slack is unreachable and retried', async () => {
    await expect(
      channel.send(notificationOf(failedRunEvent()), {
        ...config(),
        url: 'http://127.0.0.1:1/services/x'
      })
    ).rejects.toMatchObject({ kind: 'unreachable', retryable: true });
  });

  it('describes itself: secret address, https only on slack.com, host as summary', () => {
    expect(slackDescription.fields(trans)[0]).toMatchObject({
      name: 'url',
      secret: true,
      required: true
    });
    const base = { id: 's', type: 'slack', enabled: true };
    expect(
      slackDescription.validate(
        { ...base, url: 'http://hooks.slack.com/services/x' },
        trans
      ).url
    ).toMatch(/https/);
    expect(
      slackDescription.validate(
        { ...base, url: 'https://hooks.slack.com/services/x' },
        trans
      )
    ).toEqual({});
    expect(
      slackDescription.summary({
        ...base,
        url: 'https://hooks.slack.com/services/T/B/secret'
      })
    ).toBe('hooks.slack.com');
  });
});

describe('Discord channel, against a loopback Discord receiver (Discord’s documented execute-webhook format)', () => {
  const PATH = '/api/webhooks/123456/discordsecrettoken';
  let receiver: LoopbackReceiver;
  const channel = new DiscordChannel({ trans, timeoutMs: 600 });

  beforeAll(async () => {
    receiver = await LoopbackReceiver.start({
      cors: { origin: '*' },
      defaultAnswer: { body: { id: '1', channel_id: '2', content: '' } }
    });
  });
  afterAll(() => receiver.close());
  beforeEach(() => receiver.clear());

  const config = () => ({
    id: 'gaming',
    type: 'discord',
    enabled: true,
    url: receiver.url(PATH)
  });

  it('posts one embed as JSON with ?wait=true, red for a failure, mentions off; confirmed', async () => {
    const result = await channel.send(
      notificationOf(failedRunEvent()),
      config()
    );
    expect(result).toEqual({
      channelId: 'gaming',
      status: 'sent',
      confirmed: true
    });
    const request = receiver.single();
    expect(request.path).toBe(PATH);
    expect(request.query.get('wait')).toBe('true');
    const body = jsonBody(request);
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(body.embeds).toHaveLength(1);
    const [embed] = body.embeds;
    expect(embed.title).toBe('train_model.ipynb failed');
    expect(embed.description).toBe(failedRunEvent().message);
    expect(embed.url).toBe(NOTEBOOK_URL);
    expect(embed.color).toBe(0xd32f2f);
    expect(embed.timestamp).toBe('2024-05-01T10:02:05.000Z');
    expect(embed.fields[0]).toEqual({
      name: 'Notebook',
      value: 'train_model.ipynb',
      inline: true
    });
  });

  it('is green for a finished run', async () => {
    await channel.send(notificationOf(finishedRunEvent()), config());
    expect(jsonBody(receiver.single()).embeds[0].color).toBe(0x2e7d32);
  });

  it('keeps a 1 MB traceback within Discord’s limits (title 256, description 4096, 6000 in all)', async () => {
    const event = {
      ...failedRunEvent(hugeTraceback()),
      title: 'T'.repeat(300)
    };
    await channel.send(notificationOf(event), config());
    const [embed] = jsonBody(receiver.single()).embeds;
    expect(embed.title.length).toBeLessThanOrEqual(256);
    expect(embed.description.length).toBeLessThanOrEqual(4096);
    const total =
      embed.title.length +
      embed.description.length +
      embed.fields.reduce(
        (sum: number, f: any) => sum + f.name.length + f.value.length,
        0
      );
    expect(total).toBeLessThanOrEqual(6000);
    expect(embed.description).toContain('ValueError: the real error');
  });

  it('keeps the webhook’s own query (a thread) next to wait=true', async () => {
    await channel.send(notificationOf(finishedRunEvent()), {
      ...config(),
      url: receiver.url(`${PATH}?thread_id=77`)
    });
    const request = receiver.single();
    expect(request.query.get('thread_id')).toBe('77');
    expect(request.query.get('wait')).toBe('true');
  });

  describeFaults(
    () => receiver,
    () => channel.send(notificationOf(failedRunEvent()), config()),
    () => ['discordsecrettoken', PATH]
  );

  it('describes itself: secret address, https only on discord.com', () => {
    expect(discordDescription.fields(trans)[0].secret).toBe(true);
    const base = { id: 'd', type: 'discord', enabled: true };
    expect(
      discordDescription.validate(
        { ...base, url: 'http://discord.com/api/webhooks/1/x' },
        trans
      ).url
    ).toMatch(/https/);
    expect(discordDescription.validate({ ...base }, trans).url).toMatch(
      /Enter the webhook address/
    );
  });
});

describe('Teams channel, against a loopback Teams workflow receiver (Adaptive Card message, as the Workflows webhook trigger documents)', () => {
  const PATH = '/workflows/abc/triggers/manual/paths/invoke';
  const SIG = 'teamsSignatureSecret';
  let receiver: LoopbackReceiver;
  const channel = new TeamsChannel({ trans, timeoutMs: 600 });

  beforeAll(async () => {
    receiver = await LoopbackReceiver.start({
      cors: { origin: '*' },
      defaultAnswer: { status: 202, body: '' }
    });
  });
  afterAll(() => receiver.close());
  beforeEach(() => receiver.clear());

  const config = () => ({
    id: 'teams',
    type: 'teams',
    enabled: true,
    url: receiver.url(`${PATH}?api-version=1&sig=${SIG}`)
  });

  it('posts a message with one Adaptive Card 1.4: title, message, code, facts, open button', async () => {
    const result = await channel.send(
      notificationOf(failedRunEvent()),
      config()
    );
    expect(result).toEqual({
      channelId: 'teams',
      status: 'sent',
      confirmed: true
    });
    const request = receiver.single();
    expect(request.path).toBe(PATH);
    const body = jsonBody(request);
    expect(body.type).toBe('message');
    expect(body.attachments).toHaveLength(1);
    const [attachment] = body.attachments;
    expect(attachment.contentType).toBe(
      'application/vnd.microsoft.card.adaptive'
    );
    expect(attachment.contentUrl).toBeNull();
    const card = attachment.content;
    expect(card.$schema).toBe(
      'http://adaptivecards.io/schemas/adaptive-card.json'
    );
    expect(card.type).toBe('AdaptiveCard');
    expect(card.version).toBe('1.4');
    expect(card.body[0]).toMatchObject({
      type: 'TextBlock',
      text: 'train_model.ipynb failed',
      weight: 'Bolder',
      size: 'Medium',
      wrap: true
    });
    expect(card.body[1]).toMatchObject({ type: 'TextBlock', wrap: true });
    expect(card.body[1].text).toContain('Failed at cell 3 (In [12])');
    // Code is in text runs, which Teams shows as they are (no markdown).
    const code = card.body.find((b: any) => b.type === 'RichTextBlock');
    expect(code.inlines).toEqual([
      {
        type: 'TextRun',
        text: 'ZeroDivisionError: division by zero',
        fontType: 'Monospace',
        size: 'Small'
      }
    ]);
    const facts = card.body.find((b: any) => b.type === 'FactSet').facts;
    expect(facts).toContainEqual({ title: 'Duration', value: '2 min 05 s' });
    expect(card.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Open notebook', url: NOTEBOOK_URL }
    ]);
  });

  it('keeps a 1 MB traceback well under Teams’ 28 KB message limit', async () => {
    await channel.send(
      notificationOf(failedRunEvent(hugeTraceback())),
      config()
    );
    const request = receiver.single();
    expect(request.body.length).toBeLessThan(28 * 1024);
    expect(request.text).toContain('ValueError: the real error');
  });

  describeFaults(
    () => receiver,
    () => channel.send(notificationOf(failedRunEvent()), config()),
    () => [SIG, PATH]
  );

  it('describes itself: secret address', () => {
    expect(teamsDescription.fields(trans)[0].secret).toBe(true);
    expect(
      teamsDescription.summary({
        id: 't',
        type: 'teams',
        enabled: true,
        url: `https://prod-01.westus.logic.azure.com${PATH}?sig=${SIG}`
      })
    ).toBe('prod-01.westus.logic.azure.com');
  });
});

describe('Mattermost channel, against a loopback Mattermost receiver (Mattermost’s documented incoming-webhook format)', () => {
  const PATH = '/hooks/mattermostsecrethookid';
  let receiver: LoopbackReceiver;
  const channel = new MattermostChannel({ trans, timeoutMs: 600 });

  beforeAll(async () => {
    receiver = await LoopbackReceiver.start({ cors: { origin: '*' } });
  });
  afterAll(() => receiver.close());
  beforeEach(() => receiver.clear());

  const config = (extra: object = {}) => ({
    id: 'mm',
    type: 'mattermost',
    enabled: true,
    url: receiver.url(PATH),
    ...extra
  });

  it('posts markdown text with the title as a heading, channel and username as set; confirmed', async () => {
    const result = await channel.send(
      notificationOf(failedRunEvent()),
      config({ channel: 'town-square', username: 'lmk' })
    );
    expect(result).toEqual({
      channelId: 'mm',
      status: 'sent',
      confirmed: true
    });
    const request = receiver.single();
    expect(request.path).toBe(PATH);
    const body = jsonBody(request);
    expect(body).toEqual({
      text: `#### train\\_model.ipynb failed\n${failedRunEvent().message}`,
      channel: 'town-square',
      username: 'lmk'
    });
  });

  it('a notebook called "@channel" notifies no one', async () => {
    await channel.send(
      notificationOf({ ...finishedRunEvent(), title: '@channel done' }),
      config()
    );
    const { text } = jsonBody(receiver.single());
    expect(text).not.toMatch(/@channel/);
    expect(text).toContain('@\u200bchannel');
  });

  it('keeps a 1 MB traceback within 4000 characters, error line kept', async () => {
    await channel.send(
      notificationOf(failedRunEvent(hugeTraceback())),
      config()
    );
    const { text } = jsonBody(receiver.single());
    expect(text.length).toBeLessThanOrEqual(4000);
    expect(text).toContain('ValueError: the real error');
  });

  describeFaults(
    () => receiver,
    () => channel.send(notificationOf(failedRunEvent()), config()),
    () => ['mattermostsecrethookid']
  );

  it('describes itself: checks the channel name, shows host and channel', () => {
    const base = { id: 'm', type: 'mattermost', enabled: true };
    const url = 'https://chat.example.org/hooks/abc';
    expect(
      mattermostDescription.validate(
        { ...base, url, channel: 'Town Square' },
        trans
      ).channel
    ).toBeTruthy();
    expect(
      mattermostDescription.validate(
        { ...base, url, channel: 'town-square' },
        trans
      )
    ).toEqual({});
    expect(
      mattermostDescription.summary({ ...base, url, channel: 'town-square' })
    ).toBe('chat.example.org · town-square');
  });
});
