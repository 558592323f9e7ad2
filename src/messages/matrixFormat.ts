import type { ILmkEvent } from '../tokens';
import { neutralizeText, truncateText, utf8Length } from './chatMarkdown';

/**
 * The content of an `m.room.message` event of type `m.notice`, with an HTML
 * body in the subset Matrix clients display.
 */
export interface IMatrixNoticeContent {
  msgtype: 'm.notice';
  /** Plain text: what clients without HTML show, and what is searched. */
  body: string;
  format?: 'org.matrix.custom.html';
  formatted_body?: string;
  /**
   * Intentional mentions (Matrix 1.7): empty, so the notice mentions
   * nobody, and servers and clients that know it stop reading "@room" or
   * names in the text as mentions.
   */
  'm.mentions': { user_ids?: string[]; room?: boolean };
}

/**
 * A Matrix event may not exceed 65,536 bytes in all (envelope included), so
 * each body gets a bounded share.
 */
export const MAX_BODY_BYTES = 16_000;
export const MAX_FORMATTED_BODY_BYTES = 40_000;

/**
 * Markdown longer than this is cut before rendering (events keep their
 * tracebacks far shorter; this only bounds the work on odd input).
 */
const MAX_MARKDOWN_CHARS = 20_000;

/**
 * Build the notice for an event: title and plain text as `body`, title and
 * markdown message rendered to sanitised HTML as `formatted_body`. The HTML
 * is left out rather than cut when it would be too big.
 */
export async function matrixNoticeContent(
  event: ILmkEvent
): Promise<IMatrixNoticeContent> {
  // Older push rules read "@room" and display names in the plain body.
  const body = truncateText(
    neutralizeText([event.title, event.text].filter(Boolean).join('\n')),
    MAX_BODY_BYTES,
    utf8Length
  );
  const html =
    `<p><strong>${escapeHtml(event.title)}</strong></p>\n` +
    (await markdownToMatrixHtml(event.message));
  if (utf8Length(html) > MAX_FORMATTED_BODY_BYTES) {
    return { msgtype: 'm.notice', body, 'm.mentions': {} };
  }
  return {
    msgtype: 'm.notice',
    body,
    format: 'org.matrix.custom.html',
    formatted_body: html,
    'm.mentions': {}
  };
}

/**
 * Render markdown to HTML that Matrix clients accept. Raw HTML in the
 * markdown is shown as text, never interpreted; images become their alt
 * text (Matrix only displays `mxc://` images); links keep only http(s) and
 * mailto addresses; the result goes through `sanitizeMatrixHtml` as well.
 */
export async function markdownToMatrixHtml(markdown: string): Promise<string> {
  const { Marked } = await import('marked');
  const marked = new Marked({
    gfm: true,
    breaks: false,
    async: false,
    renderer: {
      html({ text }) {
        return escapeHtml(text);
      },
      image({ text }) {
        return escapeHtml(text);
      },
      checkbox({ checked }) {
        return checked ? '[x] ' : '[ ] ';
      },
      link({ href, tokens }) {
        const inner = this.parser.parseInline(tokens);
        return isSafeHref(href)
          ? `<a href="${escapeHtml(href)}">${inner}</a>`
          : inner;
      }
    }
  });
  const source =
    markdown.length > MAX_MARKDOWN_CHARS
      ? markdown.slice(0, MAX_MARKDOWN_CHARS) + '…'
      : markdown;
  return sanitizeMatrixHtml(marked.parse(source, { async: false }));
}

/**
 * Tags kept by `sanitizeMatrixHtml` (from the HTML subset the Matrix
 * specification recommends clients display), and the attributes each may
 * keep. Anything else is shown as text.
 */
const ALLOWED_TAGS: { [tag: string]: readonly string[] } = {
  a: ['href'],
  b: [],
  strong: [],
  i: [],
  em: [],
  u: [],
  s: [],
  del: [],
  code: ['class'],
  pre: [],
  p: [],
  br: [],
  hr: [],
  div: [],
  span: [],
  ul: [],
  ol: ['start'],
  li: [],
  h1: [],
  h2: [],
  h3: [],
  h4: [],
  h5: [],
  h6: [],
  blockquote: [],
  sup: [],
  sub: [],
  table: [],
  thead: [],
  tbody: [],
  tr: [],
  th: [],
  td: [],
  caption: [],
  details: [],
  summary: []
};

const TAG =
  /<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(\/?)>/g;
const ATTRIBUTE =
  /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

/**
 * Keep only allowed tags and attributes of an HTML fragment; every other
 * `<` becomes `&lt;`, so unknown markup (`<script>`, `<img onerror>`, a
 * comment) is shown as text and never run. Works without a DOM, so the same
 * code runs in the lab and in tests.
 */
export function sanitizeMatrixHtml(html: string): string {
  let result = '';
  let last = 0;
  for (const match of html.matchAll(TAG)) {
    const index = match.index ?? 0;
    result += escapeStrayMarkup(html.slice(last, index));
    last = index + match[0].length;
    const [, closing, rawName, rawAttributes, selfClosing] = match;
    const name = rawName.toLowerCase();
    const allowed = ALLOWED_TAGS[name];
    if (!allowed) {
      result += escapeHtml(match[0]);
      continue;
    }
    if (closing) {
      result += `</${name}>`;
      continue;
    }
    const attributes = keptAttributes(name, rawAttributes, allowed);
    result += `<${name}${attributes}${selfClosing ? ' /' : ''}>`;
  }
  return result + escapeStrayMarkup(html.slice(last));
}

/**
 * Whether a link target is one a notification may carry.
 */
export function isSafeHref(href: string): boolean {
  return /^(https?:\/\/|mailto:)/i.test(href.trim());
}

/**
 * Escape text for HTML content and attribute values.
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Text between tags: entities stay, brackets that make no allowed tag are
 * escaped.
 */
function escapeStrayMarkup(text: string): string {
  return text.replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function keptAttributes(
  tag: string,
  raw: string,
  allowed: readonly string[]
): string {
  let kept = '';
  for (const match of raw.matchAll(ATTRIBUTE)) {
    const name = match[1].toLowerCase();
    const value = decodeEntities(match[2] ?? match[3] ?? match[4] ?? '');
    if (!allowed.includes(name)) {
      continue;
    }
    if (name === 'href' && !isSafeHref(value)) {
      continue;
    }
    if (name === 'start' && !/^\d{1,6}$/.test(value)) {
      continue;
    }
    if (
      name === 'class' &&
      !(tag === 'code' && /^language-[\w+#.-]{1,40}$/.test(value))
    ) {
      continue;
    }
    kept += ` ${name}="${escapeHtml(value)}"`;
  }
  return kept;
}

/**
 * Decode the entities an attribute value may hold, so that checks such as
 * `isSafeHref` see what a browser would (`&#106;avascript:` is
 * `javascript:`).
 */
function decodeEntities(value: string): string {
  return value.replace(
    /&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|#39);?/gi,
    (_all, entity: string) => {
      const lower = entity.toLowerCase();
      if (lower.startsWith('#')) {
        const code = lower.startsWith('#x')
          ? parseInt(lower.slice(2), 16)
          : parseInt(lower.slice(1), 10);
        return code > 0 && code <= 0x10ffff
          ? String.fromCodePoint(code)
          : '\ufffd';
      }
      return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[lower] ?? '';
    }
  );
}
