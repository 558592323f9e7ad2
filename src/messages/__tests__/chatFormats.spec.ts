import { nullTranslator } from '@jupyterlab/translation';
import type { ILmkEvent } from '../../tokens';
import {
  discordPayload,
  eventTone,
  mattermostPayload,
  ntfyPayload,
  slackPayload,
  teamsPayload
} from '../chatFormats';
import {
  boundMarkdown,
  markdownToSlack,
  neutralizeMarkdown,
  splitCodeBlocks,
  truncateText,
  utf8Length
} from '../chatMarkdown';
import { neutralizeEvent } from '../../delivery/channels/webhookChannel';
import { matrixNoticeContent } from '../matrixFormat';
import { buildManualEvent } from '../runEvent';

const trans = nullTranslator.load('jupyterlab_lmk');

const traceback = (lines: number) =>
  Array.from({ length: lines }, (_, i) => `  frame ${i}`).join('\n') +
  '\nKeyError: the end';

describe('boundMarkdown', () => {
  it('leaves short markdown alone', () => {
    expect(boundMarkdown('**hi**', 10)).toBe('**hi**');
  });

  it('drops the first lines of a code block first, keeping the error at its end', () => {
    const markdown = 'Failed at cell 2.\n\n```\n' + traceback(500) + '\n```';
    const bounded = boundMarkdown(markdown, 300);
    expect(bounded.length).toBeLessThanOrEqual(300);
    expect(bounded.startsWith('Failed at cell 2.\n\n```\n…\n')).toBe(true);
    expect(bounded.endsWith('KeyError: the end\n```')).toBe(true);
  });

  it('cuts long prose and closes a code block it cut into', () => {
    const markdown = 'x'.repeat(500) + '\n```\ncode\n```';
    const bounded = boundMarkdown(markdown, 100);
    expect(bounded.length).toBeLessThanOrEqual(100);
    const fences = bounded.split('\n').filter(line => line.startsWith('```'));
    expect(fences.length % 2).toBe(0);
  });

  it('counts bytes when asked, without splitting a character', () => {
    const markdown = 'é'.repeat(3000) + '\n```\n' + '🚀'.repeat(3000) + '\n```';
    const bounded = boundMarkdown(markdown, 4096, utf8Length);
    expect(utf8Length(bounded)).toBeLessThanOrEqual(4096);
    expect(new TextEncoder().encode(bounded).length).toBe(utf8Length(bounded));
    expect(bounded).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('splits prose and fenced code blocks with their language', () => {
    expect(splitCodeBlocks('a\n```python\nx = 1\n```\nb')).toEqual([
      { code: false, text: 'a' },
      { code: true, text: 'x = 1', info: 'python' },
      { code: false, text: 'b' }
    ]);
  });

  it('truncateText marks the cut', () => {
    expect(truncateText('abcdefgh', 5)).toBe('abcd…');
  });
});

describe('markdownToSlack (Slack mrkdwn)', () => {
  it('turns links, bold, inline code, headings and escapes into mrkdwn', () => {
    expect(
      markdownToSlack(
        '## Done\n[my\\_nb.ipynb](http://lab/tree/my_nb.ipynb): **ok** `a<b`'
      )
    ).toBe('*Done*\n<http://lab/tree/my_nb.ipynb|my_nb.ipynb>: *ok* `a&lt;b`');
  });

  it('escapes & < > everywhere, code blocks included', () => {
    expect(markdownToSlack('a & b <!channel>\n```\nx > 1 && y\n```')).toBe(
      'a &amp; b &lt;!channel&gt;\n```\nx &gt; 1 &amp;&amp; y\n```'
    );
  });

  it('keeps | and > out of link targets', () => {
    expect(markdownToSlack('[t](http://x/a|b>c)')).toBe(
      '<http://x/a%7Cb%3Ec|t>'
    );
  });
});

describe('neutralizeMarkdown', () => {
  it('breaks @mentions in prose, not e-mail addresses or code', () => {
    expect(
      neutralizeMarkdown('@all see me@example.org\n```\n@decorator\n```')
    ).toBe('@\u200ball see me@example.org\n```\n@decorator\n```');
  });

  it('keeps http(s) and mailto links; any other target is shown as text', () => {
    expect(
      neutralizeMarkdown(
        [
          '[ok](https://example.org/a_(b)) [mail](mailto:a@example.org)',
          '[x](javascript:alert(1)) [y]( JaVaScRiPt:alert(1)) [z](<javascript:1>)',
          '![img](data:image/png;base64,AAAA) [rel](notebook.ipynb)',
          '<javascript:alert(2)> <https://example.org>',
          '[ref]: javascript:alert(3)',
          '`[in code](javascript:kept)`'
        ].join('\n')
      )
    ).toBe(
      [
        '[ok](https://example.org/a_(b)) [mail](mailto:a@example.org)',
        '[x]\\(javascript:alert(1)) [y]\\( JaVaScRiPt:alert(1)) [z]\\(\\<javascript:1>)',
        '![img]\\(data:image/png;base64,AAAA) [rel]\\(notebook.ipynb)',
        '\\<javascript:alert(2)> <https://example.org>',
        '\\[ref]: javascript:alert(3)',
        '`[in code](javascript:kept)`'
      ].join('\n')
    );
  });

  it('for services that read markdown in code too (Teams), neutralizes code as well', () => {
    expect(
      neutralizeMarkdown('`[x](javascript:1)` @here', { inCode: true })
    ).toBe('`[x]\\(javascript:1)` @\u200bhere');
  });
});

describe('what we did not write is harmless on every channel: links only to http(s) and mailto, no mass mention', () => {
  const hostile: ILmkEvent = {
    ...buildManualEvent(
      [
        'Ping @everyone @here @channel @all @room <!channel> <!everyone> <@U123>',
        '[click](javascript:alert(1)) ![pixel](javascript:alert(2)) <javascript:alert(3)>',
        '[ok](https://example.org) [mail](mailto:a@example.org)',
        '',
        '[ref]: javascript:alert(4)',
        '',
        '```',
        'Traceback: [x](javascript:alert(5))',
        '```'
      ].join('\n'),
      '<!channel> @everyone [x](javascript:alert(6))'
    ),
    report: { '@here': '<!here> @channel' }
  };
  const MENTIONS = /@(everyone|here|channel|all|room)\b|<[!@]/;

  /** Markdown outside code blocks (services show code as it is). */
  const prose = (markdown: string) =>
    splitCodeBlocks(markdown)
      .filter(segment => !segment.code)
      .map(segment => segment.text)
      .join('\n');
  const LIVE_LINK =
    /\]\(\s*<?javascript:|(^|[^\\])<javascript:|^ {0,3}\[[^\]]+\]:\s*javascript:/im;

  it('Slack', () => {
    const payload = slackPayload(hostile, trans);
    const all = JSON.stringify(payload);
    expect(all).not.toMatch(MENTIONS);
    expect(all).not.toMatch(/<javascript:/i);
    expect(payload.blocks[1].text).toMatchObject({
      text: expect.stringContaining('<https://example.org|ok>')
    });
  });

  it('Discord', () => {
    const payload = discordPayload(hostile, trans);
    const embed = payload.embeds[0];
    expect(JSON.stringify(payload)).not.toMatch(MENTIONS);
    expect(prose(embed.description!)).not.toMatch(LIVE_LINK);
    expect(embed.description).toContain('[ok](https://example.org)');
    expect(payload.allowed_mentions).toEqual({ parse: [] });
  });

  it('Microsoft Teams (markdown everywhere, code in plain text runs)', () => {
    const card = teamsPayload(hostile, trans).attachments[0].content;
    const blocks = JSON.stringify(card.body);
    expect(blocks).not.toMatch(MENTIONS);
    for (const block of card.body.filter(b => b.type === 'TextBlock')) {
      expect(block.text).not.toMatch(LIVE_LINK);
    }
    expect(blocks).toContain('[ok](https://example.org)');
  });

  it('Mattermost', () => {
    const payload = mattermostPayload(hostile);
    expect(payload.text).not.toMatch(MENTIONS);
    expect(prose(payload.text)).not.toMatch(LIVE_LINK);
    expect(payload.text).toContain('[mail](mailto:a@example.org)');
  });

  it('ntfy', () => {
    const payload = ntfyPayload(hostile, { topic: 'runs' });
    expect(JSON.stringify(payload)).not.toMatch(MENTIONS);
    expect(prose(payload.message)).not.toMatch(LIVE_LINK);
  });

  it('Matrix (m.mentions empty, links only in the sanitised HTML)', async () => {
    const content = await matrixNoticeContent(hostile);
    expect(content['m.mentions']).toEqual({});
    expect(content.body).not.toMatch(MENTIONS);
    expect(content.formatted_body).not.toMatch(/href="(?!https?:|mailto:)/);
    expect(content.formatted_body).toContain('href="https://example.org"');
  });

  it('the generic webhook (its message, title and text)', () => {
    const event = neutralizeEvent(hostile);
    expect(prose(event.message)).not.toMatch(LIVE_LINK);
    expect(event.title + event.message + event.text).not.toMatch(MENTIONS);
    expect(event.message).toContain('[ok](https://example.org)');
  });
});

describe('service payloads', () => {
  const manual: ILmkEvent = buildManualEvent('Look at **this**', 'Heads up');

  it('tones: finished good, failed and dead kernel bad, manual neutral, others a warning', () => {
    const tone = (event: ILmkEvent['event']) => eventTone({ ...manual, event });
    expect(tone('run.finished')).toBe('success');
    expect(tone('run.failed')).toBe('failure');
    expect(tone('kernel.died')).toBe('failure');
    expect(tone('manual')).toBe('info');
    expect(tone('input.requested')).toBe('warning');
    expect(tone('run.still_running')).toBe('warning');
  });

  it('a manual message without notebook has no link, facts or button anywhere', () => {
    expect(slackPayload(manual, trans).blocks.map(b => b.type)).toEqual([
      'header',
      'section'
    ]);
    const [embed] = discordPayload(manual, trans).embeds;
    expect(embed.url).toBeUndefined();
    expect(embed.fields).toBeUndefined();
    expect(embed.timestamp).toBeUndefined();
    const card = teamsPayload(manual, trans).attachments[0].content;
    expect(card.actions).toEqual([]);
    expect(card.body.map(b => b.type)).toEqual(['TextBlock', 'TextBlock']);
    const ntfy = ntfyPayload(manual, { topic: 't' });
    expect(ntfy.click).toBeUndefined();
    expect(ntfy.tags).toEqual(['bell']);
    expect(ntfy.priority).toBe(3);
  });

  it('never links to a notebook address that is not http(s)', () => {
    const event: ILmkEvent = {
      ...manual,
      notebook: { path: 'a.ipynb', name: 'a.ipynb', url: 'javascript:alert(1)' }
    };
    expect(discordPayload(event, trans).embeds[0].url).toBeUndefined();
    expect(ntfyPayload(event, { topic: 't' }).click).toBeUndefined();
    expect(teamsPayload(event, trans).attachments[0].content.actions).toEqual(
      []
    );
  });

  it('Mattermost: only the options that are set', () => {
    expect(mattermostPayload(manual)).toEqual({
      text: '#### Heads up\nLook at **this**'
    });
  });

  it('ntfy: user tags after the tone, de-duplicated, at most ten', () => {
    const tags = ntfyPayload(
      { ...manual, event: 'run.finished' },
      {
        topic: 't',
        tags: ['white_check_mark', ' gpu ', '', ...'abcdefghijk'.split('')]
      }
    ).tags;
    expect(tags[0]).toBe('white_check_mark');
    expect(tags[1]).toBe('gpu');
    expect(tags).toHaveLength(10);
  });
});
