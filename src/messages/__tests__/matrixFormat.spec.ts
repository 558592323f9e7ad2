import { buildManualEvent } from '../runEvent';
import {
  MAX_BODY_BYTES,
  MAX_FORMATTED_BODY_BYTES,
  markdownToMatrixHtml,
  matrixNoticeContent,
  sanitizeMatrixHtml
} from '../matrixFormat';
import { truncateText, utf8Length } from '../chatMarkdown';

describe('markdownToMatrixHtml', () => {
  it('renders the markdown of a notification to Matrix HTML', async () => {
    const html = await markdownToMatrixHtml(
      [
        '[train.ipynb](https://lab.example.org/lab/tree/train.ipynb): failed.',
        '',
        '**ValueError: bad value** and `code`',
        '',
        '```python',
        'x = 1 < 2',
        '```',
        '',
        '- one',
        '- two'
      ].join('\n')
    );
    expect(html).toContain(
      '<a href="https://lab.example.org/lab/tree/train.ipynb">train.ipynb</a>'
    );
    expect(html).toContain('<strong>ValueError: bad value</strong>');
    expect(html).toContain('<code>code</code>');
    expect(html).toContain(
      '<pre><code class="language-python">x = 1 &lt; 2\n</code></pre>'
    );
    expect(html).toContain('<ul>\n<li>one</li>\n<li>two</li>\n</ul>');
  });

  it('shows raw HTML as text, so nothing in a message can run', async () => {
    const html = await markdownToMatrixHtml(
      'a <script>alert(1)</script> b\n\n<img src=x onerror="alert(2)">\n\n<b onclick="x()">bold</b>'
    );
    expect(html).not.toMatch(/<script|<img|<b /);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(2)&quot;&gt;');
  });

  it('keeps only web and mail links, and images as their alt text', async () => {
    const html = await markdownToMatrixHtml(
      '[a](javascript:alert(1)) [b](data:text/html,x) [c](mailto:me@example.org) ![plot](https://example.org/p.png)'
    );
    expect(html).toBe(
      '<p>a b <a href="mailto:me@example.org">c</a> plot</p>\n'
    );
  });
});

describe('sanitizeMatrixHtml', () => {
  it('drops attributes Matrix clients should not get', () => {
    expect(
      sanitizeMatrixHtml(
        '<p style="x" onclick="y()">t</p><a href="https://e.org" target="_blank" onmouseover="z()">l</a>'
      )
    ).toBe('<p>t</p><a href="https://e.org">l</a>');
  });

  it('drops links whose address is hidden behind entities', () => {
    expect(sanitizeMatrixHtml('<a href="&#106;avascript:alert(1)">x</a>')).toBe(
      '<a>x</a>'
    );
    expect(sanitizeMatrixHtml('<a href=" JAVASCRIPT:alert(1)">x</a>')).toBe(
      '<a>x</a>'
    );
  });

  it('escapes unknown tags, comments and stray brackets', () => {
    expect(
      sanitizeMatrixHtml(
        '<iframe src="https://e.org"></iframe><!-- c --><svg/onload=alert(1)>1 < 2'
      )
    ).toBe(
      '&lt;iframe src=&quot;https://e.org&quot;&gt;&lt;/iframe&gt;&lt;!-- c --&gt;&lt;svg/onload=alert(1)&gt;1 &lt; 2'
    );
  });

  it('keeps list numbering and code languages, nothing else', () => {
    expect(
      sanitizeMatrixHtml(
        '<ol start="3"><li>x</li></ol><code class="language-py">y</code><code class="evil">z</code><ol start="x"></ol>'
      )
    ).toBe(
      '<ol start="3"><li>x</li></ol><code class="language-py">y</code><code>z</code><ol></ol>'
    );
  });
});

describe('matrixNoticeContent', () => {
  it('makes an m.notice with the title, plain text and HTML', async () => {
    const content = await matrixNoticeContent(
      buildManualEvent('Loss is **0.12**', 'Training done')
    );
    expect(content).toEqual({
      msgtype: 'm.notice',
      body: 'Training done\nLoss is **0.12**',
      format: 'org.matrix.custom.html',
      formatted_body:
        '<p><strong>Training done</strong></p>\n<p>Loss is <strong>0.12</strong></p>\n',
      'm.mentions': {}
    });
  });

  it('keeps the event within the size Matrix allows', async () => {
    const huge = 'é'.repeat(60_000);
    const content = await matrixNoticeContent(buildManualEvent(huge, 'Big'));
    expect(utf8Length(content.body)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(content.body.endsWith('…')).toBe(true);
    expect(utf8Length(content.formatted_body ?? '')).toBeLessThanOrEqual(
      MAX_FORMATTED_BODY_BYTES
    );
    expect(utf8Length(JSON.stringify(content))).toBeLessThan(65_536 - 4_000);
  });

  it('cuts text on a character boundary', () => {
    expect(truncateText('aé€😀', 8, utf8Length)).toBe('aé…');
    expect(truncateText('short', 100, utf8Length)).toBe('short');
  });
});
