import type { TranslationBundle } from '@jupyterlab/translation';
import type { ILmkEvent } from '../tokens';
import {
  boundMarkdown,
  escapeSlack,
  isWebUrl,
  markdownToSlack,
  neutralizeMarkdown,
  neutralizeText,
  splitCodeBlocks,
  truncateText,
  utf8Length
} from './chatMarkdown';
import { cellLabel, escapeMarkdown, humanDuration } from './format';

/**
 * Size limits each service documents, in characters unless named bytes.
 */
export const LIMITS = {
  slack: { header: 150, section: 3000, text: 3000, contextElements: 10 },
  discord: {
    title: 256,
    description: 4096,
    fieldName: 256,
    fieldValue: 1024,
    fields: 25,
    /** All the text of all the embeds of one message together. */
    total: 6000
  },
  /** Teams refuses messages over about 28 KB; keep well under it. */
  teams: { bytes: 20000, title: 500 },
  /** Servers since Mattermost 5 take 16383; older ones 4000. */
  mattermost: { text: 4000 },
  /** ntfy's default message size limit, in bytes. */
  ntfy: { messageBytes: 4096, title: 250, tags: 10 }
} as const;

/**
 * How an event should feel: colour, emoji, priority.
 */
export type EventTone = 'success' | 'failure' | 'warning' | 'info';

/**
 * The tone of an event: a finished run is good news, a failed run or a
 * dead kernel bad news, a message sent by hand neutral, the rest a warning.
 */
export function eventTone(event: ILmkEvent): EventTone {
  switch (event.event) {
    case 'run.finished':
      return 'success';
    case 'run.failed':
    case 'kernel.died':
      return 'failure';
    case 'manual':
      return 'info';
    default:
      return 'warning';
  }
}

/**
 * One labelled value shown beside the message (notebook, duration, ...).
 */
export interface IEventFact {
  label: string;
  value: string;
}

/**
 * The facts of an event, in the order chat cards show them; report values
 * come last.
 */
export function eventFacts(
  event: ILmkEvent,
  trans: TranslationBundle
): IEventFact[] {
  const facts: IEventFact[] = [];
  if (event.notebook) {
    facts.push({ label: trans.__('Notebook'), value: event.notebook.name });
  }
  if (event.run) {
    facts.push({
      label: trans.__('Duration'),
      value: humanDuration(event.run.duration_s, trans)
    });
  }
  if (event.cell) {
    facts.push({
      label: trans.__('Cell'),
      value: cellLabel(event.cell.index, event.cell.execution_count, trans)
    });
  }
  if (event.kernel) {
    facts.push({ label: trans.__('Kernel'), value: event.kernel.name });
  }
  for (const [name, value] of Object.entries(event.report ?? {})) {
    facts.push({ label: name, value: String(value) });
  }
  return facts;
}

/**
 * The link back to the notebook, when it is a web address.
 */
export function notebookLink(event: ILmkEvent): string | null {
  const url = event.notebook?.url;
  return isWebUrl(url) ? url : null;
}

/**
 * A Slack incoming-webhook message: `text` (the notification's fallback)
 * and Block Kit blocks (header, section, context).
 */
export interface ISlackPayload {
  text: string;
  blocks: ({ type: string } & { [key: string]: unknown })[];
}

/**
 * Format an event for a Slack incoming webhook.
 */
export function slackPayload(
  event: ILmkEvent,
  trans: TranslationBundle
): ISlackPayload {
  const { slack } = LIMITS;
  const title = neutralizeText(event.title.trim()) || trans.__('Notification');
  const message = neutralizeMarkdown(event.message);
  const body = fitConverted(message, slack.section, markdownToSlack);
  const blocks: ISlackPayload['blocks'] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: truncateText(title, slack.header),
        emoji: true
      }
    }
  ];
  if (body.trim()) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: body } });
  }
  const facts = eventFacts(event, trans).slice(0, slack.contextElements);
  if (facts.length > 0) {
    blocks.push({
      type: 'context',
      elements: facts.map(fact => ({
        type: 'mrkdwn',
        text: truncateText(
          `*${escapeSlack(neutralizeText(fact.label))}:* ${escapeSlack(
            neutralizeText(fact.value)
          )}`,
          300
        )
      }))
    });
  }
  const fallback = fitConverted(
    `**${escapeMarkdown(title)}**\n${message}`,
    slack.text,
    markdownToSlack
  );
  return { text: fallback, blocks };
}

