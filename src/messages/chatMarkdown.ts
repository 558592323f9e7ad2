/**
 * Markdown the way chat services take it: cut to their size limits without
 * breaking code blocks (and keeping the end of a traceback, where the error
 * is), and converted to Slack's own "mrkdwn".
 */

/**
 * A run of prose or one fenced code block of a markdown text.
 */
export interface IMarkdownSegment {
  code: boolean;
  /** The prose, or the code without its fences. */
  text: string;
  /** The info string after the opening fence (a language name). */
  info?: string;
}

const FENCE = /^ {0,3}```(.*)$/;

/**
 * Split markdown into prose and fenced code blocks (```).
 */
export function splitCodeBlocks(markdown: string): IMarkdownSegment[] {
  const segments: IMarkdownSegment[] = [];
  let lines: string[] = [];
  let inCode = false;
  let info = '';
  const flush = () => {
    if (inCode) {
      segments.push({ code: true, text: lines.join('\n'), info });
    } else if (lines.length > 0) {
      segments.push({ code: false, text: lines.join('\n') });
    }
    lines = [];
  };
  for (const line of markdown.split('\n')) {
    const fence = FENCE.exec(line);
    if (fence) {
      flush();
      inCode = !inCode;
      info = inCode ? fence[1].trim() : '';
    } else {
      lines.push(line);
    }
  }
  flush();
  return segments;
}

/**
 * Join segments back into markdown.
 */
export function joinCodeBlocks(segments: readonly IMarkdownSegment[]): string {
  return segments
    .map(segment =>
      segment.code
        ? '```' + (segment.info ?? '') + '\n' + segment.text + '\n```'
        : segment.text
    )
    .join('\n');
}

/**
 * The length of a text in UTF-8 bytes.
 */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      bytes += 1;
    } else if (code < 0x800) {
      bytes += 2;
    } else if (code >= 0xd800 && code <= 0xdbff) {
      // A surrogate pair: four bytes for both halves.
      bytes += 4;
      i++;
    } else {
      bytes += 3;
    }
  }
  return bytes;
}

/**
 * Cut a text to at most `max` (characters, or what `measure` counts),
 * ending it with `…` when cut.
 */
export function truncateText(
  text: string,
  max: number,
  measure: (text: string) => number = length
): string {
  return fitWithin(
    text,
    max,
    measure,
    budget => sliceSafe(text, 0, budget - 1).trimEnd() + '…'
  );
}

/**
 * Keep the end of a text within `max`, starting it with `…` when cut.
 */
export function truncateStart(
  text: string,
  max: number,
  measure: (text: string) => number = length
): string {
  return fitWithin(
    text,
    max,
    measure,
    budget => '…' + sliceSafe(text, text.length - budget + 1)
  );
}

/**
 * Fit markdown within `max` (characters, or what `measure` counts). Code
 * blocks lose their first lines first (the end of a traceback is where the
 * error is); then the text is cut, and a code block left open is closed.
 */
export function boundMarkdown(
  markdown: string,
  max: number,
  measure: (text: string) => number = length
): string {
  return fitWithin(markdown, max, measure, budget =>
    shrinkMarkdown(markdown, budget)
  );
}

/**
 * Escape the three characters Slack reads as markup in any text.
 */
