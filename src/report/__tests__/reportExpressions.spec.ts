import { nullTranslator } from '@jupyterlab/translation';
import {
  formatReportText,
  parseReportText,
  readReport,
  reportToMetadata
} from '../reportExpressions';

const trans = nullTranslator.load('jupyterlab_lmk');

describe('report expressions', () => {
  it('reads lmk.report metadata, skipping malformed entries', () => {
    expect(
      readReport({
        report: {
          loss: 'f"{loss:.4f}"',
          rows: ' len(df) ',
          '1bad': 'x',
          empty: '  ',
          notText: 3
        }
      })
    ).toEqual([
      { name: 'loss', expression: 'f"{loss:.4f}"' },
      { name: 'rows', expression: 'len(df)' }
    ]);
  });

  it.each([[undefined], [null], [{}], [{ report: [] }], [{ report: 'x' }]])(
    'finds none in %p',
    metadata => {
      expect(readReport(metadata)).toEqual([]);
    }
  );

  it('round-trips through the editor text and the metadata', () => {
    const text = 'loss: f"{loss:.4f}"\nrows: len(df)  \n\n';
    const { expressions, errors } = parseReportText(text, trans);
    expect(errors).toEqual([]);
    expect(formatReportText(expressions)).toBe(
      'loss: f"{loss:.4f}"\nrows: len(df)'
    );
    expect(readReport({ report: reportToMetadata(expressions) })).toEqual(
      expressions
    );
  });

  it('keeps colons inside expressions', () => {
    const { expressions } = parseReportText('best: d["a:b"]', trans);
    expect(expressions).toEqual([{ name: 'best', expression: 'd["a:b"]' }]);
  });

  it('names every bad line and keeps nothing until all are right', () => {
    const { expressions, errors } = parseReportText(
      'ok: 1\nno colon here\n: 2\nok: 3',
      trans
    );
    expect(expressions).toEqual([]);
    expect(errors).toEqual([
      'Line 2: write "name: expression", e.g. "loss: round(loss, 4)".',
      'Line 3: write "name: expression", e.g. "loss: round(loss, 4)".',
      'Line 4: the name "ok" is used twice.'
    ]);
  });
});