/**
 * A Discord webhook message with one embed.
 */
export interface IDiscordPayload {
  content?: string;
  embeds: {
    title: string;
    description?: string;
    url?: string;
    color: number;
    fields?: { name: string; value: string; inline: boolean }[];
    timestamp?: string;
  }[];
  allowed_mentions: { parse: string[] };
}

/** Embed colours: green, red, amber, blue. */
const DISCORD_COLORS: { [tone in EventTone]: number } = {
  success: 0x2e7d32,
  failure: 0xd32f2f,
  warning: 0xf9a825,
  info: 0x1976d2
};

/**
 * Format an event for a Discord webhook. Mentions are switched off, so a
 * notebook called "@everyone" pings no one.
 */
export function discordPayload(
  event: ILmkEvent,
  trans: TranslationBundle
): IDiscordPayload {
  const { discord } = LIMITS;
  const title = truncateText(
    neutralizeText(event.title.trim()) || trans.__('Notification'),
    discord.title
  );
  // Facts get at most a third of the total; the message the rest.
  let factChars = 0;
  const fields: { name: string; value: string; inline: boolean }[] = [];
  for (const fact of eventFacts(event, trans).slice(0, discord.fields)) {
    const name =
      truncateText(neutralizeText(fact.label), discord.fieldName) || '-';
    const value =
      truncateText(neutralizeText(fact.value), discord.fieldValue) || '-';
    if (factChars + name.length + value.length > discord.total / 3) {
      break;
    }
    factChars += name.length + value.length;
    fields.push({ name, value, inline: true });
  }
  const description = boundMarkdown(
    neutralizeMarkdown(event.message),
    Math.min(discord.description, discord.total - title.length - factChars)
  );
  const url = notebookLink(event);
  const timestamp = event.run?.finished ?? event.run?.started;
  return {
    embeds: [
      {
        title,
        ...(description ? { description } : {}),
        ...(url ? { url } : {}),
        color: DISCORD_COLORS[eventTone(event)],
        ...(fields.length ? { fields } : {}),
        ...(timestamp ? { timestamp } : {})
      }
    ],
    allowed_mentions: { parse: [] }
  };
}

/**
 * A Microsoft Teams message holding one Adaptive Card, as the Teams
 * Workflows ("When a Teams webhook request is received") trigger takes it.
 */
export interface ITeamsPayload {
  type: 'message';
  attachments: {
    contentType: 'application/vnd.microsoft.card.adaptive';
    contentUrl: null;
    content: {
      $schema: string;
      type: 'AdaptiveCard';
      version: string;
      body: ({ type: string } & { [key: string]: unknown })[];
      actions: { type: 'Action.OpenUrl'; title: string; url: string }[];
    };
  }[];
}

/** Adaptive Card text colours. */
const TEAMS_COLORS: { [tone in EventTone]: string } = {
  success: 'Good',
  failure: 'Attention',
  warning: 'Warning',
  info: 'Default'
};

/**
 * Format an event for a Microsoft Teams workflow webhook (Adaptive Card
 * 1.4): title, message, code blocks in monospace, facts, and a button to
 * the notebook.
 */
export function teamsPayload(
  event: ILmkEvent,
  trans: TranslationBundle
): ITeamsPayload {
  const { teams } = LIMITS;
  const body: ITeamsPayload['attachments'][0]['content']['body'] = [
    {
      type: 'TextBlock',
      text: truncateText(
        teamsText(event.title.trim()) || trans.__('Notification'),
        teams.title
      ),
      weight: 'Bolder',
      size: 'Medium',
      color: TEAMS_COLORS[eventTone(event)],
      wrap: true
    }
  ];
  const facts = eventFacts(event, trans).map(fact => ({
    title: truncateText(teamsText(fact.label), 100),
    value: truncateText(teamsText(fact.value), 500)
  }));
  const factBytes = utf8Length(JSON.stringify(facts));
  const message = boundMarkdown(
    event.message,
    Math.max(1000, teams.bytes - factBytes),
    utf8Length
  );
  // Adaptive Cards render no code fences, and read markdown in every
  // TextBlock: code goes in a RichTextBlock, whose text runs are shown as
  // they are (a traceback's "[x](javascript:…)" stays text).
  let prose: string[] = [];
  const flushProse = () => {
    const text = teamsText(prose.join('\n')).trim();
    if (text) {
      body.push({ type: 'TextBlock', text, wrap: true });
    }
    prose = [];
  };
  for (const segment of splitCodeBlocks(message)) {
    if (segment.code) {
      flushProse();
      if (segment.text.trim()) {
        body.push({
          type: 'RichTextBlock',
          inlines: [
            {
              type: 'TextRun',
              text: segment.text,
              fontType: 'Monospace',
              size: 'Small'
            }
          ]
        });
      }
    } else {
      prose.push(segment.text);
    }
  }
  flushProse();
  if (facts.length > 0) {
    body.push({ type: 'FactSet', facts });
  }
  const url = notebookLink(event);
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          actions: url
            ? [
                {
                  type: 'Action.OpenUrl',
                  title: trans.__('Open notebook'),
                  url
                }
              ]
            : []
        }
      }
    ]
  };
}