export function escapeSlack(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/**
 * Convert the markdown of an event (links, bold, inline code, code blocks,
 * headings, backslash escapes) to Slack's mrkdwn, escaping `& < >`.
 */
export function markdownToSlack(markdown: string): string {
  return splitCodeBlocks(markdown)
    .map(segment =>
      segment.code
        ? '```\n' + escapeSlack(segment.text) + '\n```'
        : segment.text
            .split('\n')
            .map(line => {
              const heading = /^#{1,6}\s+(.*)$/.exec(line);
              return heading
                ? `*${inlineToSlack(heading[1])}*`
                : inlineToSlack(line);
            })
            .join('\n')
    )
    .join('\n');
}

/**
 * Make text we did not write harmless in a chat: no mention reaches anyone
 * (`@everyone`, `@here`, `@channel`, `@all`, `@room`, `@name`, and Slack's
 * and Discord's `<!channel>`, `<!here>`, `<@U123>`, `<#C1>`), by putting an
 * invisible space after the `@` or the `<`. For plain-text fields (titles,
 * report values) and, through `neutralizeMarkdown`, the prose of messages.
 */
export function neutralizeText(text: string): string {
  return text
    .replace(/(^|[^\w@])@(?=\w)/g, '$1@\u200b')
    .replace(/<(?=[!@#])/g, '<\u200b');
}

/**
 * Make markdown we did not write (a traceback, a notebook name, what
 * `notify()` sent) harmless in a chat: only http(s) and mailto links and
 * images stay links (any other target, `javascript:` included, is shown as
 * text: its `](`, `<scheme:` or reference definition is escaped), and no
 * mention reaches anyone (`neutralizeText`). Code is left as it is unless
 * `inCode` (for services that render markdown inside code, like Teams).
 */
export function neutralizeMarkdown(
  markdown: string,
  options: { inCode?: boolean } = {}
): string {
  return joinCodeBlocks(
    splitCodeBlocks(markdown).map(segment =>
      segment.code && !options.inCode
        ? segment
        : {
            ...segment,
            text: segment.code
              ? Private.neutralizeProse(segment.text)
              : Private.outsideInlineCode(
                  segment.text,
                  Private.neutralizeProse,
                  !!options.inCode
                )
          }
    )
  );
}

/**
 * Whether a link target is one a message may keep: http(s) or mailto
 * (ignoring what browsers ignore: leading spaces and control characters,
 * and tabs and newlines anywhere).
 */
export function isSafeLinkTarget(target: string): boolean {
  let start = 0;
  while (start < target.length && target.charCodeAt(start) <= 0x20) {
    start++;
  }
  const cleaned = target
    .slice(start)
    .replace(/[\t\n\r]/g, '')
    .replace(/^</, '');
  return /^(https?:\/\/|mailto:)/i.test(cleaned);
}

/**
 * `text` if it fits in `max`, else the first cut (built by `cut` for a
 * budget in characters) that does: a cut that measures too big shrinks the
 * budget by the excess and tries again (UTF-8 counts bytes, not
 * characters). Empty if nothing fits after a few tries.
 */
function fitWithin(
  text: string,
  max: number,
  measure: (text: string) => number,
  cut: (budget: number) => string
): string {
  if (measure(text) <= max) {
    return text;
  }
  let budget = max;
  for (let attempt = 0; attempt < 8 && budget > 0; attempt++) {
    const result = cut(budget);
    const size = measure(result);
    if (size <= max) {
      return result;
    }
    budget -= size - max;
  }
  return '';
}

/**
 * Whether an address is an http(s) link a chat service will show.
 */
export function isWebUrl(url: string | null | undefined): url is string {
  if (!url) {
    return false;
  }
  try {
    const protocol = new URL(url).protocol;
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

function length(text: string): number {
  return text.length;
}

/**
 * Slice without splitting a surrogate pair.
 */
function sliceSafe(text: string, start: number, end = text.length): string {
  const isLow = (i: number) => {
    const code = text.charCodeAt(i);
    return code >= 0xdc00 && code <= 0xdfff;
  };
  let from = Math.max(0, start);
  let to = Math.min(text.length, Math.max(from, end));
  if (from > 0 && from < text.length && isLow(from)) {
    from++;
  }
  if (to > 0 && to < text.length && isLow(to)) {
    to--;
  }
  return text.slice(from, Math.max(from, to));
}

/**
 * One pass of `boundMarkdown`, in characters.
 */
function shrinkMarkdown(markdown: string, budget: number): string {
  const segments = splitCodeBlocks(markdown);
  let excess = joinCodeBlocks(segments).length - budget;
  const codeBySize = segments
    .filter(segment => segment.code)
    .sort((a, b) => b.text.length - a.text.length);
  for (const segment of codeBySize) {
    if (excess <= 0) {
      break;
    }
    const keep = Math.max(0, segment.text.length - excess - 2);
    const before = segment.text.length;
    segment.text = '…\n' + sliceSafe(segment.text, before - keep);
    excess -= before - segment.text.length;
  }
  let result = joinCodeBlocks(segments);
  if (result.length <= budget) {
    return result;
  }
  // Still too long: cut the end, and close a code block left open.
  result = sliceSafe(result, 0, Math.max(0, budget - 5)).trimEnd() + '…';
  const fences = result.split('\n').filter(line => FENCE.test(line)).length;
  return fences % 2 === 1 ? result + '\n```' : result;
}

/**
 * Links, bold, inline code and escapes of one line of markdown, as mrkdwn.
 */
function inlineToSlack(text: string): string {
  const pattern =
    /\\([!-/:-@[-`{-~])|\[((?:\\.|[^\]\\])+)\]\(([^()\s]+)\)|\*\*(.+?)\*\*|`([^`]+)`/g;
  let result = '';
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    result += escapeSlack(text.slice(last, match.index));
    last = (match.index ?? 0) + match[0].length;
    const [, escaped, label, url, bold, code] = match;
    if (escaped !== undefined) {
      result += escapeSlack(escaped);
    } else if (label !== undefined) {
      const target = url
        .replace(/\|/g, '%7C')
        .replace(/</g, '%3C')
        .replace(/>/g, '%3E')
        .replace(/&/g, '&amp;');
      result += `<${target}|${inlineToSlack(label)}>`;
    } else if (bold !== undefined) {
      result += `*${inlineToSlack(bold)}*`;
    } else {
      result += '`' + escapeSlack(code) + '`';
    }
  }
  return result + escapeSlack(text.slice(last));
}

namespace Private {
  /**
   * Apply `change` to the text outside inline code spans (`` `x` ``), or
   * to all of it when `everywhere`.
   */
  export function outsideInlineCode(
    text: string,
    change: (text: string) => string,
    everywhere: boolean
  ): string {
    if (everywhere) {
      return change(text);
    }
    let result = '';
    let last = 0;
    for (const match of text.matchAll(/(`+)[\s\S]*?[^`]\1(?!`)|(`+)(?!`)/g)) {
      if (match[2] !== undefined) {
        continue; // An unmatched backtick run is text.
      }
      result += change(text.slice(last, match.index)) + match[0];
      last = (match.index ?? 0) + match[0].length;
    }
    return result + change(text.slice(last));
  }

  /**
   * Links, images, autolinks and reference definitions with targets that
   * are not http(s) or mailto lose their link; mentions their ping.
   */
  export function neutralizeProse(text: string): string {
    let result = text
      // [label](target) and ![alt](target): escape the "(".
      .replace(/\]\(([^)]*)/g, (match, target: string) =>
        isSafeLinkTarget(target) ? match : ']\\(' + target
      )
      // <scheme:...> autolinks.
      .replace(/<([a-z][a-z0-9+.-]{1,31}:[^\s<>]*)>/gi, (match, url: string) =>
        isSafeLinkTarget(url) ? match : '\\<' + url + '>'
      )
      // [label]: target reference definitions.
      .replace(
        /^( {0,3})\[([^\]\n]+)\]:([ \t]*)(\S+)/gm,
        (match, indent: string, label: string, space: string, url: string) =>
          isSafeLinkTarget(url) ? match : `${indent}\\[${label}]:${space}${url}`
      );
    result = neutralizeText(result);
    return result;
  }
}