/**
 * A Mattermost incoming-webhook post.
 */
export interface IMattermostPayload {
  text: string;
  username?: string;
  channel?: string;
  props?: { [key: string]: unknown };
}

/**
 * Format an event for a Mattermost incoming webhook: a markdown post with
 * the title as a heading; `@mentions` in it notify no one.
 */
export function mattermostPayload(
  event: ILmkEvent,
  options: { channel?: string; username?: string } = {}
): IMattermostPayload {
  const title = escapeMarkdown(event.title.trim());
  const text = boundMarkdown(
    neutralizeMarkdown(
      title ? `#### ${title}\n${event.message}` : event.message
    ),
    LIMITS.mattermost.text
  );
  return {
    text,
    ...(options.username ? { username: options.username } : {}),
    ...(options.channel ? { channel: options.channel } : {})
  };
}

/**
 * An ntfy message published as JSON to the server's root.
 */
export interface INtfyPayload {
  topic: string;
  title: string;
  message: string;
  priority: number;
  tags: string[];
  click?: string;
  markdown: true;
  email?: string;
}

/** The emoji tag (ntfy shortcode) each tone starts with. */
const NTFY_TAGS: { [tone in EventTone]: string } = {
  success: 'white_check_mark',
  failure: 'x',
  warning: 'warning',
  info: 'bell'
};

/**
 * Options of an ntfy message, from the channel's settings.
 */
export interface INtfyOptions {
  topic: string;
  /** `auto` (3, or 4 when a run failed or a kernel died) or fixed 1–5. */
  priority?: 'auto' | number;
  /** Tags added after the tone's emoji. */
  tags?: readonly string[];
  /** Also forward to this e-mail address. */
  email?: string;
}

/**
 * Format an event for ntfy; the message is cut to ntfy's 4096 bytes.
 */
export function ntfyPayload(
  event: ILmkEvent,
  options: INtfyOptions
): INtfyPayload {
  const { ntfy } = LIMITS;
  const tags = [NTFY_TAGS[eventTone(event)]];
  for (const tag of options.tags ?? []) {
    const trimmed = tag.trim();
    if (trimmed && !tags.includes(trimmed) && tags.length < ntfy.tags) {
      tags.push(trimmed);
    }
  }
  const fixed = options.priority;
  const priority =
    typeof fixed === 'number' && fixed >= 1 && fixed <= 5
      ? Math.round(fixed)
      : eventTone(event) === 'failure'
        ? 4
        : 3;
  const click = notebookLink(event);
  return {
    topic: options.topic,
    title: truncateText(neutralizeText(event.title.trim()), ntfy.title),
    message: boundMarkdown(
      neutralizeMarkdown(event.message),
      ntfy.messageBytes,
      utf8Length
    ),
    priority,
    tags,
    ...(click ? { click } : {}),
    markdown: true,
    ...(options.email ? { email: options.email } : {})
  };
}

/**
 * Text for a Teams TextBlock, which reads markdown everywhere (inline code
 * included): no link but http(s) and mailto, no mention.
 */
function teamsText(text: string): string {
  return neutralizeMarkdown(text, { inCode: true });
}

/**
 * Bound markdown so that its conversion fits `max`: escaping can make the
 * converted text longer than its source.
 */
function fitConverted(
  markdown: string,
  max: number,
  convert: (markdown: string) => string
): string {
  let budget = max;
  for (let attempt = 0; attempt < 8 && budget > 0; attempt++) {
    const converted = convert(boundMarkdown(markdown, budget));
    if (converted.length <= max) {
      return converted;
    }
    budget -= converted.length - max;
  }
  return truncateText(convert(markdown.slice(0, max)), max);
}
